"""The person's authorisations API (`/api/mandates/`): the same operations as the pages, for the
portal's own front ends and apps.

Authenticated by the login session cookie at assurance level substantial, with Django's CSRF
check on every change. A person manages only their own mandates: while acting for someone
every endpoint answers 403 (`reason` "only-self"). A refused operation is a problem with the
refusal's `code` and changes nothing; texts are in the request's language."""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.schema import NinjaGenerateJsonSchema

from lifegate.core.problem_schema import Problem
from lifegate.core.problems import PROBLEM_CONTENT_TYPE, problem_response
from lifegate.core.subject import Subject, bsn_is_valid
from lifegate.identity.api_auth import SubstantialPersonSession
from lifegate.mandates import acting, reading, services
from lifegate.mandates.errors import MandateRefused
from lifegate.mandates.models import Mandate, ScopeKind
from lifegate.mandates.views import count_accept_attempt, scope_words, too_many_attempts_text
from lifegate.transparency.services import subject_hash

router = Router(tags=["mandates"], auth=SubstantialPersonSession())

# A well-formed request that is refused is a 422 (`code` says why), except for these: a clash
# with the mandate's current state is a 409, a mandate that is not there (for this person) 404.
REFUSAL_STATUS = {
    "duplicate": 409,
    "code-used": 409,
    "already-ended": 409,
    "unknown-mandate": 404,
}

_PROBLEMS = {
    400: "Malformed parameters or body, e.g. a BSN that fails the elfproef (`errors` per field).",
    401: "No login session.",
    403: "Login below assurance level substantial, a change without a CSRF token, or acting "
    "for someone else (`reason` only-self).",
    404: "No such mandate, or not one of yours (`code` unknown-mandate).",
    409: "In conflict with what holds now (`code`): the representative already holds this "
    "mandate in (part of) the period (duplicate), the invitation code was used "
    "(code-used), the mandate has already ended (already-ended). Nothing was stored.",
    422: "Refused (`code` says why, `detail` says it in the person's language; nothing was "
    "stored): e.g. unknown-person, self-mandate, unknown-scope, a period that is reversed, "
    "too long or in the past, an unknown or expired code or offer.",
    429: "Too many attempts to accept an invitation code; see the Retry-After header.",
}


def _problems(*statuses: int) -> dict[str, Any]:
    schema = Problem.model_json_schema(schema_generator=NinjaGenerateJsonSchema)
    content = {PROBLEM_CONTENT_TYPE: {"schema": schema}}
    return {
        "responses": {
            status: {"description": _PROBLEMS[status], "content": content} for status in statuses
        }
    }


# Schemas ----------------------------------------------------------------------------------


class ScopeIn(Schema):
    kind: ScopeKind
    slug: str = Field(
        "",
        max_length=80,
        description="The service or life event (catalogue slug); empty for the message box "
        "(`inbox-read`, `inbox-full`) and the processing log (`processing-log`: seeing who "
        "used my data).",
        examples=["birth-registration"],
    )


class GrantIn(Schema):
    representative_bsn: str | None = Field(
        None,
        max_length=9,
        description="The representative's BSN; leave out to get an invitation code instead.",
    )
    scopes: list[ScopeIn] = Field(max_length=100)
    valid_from: date
    valid_until: date = Field(description="The last day the mandate is valid (inclusive).")


class AcceptIn(Schema):
    code: str = Field(max_length=40, examples=["ABCD-EFGH-JKMN-PQRS"])


class ScopeOut(Schema):
    kind: ScopeKind
    slug: str
    label: str = Field(description="What the mandate covers, in words, in the request's language.")


class MandateOut(Schema):
    id: UUID
    person: str | None = Field(
        description="In the list: the other person's name, i.e. the representative of a "
        "mandate given (null until its invitation is accepted, for good if it ended before) or "
        "the principal of one received. Null in the answers to changes."
    )
    scope: ScopeOut
    valid_from: date
    valid_until: date
    status: str = Field(
        description="invited, scheduled (starts later), active, expired or ended.",
        examples=["active"],
    )
    created_at: datetime
    accepted_at: datetime | None = None
    ended_at: datetime | None = None
    ended_by: str | None = Field(None, description="principal or representative.")


class MandatesOut(Schema):
    given: list[MandateOut] = Field(description="Newest first.")
    received: list[MandateOut] = Field(description="Newest first.")


class GrantedOut(Schema):
    mandates: list[MandateOut]
    invitation_code: str | None = Field(
        None, description="To hand to the representative; returned only this once."
    )
    invitation_expires_at: datetime | None = None


class DoneOnBehalfOut(Schema):
    at: datetime
    name: str = Field(description="The operation, as recorded.", examples=["inbox.open"])
    activity: str = Field(description="The processing activity, in the request's language.")
    organisation: str
    by: str | None = Field(description="Who did it; null when they cannot be named.")


class OnBehalfPageOut(Schema):
    items: list[DoneOnBehalfOut] = Field(description="Newest first.")
    page: int
    next_page: int | None = None


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=100_000)


# Helpers ----------------------------------------------------------------------------------


def _mandate(mandate: Mandate, name: str, given: bool) -> dict[str, Any]:
    return {
        "id": mandate.pk,
        "person": name or None,
        "scope": {
            "kind": mandate.scope_kind,
            "slug": mandate.scope_slug,
            "label": scope_words(mandate, given),
        },
        "valid_from": mandate.valid_from,
        "valid_until": mandate.valid_until,
        "status": reading.standing(mandate),
        "created_at": mandate.created_at,
        "accepted_at": mandate.accepted_at,
        "ended_at": mandate.ended_at,
        "ended_by": mandate.ended_by or None,
    }


def _refused(request: HttpRequest, refused: MandateRefused) -> HttpResponse:
    return problem_response(
        request,
        REFUSAL_STATUS.get(refused.code, 422),
        _("The request was refused."),
        refused.message,
        "mandate-refused",
        code=refused.code,
    )


def _invalid_bsn(request: HttpRequest) -> HttpResponse:
    message = _("This is not a valid citizen service number (BSN). Check the 9 digits.")
    return problem_response(
        request,
        400,
        _("Please correct the errors in the form."),
        problem_type="invalid-request",
        errors=[{"location": "body.representative_bsn", "message": message}],
    )


# Endpoints --------------------------------------------------------------------------------


@router.get(
    "/",
    response=MandatesOut,
    operation_id="listMyMandates",
    summary="My mandates",
    openapi_extra=_problems(401, 403),
)
def list_mandates(request: HttpRequest) -> Any:
    """The mandates I gave and received, in any status, with the other person's name."""
    subject = acting.only_self(request)
    listed = reading.overview(subject, acting.actor(request))
    return {
        "given": [_mandate(item.mandate, item.name, given=True) for item in listed.given],
        "received": [_mandate(item.mandate, item.name, given=False) for item in listed.received],
    }


@router.post(
    "/",
    response={201: GrantedOut},
    operation_id="grantMandate",
    summary="Authorise someone",
    openapi_extra=_problems(400, 401, 403, 409, 422),
)
def grant_mandate(request: HttpRequest, body: GrantIn) -> Any:
    """Authorise the person with `representative_bsn` for each of `scopes` from `valid_from`
    until `valid_until`: one mandate per scope, active at once. Without a BSN the mandates
    wait for an invitation code, returned only in this response."""
    subject = acting.only_self(request)
    representative = None
    if body.representative_bsn is not None:
        if not bsn_is_valid(body.representative_bsn):
            return _invalid_bsn(request)
        representative = Subject("bsn", body.representative_bsn)
    scopes = [services.Scope(scope.kind.value, scope.slug) for scope in body.scopes]
    try:
        granted = services.grant(
            subject,
            representative,
            scopes,
            body.valid_from,
            body.valid_until,
            acting.actor(request),
        )
    except MandateRefused as refused:
        return _refused(request, refused)
    invitation = granted.mandates[0].invitation if granted.invitation_code else None
    return Status(
        201,
        {
            "mandates": [_mandate(m, "", given=True) for m in granted.mandates],
            "invitation_code": granted.invitation_code or None,
            "invitation_expires_at": invitation.expires_at if invitation else None,
        },
    )


@router.post(
    "/accept",
    response=list[MandateOut],
    operation_id="acceptMandateInvitation",
    summary="Accept an invitation code",
    openapi_extra=_problems(400, 401, 403, 409, 422, 429),
)
def accept_invitation(request: HttpRequest, body: AcceptIn) -> Any:
    """Become the representative of the mandates issued with `code`. A code works once, until
    it expires; a person may try a limited number of codes per period (429 with Retry-After,
    counted together with the page)."""
    subject = acting.only_self(request)
    attempt = count_accept_attempt(request, subject)
    if not attempt.allowed:
        response = problem_response(
            request,
            429,
            _("Too many attempts"),
            too_many_attempts_text(attempt),
            "too-many-attempts",
        )
        response["Retry-After"] = str(attempt.retry_after)
        return response
    try:
        accepted = services.accept(body.code, subject, acting.actor(request))
    except MandateRefused as refused:
        return _refused(request, refused)
    return [_mandate(mandate, "", given=False) for mandate in accepted]


@router.post(
    "/{mandate_id}/accept",
    response=list[MandateOut],
    operation_id="acceptMandateOffer",
    summary="Accept a mandate offered to me",
    openapi_extra=_problems(400, 401, 403, 404, 409, 422),
)
def accept_offer(request: HttpRequest, mandate_id: UUID) -> Any:
    """Accept a mandate someone offered me by my BSN (and the other scopes of the same offer):
    from now on I may act for them within it. Not mine or not waiting: 404 (`code`
    unknown-mandate)."""
    subject = acting.only_self(request)
    try:
        accepted = services.accept_offer(mandate_id, subject, acting.actor(request))
    except MandateRefused as refused:
        return _refused(request, refused)
    return [_mandate(mandate, "", given=False) for mandate in accepted]


@router.post(
    "/{mandate_id}/end",
    response=MandateOut,
    operation_id="endMandate",
    summary="End a mandate",
    openapi_extra=_problems(400, 401, 403, 404, 409),
)
def end_mandate(request: HttpRequest, mandate_id: UUID) -> Any:
    """End a mandate I gave or received, at once (or withdraw an invitation not accepted
    yet). Ending one that has already ended is refused (`code` already-ended)."""
    subject = acting.only_self(request)
    try:
        ended = services.end(mandate_id, subject, acting.actor(request))
    except MandateRefused as refused:
        return _refused(request, refused)
    return _mandate(ended, "", given=ended.principal_hash == subject_hash(subject))


@router.get(
    "/on-my-behalf",
    response=OnBehalfPageOut,
    operation_id="listDoneOnMyBehalf",
    summary="Done on my behalf",
    openapi_extra=_problems(400, 401, 403),
)
def done_on_my_behalf(request: HttpRequest, params: Query[PageQuery]) -> Any:
    """What others did with my data on my behalf, newest first, 50 per page, with the name of
    whoever did it when they are my representative (or parent)."""
    subject = acting.only_self(request)
    page = reading.done_on_behalf_of(subject, acting.actor(request), params.page)
    return {
        "items": [
            {
                "at": entry.record.start_time,
                "name": entry.record.name,
                "activity": entry.activity,
                "organisation": entry.organisation,
                "by": entry.by or None,
            }
            for entry in page.entries
        ],
        "page": page.number,
        "next_page": page.number + 1 if page.has_next else None,
    }
