"""The person's "My credentials" pages: the list, one credential with all its claims and its
place in the transparency log, and "Put in another wallet" (an OpenID4VCI offer as QR code
and link).

Credentials are proofs about the logged-in person themselves: a mandate does not cover
someone else's proofs, so someone acting for another person sees (and can hand out) only
their own, and the page says so. Someone else's credential and an unknown one look the same:
a 404 page. Viewing a credential is recorded in the person's processing log."""

from typing import Any
from uuid import UUID

import segno
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from lifegate.credentials import issuing, oid4vci
from lifegate.credentials.models import IssuedCredential
from lifegate.identity.assurance import LevelOfAssurance
from lifegate.identity.decorators import login_required
from lifegate.identity.session import Authentication
from lifegate.mandates import acting
from lifegate.transparency.services import Actor, record_processing, subject_hash

LEVEL: LevelOfAssurance = "substantial"
LOG_ENTRY_PATH = "/api/credentials/log/entries/{index}"


def _auth(request: HttpRequest) -> Authentication:
    return request.authentication  # type: ignore[attr-defined]


def _own_credential(request: HttpRequest, credential_id: UUID) -> IssuedCredential:
    """The logged-in person's own credential `credential_id` (not a wallet copy), or 404."""
    found = (
        IssuedCredential.objects.filter(
            pk=credential_id,
            subject_hash=subject_hash(_auth(request).subject),
            copy_of__isnull=True,
        )
        .select_related("credential_type__issuer")
        .first()
    )
    if found is None:
        raise Http404("No such credential.")
    return found


def _common(request: HttpRequest) -> dict[str, Any]:
    return {"acting_for_other": acting.acting_for(request) is not None, "now": timezone.now()}


@login_required(LEVEL)
@require_GET
def my_credentials(request: HttpRequest) -> HttpResponse:
    """The person's own credentials, newest first. Showing them is recorded, like the detail
    page (what was issued to whom, and when, is itself personal data)."""
    subject = _auth(request).subject
    credentials = list(issuing.credentials_of(subject))
    if credentials:
        record_processing(
            name="credentials.list",
            subject=subject,
            activity=issuing.ACTIVITY,
            actor=Actor(kind="person", subject=subject),
            data_categories=("credential-overview",),
        )
    return render(
        request, "credentials/my_list.html", _common(request) | {"credentials": credentials}
    )


@login_required(LEVEL)
@require_GET
def my_credential(request: HttpRequest, credential_id: UUID) -> HttpResponse:
    """One credential: every claim with its label, and its transparency-log entry."""
    credential = _own_credential(request, credential_id)
    return _detail(request, credential)


def _detail(
    request: HttpRequest,
    credential: IssuedCredential,
    extra: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    kind = credential.credential_type
    claims = issuing.subject_claims(credential)
    subject = _auth(request).subject
    record_processing(
        name=f"credentials.view.{kind.slug}"[:120],
        subject=subject,
        activity=issuing.ACTIVITY,
        actor=Actor(kind="person", subject=subject),
        data_categories=list(claims),
    )
    context = _common(request) | {
        "credential": credential,
        "rows": [(kind.claim_label(key), claims[key]) for key in kind.claim_keys if key in claims],
        "log_entry_url": LOG_ENTRY_PATH.format(index=credential.log_index),
    }
    return render(request, "credentials/my_detail.html", context | (extra or {}), status=status)


@login_required(LEVEL)
@never_cache
@require_POST
def offer(request: HttpRequest, credential_id: UUID) -> HttpResponse:
    """ "Put in another wallet": a new pre-authorised code offer, shown as QR code and link,
    with the transaction code the wallet asks for."""
    credential = _own_credential(request, credential_id)
    if credential.state != IssuedCredential.State.VALID:
        return _detail(request, credential, {"offer_refused": True}, status=409)
    made = oid4vci.make_offer(credential)
    link = oid4vci.offer_link(made)
    extra = {
        "offer_link": link,
        # segno escapes nothing it is not given: the SVG is made from our own link.
        "offer_qr": mark_safe(segno.make(link, error="m").svg_inline(scale=3, border=4)),  # noqa: S308
        "offer_tx_code": made.tx_code,
        "offer_expires_at": made.row.code_expires_at,
        "issuer": settings.BASE_URL,
    }
    return _detail(request, credential, extra)
