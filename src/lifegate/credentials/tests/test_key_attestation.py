"""Key attestations (OpenID4VCI 1.0 Appendix D, HAIP 1.0 4.5.1): when the operator requires
them, a copy goes only to a key a trusted wallet provider attests in the key proof; every
other proof is refused with the reason, and the offer stays usable."""

import time
from typing import Any

import pytest
from joserfc.jwk import ECKey

from lifegate.core.subject import Subject
from lifegate.credentials.apps import wallets_check
from lifegate.credentials.models import IssuedCredential
from lifegate.credentials.sdjwt_parse import parse
from lifegate.credentials.tests.oid4vci_wallet import (
    WALLET,
    access_token,
    ask_credential,
    fresh_nonce,
    new_wallet_key,
    portal_offer,
    proof,
)
from lifegate.credentials.tests.pki import Authority, authority
from lifegate.credentials.tests.presenting import diploma
from lifegate.credentials.tests.wallet_provider import Attester

pytestmark = pytest.mark.django_db

HOUR = 3600


@pytest.fixture(autouse=True)
def node(issuer_settings: None, credential_types: Any, settings: Any, provider_ca: Any) -> None:
    """This node requires key attestations; Bearer tokens keep these tests about the proof."""
    settings.OID4VCI_REQUIRE_DPOP = False
    settings.OID4VCI_REQUIRE_KEY_ATTESTATION = True


@pytest.fixture
def provider(provider_ca: Authority) -> Attester:
    return Attester(provider_ca)


@pytest.fixture
def token(person: Subject) -> str:
    return access_token(portal_offer(person, diploma(person)))


def body(key: ECKey, attestation: str | None, nonce: str | None = None) -> dict[str, Any]:
    header = {} if attestation is None else {"key_attestation": attestation}
    return {
        "credential_configuration_id": "diploma",
        "proofs": {"jwt": [proof(key, nonce or fresh_nonce(), header=header)]},
    }


def test_an_attested_key_gets_the_copy_and_the_metadata_asks_for_attestations(provider, token):
    key = new_wallet_key()

    issued = ask_credential(token, body(key, provider.key_attestation([new_wallet_key(), key])))

    assert issued.status_code == 200, issued.content
    copy = parse(issued.json()["credentials"][0]["credential"]).issuer_jwt.payload
    assert copy["cnf"]["jwk"] == key.as_dict(private=False)
    assert IssuedCredential.objects.filter(copy_of__isnull=False).count() == 1
    configurations = WALLET.get("/.well-known/openid-credential-issuer").json()[
        "credential_configurations_supported"
    ]
    assert configurations["diploma"]["proof_types_supported"]["jwt"] == {
        "proof_signing_alg_values_supported": ["ES256"],
        "key_attestations_required": {},
    }


def test_the_nonce_of_the_attestation_must_be_the_proofs(provider, token):
    key, nonce = new_wallet_key(), fresh_nonce()

    other = ask_credential(token, body(key, provider.key_attestation([key], nonce="x"), nonce))
    same = ask_credential(token, body(key, provider.key_attestation([key], nonce=nonce), nonce))

    assert other.json()["error_description"] == "the key attestation is for another nonce"
    assert same.status_code == 200, same.content


OTHER = new_wallet_key()
# case -> (key attestation made from the provider and the proof's key, what the refusal says)
BAD: dict[str, tuple[Any, str]] = {
    "missing": (lambda p, k: None, "needs a key attestation"),
    "wrong typ": (
        lambda p, k: p.key_attestation([k], header={"typ": "JWT"}),
        "typ must be key-attestation+jwt",
    ),
    "no x5c": (lambda p, k: p.key_attestation([k], header={"x5c": None}), "x5c"),
    "other key": (lambda p, k: p.key_attestation([OTHER]), "does not attest the proof's key"),
    "no keys": (lambda p, k: p.key_attestation([]), "attested_keys is not a list"),
    "private key": (
        lambda p, k: p.key_attestation([k], attested_keys=[k.as_dict(private=True)]),
        "attested_keys must carry a public JWK",
    ),
    "no exp": (lambda p, k: p.key_attestation([k], exp=None), "needs iat and exp"),
    "ended": (lambda p, k: p.key_attestation([k], exp=int(time.time()) - HOUR), "has ended"),
    "future": (lambda p, k: p.key_attestation([k], iat=int(time.time()) + HOUR), "future"),
    "garbage": (lambda p, k: "not.a.jwt", "header is not canonical base64url"),
    "another provider": (
        lambda p, k: Attester(authority("Other CA")).key_attestation([k]),
        "does not lead to a trust anchor",
    ),
}


@pytest.mark.parametrize("case", BAD)
def test_a_missing_or_bad_key_attestation_is_refused_and_the_token_stays(provider, token, case):
    make, reason = BAD[case]
    key = new_wallet_key()

    refused = ask_credential(token, body(key, make(provider, key)))
    then = ask_credential(token, body(key, provider.key_attestation([key])))

    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_proof"
    assert reason in refused.json()["error_description"]
    assert then.status_code == 200, then.content


def test_without_the_requirement_no_attestation_is_needed_or_read(settings, provider, token):
    settings.OID4VCI_REQUIRE_KEY_ATTESTATION = False
    key = new_wallet_key()

    issued = ask_credential(token, body(key, "not read"))

    assert issued.status_code == 200, issued.content
    configurations = WALLET.get("/.well-known/openid-credential-issuer").json()[
        "credential_configurations_supported"
    ]
    assert (
        "key_attestations_required" not in configurations["diploma"]["proof_types_supported"]["jwt"]
    )


def test_manage_py_check_reports_a_requirement_no_wallet_can_meet(settings):
    settings.OID4VCI_WALLETS = []
    assert [m.id for m in wallets_check()] == []
    settings.LIFEGATE_WALLET_PROVIDER_ANCHORS = ""
    assert [m.id for m in wallets_check()] == ["credentials.E007"]
