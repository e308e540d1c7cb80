"""The person's "My credentials" pages: the list, one credential with all its claims and its
place in the transparency log, and "Put in another wallet" (an OpenID4VCI offer as QR code
and link).

What they show and record is `credentials.mine`'s; someone acting for another person sees
only their own proofs, and the page says so. Someone else's credential and an unknown one
look the same: a 404 page."""

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

from lifegate.credentials import mine, oid4vci, withdrawal
from lifegate.credentials.models import IssuedCredential
from lifegate.identity.assurance import LevelOfAssurance
from lifegate.identity.decorators import login_required
from lifegate.identity.session import Authentication
from lifegate.mandates import acting

LEVEL: LevelOfAssurance = "substantial"


def _auth(request: HttpRequest) -> Authentication:
    return request.authentication  # type: ignore[attr-defined]


def _own_credential(request: HttpRequest, credential_id: UUID) -> IssuedCredential:
    """The logged-in person's own credential `credential_id` (not a wallet copy), or 404."""
    found = mine.credential(_auth(request).subject, credential_id)
    if found is None:
        raise Http404("No such credential.")
    return found


def _common(request: HttpRequest) -> dict[str, Any]:
    return {"acting_for_other": acting.acting_for(request) is not None, "now": timezone.now()}


@login_required(LEVEL)
@require_GET
def my_credentials(request: HttpRequest) -> HttpResponse:
    """The person's own credentials, newest first."""
    credentials = mine.credentials(_auth(request).subject)
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
    rows = mine.claim_rows(_auth(request).subject, credential)
    context = _common(request) | {
        "credential": credential,
        "rows": [(row.label, row.value) for row in rows],
        "log_entry_url": mine.log_entry_path(credential),
        "wallet_copy_withdrawn": withdrawal.wallet_copy_withdrawn(credential),
    }
    return render(request, "credentials/my_detail.html", context | (extra or {}), status=status)


@login_required(LEVEL)
@never_cache
@require_POST
def offer(request: HttpRequest, credential_id: UUID) -> HttpResponse:
    """ "Put in another wallet": a new pre-authorised code offer, shown as QR code and link,
    with the transaction code the wallet asks for."""
    credential = _own_credential(request, credential_id)
    try:
        made = mine.new_offer(_auth(request).subject, credential)
    except mine.NotOfferable:
        return _detail(request, credential, {"offer_refused": True}, status=409)
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
