"""The OpenID4VCI 1.0 endpoints wallets call (pre-authorised code flow), and the issuer's
authorization server metadata (RFC 8414) that names the token endpoint.

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
from lifegate.credentials import dpop, metadata, oid4vci
from lifegate.credentials.views import METADATA_MAX_AGE, _public

MAX_BODY = 64 * 1024
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST",
    "Access-Control-Allow-Headers": "Authorization, Content-Type, DPoP",
    "Access-Control-Max-Age": "600",
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
        # RFC 6750 3 and RFC 9449 7.1: say which scheme, and why the token was refused.
        response["WWW-Authenticate"] = (
            dpop.challenge(refused.error)
            if refused.scheme == "DPoP"
            else f'Bearer error="{refused.error}"'
        )
    return response


@require_safe
def oauth_authorization_server(request: HttpRequest) -> HttpResponse:
    """RFC 8414 metadata: the issuer is its own authorization server."""
    return _public(JsonResponse(metadata.authorization_server_metadata()), METADATA_MAX_AGE)


@csrf_exempt
@for_web_wallets
@never_cache
@require_POST
def token(request: HttpRequest) -> HttpResponse:
    """Exchange a pre-authorised code (form-encoded) for an access token: bound to the
    wallet's key when the request carries a DPoP proof (token type "DPoP")."""
    proof = request.headers.get("DPoP")
    try:
        thumbprint = ""
        if proof is not None or dpop.required():
            endpoint = dpop.ProofRequest("POST", metadata.token_endpoint())
            thumbprint = dpop.key_thumbprint(proof, endpoint)
        access_token, expires_in = oid4vci.exchange_code(
            request.POST.get("grant_type", ""),
            request.POST.get("pre-authorized_code", ""),
            thumbprint,
        )
    except oid4vci.OAuthError as refused:
        return _error(refused)
    token_type = "DPoP" if thumbprint else "Bearer"
    return JsonResponse(
        {"access_token": access_token, "token_type": token_type, "expires_in": expires_in}
    )


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
            raise oid4vci.OAuthError("invalid_token", "an access token is needed", 401)
        thumbprint = None
        if scheme == "dpop":
            endpoint = dpop.ProofRequest("POST", metadata.credential_endpoint(), access_token)
            thumbprint = dpop.key_thumbprint(request.headers.get("DPoP"), endpoint, status=401)
        if len(request.body) > MAX_BODY:
            raise oid4vci.OAuthError("invalid_credential_request", "the request is too large")
        try:
            body = json_input.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            body = None
        sd_jwt = oid4vci.redeem(access_token, body, thumbprint)
    except oid4vci.OAuthError as refused:
        return _error(refused)
    return JsonResponse({"credentials": [{"credential": sd_jwt}]})
