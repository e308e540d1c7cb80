"""The agency mandates API under /api/agency/mandates/: an agency's counter staff ask whether
a representative may act for a person for one of the agency's own services.

Clients authenticate like the rest of the agency API (`Authorization: Bearer
<client_id>.<secret>`) and need the `mandates` scope. The answer comes from the one decision
point (`mandates.decision.may`), so the counter sees exactly what the portal would allow. An
agency may ask about its own services only: about another organisation's service it learns
nothing about the two people (403). Asking reads personal data about both people, so each gets
a record in their processing log. Errors are RFC 9457 problem details; they never repeat an
identifier."""

from datetime import date
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.schema import NinjaGenerateJsonSchema
from pydantic import model_validator

from lifegate.catalogue.models import PublicService
from lifegate.core.problem_schema import Problem
from lifegate.core.problems import PROBLEM_CONTENT_TYPE
from lifegate.core.subject import Subject, bsn_is_valid
from lifegate.journeys.api_agency import AgencyBearer
from lifegate.journeys.models import AgencyClient
from lifegate.mandates.acting import NotPermitted
from lifegate.mandates.decision import Decision, may
from lifegate.mandates.models import Mandate
from lifegate.mandates.services import ACTIVITY, DATA_CATEGORIES
from lifegate.registries.matching import is_eidas_identifier
from lifegate.transparency.services import Actor, record_processing

router = Router(tags=["agency"], auth=AgencyBearer(AgencyClient.Scope.MANDATES))

# The reasons of an allowed decision are also its basis; a refusal has none.
BASES = ("self", "mandate", "parental-authority")

_PROBLEM_DESCRIPTIONS = {
    400: "A malformed body, e.g. a BSN that fails the elfproef (problem details).",
    401: "Missing, unknown or inactive client credential (problem details; the response "
    "carries `WWW-Authenticate: Bearer`).",
    403: "The client lacks the `mandates` scope, or the service is not one of its "
    "organisation's (`reason: not-own-service`) (problem details).",
    404: "No service with this slug in the catalogue (problem details).",
}


def _problem_responses() -> dict[str, Any]:
    schema = Problem.model_json_schema(schema_generator=NinjaGenerateJsonSchema)
    content = {PROBLEM_CONTENT_TYPE: {"schema": schema}}
    return {
        "responses": {
            status: {"description": description, "content": content}
            for status, description in _PROBLEM_DESCRIPTIONS.items()
        }
    }


class PersonIn(Schema):
    """A person: a BSN or an eIDAS person identifier (XX/YY/id)."""

    scheme: Literal["bsn", "eidas"] = Field(examples=["bsn"])
    value: str = Field(max_length=200, examples=["999990019"])

    @model_validator(mode="after")
    def _well_formed(self) -> "PersonIn":
        # The messages never repeat the value: errors end up in logs.
        if self.scheme == "bsn" and not bsn_is_valid(self.value):
            raise ValueError("not a BSN: nine digits passing the elfproef")
        if self.scheme == "eidas" and not is_eidas_identifier(self.value):
            raise ValueError("not an eIDAS person identifier of the form XX/YY/identifier")
        return self

    def subject(self) -> Subject:
        return Subject(self.scheme, self.value)


class MandateCheckIn(Schema):
    """May `representative` do `action` for `principal` at `service`?"""

    representative: PersonIn = Field(description="The person at the counter.")
    principal: PersonIn = Field(description="The person they say they act for.")
    service: str = Field(
        max_length=80,
        description="Slug of one of your organisation's services in the catalogue.",
        examples=["birth-registration"],
    )
    action: Literal["journeys.view", "journeys.submit"] = Field(
        "journeys.submit",
        description="`journeys.submit`: apply or report for the principal; `journeys.view`: "
        "see the principal's journey and submissions for this service.",
    )


class MandateCheckOut(Schema):
    """The decision, as the portal would take it for the representative."""

    allowed: bool
    reason: str = Field(
        description="Why, as a code: `self`, `mandate`, `parental-authority` when allowed; "
        "`no-relation`, `out-of-scope`, `not-yet-valid`, `expired` or `ended` when not.",
        examples=["mandate"],
    )
    basis: Literal["mandate", "parental-authority", "self", ""] = Field(
        description="On what the permission rests; empty when refused.", examples=["mandate"]
    )
    explanation: str = Field(
        description="The reason in words, in the request's language (`Accept-Language`).",
        examples=["You have been authorised for this."],
    )
    valid_until: date | None = Field(
        description="The last day of the mandate that allows it; null for any other basis."
    )


def _client(request: HttpRequest) -> AgencyClient:
    return request.auth  # type: ignore[attr-defined]


def _service(slug: str) -> PublicService:
    service = PublicService.objects.filter(slug=slug).first()
    if service is None:
        raise Http404(_("No such service."))
    return service


def _record(actor: Actor, principal: Subject, representative: Subject) -> None:
    parties = [
        (principal, (*DATA_CATEGORIES, "parental-authority")),
        (representative, DATA_CATEGORIES),
    ]
    for subject, categories in parties:
        record_processing(
            name="mandates.agency-api.check",
            subject=subject,
            activity=ACTIVITY,
            actor=actor,
            data_categories=categories,
        )


def _answer(decision: Decision) -> dict[str, Any]:
    basis = decision.reason if decision.allowed and decision.reason in BASES else ""
    valid_until = None
    if basis == "mandate":
        valid_until = (
            Mandate.objects.filter(pk=decision.basis).values_list("valid_until", flat=True).first()
        )
    return {
        "allowed": decision.allowed,
        "reason": decision.reason,
        "basis": basis,
        "explanation": decision.explanation,
        "valid_until": valid_until,
    }


@router.post(
    "/check",
    response=MandateCheckOut,
    operation_id="checkAgencyMandate",
    openapi_extra=_problem_responses(),
)
def check(request: HttpRequest, response: HttpResponse, body: MandateCheckIn) -> dict[str, Any]:
    """May this representative act for this person at one of your organisation's services?
    Answers from the same decision point as the portal: a voluntary mandate in scope and
    period, parental authority over a minor (from the population register), or the person
    themselves. A service of another organisation is a 403 (`reason: not-own-service`), an
    unknown one a 404. The check is recorded in both people's processing logs; it is not a
    use of the mandate, so the principal is not told."""
    add_never_cache_headers(response)
    organisation = _client(request).organisation
    agency = Actor(kind="agency", organisation=organisation.slug)
    service = _service(body.service)
    principal, representative = body.principal.subject(), body.representative.subject()
    own = may(agency, body.action, principal, service=service.slug)
    if not own:
        raise NotPermitted(own)  # a 403 problem with the reason, like every refusal
    actor = Actor(kind="person", subject=representative)
    decision = may(actor, body.action, principal, service=service.slug)
    _record(agency, principal, representative)
    return _answer(decision)
