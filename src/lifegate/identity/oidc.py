"""OpenID Connect relying party plumbing: provider discovery, the provider's keys and ID
token validation. The login flow itself is in `identity/services.py`."""

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeGuard

import requests
from django.conf import settings
from django.core.cache import cache
from joserfc import jwt
from joserfc.errors import ClaimError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from lifegate.core.subject import Subject, bsn_is_valid
from lifegate.identity.assurance import LevelOfAssurance, loa_from_uri, loa_satisfies
from lifegate.identity.session import Authentication

WELL_KNOWN_SUFFIX = "/.well-known/openid-configuration"
CACHE_SECONDS = 300
LEEWAY_SECONDS = 60
MAX_TOKEN_AGE_SECONDS = 600
# A login the provider remembers (single sign-on) may be older than the token, but not by days.
MAX_AUTH_AGE_SECONDS = 24 * 60 * 60
# Asymmetric algorithms only: never "none", never a MAC keyed with the client secret.
ACCEPTED_ALGORITHMS = ("ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "RS256", "EdDSA")
ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri")
PREFERRED_AUTH_METHODS = ("client_secret_basic", "client_secret_post")
EIDAS_PERSON_IDENTIFIER = re.compile(r"^[A-Z]{2}/[A-Z]{2}/\S{1,200}$")


class ProviderUnavailable(Exception):
    """The identity provider could not be reached or gave an unusable answer (502)."""


class LoginRejected(Exception):
    """The login could not be trusted or was not completed (400). `reason` is for the log
    and never contains personal data; `kind` selects the message shown to the person."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


@dataclass(frozen=True)
class ProviderMetadata:
    """What lifegate uses from the provider's discovery document."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    token_auth_method: str
    algorithms: tuple[str, ...]
    # RP-Initiated Logout 1.0; "" when the provider has none. (A default: metadata cached
    # before the field existed reads as "none".)
    end_session_endpoint: str = ""


def provider_metadata() -> ProviderMetadata:
    """The configured provider's metadata, from `OIDC_DISCOVERY_URL`, cached for a while."""
    url = settings.OIDC_DISCOVERY_URL
    if not url:
        raise ProviderUnavailable("OIDC_DISCOVERY_URL is not set")
    cache_key = f"lifegate.oidc.discovery:{url}"
    metadata = cache.get(cache_key)
    if metadata is None:
        metadata = parse_metadata(fetch_json(url), url)
        cache.set(cache_key, metadata, CACHE_SECONDS)
    return metadata


def parse_metadata(document: dict[str, Any], discovery_url: str) -> ProviderMetadata:
    """Check a discovery document and keep what is needed."""
    issuer = document.get("issuer")
    # OpenID Connect Discovery 1.0 section 4.3: the issuer must match the discovery URL.
    if not isinstance(issuer, str) or issuer.rstrip("/") + WELL_KNOWN_SUFFIX != discovery_url:
        raise ProviderUnavailable("the discovery document names another issuer")
    endpoints = {name: document.get(name) for name in ENDPOINTS}
    if not all(isinstance(url, str) and url for url in endpoints.values()):
        raise ProviderUnavailable("the discovery document lacks an endpoint")
    offered = document.get("id_token_signing_alg_values_supported") or ["RS256"]
    methods = document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    auth_method = next((m for m in PREFERRED_AUTH_METHODS if m in methods), "")
    algorithms = tuple(alg for alg in ACCEPTED_ALGORITHMS if alg in offered)
    if not auth_method or not algorithms:
        raise ProviderUnavailable(
            "the provider supports no client authentication or algorithm we accept"
        )
    end_session = document.get("end_session_endpoint")
    return ProviderMetadata(
        issuer=issuer,
        token_auth_method=auth_method,
        algorithms=algorithms,
        end_session_endpoint=end_session if isinstance(end_session, str) else "",
        **endpoints,  # type: ignore[arg-type]
    )


def fetch_json(url: str) -> dict[str, Any]:
    """GET a JSON object from the provider."""
    try:
        response = requests.get(
            url, timeout=settings.OIDC_HTTP_TIMEOUT, headers={"Accept": "application/json"}
        )
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnavailable(f"{type(exc).__name__} fetching provider document") from exc
    if not isinstance(document, dict):
        raise ProviderUnavailable("provider document is not a JSON object")
    return document


def provider_keys(metadata: ProviderMetadata, refresh: bool = False) -> KeySet:
    """The provider's public keys (JWKS), cached; `refresh` fetches them again."""
    cache_key = f"lifegate.oidc.jwks:{metadata.jwks_uri}"
    document = None if refresh else cache.get(cache_key)
    if document is None:
        document = fetch_json(metadata.jwks_uri)
        cache.set(cache_key, document, CACHE_SECONDS)
    try:
        return KeySet.import_key_set(document)  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise ProviderUnavailable("the provider's JWKS cannot be read") from exc


def validate_id_token(
    id_token: str,
    *,
    metadata: ProviderMetadata,
    nonce: str,
    required_level: LevelOfAssurance,
    now: int | None = None,
) -> tuple[dict[str, Any], LevelOfAssurance]:
    """Verify an ID token's signature and claims; returns its claims and level of assurance.

    Checks `iss`, `aud` (and `azp`), `exp`, `iat`, `auth_time`, `nonce` and that `acr` is at
    least `required_level`. Raises `LoginRejected` for anything else, malformed claims
    included."""
    claims = _verified_claims(id_token, metadata)
    _check_claims(claims, metadata.issuer, nonce, now)
    acr = claims.get("acr") or ""
    if not isinstance(acr, str):
        raise LoginRejected("token", "acr claim is not a string")
    level = loa_from_uri(acr)
    if level is None or not loa_satisfies(level, required_level):
        raise LoginRejected("level", "acr below the requested level of assurance")
    return claims, level


def _verified_claims(id_token: str, metadata: ProviderMetadata) -> dict[str, Any]:
    algorithms = list(metadata.algorithms)
    try:
        try:
            token = jwt.decode(id_token, provider_keys(metadata), algorithms)
        except InvalidKeyIdError:
            # The provider may have rotated its keys since we cached them: fetch once more.
            token = jwt.decode(id_token, provider_keys(metadata, refresh=True), algorithms)
    except (JoseError, ValueError, TypeError) as exc:
        raise LoginRejected("token", f"ID token not verified ({type(exc).__name__})") from exc
    return dict(token.claims)


def _check_claims(claims: dict[str, Any], issuer: str, nonce: str, now: int | None) -> None:
    client_id = settings.OIDC_CLIENT_ID
    registry = jwt.JWTClaimsRegistry(
        now=now,
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(claims)
    except ClaimError as exc:
        raise LoginRejected("token", f"ID token claim {exc.claim!r} not valid") from exc
    if not isinstance(claims["nonce"], str):  # the registry also accepts a list holding it
        raise LoginRejected("token", "ID token claim 'nonce' not valid")
    audience = claims["aud"]
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != client_id:
        raise LoginRejected("token", "ID token for several audiences without our azp")
    if claims["iat"] < registry.now - MAX_TOKEN_AGE_SECONDS:
        raise LoginRejected("token", "ID token issued too long ago")
    _check_auth_time(claims.get("auth_time"), registry.now)


def _check_auth_time(auth_time: object, now: int) -> None:
    """`auth_time` is optional; when present it must be a plausible moment of logging in."""
    if auth_time is None:
        return
    if not _is_numeric_date(auth_time):
        raise LoginRejected("token", "ID token claim 'auth_time' is not a NumericDate")
    if auth_time > now + LEEWAY_SECONDS:
        raise LoginRejected("token", "ID token claim 'auth_time' lies in the future")
    if auth_time < now - MAX_AUTH_AGE_SECONDS:
        raise LoginRejected("token", "ID token claim 'auth_time' lies too long ago")


def _is_numeric_date(value: object) -> TypeGuard[int | float]:
    """A JSON number that is a moment: not a boolean, not NaN or infinite."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def authentication_from_claims(
    claims: dict[str, Any], level: LevelOfAssurance, issuer: str
) -> Authentication:
    """The session's `Authentication` for verified claims: a BSN for Dutch residents, the
    eIDAS PersonIdentifier for citizens of other member states."""
    subject, eidas = _subject(claims)
    auth_time = claims.get("auth_time")
    if auth_time is None:  # checked by `validate_id_token` when present
        auth_time = claims["iat"]
    return Authentication(
        subject=subject,
        loa=level,
        authenticated_at=datetime.fromtimestamp(auth_time, UTC),
        issuer=issuer,
        given_name=_text(claims.get("given_name") or eidas.get("CurrentGivenName")),
        family_name=_text(claims.get("family_name") or eidas.get("CurrentFamilyName")),
    )


def _subject(claims: dict[str, Any]) -> tuple[Subject, dict[str, Any]]:
    bsn = claims.get("bsn")
    if bsn is not None:
        if not isinstance(bsn, str) or not bsn_is_valid(bsn):
            raise LoginRejected("token", "bsn claim is not a valid BSN")
        return Subject("bsn", bsn), {}
    eidas = claims.get("eidas")
    identifier = eidas.get("PersonIdentifier") if isinstance(eidas, dict) else None
    if not isinstance(identifier, str) or not EIDAS_PERSON_IDENTIFIER.match(identifier):
        raise LoginRejected("token", "neither a bsn nor an eIDAS PersonIdentifier claim")
    # "XX/YY/id": YY is the receiving country (Implementing Regulation 2015/1501). An
    # identifier issued for another country's services does not identify anyone here.
    if identifier[3:5] != settings.NODE_COUNTRY:
        raise LoginRejected("token", "eIDAS PersonIdentifier of another receiving country")
    return Subject("eidas", identifier), eidas  # type: ignore[return-value]


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
