"""The portal wallet's page for answering a verifier: /credentials/present/?request_uri=...

The person (logged in) sees who asks, exactly which claims, and which of their credentials
can answer with the values that would be sent; nothing is sent until they click "Share"
(or "Do not share", which tells the verifier only that). Both are POSTs with a CSRF token;
the request is fetched and checked again on the POST, so nothing from the page is trusted
but the choice itself. The person presents their own credentials, also while acting for
someone else (a mandate does not cover someone's proofs)."""

from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from lifegate.catalogue.models import CredentialType
from lifegate.credentials import wallet
from lifegate.identity.assurance import LevelOfAssurance
from lifegate.identity.decorators import login_required
from lifegate.identity.session import Authentication
from lifegate.transparency.services import Actor

# Sharing proofs about oneself with a third party: as for sharing evidence.
PRESENT_LEVEL: LevelOfAssurance = "substantial"
MAX_URI = 1000


def _auth(request: HttpRequest) -> Authentication:
    return request.authentication  # type: ignore[attr-defined]


@login_required(PRESENT_LEVEL)
@require_http_methods(["GET", "POST"])
def present(request: HttpRequest) -> HttpResponse:
    """Show the request with "Share" / "Do not share"; on POST, do what was chosen."""
    params = request.POST if request.method == "POST" else request.GET
    request_uri = params.get("request_uri", "")[:MAX_URI]
    client_id = params.get("client_id") or None
    try:
        asked = wallet.load_request(request_uri, client_id)
    except wallet.WalletRefusal as refused:
        return _failed(request, refused, status=400)
    if request.method == "POST":
        return _decide(request, asked)
    subject = _auth(request).subject
    context: dict[str, Any] = {
        "asked": asked,
        "kind": wallet.credential_type_of(asked.query),
        "asked_labels": _asked_labels(asked),
        "choices": wallet.choices(subject, asked, actor=Actor(kind="person", subject=subject)),
        "client_id": client_id or "",
        # The one thing checked about who asks: the lifegate node the request came through.
        "through": urlsplit(asked.request_uri).netloc,
    }
    return render(request, "credentials/present.html", context)


def _asked_labels(asked: wallet.WalletRequest) -> list[str]:
    """The claims asked for, by their labels in the catalogue (by key for an unknown type)."""
    kind = wallet.credential_type_of(asked.query)
    if kind is None:
        return list(asked.query.claims)
    return [_label(kind, name) for name in asked.query.claims]


def _label(kind: CredentialType, key: str) -> str:
    try:
        return kind.claim_label(key)
    except KeyError:
        return key


def _decide(request: HttpRequest, asked: wallet.WalletRequest) -> HttpResponse:
    subject = _auth(request).subject
    decision = request.POST.get("decision")
    context: dict[str, Any] = {"asked": asked}
    try:
        if decision == "share":
            credential = wallet.own_credential(subject, _uuid(request.POST.get("credential")))
            wallet.share(subject, asked, credential, actor=Actor(kind="person", subject=subject))
            context["shared"] = True
        elif decision == "decline":
            wallet.decline(asked)
            context["shared"] = False
        else:
            raise wallet.WalletRefusal("not-available", "no decision")
    except wallet.WalletRefusal as refused:
        return _failed(request, refused, status=409)
    return render(request, "credentials/present_done.html", context)


def _uuid(value: str | None) -> UUID:
    try:
        return UUID(str(value))
    except ValueError:
        raise wallet.WalletRefusal("not-available", "not a credential id") from None


def _failed(request: HttpRequest, refused: wallet.WalletRefusal, *, status: int) -> HttpResponse:
    context = {"reason": refused.reason, "code": refused.code}
    return render(request, "credentials/present_failed.html", context, status=status)
