"""The relying party trusts an ID token only with the provider's signature and the right
issuer, audience, nonce, lifetime and level of assurance."""

import base64
import time
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, OctKey

from lifegate.identity import oidc
from lifegate.identity.oidc import LoginRejected, ProviderMetadata, validate_id_token

ISSUER = "https://idp.example"
NONCE = "nonce-of-this-login"
METADATA = ProviderMetadata(
    issuer=ISSUER,
    authorization_endpoint=ISSUER + "/authorize",
    token_endpoint=ISSUER + "/token",
    jwks_uri=ISSUER + "/jwks",
    token_auth_method="client_secret_basic",
    algorithms=("ES256",),
)


@pytest.fixture
def provider_key() -> ECKey:
    return ECKey.generate_key("P-256", {"alg": "ES256"}, private=True, auto_kid=True)


@pytest.fixture
def jwks_fetches(monkeypatch: pytest.MonkeyPatch, provider_key: ECKey, settings: Any) -> list[str]:
    """Serve the provider key's JWKS without a network; records each fetch."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    fetches: list[str] = []

    def fake_fetch(url: str) -> dict[str, Any]:
        fetches.append(url)
        return {"keys": [provider_key.as_dict(private=False)]}

    monkeypatch.setattr(oidc, "fetch_json", fake_fetch)
    return fetches


def claims(settings: Any, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {
        "iss": ISSUER,
        "aud": settings.OIDC_CLIENT_ID,
        "sub": "opaque",
        "iat": now,
        "exp": now + 300,
        "auth_time": now,
        "nonce": NONCE,
        "acr": "http://eidas.europa.eu/LoA/substantial",
        "bsn": "111222333",
    }
    base.update(changes)
    return {key: value for key, value in base.items() if value is not None}


def sign(key: Any, payload: dict[str, Any], alg: str = "ES256", kid: str | None = None) -> str:
    header = {"alg": alg, "kid": kid if kid is not None else key.kid}
    return jwt.encode(header, payload, key, algorithms=[alg])


def validate(token: str, level: str = "substantial") -> tuple[dict[str, Any], str]:
    return validate_id_token(token, metadata=METADATA, nonce=NONCE, required_level=level)  # type: ignore[arg-type]


def test_a_correct_token_is_accepted(jwks_fetches, provider_key, settings):
    verified, level = validate(sign(provider_key, claims(settings)))

    assert verified["bsn"] == "111222333"
    assert level == "substantial"


def test_a_token_signed_by_another_key_is_rejected(jwks_fetches, provider_key, settings):
    impostor = ECKey.generate_key("P-256", {"alg": "ES256"}, private=True)
    token = sign(impostor, claims(settings), kid=provider_key.kid)

    with pytest.raises(LoginRejected) as failure:
        validate(token)
    assert failure.value.kind == "token"


def test_a_token_with_a_changed_payload_is_rejected(jwks_fetches, provider_key, settings):
    header, _payload, signature = sign(provider_key, claims(settings)).split(".")
    _h, other_payload, _s = sign(provider_key, claims(settings, bsn="123456782")).split(".")

    with pytest.raises(LoginRejected):
        validate(f"{header}.{other_payload}.{signature}")


@pytest.mark.parametrize(
    "changes",
    [
        {"aud": "another-client"},
        {"aud": ["another-client"]},
        {"iss": "https://evil.example"},
        {"nonce": "nonce-of-another-login"},
        {"nonce": None},
        {"exp": int(time.time()) - 120},
        {"iat": int(time.time()) + 3600},
        {"iat": int(time.time()) - 3600},
        {"sub": None},
    ],
    ids=[
        "wrong-audience",
        "wrong-audience-list",
        "wrong-issuer",
        "wrong-nonce",
        "no-nonce",
        "expired",
        "issued-in-future",
        "too-old",
        "no-sub",
    ],
)
def test_a_token_with_a_wrong_claim_is_rejected(jwks_fetches, provider_key, settings, changes):
    with pytest.raises(LoginRejected) as failure:
        validate(sign(provider_key, claims(settings, **changes)))
    assert failure.value.kind == "token"


def test_a_token_for_several_audiences_needs_us_as_authorized_party(
    jwks_fetches, provider_key, settings
):
    shared = claims(settings, aud=[settings.OIDC_CLIENT_ID, "other"])

    with pytest.raises(LoginRejected):
        validate(sign(provider_key, shared))
    validate(sign(provider_key, {**shared, "azp": settings.OIDC_CLIENT_ID}))


def test_a_token_below_the_requested_level_is_rejected(jwks_fetches, provider_key, settings):
    token = sign(provider_key, claims(settings, acr="http://eidas.europa.eu/LoA/low"))

    with pytest.raises(LoginRejected) as failure:
        validate(token, level="substantial")
    assert failure.value.kind == "level"


def test_a_token_without_a_known_level_is_rejected(jwks_fetches, provider_key, settings):
    with pytest.raises(LoginRejected):
        validate(sign(provider_key, claims(settings, acr="urn:unknown")), level="low")


def test_an_unsigned_or_secret_keyed_token_is_rejected(jwks_fetches, provider_key, settings):
    mac_key = OctKey.import_key(settings.OIDC_CLIENT_SECRET.encode())
    mac_token = jwt.encode({"alg": "HS256"}, claims(settings), mac_key, algorithms=["HS256"])
    none_header = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
    unsigned = f"{none_header}.{mac_token.split('.')[1]}."

    for token in (mac_token, unsigned):
        with pytest.raises(LoginRejected):
            validate(token)


def test_an_unknown_key_id_makes_the_keys_be_fetched_once_more(
    jwks_fetches, provider_key, settings
):
    rotated = ECKey.generate_key("P-256", {"alg": "ES256"}, private=True, auto_kid=True)

    with pytest.raises(LoginRejected):
        validate(sign(rotated, claims(settings)))
    assert len(jwks_fetches) == 2


def test_garbage_is_rejected(jwks_fetches, settings):
    with pytest.raises(LoginRejected):
        validate("not-a-token")


def accept(token: str) -> Any:
    """Validate like the login does, up to the session's `Authentication`."""
    verified, level = validate(token, level="low")
    return oidc.authentication_from_claims(verified, level, ISSUER)  # type: ignore[arg-type]


NOW = int(time.time())


@pytest.mark.parametrize(
    "changes",
    [
        {"acr": 3},
        {"acr": ["http://eidas.europa.eu/LoA/substantial"]},
        {"acr": {"level": "substantial"}},
        {"auth_time": "1700000000"},
        {"auth_time": True},
        {"auth_time": [NOW]},
        {"auth_time": float("nan")},
        {"auth_time": float("inf")},
        {"auth_time": 10**30},
        {"auth_time": NOW + 3600},
        {"auth_time": NOW - 2 * 86400},
        {"auth_time": -(10**30)},
        {"iat": "now"},
        {"iat": float("nan")},
        {"iat": [NOW]},
        {"exp": "tomorrow"},
        {"exp": float("inf")},
        {"exp": {"seconds": 300}},
        {"nonce": [NONCE, "another"]},
    ],
    ids=[
        "acr-number",
        "acr-list",
        "acr-object",
        "auth-time-text",
        "auth-time-boolean",
        "auth-time-list",
        "auth-time-nan",
        "auth-time-infinite",
        "auth-time-beyond-any-date",
        "auth-time-in-future",
        "auth-time-too-long-ago",
        "auth-time-before-any-date",
        "iat-text",
        "iat-nan",
        "iat-list",
        "exp-text",
        "exp-infinite",
        "exp-object",
        "nonce-list",
    ],
)
def test_a_token_with_a_malformed_claim_is_rejected_not_a_crash(
    jwks_fetches, provider_key, settings, changes
):
    with pytest.raises(LoginRejected) as failure:
        accept(sign(provider_key, claims(settings, **changes)))
    assert failure.value.kind == "token"


def test_a_login_from_a_few_hours_ago_with_a_fresh_token_is_accepted(
    jwks_fetches, provider_key, settings
):
    earlier = int(time.time()) - 3 * 3600

    authentication = accept(sign(provider_key, claims(settings, auth_time=earlier)))

    assert authentication.authenticated_at.timestamp() == earlier


def test_a_token_without_auth_time_counts_from_when_it_was_issued(
    jwks_fetches, provider_key, settings
):
    issued = int(time.time()) - 300  # well within the token's maximum age, not "now"
    token = sign(provider_key, claims(settings, auth_time=None, iat=issued))

    authentication = accept(token)

    assert authentication.authenticated_at.timestamp() == issued


def eidas_claims(settings: Any, identifier: str) -> dict[str, Any]:
    eidas = {
        "PersonIdentifier": identifier,
        "CurrentFamilyName": "Tamm",
        "CurrentGivenName": "Mari",
        "DateOfBirth": "1990-01-01",
    }
    return claims(settings, bsn=None, eidas=eidas)


def test_an_eidas_identifier_for_this_country_is_accepted(jwks_fetches, provider_key, settings):
    settings.NODE_COUNTRY = "NL"

    accepted = accept(sign(provider_key, eidas_claims(settings, "EE/NL/38001085718")))

    assert (accepted.subject.scheme, accepted.subject.value) == ("eidas", "EE/NL/38001085718")


@pytest.mark.parametrize("identifier", ["EE/DE/38001085718", "EE/EE/38001085718"])
def test_an_eidas_identifier_issued_for_another_country_is_rejected(
    jwks_fetches, provider_key, settings, identifier
):
    settings.NODE_COUNTRY = "NL"

    with pytest.raises(LoginRejected) as rejected:
        accept(sign(provider_key, eidas_claims(settings, identifier)))

    assert "another receiving country" in rejected.value.reason
