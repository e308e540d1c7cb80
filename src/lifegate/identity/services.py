"""Logging in through OpenID Connect: the authorization code flow with PKCE S256, state and
nonce, against whichever provider `OIDC_DISCOVERY_URL` names.

`begin_login` sends the browser to the provider; `complete_login` turns its callback into a
verified `Authentication` in a new session, with the login in the processing log."""

import hmac
import logging
import secrets
import time
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlencode

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import get_language

from lifegate.core.origins import origin_of
from lifegate.identity.assurance import LEVELS, LevelOfAssurance, loa_to_uri
from lifegate.identity.oidc import (
    LoginRejected,
    ProviderMetadata,
    ProviderUnavailable,
    authentication_from_claims,
    provider_metadata,
    validate_id_token,
)
from lifegate.identity.session import Authentication, start_session
from lifegate.transparency.services import Actor, record_processing

logger = logging.getLogger(__name__)

PENDING_KEY = "lifegate.oidc.pending"
PENDING_SECONDS = 600
LOGIN_ACTIVITY = "identity-login"
LoginScheme = Literal["digid", "eidas"]


@dataclass(frozen=True)
class PendingLogin:
    """What the session remembers between sending the browser out and its return."""

    state: str
    nonce: str
    code_verifier: str
    level: LevelOfAssurance
    next_url: str
    started_at: int

    @classmethod
    def from_session(cls, data: object) -> "PendingLogin | None":
        """The stored pending login, or None when absent, damaged or too old."""
        try:
            pending = cls(**data)  # type: ignore[arg-type]
        except TypeError:
            return None
        fresh = time.time() - pending.started_at < PENDING_SECONDS
        return pending if fresh and pending.level in LEVELS else None


def begin_login(
    request: HttpRequest, *, level: LevelOfAssurance, scheme: LoginScheme, next_url: str
) -> str:
    """Remember a new pending login in the session; returns the provider's authorization URL.

    `scheme` becomes the `idp_hint` (the development provider shows EU citizens first for
    "eidas"); `level` goes out as `acr_values`."""
    metadata = provider_metadata()
    pending = PendingLogin(
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        code_verifier=secrets.token_urlsafe(48),
        level=level,
        next_url=next_url,
        started_at=int(time.time()),
    )
    with _oauth_client(request, metadata) as client:
        url, _state = client.create_authorization_url(
            metadata.authorization_endpoint,
            state=pending.state,
            code_verifier=pending.code_verifier,
            nonce=pending.nonce,
            acr_values=loa_to_uri(level),
            idp_hint=scheme,
            ui_locales=get_language() or settings.LANGUAGE_CODE,
        )
    request.session[PENDING_KEY] = pending.__dict__
    return url


def pending_next_url(request: HttpRequest) -> str:
    """Where the pending login (if any) wanted to go afterwards, for a retry link."""
    pending = PendingLogin.from_session(request.session.get(PENDING_KEY))
    return pending.next_url if pending else ""


@dataclass(frozen=True)
class CompletedLogin:
    """A verified login, now in the session, and where the person wanted to go."""

    authentication: Authentication
    next_url: str


def complete_login(request: HttpRequest) -> CompletedLogin:
    """Handle the provider's redirect back: redeem the code, verify the ID token, then start
    the session and record the login in the processing log (in one transaction).

    Raises `LoginRejected` (400) or `ProviderUnavailable` (502); no session starts then. The
    provider is called before the transaction opens, so no transaction waits on the network."""
    authentication, next_url = _verified_login(request)
    _open_session(request, authentication)
    return CompletedLogin(authentication, next_url)


def _verified_login(request: HttpRequest) -> tuple[Authentication, str]:
    """The callback's verified login and the `next` URL.

    The pending login is used up whatever the outcome. Raises `LoginRejected` (400) or
    `ProviderUnavailable` (502)."""
    pending = PendingLogin.from_session(request.session.pop(PENDING_KEY, None))
    state = request.GET.get("state", "")
    if pending is None or not hmac.compare_digest(state.encode(), pending.state.encode()):
        raise LoginRejected("state", "no pending login with this state")
    if "error" in request.GET:
        kind = "cancelled" if request.GET["error"] == "access_denied" else "provider"
        raise LoginRejected(kind, "the provider returned an error")
    code = request.GET.get("code")
    if not code:
        raise LoginRejected("provider", "the provider returned no code")
    metadata = provider_metadata()
    id_token = _redeem_code(request, metadata, code, pending.code_verifier)
    claims, level = validate_id_token(
        id_token, metadata=metadata, nonce=pending.nonce, required_level=pending.level
    )
    return authentication_from_claims(claims, level, metadata.issuer), pending.next_url


def _open_session(request: HttpRequest, authentication: Authentication) -> None:
    """Start the session and record the login in the processing log, in one transaction."""
    with transaction.atomic():
        start_session(request, authentication)
        record_processing(
            name="identity.login",
            subject=authentication.subject,
            activity=LOGIN_ACTIVITY,
            actor=Actor(kind="person", subject=authentication.subject),
            data_categories=["identifier", "name"],
            started_at=authentication.authenticated_at,
        )


def callback_url(request: HttpRequest) -> str:
    """The redirect URI registered with the provider."""
    return request.build_absolute_uri(reverse("identity:callback"))


def _oauth_client(request: HttpRequest, metadata: ProviderMetadata) -> OAuth2Session:
    return OAuth2Session(
        client_id=settings.OIDC_CLIENT_ID,
        client_secret=settings.OIDC_CLIENT_SECRET,
        scope=settings.OIDC_SCOPES,
        redirect_uri=callback_url(request),
        token_endpoint_auth_method=metadata.token_auth_method,
        code_challenge_method="S256",
    )


def _redeem_code(
    request: HttpRequest, metadata: ProviderMetadata, code: str, code_verifier: str
) -> str:
    """Exchange the code (with the PKCE verifier) at the token endpoint for an ID token."""
    try:
        with _oauth_client(request, metadata) as client:
            token: dict[str, Any] = client.fetch_token(
                metadata.token_endpoint,
                grant_type="authorization_code",
                code=code,
                code_verifier=code_verifier,
                timeout=settings.OIDC_HTTP_TIMEOUT,
            )
    except OAuthError as exc:
        raise LoginRejected("token", f"token endpoint refused the code ({exc.error})") from exc
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnavailable(f"token endpoint failed ({type(exc).__name__})") from exc
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise LoginRejected("token", "the token response has no ID token")
    return id_token


# Logging out ---------------------------------------------------------------------------------


def provider_form_origins() -> list[str]:
    """Origins the portal's forms may lead to for logging in and out, without asking the
    provider anything: the provider's (from `OIDC_DISCOVERY_URL`) and those the operator
    configured for brokers further down the chain (`OIDC_EXTRA_FORM_ORIGINS`)."""
    urls = [settings.OIDC_DISCOVERY_URL, *settings.OIDC_EXTRA_FORM_ORIGINS]
    return [origin for url in urls if url and (origin := origin_of(url))]


def provider_logout_url(request: HttpRequest) -> str | None:
    """Where the browser ends the login at the provider too (OpenID Connect RP-Initiated
    Logout 1.0), coming back to the logged-out page; None when the provider has no
    end-session endpoint, cannot be asked now, or has it on an origin the logout form may not
    lead to. On a shared computer, a provider login left open (single sign-on) would let the
    next person in without a password.

    No `id_token_hint`: the ID token holds the BSN, which never goes into a URL. The client
    id identifies the portal, and the provider checks the way back against it."""
    try:
        endpoint = provider_metadata().end_session_endpoint
    except ProviderUnavailable:
        return None
    if not endpoint:
        return None
    if origin_of(endpoint) not in provider_form_origins():
        logger.warning("the provider's end_session_endpoint is on an origin forms may not reach")
        return None
    query = urlencode(
        {
            "client_id": settings.OIDC_CLIENT_ID,
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("identity:logout")),
            "ui_locales": get_language() or settings.LANGUAGE_CODE,
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
