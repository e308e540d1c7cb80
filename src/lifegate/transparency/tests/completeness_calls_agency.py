"""The walk's calls of agencies through the agency API: messages, a mandate check, an event
from the population register and a credential's life (see `test_completeness`)."""

import json
from typing import Any

from lifegate.catalogue.models import PublicOrganisation
from lifegate.credentials.tests.conftest import DIPLOMA_CLAIMS
from lifegate.journeys import event_processing, events
from lifegate.journeys.models import InboundEvent
from lifegate.transparency.tests.completeness_walk import (
    AGENCY,
    ANY_PERSON,
    CHILD,
    DIPLOMA_DATA,
    DUO,
    ME,
    PARENT,
    PERSON_DATA,
    REGISTER,
    Call,
    Expected,
    World,
    keep,
)


def _message(world: World, key: str = "") -> dict[str, Any]:
    message = {
        "recipient": world.who[ME].as_dict(),
        "subject": "Uw aanslag",
        "body": "Wij hebben uw aangifte ontvangen.",
        "category": "decision",
    }
    return message | ({"idempotency_key": key} if key else {})


def _address_changed(world: World) -> bytes:
    """The register's report that the parent moved."""
    source = f"urn:nld:oin:{PublicOrganisation.objects.get(slug=REGISTER).oin}:systeem:brp"
    event = events.registry_event(events.ADDRESS_CHANGED, world.who[PARENT].value, source, "walk")
    body: bytes = events.structured(event).body
    return body


def _process_event(world: World, response: Any) -> None:
    """What the event's background task does."""
    event_processing.process_event(InboundEvent.objects.get(event_id="walk").pk)


def _diploma(world: World) -> dict[str, Any]:
    return {
        "type": "diploma",
        "recipient": world.who[ME].as_dict(),
        "claims": DIPLOMA_CLAIMS,
        "source_reference": "walk",
    }


def _by_lifegate(name: str, activity: str, categories: tuple[str, ...], subject: str) -> Expected:
    return Expected(name, activity, categories, subject=subject, actor="lifegate")


def _status(name: str) -> Expected:
    return Expected(name, "credential-issuing", ("credential-status",), actor=DUO)


# What the register's report that the parent moved leaves: plans for the parent, for their
# children and for one person outside the walk's people ("?"), and a message to the parent.
PLANNED_AFTER_THE_MOVE = (
    _by_lifegate("journeys.proactive.nl.brp.address-changed", "journeys-plan", PERSON_DATA, PARENT),
    _by_lifegate("journeys.proactive.nl.brp.address-changed", "journeys-plan", PERSON_DATA, PARENT),
    _by_lifegate("journeys.plan", "journeys-plan", PERSON_DATA, PARENT),
    _by_lifegate("journeys.plan", "journeys-plan", ("family_relations",), PARENT),
    _by_lifegate("journeys.plan", "journeys-plan", PERSON_DATA, CHILD),
    _by_lifegate("journeys.plan", "journeys-plan", PERSON_DATA, f"{CHILD}-2"),
    _by_lifegate("journeys.plan", "journeys-plan", PERSON_DATA, "?"),
    _by_lifegate("inbox.send", "inbox-delivery", ("message",), PARENT),
)


AGENCY_CALLS: tuple[Call, ...] = (
    Call("GET /api/agency/submissions", "/api/agency/submissions", (), by=AGENCY),
    Call(
        "GET /api/agency/messages/",
        "/api/agency/messages/?limit=1",
        (
            Expected(
                "inbox.status",
                "inbox-delivery",
                ("read-status",),
                subject=ANY_PERSON,
                actor="belastingdienst",
            ),
        ),
        by=AGENCY,
    ),
    Call(
        "GET /api/agency/messages/{message_id}",
        "/api/agency/messages/{message}",
        (Expected("inbox.status", "inbox-delivery", ("read-status",), actor="belastingdienst"),),
        by=AGENCY,
    ),
    Call(
        "POST /api/agency/messages/",
        "/api/agency/messages/",
        (
            Expected(
                name="inbox.send",
                activity="inbox-delivery",
                categories=("message",),
                actor="belastingdienst",
            ),
        ),
        "post",
        201,
        _message,
        True,
        by=AGENCY,
        headers=(("Idempotency-Key", "walk-1"),),
    ),
    Call(
        "POST /api/agency/messages/bulk",
        "/api/agency/messages/bulk",
        (
            Expected(
                name="inbox.send",
                activity="inbox-delivery",
                categories=("message",),
                actor="belastingdienst",
            ),
        ),
        "post",
        200,
        lambda w: {"messages": [_message(w, "walk-2")]},
        True,
        by=AGENCY,
    ),
    Call(
        "POST /api/agency/messages/stream",
        "/api/agency/messages/stream",
        (
            Expected(
                name="inbox.send",
                activity="inbox-delivery",
                categories=("message",),
                actor="belastingdienst",
            ),
        ),
        "post",
        200,
        lambda w: json.dumps(_message(w, "walk-3")) + "\n",
        by=AGENCY,
        content_type="application/x-ndjson",
    ),
    Call(
        "POST /api/agency/mandates/check",
        "/api/agency/mandates/check",
        (
            Expected(
                name="mandates.agency-api.check",
                activity="mandates",
                categories=("bsn", "mandate", "parental-authority"),
                actor="belastingdienst",
            ),
            Expected(
                name="mandates.agency-api.check",
                activity="mandates",
                categories=("bsn", "mandate"),
                subject="parent",
                actor="belastingdienst",
            ),
        ),
        "post",
        200,
        lambda w: {
            "representative": w.who[PARENT].as_dict(),
            "principal": w.who[ME].as_dict(),
            "service": "income-tax-return",
            "action": "journeys.view",
        },
        True,
        by=AGENCY,
    ),
    Call(
        "POST /api/events/",
        "/api/events/",
        PLANNED_AFTER_THE_MOVE,
        "post",
        202,
        _address_changed,
        by=REGISTER,
        content_type=events.STRUCTURED_CONTENT_TYPE,
        then=_process_event,
    ),
    Call(
        "POST /api/agency/credentials",
        "/api/agency/credentials",
        (Expected("credentials.issue.diploma", "credential-issuing", DIPLOMA_DATA, actor=DUO),),
        "post",
        201,
        _diploma,
        True,
        by=DUO,
        then=keep("issued", lambda r: r.json()["credentials"][0]["id"]),
    ),
    Call(
        "GET /api/agency/credentials/{credential_id}",
        "/api/agency/credentials/{issued}",
        (_status("credentials.agency-api.read.diploma"),),
        by=DUO,
    ),
    Call(
        "POST /api/agency/credentials/{credential_id}/suspend",
        "/api/agency/credentials/{issued}/suspend",
        (_status("credentials.suspend.diploma"),),
        "post",
        200,
        {},
        True,
        by=DUO,
    ),
    Call(
        "POST /api/agency/credentials/{credential_id}/reinstate",
        "/api/agency/credentials/{issued}/reinstate",
        (_status("credentials.reinstate.diploma"),),
        "post",
        200,
        {},
        True,
        by=DUO,
    ),
    Call(
        "POST /api/agency/credentials/{credential_id}/revoke",
        "/api/agency/credentials/{issued}/revoke",
        (_status("credentials.revoke.diploma"),),
        "post",
        200,
        {},
        True,
        by=DUO,
    ),
)
