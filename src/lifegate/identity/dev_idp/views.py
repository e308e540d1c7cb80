"""Endpoints of the development identity provider: discovery, JWKS, the persona picker
(authorization endpoint), token, userinfo and end-session. All answer 404 unless
DEV_IDP_ENABLED."""

import hmac
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from authlib.oauth2 import OAuth2Error
from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lifegate.core.keys import SIGNING_ALGORITHM, public_jwks
from lifegate.core.origins import allow_form_targets
from lifegate.identity.assurance import LEVELS, LevelOfAssurance, loa_to_uri
from lifegate.identity.dev_idp.personas import (
    chosen_login,
    find_persona,
    level_label,
    minimum_level,
    persona_claims,
    persona_groups,
)
from lifegate.identity.dev_idp.server import (
    KEY_NAME,
    LOGOUT_RETURN_PATH,
    SCOPES,
    TOKEN_AUTH_METHODS,
    callback_origins,
    is_callback_uri,
    issuer_for,
    require_access_token,
    server,
)
from lifegate.registries.services import DemoPersona

View = Callable[..., HttpResponseBase]
CLAIMS = [
    "sub",
    "acr",
    "auth_time",
    "nonce",
    "given_name",
    "family_name",
    "birthdate",
    "bsn",
    "eidas",
]
NO_STORE = {"Cache-Control": "no-store"}


def only_when_enabled(view: View) -> View:
    """Defence in depth: beyond the conditional URL include, every view checks the switch."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        if not settings.DEV_IDP_ENABLED:
            raise Http404("The development identity provider is switched off.")
        return view(request, *args, **kwargs)

    return wrapper


@only_when_enabled
@require_GET
def issuer(request: HttpRequest) -> HttpResponse:
    """The issuer URL itself points at the discovery document."""
    return HttpResponseRedirect(reverse("dev_idp:discovery"))


@only_when_enabled
@require_GET
def discovery(request: HttpRequest) -> JsonResponse:
    """OpenID Provider Metadata (OpenID Connect Discovery 1.0)."""
    return JsonResponse(provider_metadata(request))


def provider_metadata(request: HttpRequest) -> dict[str, object]:
    """The discovery document for the issuer this request was made to."""

    def url(name: str) -> str:
        return request.build_absolute_uri(reverse(f"dev_idp:{name}"))

    return {
        "issuer": issuer_for(request),
        "authorization_endpoint": url("authorize"),
        "token_endpoint": url("token"),
        "userinfo_endpoint": url("userinfo"),
        "jwks_uri": url("jwks"),
        "end_session_endpoint": url("end_session"),
        "scopes_supported": list(SCOPES),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [SIGNING_ALGORITHM],
        "token_endpoint_auth_methods_supported": TOKEN_AUTH_METHODS,
        "code_challenge_methods_supported": ["S256"],
        "acr_values_supported": [loa_to_uri(level) for level in LEVELS],
        "claims_supported": CLAIMS,
        "ui_locales_supported": [code for code, _name in settings.LANGUAGES],
    }


@only_when_enabled
@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    """The public signing key(s) of the ID tokens."""
    return JsonResponse(public_jwks(KEY_NAME))


@only_when_enabled
@never_cache
@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponseBase:
    """GET: validate the request and show the persona picker. POST: log the chosen persona
    in at the chosen level (or cancel) and send the browser back with a code and state."""
    try:
        grant = server.get_consent_grant(request)
    except OAuth2Error as error:
        return _authorization_error(request, error)
    minimum = minimum_level(grant.request.payload.data.get("acr_values"))
    redirect_uri = str(grant.request.payload.redirect_uri or "")
    if request.method != "POST":
        return _persona_picker(request, minimum, redirect_uri)
    if request.POST.get("action") == "cancel":
        return server.create_authorization_response(grant.request, grant_user=None, grant=grant)
    login = chosen_login(request.POST.get("login", ""), minimum)
    if login is None:
        return _persona_picker(request, minimum, redirect_uri, invalid=True)
    return server.create_authorization_response(grant.request, grant_user=login, grant=grant)


def _authorization_error(request: HttpRequest, error: OAuth2Error) -> HttpResponse:
    """Errors with a verified redirect URI go back to the client; others are shown here."""
    if error.redirect_uri:
        return server.handle_error_response(None, error)
    context = {"error_code": error.error}
    return render(request, "dev_idp/error.html", context, status=400)


def _persona_picker(
    request: HttpRequest, minimum: LevelOfAssurance, redirect_uri: str, invalid: bool = False
) -> HttpResponseBase:
    context = {
        "groups": persona_groups(minimum, eidas_first=request.GET.get("idp_hint") == "eidas"),
        "minimum_level": minimum,
        "minimum_label": level_label(minimum, resident=False),
        "invalid": invalid,
    }
    response = render(request, "dev_idp/authorize.html", context, status=400 if invalid else 200)
    # The picker's form answers with a redirect to the (already verified) portal callback.
    return allow_form_targets(response, [redirect_uri])


@csrf_exempt
@only_when_enabled
@require_POST
def token(request: HttpRequest) -> HttpResponse:
    """The token endpoint: code + PKCE verifier + client authentication → tokens."""
    try:
        return server.create_token_response(request)
    except OAuth2Error as error:  # raised before Authlib's own handling, e.g. plain http
        return server.handle_error_response(None, error)


@csrf_exempt
@only_when_enabled
@require_http_methods(["GET", "POST"])
@require_access_token("openid")
def userinfo(request: HttpRequest) -> HttpResponse:
    """The persona's claims, for a valid access token."""
    access_token = request.oauth_token  # type: ignore[attr-defined]
    persona: DemoPersona | None = find_persona(access_token.persona_key)
    if persona is None:
        body = {"error": "invalid_token"}
        return JsonResponse(body, status=401, headers={"WWW-Authenticate": "Bearer"})
    return JsonResponse(persona_claims(persona, access_token.scope), headers=NO_STORE)


@only_when_enabled
@never_cache
@require_GET
def end_session(request: HttpRequest) -> HttpResponse:
    """RP-Initiated Logout 1.0: end the login here and send the browser back to the portal.

    Only the portal (`client_id`) may ask, and only to come back to its own logout page: an
    open redirect otherwise. This provider keeps no login of its own between requests (every
    login picks a persona), so there is nothing more to end; a real provider ends its single
    sign-on session at this point."""
    client_id = request.GET.get("client_id", "")
    back = request.GET.get("post_logout_redirect_uri", "")
    known_client = hmac.compare_digest(client_id.encode(), settings.OIDC_CLIENT_ID.encode())
    if not known_client or not is_callback_uri(back, callback_origins(request), LOGOUT_RETURN_PATH):
        context = {"error_code": "invalid_request", "logout": True}
        return render(request, "dev_idp/error.html", context, status=400)
    state = request.GET.get("state")
    return HttpResponseRedirect(back + (f"?{urlencode({'state': state})}" if state else ""))
