"""The OpenID4VCI 1.0 endpoints wallets call (pre-authorised code and authorization code
flows: token, pushed authorization request, nonce, credential), and the issuer's
authorization server metadata (RFC 8414) that names them. The authorization endpoint is a
page for the person (`views_authorize`).

Wallets are not browsers with a session: the endpoints are exempt from CSRF, take no
cookies into account, and answer in the protocol's own JSON error format ({"error",
"error_description"}, RFC 6749 5.2 and OpenID4VCI 8.3.1), which wallets expect instead of
problem details. Token, nonce and credential responses are never cached.

Wallets that run in a browser (web wallets) call these endpoints from their own origin: the
endpoints answer CORS preflights and allow any origin. That is safe because they use no
cookies or other ambient credentials: the pre-authorised code and the access token are in the
request itself."""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from lifegate.core import json_input
from lifegate.core.ratelimit import address_key, count_attempt
from lifegate.credentials import client_attestation, dpop, metadata, oid4vci, oid4vci_authorize
from lifegate.credentials.views import METADATA_MAX_AGE, _public

MAX_BODY = 64 * 1024
# Pushed authorization requests need no login: per address, enough for wallets behind one
# network address, not for filling the table.
PUSHES_PER_WINDOW = 60
PUSH_WINDOW_SECONDS = 600
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST",
    # Attested web wallets send their wallet attestation (HAIP 1.0 4.4.1) in these headers.
    "Access-Control-Allow-Headers": (
        "Authorization, Content-Type, DPoP, OAuth-Client-Attestation, OAuth-Client-Attestation-PoP"
    ),
    "Access-Control-Max-Age": "600",
    # Web wallets read why a token was refused, and which scheme to use, from the challenge.
    "Access-Control-Expose-Headers": "WWW-Authenticate",
}


def for_web_wallets(view: Callable[[HttpRequest], HttpResponse]) -> Callable[..., HttpResponse]:
    """`view` callable across origins: a preflight (OPTIONS) is answered here, every other
    answer carries Access-Control-Allow-Origin."""

    @wraps(view)
    def endpoint(request: HttpRequest) -> HttpResponse:
        response = HttpResponse(status=204) if request.method == "OPTIONS" else view(request)
        for name, value in CORS_HEADERS.items():
            response[name] = value
        return response

    return endpoint


def _error(refused: oid4vci.OAuthError) -> JsonResponse:
    response = JsonResponse(refused.as_dict(), status=refused.status)
    if refused.status == 401:
        response["WWW-Authenticate"] = _challenge(refused)
    return response


def _challenge(refused: oid4vci.OAuthError) -> str:
    """Which scheme to use, and why the token was refused (RFC 6750 3, RFC 9449 7.1)."""
    if refused.scheme == "DPoP":
        return dpop.challenge(refused.error)
    if refused.scheme == "Bearer":
        return f'Bearer error="{refused.error}"'
    # No access token was sent: no error, but the schemes that would do (RFC 6750 3.1).
    return dpop.challenge() if dpop.required() else f"Bearer, {dpop.challenge()}"


@require_safe
def oauth_authorization_server(request: HttpRequest) -> HttpResponse:
    """RFC 8414 metadata: the issuer is its own authorization server."""
    return _public(JsonResponse(metadata.authorization_server_metadata()), METADATA_MAX_AGE)


@csrf_exempt
@for_web_wallets
@never_cache
@require_POST
def token(request: HttpRequest) -> HttpResponse:
    """Exchange a pre-authorised code and its transaction code, or an authorization code
    with its PKCE verifier (form-encoded; an attested wallet authenticates with its wallet
    attestation headers), for an access token: bound to the wallet's key when the request
    carries a DPoP proof (token type "DPoP")."""
    grant_type = request.POST.get("grant_type", "")
    proof = request.headers.get("DPoP")
    try:
        if grant_type == metadata.AUTHORIZATION_CODE_GRANT:
            access_token = oid4vci_authorize.exchange_code(
                request.POST, proof, client_attestation.presented(request.headers)
            )
        else:
            access_token = oid4vci.exchange_code(
                grant_type,
                request.POST.get("pre-authorized_code", ""),
                proof,
                # An empty field is no code at all (not a wrong guess that uses up a try).
                request.POST.get("tx_code") or None,
            )
    except oid4vci.OAuthError as refused:
        return _error(refused)
    return JsonResponse(
        {
            "access_token": access_token.value,
            "token_type": access_token.token_type,
            "expires_in": access_token.expires_in,
        }
    )


@csrf_exempt
@for_web_wallets
@never_cache
@require_POST
def par(request: HttpRequest) -> HttpResponse:
    """A wallet pushes its authorization request (RFC 9126, form-encoded; an attested wallet
    authenticates with its wallet attestation headers): 201 with the request_uri it sends
    the person's browser to the authorization endpoint with."""
    attempt = count_attempt(
        request, "credentials.par", address_key(request), PUSHES_PER_WINDOW, PUSH_WINDOW_SECONDS
    )
    if not attempt.allowed:
        refused = oid4vci.OAuthError("temporarily_unavailable", "too many requests", 429)
        response = _error(refused)
        response["Retry-After"] = str(attempt.retry_after)
        return response
    try:  # its size is bounded by DATA_UPLOAD_MAX_MEMORY_SIZE, as the token request's
        pushed = oid4vci_authorize.push(
            request.POST,
            request.headers.get("DPoP"),
            client_attestation.presented(request.headers),
        )
    except oid4vci.OAuthError as refused:
        return _error(refused)
    body = {"request_uri": pushed.request_uri, "expires_in": pushed.expires_in}
    return JsonResponse(body, status=201)


@csrf_exempt
@for_web_wallets
@never_cache
@require_POST
def nonce(request: HttpRequest) -> HttpResponse:
    """A fresh c_nonce for a wallet's key proof."""
    return JsonResponse({"c_nonce": oid4vci.new_nonce()})


@csrf_exempt
@for_web_wallets
@never_cache
@require_POST
def credential(request: HttpRequest) -> HttpResponse:
    """The credential request: access token (Bearer, or DPoP with a DPoP proof), JSON body
    with the key proof."""
    try:
        scheme, _, access_token = request.headers.get("Authorization", "").partition(" ")
        scheme, access_token = scheme.lower(), access_token.strip()
        if scheme not in ("bearer", "dpop") or not access_token:
            raise oid4vci.OAuthError("invalid_token", "an access token is needed", 401, scheme="")
        if len(request.body) > MAX_BODY:
            raise oid4vci.OAuthError("invalid_credential_request", "the request is too large")
        try:
            body = json_input.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            body = None
        sd_jwt = oid4vci.redeem(
            access_token, body, scheme=scheme, dpop_proof=request.headers.get("DPoP")
        )
    except oid4vci.OAuthError as refused:
        return _error(refused)
    return JsonResponse({"credentials": [{"credential": sd_jwt}]})
