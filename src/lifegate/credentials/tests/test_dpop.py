"""DPoP-bound access tokens (RFC 9449) at the OpenID4VCI endpoints, as HAIP 1.0 asks: a
wallet that proves its key at the token endpoint gets a token only that key can use; bad,
replayed or misdirected proofs are refused without using up the code or the token."""

import time
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from lifegate.core.subject import Subject
from lifegate.credentials import dpop, oid4vci, sdjwt
from lifegate.credentials.models import CredentialOffer, IssuedCredential, UsedProof
from lifegate.credentials.tests.conftest import BASE_URL
from lifegate.credentials.tests.oid4vci_wallet import (
    CREDENTIAL_PATH,
    TOKEN_PATH,
    WALLET,
    ask_credential,
    ath_of,
    code_of,
    dpop_proof,
    new_wallet_key,
    path,
    portal_offer,
    request_body,
    token_for,
)
from lifegate.credentials.tests.presenting import diploma

pytestmark = pytest.mark.django_db
TOKEN_URL = BASE_URL + TOKEN_PATH
CREDENTIAL_URL = BASE_URL + CREDENTIAL_PATH


@pytest.fixture(autouse=True)
def node(issuer_settings: None, credential_types: Any) -> None:
    """This node issues credentials of the demo catalogue's types."""


@pytest.fixture
def offer(person: Subject) -> dict[str, Any]:
    return portal_offer(person, diploma(person))


@pytest.fixture
def dpop_key() -> ECKey:
    """The wallet's DPoP key (a wallet may use another key for the credential's binding)."""
    return new_wallet_key()


def bound_token(offer: dict[str, Any], key: ECKey) -> str:
    response = token_for(code_of(offer), {"dpop": dpop_proof(key, TOKEN_URL)})
    assert response.status_code == 200, response.content
    assert response.json()["token_type"] == "DPoP"
    return str(response.json()["access_token"])


def ask_with_dpop(token: str, key: ECKey, **changes: Any) -> Any:
    proof = dpop_proof(key, CREDENTIAL_URL, token, **changes)
    return ask_credential(token, request_body(new_wallet_key()), scheme="DPoP", dpop=proof)


def test_a_wallet_with_dpop_gets_a_token_only_its_key_can_use(offer, dpop_key):
    server = WALLET.get("/.well-known/oauth-authorization-server").json()
    assert server["dpop_signing_alg_values_supported"] == ["ES256"]
    issuer = WALLET.get("/.well-known/openid-credential-issuer").json()
    assert path(server["token_endpoint"]) == TOKEN_PATH
    assert path(issuer["credential_endpoint"]) == CREDENTIAL_PATH

    token = bound_token(offer, dpop_key)
    assert CredentialOffer.objects.get().token_key_thumbprint == dpop_key.thumbprint()
    stolen = ask_with_dpop(token, new_wallet_key())
    answer = ask_with_dpop(token, dpop_key)

    assert stolen.status_code == 401
    assert stolen.json()["error"] == "invalid_dpop_proof"
    assert stolen["WWW-Authenticate"] == 'DPoP error="invalid_dpop_proof", algs="ES256"'
    assert answer.status_code == 200, answer.content
    issued = sdjwt.parse(answer.json()["credentials"][0]["credential"])
    assert issued.issuer_jwt.payload["iss"] == BASE_URL
    assert IssuedCredential.objects.filter(copy_of__isnull=False).count() == 1


def test_a_bound_token_is_refused_as_a_bearer_token(offer, dpop_key):
    token = bound_token(offer, dpop_key)

    as_bearer = ask_credential(token, request_body(new_wallet_key()))

    assert as_bearer.status_code == 401
    assert as_bearer.json()["error"] == "invalid_token"
    assert as_bearer["WWW-Authenticate"].startswith('DPoP error="invalid_token"')
    assert ask_with_dpop(token, dpop_key).status_code == 200  # not used up by the refusal


def test_a_bearer_token_is_refused_with_the_dpop_scheme(settings, offer, dpop_key):
    settings.OID4VCI_REQUIRE_DPOP = False
    token = str(token_for(code_of(offer)).json()["access_token"])

    response = ask_with_dpop(token, dpop_key)

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"
    assert response["WWW-Authenticate"] == 'DPoP error="invalid_token", algs="ES256"'
    assert ask_credential(token, request_body(new_wallet_key())).status_code == 200


def _signed(alg: str, claims: dict[str, Any], key: ECKey | RSAKey) -> str:
    """A proof signed with `alg` by `key`, which it carries."""
    header = {"alg": alg, "typ": "dpop+jwt", "jwk": key.as_dict(private=False)}
    return jwt.encode(header, claims, key, algorithms=[alg])


def _bad_proofs(key: ECKey, token: str) -> dict[str, str | None]:
    p384 = ECKey.generate_key("P-384", private=True)
    rsa = RSAKey.generate_key(2048, private=True)
    claims = {
        "jti": "j-1",
        "htm": "POST",
        "htu": CREDENTIAL_URL,
        "iat": int(time.time()),
        "ath": ath_of(token),
    }
    return {
        "missing": None,
        "not a jws": "not.a.jws",
        "wrong typ": dpop_proof(key, CREDENTIAL_URL, token, header={"typ": "JWT"}),
        "private jwk": dpop_proof(
            key, CREDENTIAL_URL, token, header={"jwk": key.as_dict(private=True)}
        ),
        "other signer": jwt.encode(
            {"alg": "ES256", "typ": "dpop+jwt", "jwk": key.as_dict(private=False)},
            claims,
            new_wallet_key(),
        ),
        "ES384": _signed("ES384", claims, p384),
        "RS256": _signed("RS256", claims, rsa),
        "P-384 jwk": dpop_proof(
            key, CREDENTIAL_URL, token, header={"jwk": p384.as_dict(private=False)}
        ),
        "other method": dpop_proof(key, CREDENTIAL_URL, token, htm="GET"),
        "other url": dpop_proof(key, TOKEN_URL, token),
        "no token hash": dpop_proof(key, CREDENTIAL_URL),
        "other token": dpop_proof(key, CREDENTIAL_URL, "another-token"),
        "non-ASCII token hash": dpop_proof(key, CREDENTIAL_URL, ath="\u00e9"),
        "stale": dpop_proof(key, CREDENTIAL_URL, token, iat=int(time.time()) - 3600),
        "future": dpop_proof(key, CREDENTIAL_URL, token, iat=int(time.time()) + 3600),
        "NaN iat": dpop_proof(key, CREDENTIAL_URL, token, iat=float("nan")),
        "no jti": dpop_proof(key, CREDENTIAL_URL, token, jti=""),
        "too large": "a" * (dpop.MAX_BYTES + 1),
    }


@pytest.mark.parametrize(
    "case",
    [
        "missing",
        "not a jws",
        "wrong typ",
        "private jwk",
        "other signer",
        "ES384",
        "RS256",
        "P-384 jwk",
        "other method",
        "other url",
        "no token hash",
        "other token",
        "non-ASCII token hash",
        "stale",
        "future",
        "NaN iat",
        "no jti",
        "too large",
    ],
)
def test_a_bad_dpop_proof_is_refused_at_the_credential_endpoint(offer, dpop_key, case):
    token = bound_token(offer, dpop_key)
    bad = _bad_proofs(dpop_key, token)[case]

    response = ask_credential(token, request_body(new_wallet_key()), scheme="DPoP", dpop=bad)

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_dpop_proof"
    assert response["WWW-Authenticate"] == 'DPoP error="invalid_dpop_proof", algs="ES256"'
    assert not IssuedCredential.objects.filter(copy_of__isnull=False).exists()
    assert ask_with_dpop(token, dpop_key).status_code == 200


@pytest.mark.parametrize(
    "changes",
    [
        {"htu": CREDENTIAL_URL},
        {"htm": "PUT"},
        {"iat": 0},
        {"iat": 10**400},  # beyond any float: refused as JSON, never an overflow
        {"header": {"typ": "JWT"}},
    ],
    ids=["other url", "other method", "stale", "huge iat", "wrong typ"],
)
def test_a_bad_dpop_proof_at_the_token_endpoint_keeps_the_code(offer, dpop_key, changes):
    response = token_for(code_of(offer), {"dpop": dpop_proof(dpop_key, TOKEN_URL, **changes)})

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_dpop_proof"
    assert CredentialOffer.objects.get().code_used_at is None
    assert bound_token(offer, dpop_key)


def test_a_dpop_proof_is_accepted_once(person, offer, dpop_key):
    proof = dpop_proof(dpop_key, TOKEN_URL)
    assert token_for(code_of(offer), {"dpop": proof}).status_code == 200
    other = oid4vci.make_offer(diploma(person))

    replayed = token_for(other.code, {"dpop": proof}, tx_code=other.tx_code)

    assert replayed.status_code == 400
    assert replayed.json() == {
        "error": "invalid_dpop_proof",
        "error_description": "the DPoP proof was used before",
    }
    assert CredentialOffer.objects.filter(code_used_at__isnull=True).count() == 1


def test_a_refused_token_request_does_not_use_up_its_dpop_proof(offer, dpop_key):
    proof = dpop_proof(dpop_key, TOKEN_URL)
    assert token_for("made-up", {"dpop": proof}).json()["error"] == "invalid_grant"

    again = token_for(code_of(offer), {"dpop": proof})

    assert again.status_code == 200
    assert again.json()["token_type"] == "DPoP"
    assert UsedProof.objects.count() == 1


def test_an_expired_bound_token_is_refused_in_the_dpop_scheme(offer, dpop_key):
    token = bound_token(offer, dpop_key)
    CredentialOffer.objects.update(token_expires_at=timezone.now() - timedelta(seconds=1))

    response = ask_with_dpop(token, dpop_key)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'DPoP error="invalid_token", algs="ES256"'


def test_dpop_is_required_unless_the_operator_allows_bearer_tokens(
    settings, person, offer, dpop_key
):
    settings.OID4VCI_REQUIRE_DPOP = False
    earlier_offer = oid4vci.make_offer(diploma(person))
    earlier = token_for(earlier_offer.code, tx_code=earlier_offer.tx_code)
    assert earlier.json()["token_type"] == "Bearer"
    settings.OID4VCI_REQUIRE_DPOP = True  # the default (HAIP 1.0)

    without = token_for(code_of(offer))
    as_bearer = ask_credential(earlier.json()["access_token"], request_body(new_wallet_key()))
    no_token = ask_credential("", request_body(new_wallet_key()))

    assert without.status_code == 400
    assert without.json()["error"] == "invalid_dpop_proof"
    assert as_bearer.status_code == 401
    assert as_bearer["WWW-Authenticate"] == 'DPoP error="invalid_token", algs="ES256"'
    assert no_token["WWW-Authenticate"] == 'DPoP algs="ES256"'
    assert bound_token(offer, dpop_key)


def test_a_request_without_a_token_is_told_the_schemes_the_node_takes(settings):
    dpop_only = ask_credential("", request_body(new_wallet_key()))
    settings.OID4VCI_REQUIRE_DPOP = False
    both = ask_credential("", request_body(new_wallet_key()))

    assert dpop_only.status_code == both.status_code == 401
    assert dpop_only["WWW-Authenticate"] == 'DPoP algs="ES256"'
    assert both["WWW-Authenticate"] == 'Bearer, DPoP algs="ES256"'


def test_the_token_hash_is_the_one_of_rfc_9449s_example():
    token = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"  # RFC 9449 section 7.1

    assert dpop.token_hash(token) == "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"
    assert ath_of(token) == dpop.token_hash(token)


def test_the_url_a_proof_names_is_compared_as_rfc_9449_says():
    assert dpop.normalised("HTTPS://NL.Lifegate.Example:443/a/b?x=1#f") == (
        "https://nl.lifegate.example/a/b"
    )
    assert dpop.normalised("http://host:8080") == "http://host:8080/"
    assert dpop.normalised("https://host:8443/a") != dpop.normalised("https://host/a")
    assert dpop.normalised("https://someone@host/a") != dpop.normalised("https://host/a")
    assert dpop.normalised("https://host:notaport/a") == ""
    assert dpop.normalised("/credentials/oid4vci/token") == ""  # no scheme or host


def test_web_wallets_may_send_dpop_proofs_and_read_the_challenge():
    preflight = WALLET.options(
        TOKEN_PATH,
        headers={
            "origin": "https://wallet.example",
            "access-control-request-method": "POST",
            "access-control-request-headers": "dpop, content-type",
        },
    )
    refused = ask_credential("made-up", {}, scheme="DPoP", dpop="not.a.jws")

    assert preflight.status_code == 204
    assert "DPoP" in preflight["Access-Control-Allow-Headers"]
    assert refused.status_code == 401
    assert refused["Access-Control-Expose-Headers"] == "WWW-Authenticate"
