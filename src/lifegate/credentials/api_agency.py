"""The agency credentials API under /api/agency/credentials/: an agency's systems issue
verifiable credentials of the credential types their organisation issues, follow them, and
revoke, suspend or reinstate them.

Clients authenticate like the rest of the agency API (`Authorization: Bearer
<client_id>.<secret>`) and need the `credentials` scope. A client issues only the types its
organisation is the issuer of (others: 403) and sees only those credentials; any other id is
a 404, exactly like an id that does not exist. Issuing is idempotent per type, person and
`source_reference`. Answers never carry the person's claims or identifier; every issue,
read and change is recorded in the person's processing log. Errors are RFC 9457 problem
details."""

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import model_validator

from lifegate.catalogue.models import CredentialType
from lifegate.core.subject import Subject, bsn_is_valid
from lifegate.credentials import issuing, revocation
from lifegate.credentials.api_agency_problems import problem_responses, refusal_response
from lifegate.credentials.from_registers import issue_from_register_once
from lifegate.credentials.issuing import Issued, IssuingRefused
from lifegate.credentials.models import IssuedCredential
from lifegate.credentials.status_lists import status_list_uri
from lifegate.journeys.api_agency import AgencyBearer
from lifegate.journeys.models import AgencyClient
from lifegate.registries.matching import is_eidas_identifier
from lifegate.registries.services import registered_subjects
from lifegate.transparency.services import Actor, decrypt_subject, record_processing

router = Router(tags=["agency"], auth=AgencyBearer(AgencyClient.Scope.CREDENTIALS))

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
StateName = Literal["valid", "revoked", "suspended"]


class RecipientIn(Schema):
    """The person: a BSN or an eIDAS person identifier (XX/YY/id)."""

    scheme: Literal["bsn", "eidas"] = Field(examples=["bsn"])
    value: str = Field(max_length=200, examples=["999990019"])

    @model_validator(mode="after")
    def _well_formed(self) -> "RecipientIn":
        # The messages never repeat the value: errors end up in logs.
        if self.scheme == "bsn" and not bsn_is_valid(self.value):
            raise ValueError("not a BSN: nine digits passing the elfproef")
        if self.scheme == "eidas" and not is_eidas_identifier(self.value):
            raise ValueError("not an eIDAS person identifier of the form XX/YY/identifier")
        return self

    def subject(self) -> Subject:
        return Subject(self.scheme, self.value)


class CredentialIssueIn(Schema):
    """What to issue, to whom: the claims, or `from_register: true` to take them from the
    population or education register (a diploma: one credential per diploma)."""

    type: str = Field(max_length=80, pattern=SLUG, examples=["diploma"])
    recipient: RecipientIn
    claims: dict[str, Any] | None = Field(
        None,
        description="Every claim of the credential type (see the catalogue, or "
        "`/.well-known/openid-credential-issuer`), each a text, number or true/false.",
        examples=[{"title": "Bachelor of Science HBO-ICT", "level_eqf": 6}],
    )
    from_register: bool = Field(
        False, description="Take the claims from the registers instead of `claims`."
    )
    source_reference: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        description="Your own reference of what the credential is made from (required with "
        "`claims`): issuing again with the same type, recipient and reference gives back the "
        "same credential. Register credentials use the register's own reference.",
        examples=["dossier-2026-0042"],
    )

    @model_validator(mode="after")
    def _one_source(self) -> "CredentialIssueIn":
        if self.from_register == (self.claims is not None):
            raise ValueError("give either claims or from_register: true")
        if self.claims is not None and self.source_reference is None:
            raise ValueError("claims need a source_reference")
        return self


class CredentialOut(Schema):
    """An issued credential, without its claims."""

    id: UUID
    type: str = Field(description="The credential type's slug.")
    vct: str
    state: StateName
    issued_at: datetime
    expires_at: datetime | None = Field(description="null: it does not expire.")
    status_list: str = Field(description="URI of the status list token (statuslist+jwt).")
    status_index: int = Field(ge=0, description="The credential's entry in that list.")
    log_index: int = Field(ge=0, description="Its entry in the transparency log.")
    source: Literal["register", "agency-api"]
    source_reference: str | None = Field(
        description="Your reference, for credentials issued with claims."
    )
    copies: int = Field(ge=0, description="Copies in external wallets (they follow its state).")


class IssueOut(Schema):
    """The credentials issued (or issued before from the same reference)."""

    credentials: list[CredentialOut]


def _client(request: HttpRequest) -> AgencyClient:
    return request.auth  # type: ignore[attr-defined]


def _actor(client: AgencyClient) -> Actor:
    return Actor(kind="agency", organisation=client.organisation.slug)


def _out(credential: IssuedCredential) -> dict[str, Any]:
    kind = credential.credential_type
    own = credential.source == IssuedCredential.Source.AGENCY_API
    return {
        "id": credential.pk,
        "type": kind.slug,
        "vct": kind.vct,
        "state": credential.state,
        "issued_at": credential.issued_at,
        "expires_at": credential.expires_at,
        "status_list": status_list_uri(credential.status_list_id),
        "status_index": credential.status_index,
        "log_index": credential.log_index,
        "source": credential.source,
        # A register's reference may say something about the person (when they moved).
        "source_reference": credential.source_reference if own else None,
        "copies": credential.copies.count(),
    }


def _own_type(client: AgencyClient, slug: str) -> CredentialType:
    kind = CredentialType.objects.filter(slug=slug).first()
    if kind is None:
        raise IssuingRefused("unknown-credential-type", "no credential type with this slug")
    if kind.issuer_id != client.organisation.pk:
        raise IssuingRefused("not-own-credential-type", "another organisation issues this type")
    return kind


def _issue(client: AgencyClient, body: CredentialIssueIn) -> list[Issued]:
    kind = _own_type(client, body.type)
    subject = body.recipient.subject()
    if body.from_register:
        return issue_from_register_once(kind.slug, subject, actor=_actor(client))
    if not registered_subjects({subject}):
        raise IssuingRefused("unknown-recipient", "no registered person with this identifier")
    issued = issuing.issue_once(
        kind.slug,
        subject,
        body.claims or {},
        actor=_actor(client),
        source=IssuedCredential.Source.AGENCY_API,
        source_reference=body.source_reference or "",
    )
    return [issued]


@router.post(
    "",
    response={200: IssueOut, 201: IssueOut},
    operation_id="issueAgencyCredential",
    openapi_extra=problem_responses(400, 401, 403, 404, 422),
)
def issue_credential(
    request: HttpRequest, response: HttpResponse, body: CredentialIssueIn
) -> HttpResponse | Status[dict[str, Any]]:
    """Issue a credential of one of your organisation's credential types to a registered
    person: 201 with the credential(s). With `from_register: true` the claims come from the
    registers: a birth registration or residence from the population register, each diploma
    in the education register as its own credential. Issuing again from the same reference
    is a 200 with the same credential (`Idempotent-Replayed: true`); the same reference with
    other claims is a 422. An unknown type or person is a 404, another organisation's type a
    403, claims that do not fit the type a 422 naming each claim (never its value)."""
    add_never_cache_headers(response)
    client = _client(request)
    try:
        issued = _issue(client, body)
    except IssuingRefused as refused:
        return refusal_response(request, refused)
    for each in issued:
        if not each.created:
            # A replay answers with the credential's current state: a read, as a GET is.
            _record_read(client, each.credential)
    credentials = [_out(each.credential) for each in issued]
    if any(each.created for each in issued):
        if len(issued) == 1:
            response["Location"] = request.build_absolute_uri(
                reverse("api:agency-credential", args=[issued[0].credential.pk])
            )
        return Status(201, {"credentials": credentials})
    response["Idempotent-Replayed"] = "true"
    return Status(200, {"credentials": credentials})


def _own_credential(client: AgencyClient, credential_id: UUID) -> IssuedCredential:
    """The credential if its type is one the client's organisation issues; a 404 otherwise,
    so that other organisations' ids are indistinguishable from ids that do not exist."""
    found = (
        IssuedCredential.objects.select_related("credential_type")
        .filter(pk=credential_id, credential_type__issuer=client.organisation)
        .first()
    )
    if found is None:
        raise Http404(_("No such credential."))
    return found


@router.get(
    "/{credential_id}",
    response=CredentialOut,
    url_name="agency-credential",
    operation_id="getAgencyCredential",
    openapi_extra=problem_responses(400, 401, 403, 404),
)
def get_credential(
    request: HttpRequest, response: HttpResponse, credential_id: UUID
) -> dict[str, Any]:
    """One credential: its type, state, dates and where its status is published; not its
    claims. The read is recorded in the person's processing log."""
    add_never_cache_headers(response)
    client = _client(request)
    credential = _own_credential(client, credential_id)
    _record_read(client, credential)
    return _out(credential)


def _record_read(client: AgencyClient, credential: IssuedCredential) -> None:
    record_processing(
        name=f"credentials.agency-api.read.{credential.credential_type.slug}"[:120],
        subject=decrypt_subject(credential.subject_sealed),
        activity=issuing.ACTIVITY,
        actor=_actor(client),
        data_categories=revocation.DATA_CATEGORIES,
    )


def _change(
    request: HttpRequest, credential_id: UUID, target: str
) -> HttpResponse | dict[str, Any]:
    client = _client(request)
    credential = _own_credential(client, credential_id)
    try:
        changed = revocation.state_changed(credential, target, actor=_actor(client))
    except IssuingRefused as refused:
        _record_read(client, credential)  # the refusal tells the state
        return refusal_response(request, refused)
    if not changed:  # it had the state already (perhaps just now): the answer is a read
        _record_read(client, credential)
    return _out(credential)


@router.post(
    "/{credential_id}/revoke",
    response=CredentialOut,
    operation_id="revokeAgencyCredential",
    openapi_extra=problem_responses(400, 401, 403, 404),
)
def revoke_credential(request: HttpRequest, credential_id: UUID) -> HttpResponse | dict[str, Any]:
    """Revoke the credential, and its copies in external wallets, for good: verifiers see
    it as revoked once their cached status list expires (at most its ttl, 5 minutes).
    Revoking a revoked credential changes nothing."""
    return _change(request, credential_id, IssuedCredential.State.REVOKED)


@router.post(
    "/{credential_id}/suspend",
    response=CredentialOut,
    operation_id="suspendAgencyCredential",
    openapi_extra=problem_responses(400, 401, 403, 404, 409),
)
def suspend_credential(request: HttpRequest, credential_id: UUID) -> HttpResponse | dict[str, Any]:
    """Suspend the credential and its copies until you reinstate (or revoke) it. A revoked
    credential cannot be suspended (409)."""
    return _change(request, credential_id, IssuedCredential.State.SUSPENDED)


@router.post(
    "/{credential_id}/reinstate",
    response=CredentialOut,
    operation_id="reinstateAgencyCredential",
    openapi_extra=problem_responses(400, 401, 403, 404, 409),
)
def reinstate_credential(
    request: HttpRequest, credential_id: UUID
) -> HttpResponse | dict[str, Any]:
    """Make a suspended credential (and its suspended copies) valid again. A revoked
    credential stays revoked (409)."""
    return _change(request, credential_id, IssuedCredential.State.VALID)
