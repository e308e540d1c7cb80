"""The person's evidence exchange API (under `/api/journeys/`): in a journey step, which
requirements the government can provide the evidence for, asking for it, and the evidence
received: the same as the step page's "get it from the government" and the received-evidence
page, for the portal's own front ends and apps.

Asking does not fetch anything yet: the provider first shows the person exactly what it
would share, at `preview_url`, on its own pages (in a browser, logged in there), with "Share"
and "Do not share". Afterwards the request's `status` says what happened; evidence received
goes with the step's next submission unless the person removes it first.

Authenticated by the login session cookie, with Django's CSRF check on every change; the
login must reach the step's level of assurance (403 `step-up-required` otherwise). Acting for
someone works as for the step itself (`journeys.access`). Every ask, read and removal is
recorded on the person it is about. Names, labels and explanations are in the request's
language (Accept-Language or the language cookie; Dutch by default)."""

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from lifegate.core.problem_schema import problem_responses
from lifegate.core.problems import problem_response
from lifegate.exchange import evidence as documents
from lifegate.exchange import person
from lifegate.exchange import received as received_evidence
from lifegate.exchange.models import EvidenceRequest
from lifegate.exchange.options import NoExchangeOption, Option, options_for
from lifegate.identity.api_auth import PersonSession, request_language
from lifegate.journeys import access
from lifegate.journeys import services as journeys
from lifegate.journeys.api import step_up_problem
from lifegate.mandates import acting

router = Router(tags=["evidence exchange"], auth=PersonSession())

RequestStatus = Literal[
    "awaiting-consent",
    "received",
    "declined",
    "not-found",
    "unavailable",
    "refused",
    "expired",
    "rejected",
]


class EvidenceRequestOut(Schema):
    id: UUID
    requirement: str = Field(examples=["registration-birth"])
    evidence_type: str = Field(examples=["birth-certificate"])
    status: RequestStatus = Field(
        description="`awaiting-consent`: the person still has to look at the evidence at "
        "`preview_url` and share it; `received`: it goes with the step's next submission; "
        "the others: it did not come, see `explanation`."
    )
    explanation: str = Field(
        description="What the status means for the person, in the request's language; empty "
        "while waiting and once received."
    )
    preview_url: str | None = Field(
        description="Where the person looks at the evidence and shares it or not (the "
        "provider's page, in a browser); null once that is no longer possible."
    )
    expires_at: datetime | None = Field(
        description="Until when the person can share it; null once decided."
    )
    received_at: datetime | None


class EvidenceOptionOut(Schema):
    requirement: str = Field(description="The requirement of the step's service it meets.")
    evidence_type: str
    evidence_type_name: str = Field(description="In the request's language.")
    provider: str = Field(description="The providing organisation, in the request's language.")
    provider_country: str = Field(examples=["NL"])
    latest: EvidenceRequestOut | None = Field(
        description="The latest request for it in this step that was not sent with a "
        "submission; null when none."
    )


class EvidenceClaimOut(Schema):
    key: str = Field(examples=["date_of_birth"])
    label: str = Field(description="In the request's language.", examples=["Geboortedatum"])
    value: str = Field(description="As the provider signed it (dates in ISO 8601).")


class ReceivedEvidenceOut(Schema):
    id: UUID
    requirement: str
    evidence_type: str
    provider: str = Field(description="The providing organisation, in the request's language.")
    provider_country: str
    issued_at: datetime
    digest: str = Field(description="SHA-256 of the signed evidence document, in hex.")
    claims: list[EvidenceClaimOut] = Field(description="In the evidence type's order.")


def _request_out(found: EvidenceRequest) -> dict[str, Any]:
    waiting = found.status == EvidenceRequest.Status.AWAITING_CONSENT
    return {
        "id": found.pk,
        "requirement": found.requirement_slug,
        "evidence_type": found.evidence_type_slug,
        "status": found.status,
        "explanation": received_evidence.explanation(found),
        "preview_url": found.preview_url if waiting and found.preview_url else None,
        "expires_at": found.expires_at if waiting else None,
        "received_at": found.received_at,
    }


def _option_out(option: Option) -> dict[str, Any]:
    return {
        "requirement": option.requirement_slug,
        "evidence_type": option.evidence_type_slug,
        "evidence_type_name": option.evidence_type_name,
        "provider": option.provider_name,
        "provider_country": option.provider_country,
        "latest": _request_out(option.latest) if option.latest else None,
    }


@router.get(
    "/{journey_id}/steps/{slug}/evidence",
    response=list[EvidenceOptionOut],
    summary="Evidence the government can provide for a step",
    description="Per requirement of the step's service that a government register can meet "
    "for the person: the evidence, who provides it, and the latest request for it. "
    "Requirements without such an option are left out (upload a document for them). 409 "
    "(`step-not-open`) when the step cannot be sent now.",
    openapi_extra=problem_responses(404, 409),
    operation_id="listStepEvidence",
)
def list_options(request: HttpRequest, journey_id: UUID, slug: str) -> Any:
    journey = access.viewable_journey(request, journey_id, recorded=False)
    step = access.step_to_act_in(request, journey, slug)
    if refused := step_up_problem(request, step):
        return refused
    if not journeys.open_for_request(step):
        return _not_open(request)
    return [_option_out(option) for option in options_for(step, access.whose(request)).values()]


@router.post(
    "/{journey_id}/steps/{slug}/evidence/{requirement}",
    response={201: EvidenceRequestOut},
    summary="Ask the government for a requirement's evidence",
    description="Asks the provider, which prepares a preview: send the person to "
    "`preview_url` to look at it and share it or not; then they come back to the step's "
    "page. Always a new request (201): one the provider could not serve says why in "
    "`status` and `explanation`. 404 (`no-exchange-option`) when the government cannot "
    "provide this requirement's evidence for the person; 409 (`step-not-open`) when the step "
    "cannot be sent now.",
    openapi_extra=problem_responses(404, 409),
    operation_id="askForEvidence",
)
def ask(request: HttpRequest, journey_id: UUID, slug: str, requirement: str) -> Any:
    journey = access.viewable_journey(request, journey_id, recorded=False)
    step = access.step_allowed(request, journey, slug)
    if refused := step_up_problem(request, step):
        return refused
    try:
        asked = person.ask(request, journey, step, requirement)
    except journeys.StepNotOpen:
        return _not_open(request)
    except NoExchangeOption:
        return problem_response(
            request,
            404,
            _("The government cannot provide this evidence for you. Upload a document instead."),
            problem_type="no-exchange-option",
        )
    return Status(201, _request_out(asked))


@router.get(
    "/{journey_id}/evidence/{evidence_id}",
    response=ReceivedEvidenceOut,
    summary="Evidence received",
    description="The evidence as received, with where it came from; the read is recorded on "
    "the person it is about. 404 for a request that brought no evidence.",
    openapi_extra=problem_responses(404),
    operation_id="getReceivedEvidence",
)
def get_received(request: HttpRequest, journey_id: UUID, evidence_id: UUID) -> Any:
    found = person.own_evidence(request, evidence_id, act=False, journey_id=journey_id)
    if refused := step_up_problem(request, found.step):
        return refused
    shown = received_evidence.show(
        found, actor=acting.actor(request), purpose="exchange.view-received"
    )
    claims = documents.read_document(shown.token).get("claims", {})
    dutch = request_language() == "nl"
    return {
        "id": found.pk,
        "requirement": found.requirement_slug,
        "evidence_type": found.evidence_type_slug,
        "provider": found.provider_name_nl if dutch else found.provider_name_en,
        "provider_country": found.provider_country,
        "issued_at": shown.issued_at,
        "digest": found.evidence_digest,
        "claims": [
            {"key": claim.key, "label": str(claim.label), "value": str(claims[claim.key])}
            for claim in documents.CLAIM_LABELS.get(found.evidence_type_slug, ())
            if claims.get(claim.key)
        ],
    }


@router.delete(
    "/{journey_id}/evidence/{evidence_id}",
    response={204: None},
    summary="Do not use evidence received",
    description="The evidence is deleted and will not be sent; the deletion is recorded. "
    "404 once it went with a submission (it is the agency's then).",
    openapi_extra=problem_responses(404),
    operation_id="discardReceivedEvidence",
)
def discard(request: HttpRequest, journey_id: UUID, evidence_id: UUID) -> Any:
    found = person.own_evidence(request, evidence_id, act=True, journey_id=journey_id)
    if refused := step_up_problem(request, found.step):
        return refused
    if not received_evidence.discard(found, actor=acting.actor(request)):
        raise Http404  # sent with the step in the meantime
    return Status(204, None)


def _not_open(request: HttpRequest) -> HttpResponse:
    return problem_response(
        request, 409, _("This step cannot be sent now."), problem_type="step-not-open"
    )
