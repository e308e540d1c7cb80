"""The development identity provider's OpenID Connect server, built on Authlib.

One confidential client (the portal, from settings), the authorization code flow with
mandatory PKCE S256 and nonce, ES256-signed ID tokens and a userinfo endpoint."""

import hmac
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from authlib.integrations.django_oauth2 import AuthorizationServer, ResourceProtector
from authlib.integrations.django_oauth2 import BearerTokenValidator as DjangoBearerTokenValidator
from authlib.integrations.django_oauth2.requests import DjangoOAuth2Request
from authlib.oauth2.rfc6749 import InvalidRequestError, list_to_scope, scope_to_list
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core.grants import OpenIDCode
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from lifegate.core.keys import SIGNING_ALGORITHM, signing_key
from lifegate.identity.assurance import loa_from_uri
from lifegate.identity.dev_idp.models import (
    CODE_LIFETIME,
    CODE_RETENTION,
    DevIdpAccessToken,
    DevIdpAuthorizationCode,
    token_hash,
)
from lifegate.identity.dev_idp.personas import DevIdpLogin, acr_for, find_persona, persona_claims

KEY_NAME = "dev-idp"
SCOPES = ("openid", "profile")
TOKEN_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]
CALLBACK_PATH = "/identity/callback/"
LOGOUT_RETURN_PATH = "/identity/logout/"
ID_TOKEN_LIFETIME = 300
ACCESS_TOKEN_LIFETIME = 300
MAX_PARAMETER_LENGTH = 255
DEFAULT_PORTS = {"http": 80, "https": 443}
Origin = tuple[str, str, int]


def issuer_for(request: HttpRequest) -> str:
    """The issuer identifier: this request's own base URL plus the provider's prefix."""
    return request.build_absolute_uri(reverse("dev_idp:issuer")).rstrip("/")


def origin_of(url: str) -> Origin | None:
    """Scheme, host and port of an http(s) URL (the port made explicit), else None."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.scheme, parts.hostname, port or DEFAULT_PORTS[parts.scheme]


def configured_origins() -> frozenset[Origin]:
    """The origin of `BASE_URL`, where the portal says it lives."""
    origin = origin_of(settings.BASE_URL)
    return frozenset([origin] if origin else [])


def callback_origins(request: HttpRequest) -> frozenset[Origin]:
    """Where codes may be sent from a request to this provider: the portal is the same Django
    site, so its own origin, `BASE_URL`'s, and the other names this site answers to
    (`ALLOWED_HOSTS`, e.g. `localhost` beside `127.0.0.1`) on the same scheme and port."""
    here = origin_of(request.build_absolute_uri("/"))
    if here is None:
        return configured_origins()
    scheme, _host, port = here
    aliases = {
        (scheme, host.strip("[]"), port)
        for host in settings.ALLOWED_HOSTS
        if host and "*" not in host and not host.startswith(".")
    }
    return configured_origins() | {here} | aliases


def is_callback_uri(uri: str, origins: frozenset[Origin], path: str = CALLBACK_PATH) -> bool:
    """True for http(s)://<one of `origins`>/identity/callback/, the portal's redirect URI
    (with `path` LOGOUT_RETURN_PATH: where the portal wants the browser back after logout)."""
    parts = urlsplit(uri)
    return (
        origin_of(uri) in origins
        and "@" not in parts.netloc
        and parts.path == path
        and not parts.query
        and not parts.fragment
    )


class DevIdpClient:
    """The only client: lifegate's own portal (`OIDC_CLIENT_ID` / `OIDC_CLIENT_SECRET`).

    Implements the methods of Authlib's `ClientMixin`; no client table is needed. Its
    redirect URIs are the callback at `callback_origins` (by default only `BASE_URL`'s)."""

    def __init__(self, client_id: str, callback_origins: frozenset[Origin] | None = None) -> None:
        self.client_id = client_id
        self.client_metadata: dict[str, Any] = {}
        self.callback_origins = (
            configured_origins() if callback_origins is None else callback_origins
        )

    def get_client_id(self) -> str:
        """The portal's client id."""
        return self.client_id

    def get_default_redirect_uri(self) -> None:
        """None: the redirect URI must always be sent."""
        return None

    def get_allowed_scope(self, scope: str | None) -> str | None:
        """The requested scopes this provider knows; None (an error) without `openid`."""
        requested = scope_to_list(scope) or []
        if "openid" not in requested:
            return None  # an OpenID Connect provider only
        return list_to_scope([s for s in requested if s in SCOPES])

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        """True only for the portal's callback at one of this client's origins."""
        return is_callback_uri(redirect_uri, self.callback_origins)

    def check_client_secret(self, client_secret: str) -> bool:
        """Compares with `OIDC_CLIENT_SECRET` in constant time."""
        return hmac.compare_digest(client_secret.encode(), settings.OIDC_CLIENT_SECRET.encode())

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        """The client authenticates at the token endpoint only, with its secret."""
        return endpoint == "token" and method in TOKEN_AUTH_METHODS

    def check_response_type(self, response_type: str) -> bool:
        """Only the authorization code flow."""
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        """Only the authorization code grant."""
        return grant_type == "authorization_code"


class DevIdpRequest(DjangoOAuth2Request):
    """Authlib's request, knowing the issuer it was made to and where codes may go."""

    def __init__(self, request: HttpRequest) -> None:
        super().__init__(request)
        self.issuer = issuer_for(request)
        self.callback_origins = callback_origins(request)


class S256CodeChallenge(CodeChallenge):
    """PKCE is mandatory for every authorization request, and only with S256."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant: AuthorizationCodeGrant, redirect_uri: str) -> None:
        """Refuses a request without an S256 challenge, then lets Authlib check it."""
        data = grant.request.payload.data
        if not data.get("code_challenge") or data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("PKCE with code_challenge_method S256 is required.")
        super().validate_code_challenge(grant, redirect_uri)


class DevIdpCodeGrant(AuthorizationCodeGrant):
    """The authorization code grant; codes are single use and live for 60 seconds."""

    TOKEN_ENDPOINT_AUTH_METHODS = TOKEN_AUTH_METHODS

    @staticmethod
    def validate_authorization_redirect_uri(request: DevIdpRequest, client: DevIdpClient) -> str:
        """The redirect URI, if it is the portal's callback at this request's own origin or
        at `BASE_URL`; raises `InvalidRequestError` (shown, never redirected) otherwise."""
        here = DevIdpClient(client.get_client_id(), request.callback_origins)
        return AuthorizationCodeGrant.validate_authorization_redirect_uri(request, here)

    def validate_authorization_request(self) -> str:
        """Authlib's checks, and `state` and `nonce` of a reasonable length."""
        redirect_uri = super().validate_authorization_request()
        for name in ("state", "nonce"):
            if len(self.request.payload.data.get(name) or "") > MAX_PARAMETER_LENGTH:
                raise InvalidRequestError(f"'{name}' is too long.", redirect_uri=redirect_uri)
        return redirect_uri

    def save_authorization_code(self, code: str, request: DevIdpRequest) -> None:
        """Store the new code (as a hash) with the login it stands for; forget old codes."""
        login: DevIdpLogin = request.user
        data = request.payload.data
        forgotten = timezone.now() - CODE_RETENTION
        DevIdpAuthorizationCode.objects.filter(created_at__lt=forgotten).delete()
        DevIdpAuthorizationCode.objects.create(
            code_hash=token_hash(code),
            client_id=request.client.get_client_id(),
            redirect_uri=request.payload.redirect_uri,
            scope=request.scope,
            nonce=data.get("nonce", ""),
            persona_key=login.persona.key,
            acr=acr_for(login.level),
            auth_time=datetime.fromtimestamp(login.auth_time, UTC),
            code_challenge=data["code_challenge"],
            code_challenge_method=data["code_challenge_method"],
        )

    def query_authorization_code(
        self, code: str, client: DevIdpClient
    ) -> DevIdpAuthorizationCode | None:
        """The code, used up now; None if unknown, expired or already used."""
        return redeem_code(code, client.get_client_id())

    def delete_authorization_code(self, authorization_code: DevIdpAuthorizationCode) -> None:
        """Nothing to do: `query_authorization_code` has already marked the code used."""
        # Kept, marked as used by `redeem_code`, so a replay is recognised and answered by
        # revoking the tokens the code produced (RFC 6749 section 4.1.2).
        pass

    def authenticate_user(self, authorization_code: DevIdpAuthorizationCode) -> DevIdpLogin | None:
        """The login the code was issued for; None if the persona or level is gone."""
        persona = find_persona(authorization_code.persona_key)
        level = loa_from_uri(authorization_code.acr)
        if persona is None or level is None:
            return None
        return DevIdpLogin(persona, level, authorization_code.get_auth_time())


def redeem_code(code: str, client_id: str) -> DevIdpAuthorizationCode | None:
    """Mark an unused, unexpired code as used in one UPDATE (safe against concurrent use).

    A code that was already used is a replay: its access tokens are revoked."""
    now = timezone.now()
    hashed = token_hash(code)
    codes = DevIdpAuthorizationCode.objects.filter(code_hash=hashed, client_id=client_id)
    fresh = codes.filter(used_at__isnull=True, created_at__gt=now - CODE_LIFETIME)
    if fresh.update(used_at=now) == 1:
        return codes.get()
    DevIdpAccessToken.objects.filter(authorization_code__code_hash=hashed).update(revoked=True)
    return None


class DevIdpOpenIDCode(OpenIDCode):
    """Adds the ES256-signed ID token with the persona's claims to the token response."""

    def exists_nonce(self, nonce: str, request: DevIdpRequest) -> bool:
        """True when a code was already issued for this nonce (a replayed request)."""
        codes = DevIdpAuthorizationCode.objects.filter(client_id=request.payload.client_id)
        return codes.filter(nonce=nonce).exists()

    def resolve_client_private_key(self, client: DevIdpClient) -> Any:
        """The provider's ES256 signing key (from the key directory)."""
        return signing_key(KEY_NAME)

    def get_client_algorithm(self, client: DevIdpClient) -> str:
        """The ID token signing algorithm."""
        return SIGNING_ALGORITHM

    def get_encode_header(self, client: DevIdpClient) -> dict[str, Any]:
        """The ID token's JOSE header, naming the key so clients can pick it from the JWKS."""
        return {"alg": SIGNING_ALGORITHM, "kid": signing_key(KEY_NAME).kid, "typ": "JWT"}

    def get_compatible_claims(self, request: DevIdpRequest) -> dict[str, Any]:
        """The registered claims: this request's issuer, the client, issued now, short-lived."""
        now = int(time.time())
        audience = request.client.get_client_id()
        return {"iss": request.issuer, "aud": audience, "iat": now, "exp": now + ID_TOKEN_LIFETIME}

    def generate_user_info(self, user: DevIdpLogin, scope: str) -> dict[str, Any]:
        """The persona's claims for the granted scope."""
        return persona_claims(user.persona, scope)


class DevIdpServer(AuthorizationServer):
    """Authlib's Django authorization server without client or token tables of its own."""

    def __init__(self) -> None:
        super().__init__(client_model=None, token_model=DevIdpAccessToken)

    def load_config(self, config: dict[str, Any]) -> None:
        """Ignores Django settings: access tokens live `ACCESS_TOKEN_LIFETIME` seconds."""
        expiry = {"authorization_code": ACCESS_TOKEN_LIFETIME}
        super().load_config({"token_expires_in": expiry})

    def query_client(self, client_id: str) -> DevIdpClient | None:
        """The portal's client for `OIDC_CLIENT_ID`, else None."""
        if hmac.compare_digest(client_id.encode(), settings.OIDC_CLIENT_ID.encode()):
            return DevIdpClient(settings.OIDC_CLIENT_ID)
        return None

    def save_token(self, token: dict[str, Any], request: DevIdpRequest) -> DevIdpAccessToken:
        """Store the access token (as a hash) for the userinfo endpoint."""
        return DevIdpAccessToken.objects.create(
            token_hash=token_hash(token["access_token"]),
            client_id=request.client.get_client_id(),
            scope=token.get("scope", ""),
            persona_key=request.user.persona.key,
            expires_in=token["expires_in"],
            authorization_code=request.authorization_code,
        )

    def create_oauth2_request(self, request: HttpRequest) -> DevIdpRequest:
        """Authlib's view of a Django request to this provider."""
        return DevIdpRequest(request)


class DevIdpBearerTokenValidator(DjangoBearerTokenValidator):
    """Finds access tokens by their hash."""

    def authenticate_token(self, token_string: str) -> DevIdpAccessToken | None:
        """The access token with this value, if any; expiry and revocation are checked by
        Authlib through the token's methods."""
        return self.token_model.objects.filter(token_hash=token_hash(token_string)).first()


server = DevIdpServer()
server.register_grant(DevIdpCodeGrant, [S256CodeChallenge(required=True), DevIdpOpenIDCode(True)])
require_access_token = ResourceProtector()
require_access_token.register_token_validator(DevIdpBearerTokenValidator(DevIdpAccessToken))
