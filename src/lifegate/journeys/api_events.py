"""The registry events API under /api/events/: a population register reports births, deaths
and address changes as CloudEvents, and lifegate starts the matching journeys at once.

Clients authenticate with `Authorization: Bearer <client_id>.<secret>` and need the `events`
scope. An event's `source` is the client's own organisation: `urn:nld:oin:<its OIN>`,
optionally followed by `:` and the system (`:systeem:brp`). The event types and their data are
described in `lifegate.journeys.events`. Errors are RFC 9457 problem details; they never
repeat a BSN."""

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router, Schema
from pydantic import Field

from lifegate.core.problem_schema import Problem
from lifegate.core.problems import PROBLEM_CONTENT_TYPE, problem_response
from lifegate.journeys import events
from lifegate.journeys.api_agency import AgencyBearer
from lifegate.journeys.models import AgencyClient

router = Router(tags=["events"], auth=AgencyBearer(AgencyClient.Scope.EVENTS))


class EventOutcome(Schema):
    """What became of the event."""

    status: str = Field(
        description="`accepted`: stored, the journeys start in the background; `processed`: "
        "the journeys have been started; `failed`: starting them failed repeatedly, the "
        "operator has been told and can process the event again.",
        examples=["accepted"],
    )
    journeys_started: int = Field(
        description="Journeys this event started so far (for a repeat: those the first "
        "delivery started; nothing is started again)."
    )


_EXAMPLE = {
    "specversion": "1.0",
    "type": events.BIRTH_REGISTERED,
    "source": "urn:nld:oin:00000001800000002000:systeem:brp",
    "id": "f3dc2c1a-5f6e-4a59-9b0a-2b1c2d3e4f50",
    "time": "2026-11-22T09:30:00Z",
    "datacontenttype": "application/json",
    "data": {"child_bsn": "999912345"},
}
_PROBLEMS = {
    400: "Not a readable CloudEvent 1.0: bad JSON, missing or invalid attributes.",
    401: "Missing or wrong client credential.",
    403: "The client lacks the `events` scope, or `source` is not `urn:nld:oin:<OIN>` "
    "(optionally followed by `:` and more) with the OIN of the client's organisation.",
    415: "Neither structured mode (application/cloudevents+json) nor binary mode (ce-*).",
    422: "A valid CloudEvent that is not accepted: unknown type, invalid data, a BSN in "
    "`subject`, a source that is no URN or URI at all, or a person the register does not "
    "know.",
    503: "The life event is not in the catalogue yet.",
}


def _openapi() -> dict[str, Any]:
    problem = {PROBLEM_CONTENT_TYPE: {"schema": Problem.model_json_schema()}}
    return {
        "requestBody": {
            "required": True,
            "content": {
                events.STRUCTURED_CONTENT_TYPE: {
                    "schema": {"type": "object"},
                    "example": _EXAMPLE,
                },
                "application/json": {
                    "schema": {"type": "object"},
                    "example": _EXAMPLE["data"],
                },
            },
            "description": "One CloudEvent: structured mode, or binary mode with the "
            "attributes in `ce-*` headers and `data` as the JSON body.",
        },
        "responses": {
            status: {"description": text, "content": problem} for status, text in _PROBLEMS.items()
        },
    }


@router.post(
    "/",
    response={200: EventOutcome, 202: EventOutcome},
    summary="Report a registry event",
    openapi_extra=_openapi(),
    operation_id="receiveRegistryEvent",
)
def receive_event(request: HttpRequest) -> HttpResponse:
    """Report a birth (`nl.brp.birth-registered`, data `child_bsn`), a death
    (`nl.brp.death-registered`, data `deceased_bsn`) or an address change
    (`nl.brp.address-changed`, data `bsn`), with `source` `urn:nld:oin:<your OIN>[:...]`. A
    valid event is accepted (202) and stored with a durable task that starts the journeys it
    calls for. Idempotent on (`source`, `id`): a
    repeat is a 200 with the event's state and starts nothing."""
    client: AgencyClient = request.auth  # type: ignore[attr-defined]
    try:
        outcome = events.receive(request.headers, request.body, client)
    except events.EventRejected as problem:
        extra = {"errors": problem.errors} if problem.errors else {}
        return problem_response(
            request, problem.status, problem.title, problem.detail, problem.problem_type, **extra
        )
    body = {"status": outcome.status, "journeys_started": outcome.journeys_started}
    return JsonResponse(body, status=200 if outcome.repeated else 202)
