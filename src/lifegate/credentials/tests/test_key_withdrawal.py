"""Withdrawing a stolen or lost issuer key: out of the published set and refused at once,
whatever it signed; the portal wallet's credentials are signed again with the current key,
and the holders of copies in external wallets are told to pick up a new copy. Through the
service, the command, the person's pages and API (Dutch and English)."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone, translation
from joserfc.jwk import ECKey

from lifegate.core.subject import Subject
from lifegate.credentials import issuer_certificates, issuing, keys, sdjwt, trust, withdrawal
from lifegate.credentials.compact import b64url_decode
from lifegate.credentials.errors import CredentialRejected
from lifegate.credentials.issuing import holder_key, issue_copy, stored_sd_jwt, subject_claims
from lifegate.credentials.models import IssuedCredential, StatusList
from lifegate.credentials.revocation import reinstate, revoke, suspend
from lifegate.credentials.status_lists import status_list_token
from lifegate.credentials.tests.conftest import DIPLOMA_CLAIMS
from lifegate.credentials.tests.presenting import DUO, diploma, log_in
from lifegate.credentials.tests.test_keys import verifies
from lifegate.inbox.models import Mailbox, Message
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import subject_hash

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("issuer_settings", "credential_types")]


def published_kids() -> list[str]:
    return [str(key["kid"]) for key in keys.issuer_jwks()["keys"]]


def wallet_copy(original: IssuedCredential) -> IssuedCredential:
    wallet = ECKey.generate_key("P-256", {"alg": "ES256"}, private=True)
    return issue_copy(original, holder_jwk=wallet.as_dict(private=False), actor=DUO)


def messages_to(person: Subject) -> list[Message]:
    return list(Message.objects.filter(recipient_hash=subject_hash(person)))


def test_withdrawing_the_current_key_replaces_it_and_takes_it_out_at_once(person):
    credential = diploma(person)
    stolen = credential.kid

    done = keys.withdraw(stolen)

    assert done.rotated and not done.already
    assert done.key.kid == stolen and done.key.withdrawn_at is not None
    assert keys.current_issuer_key().kid == done.current.kid != stolen
    assert published_kids() == [done.current.kid]  # not even while its diploma is valid
    with pytest.raises(CredentialRejected) as refused:
        verifies(credential)
    assert refused.value.code == "withdrawn-key"
    with translation.override("en"):
        assert "withdrawn" in str(refused.value.reason)
    with translation.override("nl"):
        assert "ingetrokken" in str(refused.value.reason)
    assert diploma(person, "dossier-2").kid == done.current.kid


def test_a_retired_key_is_withdrawn_without_a_new_one(person):
    credential = diploma(person)  # a diploma never expires: its retired key stays published
    current = keys.rotate()
    assert credential.kid in published_kids()

    done = keys.withdraw(credential.kid)

    assert not done.rotated and done.current.kid == current.kid
    assert published_kids() == [current.kid]
    with pytest.raises(CredentialRejected, match="withdrawn-key"):
        keys.issuer_key(settings.BASE_URL, credential.kid)


def test_withdrawing_again_changes_nothing_and_an_unknown_kid_is_refused():
    first = str(keys.current_issuer_key().kid)
    done = keys.withdraw(first)

    again = keys.withdraw(first)

    assert again.already and not again.rotated
    assert again.current.kid == done.current.kid
    assert len(keys.ring().keys) == 2
    with pytest.raises(keys.UnknownKey):
        keys.withdraw("no-such-kid")


def test_a_ring_written_before_withdrawals_still_reads():
    kid = str(keys.current_issuer_key().kid)
    keys.rotate()
    path = settings.LIFEGATE_KEY_DIR / keys.RING_FILE
    data = json.loads(path.read_text())
    for key in data["keys"]:
        del key["withdrawn_at"]
    path.write_text(json.dumps(data))

    keys._cache.clear()

    assert keys.ring().withdrawn_kids == frozenset()
    assert keys.withdraw(kid).key.withdrawn_at is not None
    written = {key["kid"]: key["withdrawn_at"] for key in json.loads(path.read_text())["keys"]}
    assert written[kid] is not None
    assert [moment for other, moment in written.items() if other != kid] == [None]


def test_a_ring_whose_current_key_was_withdrawn_by_hand_stops_signing_until_rotated():
    keys.current_issuer_key()
    path = settings.LIFEGATE_KEY_DIR / keys.RING_FILE
    data = json.loads(path.read_text())
    data["keys"][-1]["withdrawn_at"] = timezone.now().isoformat()
    path.write_text(json.dumps(data))

    with pytest.raises(ImproperlyConfigured, match="rotate_issuer_key"):
        keys.current_issuer_key()
    listed, said = StringIO(), StringIO()
    call_command("withdraw_issuer_key", "--list", stdout=listed, stderr=said)
    assert "withdrawn" in listed.getvalue() and "rotate_issuer_key" in said.getvalue()
    new = keys.rotate()
    assert keys.current_issuer_key().kid == new.kid
    assert published_kids() == [new.kid]


def test_the_verifier_refuses_the_key_also_with_this_nodes_ca_among_the_anchors(person, tmp_path):
    credential = diploma(person)
    anchors = tmp_path / "anchors.pem"
    anchors.write_text(issuer_certificates.ca_pem())
    settings.LIFEGATE_ISSUER_TRUST_ANCHORS = str(anchors)
    keys.withdraw(credential.kid)

    with pytest.raises(CredentialRejected) as refused:
        sdjwt.verify(
            stored_sd_jwt(credential),
            issuer_key=trust.issuer_key,
            certified_key=trust.certified_key,
            require_key_binding=False,
        )
    assert refused.value.code == "withdrawn-key"


def test_status_list_tokens_are_signed_again_with_the_new_key(person):
    credential = diploma(person)
    status_list = StatusList.objects.get(pk=credential.status_list_id)
    before = status_list_token(status_list)

    keys.withdraw(credential.kid)

    after = status_list_token(StatusList.objects.get(pk=status_list.pk))
    header = json.loads(b64url_decode(after.split(".")[0], "header"))
    assert after != before
    assert header["kid"] == keys.current_issuer_key().kid != credential.kid


def test_the_portal_wallets_credentials_are_signed_again_with_the_same_claims_and_status(person):
    credential = diploma(person)
    stolen = credential.kid
    keys.withdraw(stolen)

    assert withdrawal.sign_again_pending() == 1

    again = IssuedCredential.objects.get(pk=credential.pk)
    assert again.kid == keys.current_issuer_key().kid != stolen
    assert again.digest != credential.digest and again.log_index != credential.log_index
    assert (again.status_list_id, again.status_index) == (
        credential.status_list_id,
        credential.status_index,
    )
    assert again.issued_at == credential.issued_at and again.expires_at is None
    assert subject_claims(again) == DIPLOMA_CLAIMS
    kept, before = holder_key(again), holder_key(credential)
    assert kept is not None and before is not None and kept.as_dict() == before.as_dict()
    verified = verifies(again)
    assert verified.kid == again.kid and verified.disclosed == frozenset({"title"})
    assert verified.claims["title"] == DIPLOMA_CLAIMS["title"]
    assert ProcessingRecord.objects.filter(
        data_subject_hash=subject_hash(person), name="credentials.sign-again.diploma"
    ).exists()
    assert withdrawal.sign_again_pending() == 0  # done once


def test_signing_again_keeps_the_claims_as_issued_when_the_type_changed_since(person):
    credential = diploma(person)
    kind = credential.credential_type
    kind.claims = [claim for claim in kind.claims if claim["key"] != "grade"]
    kind.save()
    keys.withdraw(credential.kid)

    withdrawal.sign_again_pending()

    again = IssuedCredential.objects.get(pk=credential.pk)
    assert verifies(again).kid == again.kid
    stored = sdjwt.verify(
        stored_sd_jwt(again), issuer_key=keys.issuer_key, require_key_binding=False
    )
    assert stored.claims["grade"] == DIPLOMA_CLAIMS["grade"]
    assert "grade" in stored.disclosed  # still selectively disclosable


def test_one_credential_that_cannot_be_signed_again_does_not_hold_up_the_others(
    person, monkeypatch
):
    first, second = diploma(person, "first"), diploma(person, "second")
    keys.withdraw(first.kid)
    broken = min(first.pk, second.pk)
    sign_again = issuing.sign_again

    def failing_for_one(credential: IssuedCredential) -> IssuedCredential:
        if credential.pk == broken:
            raise ValueError("damaged")
        return sign_again(credential)

    monkeypatch.setattr(issuing, "sign_again", failing_for_one)

    assert withdrawal.sign_again_pending() == 1
    kids = dict(IssuedCredential.objects.values_list("pk", "kid"))
    assert kids[broken] == first.kid != kids[max(first.pk, second.pk)]


def test_a_suspended_credential_is_signed_again_but_its_holder_told_only_once_valid(person):
    original = diploma(person)
    wallet_copy(original)
    suspend(original, actor=DUO)
    stolen = original.kid
    keys.withdraw(stolen)

    assert withdrawal.sign_again_pending() == 1
    assert withdrawal.tell_wallet_holders(stolen) == withdrawal.Told(0, 0)
    assert not withdrawal.wallet_copy_withdrawn(IssuedCredential.objects.get(pk=original.pk))

    reinstate(original, actor=DUO)
    assert withdrawal.wallet_copy_withdrawn(original)
    assert withdrawal.tell_wallet_holders(stolen) == withdrawal.Told(1, 0)


def test_revoked_expired_and_wallet_held_credentials_are_not_signed_again(person):
    revoked = revoke(diploma(person, "revoked"), actor=DUO)
    expired = diploma(person, "expired")
    IssuedCredential.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    held = diploma(person, "held")
    copy = wallet_copy(held)
    stolen = held.kid
    keys.withdraw(stolen)

    assert withdrawal.pending(stolen) == withdrawal.Pending(portal=1, in_wallets=1)
    assert withdrawal.sign_again_pending() == 1

    kids = dict(IssuedCredential.objects.values_list("pk", "kid"))
    assert kids[revoked.pk] == kids[expired.pk] == kids[copy.pk] == stolen
    assert kids[held.pk] != stolen


def test_holders_of_wallet_copies_are_told_once_in_their_language_without_identifiers(person):
    original = diploma(person)
    wallet_copy(original)
    wallet_copy(original)  # two wallets, one message
    keys.withdraw(original.kid)

    assert withdrawal.tell_wallet_holders(original.kid) == withdrawal.Told(1, 0)
    assert withdrawal.tell_wallet_holders(original.kid) == withdrawal.Told(0, 1)

    [message] = messages_to(person)
    assert message.organisation.slug == "duo"
    assert message.language == "nl"
    assert message.subject == "Haal uw Diploma opnieuw op in uw wallet-app"
    assert "heeft voor uw veiligheid de sleutel vervangen" in message.body
    assert f"[Uw bewijs]({settings.BASE_URL}/credentials/{original.pk}/)" in message.body
    assert person.value not in message.body and original.kid not in message.body


def test_a_holder_who_chose_english_is_told_in_english(person):
    Mailbox.objects.create(recipient_hash=subject_hash(person), notify_language="en")
    original = diploma(person)
    wallet_copy(original)
    keys.withdraw(original.kid)

    withdrawal.tell_wallet_holders(original.kid)

    [message] = messages_to(person)
    assert message.language == "en"
    assert message.subject == "Pick up your Diploma in your wallet app again"
    assert "[Your proof](" in message.body


def test_the_command_withdraws_and_does_the_follow_up_here(person):
    original = diploma(person)
    wallet_copy(original)
    output = StringIO()

    call_command("withdraw_issuer_key", "--now", "--", original.kid, stdout=output)

    printed = output.getvalue()
    current = keys.current_issuer_key().kid
    assert f"withdrawn: {original.kid}" in printed
    assert f"new current key: {current}" in printed
    assert "portal wallet: 1; valid in external wallets (holders told" in printed
    assert "pick up a new copy): 1\n" in printed
    assert "signed again: 1; holders told: 1 (before: 0)" in printed
    assert IssuedCredential.objects.get(pk=original.pk).kid == current
    assert len(messages_to(person)) == 1


def test_the_command_leaves_the_follow_up_to_the_worker_and_lists_the_ring(person):
    from django_tasks_db.models import DBTaskResult

    stolen = diploma(person).kid
    call_command("withdraw_issuer_key", "1", stdout=StringIO())  # its number in --list

    task = DBTaskResult.objects.get(task_path="lifegate.credentials.tasks.after_key_withdrawal")
    assert task.args_kwargs["args"] == [stolen]
    listing = StringIO()
    call_command("withdraw_issuer_key", "--list", stdout=listing)
    lines = listing.getvalue().splitlines()
    assert lines[0].startswith(f"1\t{stolen}\twithdrawn ") and lines[0].endswith("not published")
    assert lines[1].endswith("\tcurrent\tpublished")


def test_the_command_refuses_an_unknown_or_missing_kid():
    keys.current_issuer_key()
    with pytest.raises(CommandError, match="no issuer key has kid"):
        call_command("withdraw_issuer_key", "nope", stdout=StringIO())
    with pytest.raises(CommandError, match="no issuer key has kid"):
        call_command("withdraw_issuer_key", "7", stdout=StringIO())  # no key has number 7
    with pytest.raises(CommandError, match="--list"):
        call_command("withdraw_issuer_key", stdout=StringIO())
    assert keys.ring().withdrawn_kids == frozenset()


def test_housekeeping_does_what_a_lost_task_left(person):
    credential = diploma(person)
    wallet_copy(credential)
    keys.withdraw(credential.kid)
    output = StringIO()

    call_command("credentials_housekeeping", "--now", stdout=output)

    assert "withdrawn keys: signed again: 1; holders told: 1" in output.getvalue()
    assert IssuedCredential.objects.get(pk=credential.pk).kid == keys.current_issuer_key().kid
    assert len(messages_to(person)) == 1


def test_housekeeping_leaves_withdrawals_older_than_a_week_alone(person):
    credential = diploma(person)
    wallet_copy(credential)
    keys.withdraw(credential.kid)
    path = settings.LIFEGATE_KEY_DIR / keys.RING_FILE
    data = json.loads(path.read_text())
    data["keys"][0]["withdrawn_at"] = (timezone.now() - timedelta(days=8)).isoformat()
    path.write_text(json.dumps(data))

    call_command("credentials_housekeeping", "--now", stdout=StringIO())

    assert not messages_to(person)  # the portal's copy is still signed again: it must verify
    assert IssuedCredential.objects.get(pk=credential.pk).kid == keys.current_issuer_key().kid


WALLET_COPY_TEXTS = [
    ("nl", "De kopie van dit bewijs in uw wallet-app kan niet meer worden gecontroleerd"),
    ("en", "The copy of this proof in your wallet app can no longer be checked"),
]
STILL_WORKS_HERE = {"nl": "werkt hier nog gewoon", "en": "it still works here"}


@pytest.mark.parametrize(("language", "text"), WALLET_COPY_TEXTS)
def test_the_persons_page_and_api_say_a_wallet_copy_needs_picking_up_again(person, language, text):
    original = diploma(person)
    wallet_copy(original)
    client = Client()
    log_in(client, person)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = f"/credentials/{original.pk}/"
    api = f"/api/credentials/mine/{original.pk}"
    assert 'id="wallet-copy-withdrawn"' not in client.get(page).content.decode()
    assert client.get(api).json()["wallet_copy_withdrawn"] is False

    call_command("withdraw_issuer_key", "--now", "--", original.kid, stdout=StringIO())

    shown = client.get(page).content.decode()
    assert 'id="wallet-copy-withdrawn"' in shown and text in shown
    assert STILL_WORKS_HERE[language] in shown
    assert client.get(api).json()["wallet_copy_withdrawn"] is True

    wallet_copy(original)  # the person put a new copy in their wallet app

    assert 'id="wallet-copy-withdrawn"' not in client.get(page).content.decode()
    assert client.get(api).json()["wallet_copy_withdrawn"] is False


@pytest.mark.parametrize(("language", "text"), WALLET_COPY_TEXTS)
def test_a_proof_issued_straight_to_a_wallet_is_not_said_to_work_here(person, language, text):
    wallet = ECKey.generate_key("P-256", {"alg": "ES256"}, private=True)
    straight = diploma(person, "dossier-wallet", holder_jwk=wallet.as_dict(private=False))
    client = Client()
    log_in(client, person)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    call_command("withdraw_issuer_key", "--now", "--", straight.kid, stdout=StringIO())

    shown = client.get(f"/credentials/{straight.pk}/").content.decode()
    assert 'id="wallet-copy-withdrawn"' in shown and text in shown
    assert STILL_WORKS_HERE[language] not in shown
