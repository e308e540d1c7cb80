"""Wallets that authenticate with a wallet attestation (OpenID4VCI 1.0 Appendix E, HAIP 1.0
4.4.1): an attested wallet gets its credential; one without a valid attestation from its
provider, or another instance of it, gets nothing, and nothing it sent is kept."""

import base64
import json
import time
from typing import Any

import pytest
from cryptography import x509
from django.test import Client

from lifegate.core.subject import Subject
from lifegate.credentials import metadata
from lifegate.credentials.apps import wallets_check
from lifegate.credentials.client_attestation import ATTESTATION_HEADER, POP_HEADER
from lifegate.credentials.models import CredentialOffer, WalletAuthorization
from lifegate.credentials.tests.oid4vci_wallet import (
    AUTHORIZE_PATH,
    CLIENT_ID,
    REDIRECT,
    WALLET,
    Wallet,
    new_wallet_key,
)
from lifegate.credentials.tests.pki import authority
from lifegate.credentials.tests.presenting import diploma, log_in
from lifegate.credentials.tests.wallet_provider import ATTESTED_WALLET, Attester

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def node(issuer_settings: None, credential_types: Any, settings: Any, provider_ca: Any) -> None:
    """This node admits one wallet, which must authenticate with its provider's attestation."""
    settings.OID4VCI_REQUIRE_DPOP = True
    settings.OID4VCI_WALLETS = [ATTESTED_WALLET]


def approved(person: Subject, wallet: Wallet) -> str:
    """The authorization code the person's approval of a diploma sends to the wallet."""
    credential = diploma(person)
    browser = Client()
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


def test_the_person_is_told_the_provider_vouches_for_the_app_and_only_then(
    person, attester, settings
):
    diploma(person)
    browser = Client()
    log_in(browser, person)

    def page(wallet: Wallet) -> str:
        asked = {"client_id": CLIENT_ID, "request_uri": wallet.request_uri()}
        shown = browser.get(AUTHORIZE_PATH, asked)
        assert shown.status_code == 200
        return str(shown.content.decode())

    attested = page(Wallet(attested=attester.headers))
    settings.OID4VCI_WALLETS = [
        {"client_id": CLIENT_ID, "name": "Voorbeeldwallet", "redirect_uris": [REDIRECT]}
    ]
    public = page(Wallet())

    assert 'id="authorize-vouched"' in attested
    assert "<strong>provider.wallet.example</strong>, heeft bevestigd" in attested
    assert 'id="authorize-vouched"' not in public


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


def _hour_ago() -> int:
    return int(time.time()) - HOUR


def _in_an_hour() -> int:
    return int(time.time()) + HOUR


# case -> (attestation changes, PoP changes, error, what the description says); callables
# are called when the test runs, so times are the test's own.
BAD: dict[str, tuple[dict[str, Any], dict[str, Any], str, str]] = {
    "wrong typ": ({"header": {"typ": "JWT"}}, {}, "invalid_client", "typ must be"),
    "no x5c": ({"header": {"x5c": None}}, {}, "invalid_client", "x5c"),
    "another client": ({"sub": "https://other.example"}, {}, "invalid_client", "another client"),
    "no exp": ({"exp": None}, {}, "invalid_client", "has no exp"),
    "ended": ({"exp": _hour_ago}, {}, "use_fresh_attestation", "has ended"),
    "not yet": ({"nbf": _in_an_hour}, {}, "invalid_client", "nbf lies in the future"),
    "huge exp": ({"exp": 10**400}, {}, "invalid_client", "is not valid JSON"),
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
    "pop stale": ({}, {"iat": _hour_ago}, "invalid_client", "not fresh"),
    "pop huge iat": ({}, {"iat": 10**400}, "invalid_client", "is not valid JSON"),
    "pop without iat": ({}, {"iat": None}, "invalid_client", "not fresh"),
    "pop without jti": ({}, {"jti": None}, "invalid_client", "needs a jti"),
}


def _now(changes: dict[str, Any]) -> dict[str, Any]:
    return {name: value() if callable(value) else value for name, value in changes.items()}


@pytest.mark.parametrize("case", BAD)
def test_a_bad_attestation_or_pop_is_refused_with_the_reason(attester, case):
    attestation_changes, pop_changes, error, reason = BAD[case]
    headers = {
        ATTESTATION_HEADER: attester.attestation(**_now(attestation_changes)),
        POP_HEADER: attester.pop(**_now(pop_changes)),
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


def test_a_pop_used_at_the_pushed_request_is_not_taken_again_at_the_token_endpoint(
    person, attester
):
    wallet = Wallet(attested=attester.headers)
    code = approved(person, wallet)
    pushed_with = attester.headers()
    assert Wallet().push(headers=pushed_with).status_code == 201

    replayed = wallet.token(code, headers=pushed_with)

    assert replayed.json()["error_description"] == "the attestation PoP was used before"
    assert wallet.token(code).status_code == 200  # the code stayed usable


def test_a_token_request_refused_for_its_dpop_proof_leaves_the_pop_usable(person, attester):
    wallet = Wallet(attested=attester.headers)
    code = approved(person, wallet)
    headers = attester.headers()

    refused = wallet.token(code, headers=headers | {"dpop": "not a proof"})
    granted = wallet.token(code, headers=headers)

    assert refused.json()["error"] == "invalid_dpop_proof"
    assert granted.status_code == 200, granted.content


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
