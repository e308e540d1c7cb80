"""What OpenID4VCI leaves behind is removed once nobody can use it, and nothing sooner."""

import secrets
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from lifegate.core.subject import Subject
from lifegate.credentials import oid4vci, oid4vci_purge
from lifegate.credentials.models import (
    CredentialNonce,
    CredentialOffer,
    IssuedCredential,
    UsedProof,
    WalletAuthorization,
)
from lifegate.credentials.tasks import purge_wallet_exchanges
from lifegate.credentials.tests.presenting import diploma

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


@pytest.fixture(autouse=True)
def node(issuer_settings: None, credential_types: Any) -> None:
    """This node issues the demo catalogue's types."""


@pytest.fixture
def credential(person: Subject) -> IssuedCredential:
    return diploma(person)


def offer(credential: IssuedCredential, **state: Any) -> CredentialOffer:
    """An offer of `credential`, moved to `state` (field values)."""
    row = oid4vci.make_offer(credential).row
    CredentialOffer.objects.filter(pk=row.pk).update(**state)
    return row


def request_of(credential: IssuedCredential, **state: Any) -> WalletAuthorization:
    """A wallet's pushed request for `credential`'s type, in `state`."""
    return WalletAuthorization.objects.create(
        request_hash=oid4vci.hashed(secrets.token_urlsafe()),
        client_id="https://wallet.example",
        redirect_uri="https://wallet.example/callback",
        credential_type=credential.credential_type,
        code_challenge="x" * 43,
        **{"expires_at": timezone.now() + HOUR} | state,
    )


def remaining(model: Any) -> set[Any]:
    return set(model.objects.values_list("pk", flat=True))


def test_offers_go_once_neither_their_code_nor_their_token_can_be_used(credential):
    past, later = timezone.now() - HOUR, timezone.now() + HOUR
    fresh = offer(credential)
    offer(credential, code_expires_at=past)  # never exchanged
    token_live = offer(credential, code_expires_at=past, code_used_at=past, token_expires_at=later)
    offer(credential, code_expires_at=past, code_used_at=past, token_expires_at=past)
    code_used_token_live = offer(credential, code_used_at=past, token_expires_at=later)

    purged = oid4vci_purge.purge_spent()

    assert purged.offers == 2
    assert remaining(CredentialOffer) == {fresh.pk, token_live.pk, code_used_token_live.pk}


def test_the_copy_a_wallet_picked_up_stays(person, credential):
    copy = diploma(person, "dossier-copy")
    past = timezone.now() - HOUR
    offer(credential, code_expires_at=past, token_expires_at=past, issued_copy=copy)

    assert oid4vci_purge.purge_spent().offers == 1
    assert IssuedCredential.objects.filter(pk__in=[credential.pk, copy.pk]).count() == 2


def test_a_wallet_request_goes_when_it_expired_and_no_offer_answering_it_is_of_use(credential):
    past = timezone.now() - HOUR
    pending = request_of(credential)
    just_expired = request_of(credential, expires_at=timezone.now())  # an approval may be busy
    refused = request_of(credential, expires_at=past, decided_at=past)
    answered_in_use = request_of(credential, expires_at=past, decided_at=past, approved=True)
    offer(credential, authorization=answered_in_use)
    answered_spent = request_of(credential, expires_at=past, decided_at=past, approved=True)
    spent = offer(credential, authorization=answered_spent, code_expires_at=past)

    purged = oid4vci_purge.purge_spent()

    assert (purged.offers, purged.authorizations) == (1, 2)
    assert remaining(WalletAuthorization) == {pending.pk, just_expired.pk, answered_in_use.pk}
    assert spent.pk not in remaining(CredentialOffer)
    assert not {refused.pk, answered_spent.pk} & remaining(WalletAuthorization)


def test_expired_nonces_and_dpop_proofs_go_and_live_ones_stay():
    now = timezone.now()
    live_nonce = CredentialNonce.objects.create(nonce_hash="a" * 64, expires_at=now + HOUR)
    CredentialNonce.objects.create(nonce_hash="b" * 64, expires_at=now - HOUR)
    live_proof = UsedProof.objects.create(proof_hash="c" * 64, expires_at=now + HOUR)
    UsedProof.objects.create(proof_hash="d" * 64, expires_at=now - HOUR)

    purged = oid4vci_purge.purge_spent()

    assert (purged.nonces, purged.used_proofs) == (1, 1)
    assert remaining(CredentialNonce) == {live_nonce.pk}
    assert remaining(UsedProof) == {live_proof.pk}


def test_the_housekeeping_command_and_the_task_remove_them(credential):
    past = timezone.now() - HOUR
    offer(credential, code_expires_at=past)
    offer(credential, code_expires_at=past)
    output = StringIO()

    call_command("credentials_housekeeping", "--now", stdout=output)

    assert "wallet exchanges removed: offers 2, wallet requests 0" in output.getvalue()
    offer(credential, code_expires_at=past)
    assert purge_wallet_exchanges.call().startswith("offers 1,")
    assert not CredentialOffer.objects.exists()


def test_without_now_the_command_leaves_the_work_to_the_worker(credential):
    offer(credential, code_expires_at=timezone.now() - HOUR)
    output = StringIO()

    call_command("credentials_housekeeping", stdout=output)

    assert "purge_wallet_exchanges" in output.getvalue()
    assert CredentialOffer.objects.count() == 1  # the worker removes it, not the command
