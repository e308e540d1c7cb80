"""The verifier's pages and the OpenID4VP endpoints wallets call.

- /credentials/verify/: anyone (no login) picks a credential type and the claims to ask for;
  a request is made and its page shows a QR code, the `openid4vp://` link and a link to the
  portal wallet, then the outcome in plain language. While it waits the page reloads every
  few seconds through the `Refresh` header: no script, so nothing for the
  Content-Security-Policy (script-src 'self') to allow. A reload sends a screen reader back to
  the top (WCAG 2.2.2), so the page offers to stop updating (`?updates=off`) and then has a
  "check whether the answer has arrived" link instead.
- /credentials/oid4vp/requests/<handle>: the signed request object (request_uri), with the
  request's own public key for encrypting the answer.
- /credentials/oid4vp/responses/<handle>: the wallet's answer (direct_post.jwt: the form
  field `response`, a JWE to that key). A plaintext `vp_token` is refused. Wallets post
  without cookies or CSRF tokens: the encryption, state, nonce and key binding protect the
  exchange.

The result page is reached with the request's id, which only the verifier holds; the QR code
carries the wallet's handle, a different random value (see models.presentation)."""

import hashlib
from typing import Any
from uuid import UUID

import segno
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lifegate.catalogue.models import CredentialType
from lifegate.core.ratelimit import count_attempt
from lifegate.credentials import dcql, verifying
from lifegate.credentials.models import PresentationRequest
from lifegate.credentials.verifier_identity import REQUEST_OBJECT_TYPE

# The waiting page reloads itself this often. Each reload sends a screen reader back to the
# top of the page, so not more often than an answer is worth waiting for; the page's first
# link stops it (WCAG 2.2.2).
REFRESH_SECONDS = 10
# Requests anyone may make, per address: enough for a busy counter, not for a flood.
REQUESTS_PER_WINDOW = 30
WINDOW_SECONDS = 600
# `response` is the answer; the plaintext fields are read only to refuse them clearly.
RESPONSE_FIELDS = ("response", "vp_token", "state", "error", "error_description")


def too_many_requests(request: HttpRequest) -> int:
    """Count a new request from this address; the seconds to wait when over the limit."""
    address = request.META.get("REMOTE_ADDR", "")
    key = hashlib.sha256(address.encode()).hexdigest()
    attempt = count_attempt(
        request, "credentials.verifier-request", key, REQUESTS_PER_WINDOW, WINDOW_SECONDS
    )
    return 0 if attempt.allowed else attempt.retry_after


@require_http_methods(["GET", "POST"])
def verify_start(request: HttpRequest) -> HttpResponse:
    """Choose what to ask: first the credential type, then its claims and the verifier name."""
    kinds = list(CredentialType.objects.order_by("slug"))
    slug = request.POST.get("credential_type") or request.GET.get("type", "")
    kind = next((each for each in kinds if each.slug == slug), None)
    context: dict[str, Any] = {"kinds": kinds, "kind": kind, "chosen": [], "verifier_name": ""}
    if kind is not None:  # also after an error: the person chooses again
        context["claims"] = [(key, kind.claim_label(key)) for key in kind.claim_keys]
    if request.method == "POST" and kind is not None:
        chosen = request.POST.getlist("claims")
        name = request.POST.get("verifier_name", "")
        context.update(chosen=chosen, verifier_name=name)
        wait = too_many_requests(request)
        if wait:
            context["error"] = _("Too many requests. Please try again in a few minutes.")
            return render(request, "credentials/verify_start.html", context, status=429)
        try:
            made = verifying.create_request(chosen, verifier_name=name, credential_type=kind)
        except verifying.InvalidRequest as invalid:
            context["error"] = _form_error(invalid.code)
            # Which field the error is about: it points to the error (aria-describedby).
            context["error_field"] = "name" if invalid.code == "invalid-verifier-name" else "claims"
            return render(request, "credentials/verify_start.html", context, status=422)
        return HttpResponseRedirect(reverse("credentials:verify_result", args=[made.pk]))
    return render(request, "credentials/verify_start.html", context)


def _form_error(code: str) -> str:
    if code == "invalid-verifier-name":
        return _("Please fill in who is asking (at most 200 characters).")
    return _("Please choose at least one piece of information to ask for.")


@require_GET
def verify_result(request: HttpRequest, request_id: UUID) -> HttpResponse:
    """The request's QR code and links while it waits; then valid or not, and why."""
    queryset = PresentationRequest.objects.select_related("credential_type__issuer")
    found = verifying.current(get_object_or_404(verifying.retained(queryset), pk=request_id))
    result = verifying.result_of(found)
    kind = found.credential_type
    context: dict[str, Any] = {
        "presentation": found,
        "kind": kind,
        "asked": [_label(kind, name) for name in dcql.parse_query(found.dcql_query).claims],
        "result": result,
        "waiting": found.status == PresentationRequest.Status.PENDING,
        "updating": request.GET.get("updates") != "off",
    }
    if context["waiting"]:
        link = verifying.authorization_url(found)
        context.update(
            authorization_url=link,
            wallet_url=verifying.wallet_url(found),
            qr_svg=mark_safe(segno.make(link, error="m").svg_inline(scale=4, border=4)),  # noqa: S308
        )
    if result is not None and result.valid:
        context["rows"] = [(_label(kind, key), value) for key, value in result.claims.items()]
        # This node's own issuer by the organisation's name; a peer's by its address.
        own = result.issuer == settings.BASE_URL
        context["issuer_name"] = kind.issuer.name if own else result.issuer
    response = render(request, "credentials/verify_result.html", context)
    add_never_cache_headers(response)  # disclosed claims: never kept by a browser or proxy
    if context["waiting"] and context["updating"]:
        # The page reloads itself while it waits: an HTTP refresh, no script needed.
        response["Refresh"] = str(REFRESH_SECONDS)
    return response


def _label(kind: CredentialType, key: str) -> str:
    try:
        return kind.claim_label(key)
    except KeyError:
        return key


@csrf_exempt
@require_GET
def oid4vp_request(request: HttpRequest, handle: str) -> HttpResponse:
    """The signed request object of a pending request (application/oauth-authz-req+jwt)."""
    found = verifying.by_handle(handle)
    token = verifying.request_object(found) if found is not None else None
    if token is None:
        return _error(404, "the request does not exist, has expired or was answered")
    response = HttpResponse(token, content_type=f"application/{REQUEST_OBJECT_TYPE}")
    add_never_cache_headers(response)
    return response


@csrf_exempt
@require_POST
def oid4vp_response(request: HttpRequest, handle: str) -> HttpResponse:
    """The wallet's answer (direct_post.jwt: form-encoded `response`, a JWE of `vp_token`
    and `state`, or of `error`); every refusal is an OAuth invalid_request."""
    if request.content_type != "application/x-www-form-urlencoded":
        return _error(400, "the answer must be form-encoded")
    form = {name: request.POST[name] for name in RESPONSE_FIELDS if name in request.POST}
    try:
        body = verifying.receive_response(handle, form)
    except verifying.ResponseRefused as refused:
        return _error(400, refused.description)
    response = JsonResponse(body)
    add_never_cache_headers(response)
    return response


def _error(status: int, description: str) -> JsonResponse:
    """An OpenID4VP / OAuth 2.0 error answer."""
    response = JsonResponse(
        {"error": "invalid_request", "error_description": description}, status=status
    )
    add_never_cache_headers(response)
    return response
