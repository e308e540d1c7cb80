"""The person's own credentials API (`/api/credentials/mine/`): the same as the "My
credentials" pages, for the portal's own front ends and apps. The list, one credential with
its claims, and "put in another wallet": a new OpenID4VCI offer with its transaction code.

Authenticated by the login session cookie at assurance level substantial, with Django's CSRF
check on every change. Credentials are proofs about the logged-in person themselves: someone
acting for another person gets their own. Someone else's credential is a 404, exactly like an
unknown one. Reading the list and a credential, and making an offer, are recorded in the
person's processing log (`credentials.mine`). Names and labels are in the request's
language (Accept-Language or the language cookie; Dutch by default); errors are problem
details."""

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from lifegate.core.problem_schema import problem_responses
from lifegate.core.problems import problem_response
from lifegate.credentials import mine, oid4vci, withdrawal
from lifegate.credentials.models import IssuedCredential
from lifegate.identity.api_auth import SubstantialPersonSession, session_of

router = Router(tags=["credentials"], auth=SubstantialPersonSession())


class IssuerOut(Schema):
    slug: str = Field(examples=["duo"])
    name: str = Field(description="In the request's language.")


class MyCredentialOut(Schema):
    id: UUID
    type: str = Field(description="The credential type's slug.", examples=["diploma"])
    name: str = Field(description="The credential type's name, in the request's language.")
    issuer: IssuerOut
    state: Literal["valid", "revoked", "suspended"]
    issued_at: datetime
    expires_at: datetime | None = Field(description="null: it does not expire.")
    log_index: int = Field(ge=0, description="Its entry in the transparency log.")


class ClaimOut(Schema):
    key: str = Field(examples=["title"])
    label: str = Field(description="In the request's language.", examples=["Titel"])
    value: bool | int | float | str


class MyCredentialDetailOut(MyCredentialOut):
    claims: list[ClaimOut] = Field(description="Every claim, in the credential type's order.")
    log_entry: str = Field(
        description="Path of its transparency-log entry with the inclusion proof "
        "(`getCredentialLogEntry`)."
    )
    wallet_copy_withdrawn: bool = Field(
        description="true: a copy in a wallet app was signed with a key the issuer has since "
        "withdrawn, so it can no longer be checked; put a new copy in the wallet "
        "(`createMyCredentialOffer`). When the portal wallet holds the credential too, it "
        "was signed again there and still works."
    )


class OfferOut(Schema):
    offer_link: str = Field(
        description="The `openid-credential-offer://` link a wallet opens (show it as a QR "
        "code too); it can be used once."
    )
    tx_code: str | None = Field(
        description="The transaction code the wallet asks for: show it to the person beside "
        "the QR code, never inside it. null when the node makes offers without one.",
        examples=["480215"],
    )
    expires_at: datetime = Field(description="The offer can be used until then.")


def _out(found: IssuedCredential) -> dict[str, Any]:
    kind = found.credential_type
    return {
        "id": found.pk,
        "type": kind.slug,
        "name": kind.name,
        "issuer": {"slug": kind.issuer.slug, "name": kind.issuer.name},
        "state": found.state,
        "issued_at": found.issued_at,
        "expires_at": found.expires_at,
        "log_index": found.log_index,
    }


def _own(request: HttpRequest, credential_id: UUID) -> IssuedCredential:
    found = mine.credential(session_of(request).subject, credential_id)
    if found is None:
        raise Http404(_("No such credential."))
    return found


@router.get(
    "/",
    response=list[MyCredentialOut],
    summary="My credentials",
    description="The logged-in person's own credentials, newest first.",
    operation_id="listMyCredentials",
)
def list_mine(request: HttpRequest) -> list[dict[str, Any]]:
    return [_out(found) for found in mine.credentials(session_of(request).subject)]


@router.get(
    "/{credential_id}",
    response=MyCredentialDetailOut,
    summary="One of my credentials, with its claims",
    openapi_extra=problem_responses(404),
    operation_id="getMyCredential",
)
def get_mine(request: HttpRequest, credential_id: UUID) -> dict[str, Any]:
    found = _own(request, credential_id)
    rows = mine.claim_rows(session_of(request).subject, found)
    return _out(found) | {
        "claims": [row._asdict() for row in rows],
        "log_entry": mine.log_entry_path(found),
        "wallet_copy_withdrawn": withdrawal.wallet_copy_withdrawn(found),
    }


@router.post(
    "/{credential_id}/offers",
    response={201: OfferOut},
    summary="Put a credential in another wallet",
    description="A new OpenID4VCI pre-authorised code offer of a copy bound to the wallet's "
    "key, valid for 10 minutes. 409 for a revoked or suspended credential.",
    openapi_extra=problem_responses(404, 409),
    operation_id="createMyCredentialOffer",
)
def create_offer(request: HttpRequest, credential_id: UUID) -> Any:
    found = _own(request, credential_id)
    try:
        made = mine.new_offer(session_of(request).subject, found)
    except mine.NotOfferable:
        return problem_response(
            request,
            409,
            _("A revoked or suspended proof cannot be put in another wallet."),
            problem_type="credential-not-valid",
        )
    return Status(
        201,
        {
            "offer_link": oid4vci.offer_link(made),
            "tx_code": made.tx_code or None,
            "expires_at": made.row.code_expires_at,
        },
    )
