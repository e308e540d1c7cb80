"""Wallets that authenticate with a wallet attestation (OpenID4VCI 1.0 Appendix E, HAIP 1.0
4.4.1): an attested wallet gets its credential; one without a valid attestation from its
provider, or another instance of it, gets nothing, and nothing it sent is kept."""

import base64
import json
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jwt
from joserfc.jwk import ECKey

from lifegate.core.subject import Subject
from lifegate.credentials import issuer_anchors, metadata
from lifegate.credentials.apps import wallets_check
from lifegate.credentials.client_attestation import ATTESTATION_HEADER, POP_HEADER
from lifegate.credentials.models import CredentialOffer, WalletAuthorization
from lifegate.credentials.tests.conftest import BASE_URL
from lifegate.credentials.tests.oid4vci_wallet import (
    AUTHORIZE_PATH,
    CLIENT_ID,
    REDIRECT,
    WALLET,
    Wallet,
    new_wallet_key,
)
from lifegate.credentials.tests.presenting import diploma, log_in
from lifegate.credentials.tests.test_issuer_anchors import Authority, authority, end_entity, x5c

pytestmark = pytest.mark.django_db

PROVIDER = "https://provider.wallet.example"


class Attester:
    """A wallet provider (its CA trusted by the issuer, its certificate naming it) and one
    wallet instance, whose key the provider attests."""

    def __init__(
        self,
        ca: Authority,
        names: list[x509.GeneralName] | None = None,
        audience: str = BASE_URL,
    ) -> None:
        signer, cert = end_entity(ca, names=names or [x509.UniformResourceIdentifier(PROVIDER)])
        self.provider_key = _jose(signer)
        self.chain = x5c(cert)
        self.instance_key = new_wallet_key()
        self.audience = audience

    def attestation(self, header: dict[str, Any] | None = None, **changes: Any) -> str:
        now = int(time.time())
        claims = {
            "iss": PROVIDER,
            "sub": CLIENT_ID,
            "iat": now,
            "exp": now + 3600,
            "cnf": {"jwk": self.instance_key.as_dict(private=False)},
            "wallet_name": "Voorbeeldwallet",
        } | changes
        made = {"alg": "ES256", "typ": "oauth-client-attestation+jwt", "x5c": self.chain}
        fields = {k: v for k, v in (made | (header or {})).items() if v is not None}
        return jwt.encode(
            fields, {k: v for k, v in claims.items() if v is not None}, self.provider_key
        )

    def pop(
        self, key: ECKey | None = None, header: dict[str, Any] | None = None, **changes: Any
    ) -> str:
        claims = {
            "iss": CLIENT_ID,
            "aud": self.audience,
            "jti": secrets.token_urlsafe(16),
            "iat": int(time.time()),
        } | changes
        made = {"alg": "ES256", "typ": "oauth-client-attestation-pop+jwt"} | (header or {})
        kept = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(made, kept, key or self.instance_key)

    def headers(self) -> dict[str, str]:
        return {ATTESTATION_HEADER: self.attestation(), POP_HEADER: self.pop()}


def _jose(key: ec.EllipticCurvePrivateKey) -> ECKey:
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return ECKey.import_key(pem, {"alg": "ES256"})


@pytest.fixture
def provider_ca(settings: Any, tmp_path: Path) -> Iterator[Authority]:
    """The wallet provider's CA, the issuer's only wallet provider trust anchor."""
    made = authority("Wallet provider CA")
    path = tmp_path / "wallet-providers.pem"
    path.write_bytes(made.cert.public_bytes(serialization.Encoding.PEM))
    settings.LIFEGATE_WALLET_PROVIDER_ANCHORS = str(path)
    issuer_anchors.forget()
    yield made
    issuer_anchors.forget()


@pytest.fixture(autouse=True)
def node(issuer_settings: None, credential_types: Any, settings: Any, provider_ca: Any) -> None:
    """This node admits one wallet, which must authenticate with its provider's attestation."""
    settings.OID4VCI_REQUIRE_DPOP = True
    settings.OID4VCI_WALLETS = [
        {"client_id": CLIENT_ID, "name": "Voorbeeldwallet", "redirect_uris": [REDIRECT]}
        | {"provider": PROVIDER}
    ]


@pytest.fixture
def attester(provider_ca: Authority) -> Attester:
    return Attester(provider_ca)


def approved(person: Subject, wallet: Wallet) -> str:
    """The authorization code the person's approval of a diploma sends to the wallet."""
    credential = diploma(person)
    browser = WALLET.__class__()
    log_in(browser, person)
    request_uri = wallet.request_uri()
    answer = browser.post(
        AUTHORIZE_PATH,
        {"client_id": CLIENT_ID, "request_uri": request_uri, "credential": str(credential.pk)},
    )
    assert answer.status_code == 302, answer.content
    return answer["Location"].split("code=")[1].split("&")[0]


def test_an_attested_wallet_gets_the_credential_and_its_instance_is_bound(person, attester):
    wallet = Wallet(attested=attester.headers)

    code = approved(person, wallet)
    request = WalletAuthorization.objects.get()
    token = wallet.token(code)
    issued = wallet.credential(token.json()["access_token"])

    assert request.instance_jkt == attester.instance_key.thumbprint()
    assert token.status_code == 200, token.content
    assert issued.status_code == 200, issued.content


def test_the_metadata_names_attestation_based_client_authentication(settings):
    server = WALLET.get("/.well-known/oauth-authorization-server").json()

    assert server["token_endpoint_auth_methods_supported"] == ["none", "attest_jwt_client_auth"]
    assert server["client_attestation_signing_alg_values_supported"] == ["ES256"]
    assert server["client_attestation_pop_signing_alg_values_supported"] == ["ES256"]
    settings.LIFEGATE_WALLET_PROVIDER_ANCHORS = ""
    assert metadata.authorization_server_metadata()["token_endpoint_auth_methods_supported"] == [
        "none"
    ]
    assert "client_attestation_signing_alg_values_supported" not in (
        metadata.authorization_server_metadata()
    )


def test_a_push_without_the_attestation_is_refused_and_nothing_is_kept():
    for headers in ({}, {ATTESTATION_HEADER: "x"}, {POP_HEADER: "x"}):
        pushed = Wallet().push(headers=headers)

        assert pushed.status_code == 400
        assert pushed.json()["error"] == "invalid_client"
    assert "OAuth-Client-Attestation-PoP" in pushed.json()["error_description"]
    assert not WalletAuthorization.objects.exists()


def _unsigned(token: str, alg: str) -> str:
    """`token` with another alg in its header and no signature."""
    header = base64.urlsafe_b64encode(json.dumps({"alg": alg}).encode()).rstrip(b"=").decode()
    return f"{header}.{token.split('.')[1]}."


OTHER_KEY = new_wallet_key()
HOUR = 3600
# (attestation changes, PoP changes) -> (error, what the description says)
BAD: dict[str, tuple[dict[str, Any], dict[str, Any], str, str]] = {
    "wrong typ": ({"header": {"typ": "JWT"}}, {}, "invalid_client", "typ must be"),
    "no x5c": ({"header": {"x5c": None}}, {}, "invalid_client", "x5c"),
    "another client": ({"sub": "https://other.example"}, {}, "invalid_client", "another client"),
    "no exp": ({"exp": None}, {}, "invalid_client", "has no exp"),
    "ended": ({"exp": int(time.time()) - HOUR}, {}, "use_fresh_attestation", "has ended"),
    "not yet": ({"nbf": int(time.time()) + HOUR}, {}, "invalid_client", "nbf lies in the future"),
    "no cnf": ({"cnf": None}, {}, "invalid_client", "cnf must carry a public JWK"),
    "private cnf": (
        {"cnf": {"jwk": OTHER_KEY.as_dict(private=True)}},
        {},
        "invalid_client",
        "cnf must carry a public JWK",
    ),
    "pop typ": ({}, {"header": {"typ": "dpop+jwt"}}, "invalid_client", "typ must be"),
    "pop key": ({}, {"key": OTHER_KEY}, "invalid_client", "not signed with the attested key"),
    "pop audience": ({}, {"aud": "https://other.example"}, "invalid_client", "another audience"),
    "pop issuer": ({}, {"iss": "https://other.example"}, "invalid_client", "another client_id"),
    "pop stale": ({}, {"iat": int(time.time()) - HOUR}, "invalid_client", "not fresh"),
    "pop without iat": ({}, {"iat": None}, "invalid_client", "not fresh"),
    "pop without jti": ({}, {"jti": None}, "invalid_client", "needs a jti"),
}


@pytest.mark.parametrize("case", BAD)
def test_a_bad_attestation_or_pop_is_refused_with_the_reason(attester, case):
    attestation_changes, pop_changes, error, reason = BAD[case]
    headers = {
        ATTESTATION_HEADER: attester.attestation(**attestation_changes),
        POP_HEADER: attester.pop(**pop_changes),
    }

    pushed = Wallet().push(headers=headers)

    assert pushed.status_code == 400
    assert pushed.json()["error"] == error
    assert reason in pushed.json()["error_description"]
    assert not WalletAuthorization.objects.exists()


def test_an_attestation_of_another_provider_or_signer_is_not_trusted(provider_ca, attester):
    others = [
        Attester(authority("Another wallet provider CA")),  # not an anchor
        Attester(provider_ca, names=[x509.UniformResourceIdentifier("https://other.example")]),
    ]
    forged = Attester(provider_ca)
    forged.provider_key = new_wallet_key()  # the provider's certificate, someone else's key
    for other, reason in zip(
        [*others, forged],
        ["does not lead to a trust anchor", "does not name the issuer", "signature does not"],
        strict=True,
    ):
        pushed = Wallet().push(headers=other.headers())

        assert pushed.json()["error"] == "invalid_client"
        assert reason in pushed.json()["error_description"]
    assert not WalletAuthorization.objects.exists()


@pytest.mark.parametrize("alg", ["none", "HS256", "ES384"])
def test_only_es256_attestations_are_taken(attester, alg):
    headers = {
        ATTESTATION_HEADER: _unsigned(attester.attestation(), alg),
        POP_HEADER: attester.pop(),
    }

    pushed = Wallet().push(headers=headers)

    assert pushed.json() == {
        "error": "invalid_client",
        "error_description": "the wallet attestation is not signed with ES256",
    }


def test_garbage_and_oversized_headers_are_refused_without_an_error(attester):
    for attestation in ("", "a.b", "x" * 20000, attester.attestation() + "x", "é.é.é"):
        pushed = Wallet().push(
            headers={ATTESTATION_HEADER: attestation, POP_HEADER: attester.pop()}
        )

        assert pushed.status_code == 400, attestation[:20]
        assert pushed.json()["error"] == "invalid_client"


def test_a_pop_is_taken_once(attester):
    headers = attester.headers()

    assert Wallet().push(headers=headers).status_code == 201
    again = Wallet().push(headers=headers)

    assert again.status_code == 400
    assert again.json()["error_description"] == "the attestation PoP was used before"


def test_a_token_request_without_the_attestation_leaves_the_code_usable(person, attester):
    wallet = Wallet(attested=attester.headers)
    code = approved(person, wallet)
    wallet.attested = None

    refused = wallet.token(code)
    wallet.attested = attester.headers
    granted = wallet.token(code)

    assert (refused.status_code, refused.json()["error"]) == (400, "invalid_client")
    assert granted.status_code == 200, granted.content


def test_another_instance_of_the_wallet_cannot_exchange_the_code_and_uses_it_up(
    person, provider_ca, attester
):
    wallet = Wallet(attested=attester.headers)
    code = approved(person, wallet)
    wallet.attested = Attester(provider_ca).headers  # same provider, same client_id

    refused = wallet.token(code)
    wallet.attested = attester.headers
    after = wallet.token(code)

    assert refused.json() == {
        "error": "invalid_grant",
        "error_description": "the code was given to another wallet instance",
    }
    assert after.json()["error"] == "invalid_grant"
    assert CredentialOffer.objects.get().token_hash is None


def test_a_public_wallet_is_not_asked_for_an_attestation(settings):
    settings.OID4VCI_WALLETS = [
        {"client_id": CLIENT_ID, "name": "Voorbeeldwallet", "redirect_uris": [REDIRECT]}
    ]

    pushed = Wallet().push(headers={ATTESTATION_HEADER: "not read", POP_HEADER: "not read"})

    assert pushed.status_code == 201
    assert WalletAuthorization.objects.get().instance_jkt == ""


def test_manage_py_check_reports_what_would_refuse_every_attested_wallet(settings, tmp_path):
    assert [m.id for m in wallets_check()] == []
    settings.LIFEGATE_WALLET_PROVIDER_ANCHORS = str(tmp_path / "missing.pem")
    assert [m.id for m in wallets_check()] == ["credentials.E005"]
    settings.LIFEGATE_WALLET_PROVIDER_ANCHORS = ""
    assert [m.id for m in wallets_check()] == ["credentials.E006"]
    settings.OID4VCI_WALLETS = [
        {"client_id": CLIENT_ID, "name": "W", "redirect_uris": [REDIRECT], "provider": "x"}
    ]
    assert [m.id for m in wallets_check()] == ["credentials.E004"]  # not a URI
