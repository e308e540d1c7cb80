"""Withdrawn wallets: a wallet or key attestation that names an entry in its wallet
provider's status list is taken only while that entry is valid. A revoked or suspended
instance, a list that cannot be fetched or is not the provider's, gets nothing, with the
reason."""

from typing import Any

import pytest
from cryptography import x509

from lifegate.core.subject import Subject
from lifegate.credentials import statuslist
from lifegate.credentials.models import WalletAuthorization
from lifegate.credentials.tests.oid4vci_wallet import (
    Wallet,
    access_token,
    ask_credential,
    fresh_nonce,
    new_wallet_key,
    portal_offer,
    proof,
)
from lifegate.credentials.tests.pki import authority
from lifegate.credentials.tests.presenting import diploma
from lifegate.credentials.tests.wallet_provider import (
    ATTESTED_WALLET,
    PROVIDER,
    Attester,
    ProviderStatusList,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def node(issuer_settings: None, credential_types: Any, settings: Any, provider_ca: Any) -> None:
    """This node admits one attested wallet and requires key attestations; the wallet
    provider's CA is the only provider anchor (`provider_ca`)."""
    settings.OID4VCI_REQUIRE_DPOP = False  # Bearer tokens keep these tests about attestations
    settings.OID4VCI_REQUIRE_KEY_ATTESTATION = True
    settings.OID4VCI_WALLETS = [ATTESTED_WALLET]


@pytest.fixture
def status_list(attester: Attester, monkeypatch: Any) -> ProviderStatusList:
    return ProviderStatusList(attester, monkeypatch)


def pushed_with(attester: Attester, status: Any) -> Any:
    """The pushed authorization request of a wallet whose attestation has `status`."""
    return Wallet(
        attested=lambda: {
            "OAuth-Client-Attestation": attester.attestation(status=status),
            "OAuth-Client-Attestation-PoP": attester.pop(),
        }
    ).push()


def refusal(answer: Any) -> str:
    assert answer.status_code == 400, answer.content
    return str(answer.json()["error_description"])


def test_a_wallet_whose_entry_is_valid_is_admitted_and_the_list_is_fetched_once(
    attester, status_list
):
    first = pushed_with(attester, status_list.entry(3))
    second = pushed_with(attester, status_list.entry(3))

    assert (first.status_code, second.status_code) == (201, 201)
    assert status_list.fetches == 1  # cached for the token's ttl
    assert WalletAuthorization.objects.count() == 2


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (statuslist.INVALID, "the wallet attestation is revoked by its wallet provider"),
        (statuslist.SUSPENDED, "the wallet attestation is suspended by its wallet provider"),
        (3, "the wallet attestation is not valid (status 3)"),
    ],
)
def test_a_withdrawn_wallet_instance_is_refused_and_nothing_is_kept(
    attester, status_list, status, reason
):
    status_list.entries.set(5, status)

    refused = pushed_with(attester, status_list.entry(5))

    assert refused.json() == {"error": "invalid_client", "error_description": reason}
    assert not WalletAuthorization.objects.exists()


def test_only_the_withdrawn_entry_is_refused(attester, status_list):
    status_list.entries.set(5, statuslist.INVALID)

    assert pushed_with(attester, status_list.entry(4)).status_code == 201
    assert pushed_with(attester, status_list.entry(5)).status_code == 400


BAD_REFERENCES = {
    "not an object": ("revoked", "status is not an object"),
    "index not a number": ({"status_list": {"idx": "1", "uri": "x"}}, "idx is not an index"),
    "no uri": ({"status_list": {"idx": 1}}, "uri is not a URI"),
    "plain http": (
        ProviderStatusList.entry(1, "http://provider.wallet.example/status/1"),
        "status list address is not an https URL",
    ),
    "outside the list": (ProviderStatusList.entry(16), "index lies outside its status list"),
    "unknown list": (
        ProviderStatusList.entry(1, f"{PROVIDER}/status/2"),
        "status could not be checked (the status list could not be fetched); try again later",
    ),
}


@pytest.mark.parametrize("case", BAD_REFERENCES)
def test_a_bad_status_reference_is_refused_with_the_reason(attester, status_list, case):
    status, reason = BAD_REFERENCES[case]

    assert reason in refusal(pushed_with(attester, status))


def test_another_status_mechanism_is_not_an_error(attester, status_list):
    admitted = pushed_with(attester, {"status_assertion": {"uri": f"{PROVIDER}/assertions"}})

    assert admitted.status_code == 201
    assert status_list.fetches == 0


def test_a_provider_that_cannot_be_reached_refuses_until_it_answers(attester, status_list):
    status_list.down = True

    refused = pushed_with(attester, status_list.entry(1))
    status_list.down = False
    admitted = pushed_with(attester, status_list.entry(1))

    assert "could not be checked" in refusal(refused)
    assert admitted.status_code == 201


OTHER_PROVIDER = "https://other.wallet.example"


@pytest.mark.parametrize(
    ("signer", "reason"),
    [
        ("another provider", "the certificate does not name the issuer"),
        ("an untrusted CA", "the x5c chain does not lead to a trust anchor"),
    ],
)
def test_a_list_signed_by_anyone_but_the_provider_is_not_taken(
    attester, status_list, provider_ca, signer, reason
):
    status_list.signer = (
        Attester(provider_ca, names=[x509.UniformResourceIdentifier(OTHER_PROVIDER)])
        if signer == "another provider"
        else Attester(authority("Unknown CA"))
    )

    assert reason in refusal(pushed_with(attester, status_list.entry(1)))


# Key attestations ---------------------------------------------------------------------------


@pytest.fixture
def token(person: Subject) -> str:
    return access_token(portal_offer(person, diploma(person)))


def copy_with(attester: Attester, token: str, status: Any) -> Any:
    """A credential request whose proof's key attestation has `status`."""
    key = new_wallet_key()
    attestation = attester.key_attestation([key], status=status)
    return ask_credential(
        token,
        {
            "credential_configuration_id": "diploma",
            "proofs": {"jwt": [proof(key, fresh_nonce(), header={"key_attestation": attestation})]},
        },
    )


def test_a_key_whose_attestation_is_withdrawn_gets_no_copy_and_the_token_stays(
    attester, status_list, token
):
    status_list.entries.set(7, statuslist.INVALID)

    refused = copy_with(attester, token, status_list.entry(7))
    issued = copy_with(attester, token, status_list.entry(8))

    assert refused.json() == {
        "error": "invalid_proof",
        "error_description": "the key attestation is revoked by its wallet provider",
    }
    assert issued.status_code == 200, issued.content
