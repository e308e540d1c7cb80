"""Endpoints of the development identity provider: discovery, JWKS, the persona picker
(authorization endpoint), token and userinfo. All answer 404 unless DEV_IDP_ENABLED."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lifegate.core.keys import SIGNING_ALGORITHM, public_jwks
from lifegate.identity.assurance import LEVELS, LevelOfAssurance, loa_to_uri
from lifegate.identity.dev_idp.personas import (
    DevIdpLogin,
    all_personas,
    find_persona,
    levels_for,
    minimum_level,
    persona_claims,
)
from lifegate.identity.dev_idp.server import (
    KEY_NAME,
    SCOPES,
    TOKEN_AUTH_METHODS,
    issuer_for,
    require_access_token,
    server,
)
from lifegate.registries.services import DemoPersona

View = Callable[..., HttpResponse]
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
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
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
def authorize(request: HttpRequest) -> HttpResponse:
    """GET: validate the request and show the persona picker. POST: log the chosen persona
    in at the chosen level (or cancel) and send the browser back with a code and state."""
    try:
        grant = server.get_consent_grant(request)
    except OAuth2Error as error:
        return _authorization_error(request, error)
    minimum = minimum_level(grant.request.payload.data.get("acr_values"))
    if request.method != "POST":
        return _persona_picker(request, minimum)
    if request.POST.get("action") == "cancel":
        return server.create_authorization_response(grant.request, grant_user=None, grant=grant)
    login = _chosen_login(request.POST.get("login", ""), minimum)
    if login is None:
        return _persona_picker(request, minimum, invalid=True)
    return _grant(grant, login)


def _grant(grant: AuthorizationCodeGrant, login: DevIdpLogin) -> HttpResponse:
    return server.create_authorization_response(grant.request, grant_user=login, grant=grant)


def _authorization_error(request: HttpRequest, error: OAuth2Error) -> HttpResponse:
    """Errors with a verified redirect URI go back to the client; others are shown here."""
    if error.redirect_uri:
        return server.handle_error_response(None, error)
    context = {"error_code": error.error}
    return render(request, "dev_idp/error.html", context, status=400)


@dataclass(frozen=True)
class LevelChoice:
    """One radio button: a persona at a level."""

    value: str
    label: str


@dataclass(frozen=True)
class PersonaChoice:
    """A persona with the levels it is offered at."""

    label: str
    choices: list[LevelChoice]


@dataclass(frozen=True)
class PersonaGroup:
    """Dutch residents (DigiD) or EU citizens (eIDAS)."""

    key: str
    title: str
    personas: list[PersonaChoice]


def _persona_picker(
    request: HttpRequest, minimum: LevelOfAssurance, invalid: bool = False
) -> HttpResponse:
    context = {
        "groups": _persona_groups(minimum, eidas_first=request.GET.get("idp_hint") == "eidas"),
        "minimum_level": minimum,
        "minimum_label": level_label(minimum, resident=False),
        "invalid": invalid,
    }
    return render(request, "dev_idp/authorize.html", context, status=400 if invalid else 200)


def _persona_groups(minimum: LevelOfAssurance, eidas_first: bool) -> list[PersonaGroup]:
    dutch = "nl" in (get_language() or "")
    residents: list[PersonaChoice] = []
    eu_citizens: list[PersonaChoice] = []
    for persona in all_personas():
        levels = levels_for(persona, minimum)
        if not levels:
            continue
        role = persona.label_nl if dutch else persona.label_en
        label = f"{persona.given_name} {persona.family_name} — {role}"
        resident = persona.subject.scheme == "bsn"
        choices = [
            LevelChoice(f"{persona.key}|{lvl}", level_label(lvl, resident)) for lvl in levels
        ]
        group = residents if resident else eu_citizens
        group.append(PersonaChoice(label, choices))
    groups = [
        PersonaGroup("residents", _("Dutch residents (DigiD)"), residents),
        PersonaGroup("eu-citizens", _("EU citizens (eIDAS)"), eu_citizens),
    ]
    return list(reversed(groups)) if eidas_first else groups


def level_label(level: LevelOfAssurance, resident: bool) -> str:
    """A level of assurance in words; for residents with the DigiD level it stands for."""
    if level == "high":
        return _("High (DigiD Hoog)") if resident else _("High")
    if level == "substantial":
        return _("Substantial (DigiD Substantieel)") if resident else _("Substantial")
    return _("Low (DigiD Midden)") if resident else _("Low")


def _chosen_login(value: str, minimum: LevelOfAssurance) -> DevIdpLogin | None:
    key, _separator, level = value.rpartition("|")
    persona = find_persona(key) if key else None
    if persona is None:
        return None
    for offered in levels_for(persona, minimum):
        if offered == level:
            return DevIdpLogin(persona, offered, int(time.time()))
    return None


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
