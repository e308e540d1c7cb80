"""Signed node messages: a trusted peer's message is accepted once; everything else is refused
with a stable code, a problem-details status and a log line without the message in it."""

import base64
import io
import json
import logging
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from lifegate.exchange import messages
from lifegate.exchange.models import ReceivedMessage

pytestmark = pytest.mark.django_db


def envelope(**changes):
    now = int(time.time())
    claims = {
        "iss": "ee",
        "aud": "nl",
        "iat": now,
        "exp": now + 300,
        "jti": "a" * 32,
        "type": "ping",
        "conversation_id": "c-1",
        "correlation_id": "",
    }
    return {**claims, **changes}


def refusal(token, expected_type="ping"):
    with pytest.raises(messages.MessageRejected) as caught:
        messages.verify(token, expected_type=expected_type)
    return caught.value


def test_a_message_from_a_trusted_peer_is_verified_with_its_envelope(nodes_in_process):
    token = nodes_in_process.sign_as(
        "ee", {"nonce": "n-1"}, conversation_id="conv", correlation_id="earlier"
    )

    verified = messages.verify(token, expected_type="ping")

    assert verified.sender.id == "ee"
    assert verified.sender.base_url == "http://127.0.0.1:9"
    assert verified.payload == {"nonce": "n-1"}
    assert (verified.conversation_id, verified.correlation_id) == ("conv", "earlier")
    assert verified.claims["iss"] == "ee" and verified.claims["aud"] == "nl"
    assert verified.claims["exp"] - verified.claims["iat"] == 300
    assert len(verified.message_id) == 32


def test_the_header_names_the_key_and_the_protocol(nodes_in_process):
    token = nodes_in_process.sign_as("ee")

    header = json.loads(_b64(token.split(".")[0]))

    assert header["alg"] == "ES256"
    assert header["typ"] == "lifegate-exchange+jwt"
    assert header["kid"] == nodes_in_process.peer_entry("ee")["jwks"]["keys"][0]["kid"]


def test_every_message_gets_its_own_id(nodes_in_process):
    first = messages.unverified_claims(nodes_in_process.sign_as("ee"))
    second = messages.unverified_claims(nodes_in_process.sign_as("ee"))

    assert first["jti"] != second["jti"]


def test_a_payload_cannot_set_envelope_claims(nodes_in_process):
    with pytest.raises(ValueError, match="aud"):
        messages.sign({"aud": "lv"}, to="ee", message_type="ping", conversation_id="c")


def test_a_message_from_a_node_not_in_the_trust_list_is_refused(nodes_in_process):
    rejection = refusal(nodes_in_process.sign_as("lv"))

    assert isinstance(rejection, messages.UntrustedNode)
    assert (rejection.code, rejection.status) == ("untrusted-node", 403)


def test_a_message_signed_with_a_key_the_trust_list_does_not_name_is_refused(nodes_in_process):
    rejection = refusal(nodes_in_process.sign_as("ee", key_dir="ee-new"))

    assert isinstance(rejection, messages.UntrustedKey)
    assert (rejection.code, rejection.status) == ("untrusted-key", 401)


def test_a_message_whose_claims_were_changed_after_signing_is_refused(nodes_in_process):
    header, _, signature = nodes_in_process.sign_as("ee").split(".")
    other_claims = nodes_in_process.sign_as("ee", {"nonce": "other"}).split(".")[1]

    rejection = refusal(f"{header}.{other_claims}.{signature}")

    assert isinstance(rejection, messages.BadSignature)
    assert (rejection.code, rejection.status) == ("bad-signature", 401)


def test_a_message_for_another_node_is_refused(nodes_in_process):
    rejection = refusal(nodes_in_process.sign_as("ee", to="lv"))

    assert isinstance(rejection, messages.WrongAudience)
    assert (rejection.code, rejection.status) == ("wrong-audience", 403)


def test_an_expired_message_is_refused(nodes_in_process):
    now = int(time.time())
    token = nodes_in_process.craft(envelope(iat=now - 600, exp=now - 61))

    rejection = refusal(token)

    assert isinstance(rejection, messages.Expired)
    assert (rejection.code, rejection.status) == ("expired", 401)


def test_a_message_just_expired_within_the_clock_skew_is_accepted(nodes_in_process):
    now = int(time.time())

    verified = messages.verify(
        nodes_in_process.craft(envelope(iat=now - 300, exp=now - 30)), expected_type="ping"
    )

    assert verified.sender.id == "ee"


def test_a_message_issued_in_the_future_is_refused(nodes_in_process):
    now = int(time.time())
    token = nodes_in_process.craft(envelope(iat=now + 120, exp=now + 420))

    rejection = refusal(token)

    assert isinstance(rejection, messages.NotYetValid)
    assert (rejection.code, rejection.status) == ("not-yet-valid", 401)


def test_a_message_valid_for_days_is_refused(nodes_in_process):
    now = int(time.time())

    rejection = refusal(nodes_in_process.craft(envelope(iat=now, exp=now + 3 * 24 * 3600)))

    assert rejection.code == "malformed"


def test_a_message_of_another_type_is_refused(nodes_in_process):
    rejection = refusal(nodes_in_process.sign_as("ee", message_type="pong"))

    assert isinstance(rejection, messages.WrongType)
    assert (rejection.code, rejection.status) == ("wrong-type", 400)


def test_a_message_accepted_once_is_refused_the_second_time(nodes_in_process):
    token = nodes_in_process.sign_as("ee")
    messages.verify(token, expected_type="ping")

    rejection = refusal(token)

    assert isinstance(rejection, messages.Replayed)
    assert (rejection.code, rejection.status) == ("replayed", 409)
    assert ReceivedMessage.objects.filter(sender="ee").count() == 1


def test_a_replay_refused_inside_a_transaction_leaves_the_transaction_usable(nodes_in_process):
    token = nodes_in_process.sign_as("ee")
    with transaction.atomic():
        messages.verify(token, expected_type="ping")
        with pytest.raises(messages.Replayed):
            messages.verify(token, expected_type="ping")
        assert ReceivedMessage.objects.count() == 1


def test_the_same_message_id_from_two_peers_is_no_replay(nodes_in_process):
    entries = [nodes_in_process.peer_entry("ee"), nodes_in_process.peer_entry("lv")]
    nodes_in_process.write_peers({"peers": entries})
    messages.verify(nodes_in_process.craft(envelope(jti="b" * 32)), expected_type="ping")
    from_lv = nodes_in_process.craft(envelope(iss="lv", jti="b" * 32), node_id="lv")

    verified = messages.verify(from_lv, expected_type="ping")

    assert verified.sender.id == "lv"


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("not a token", messages.Malformed),
        ("a.b.c", messages.Malformed),
        # a payload nested too deep for the JSON parser
        ("eyJhbGciOiJFUzI1NiJ9." + "W1tb" * 20_000 + ".AAAA", messages.Malformed),
        ("x" * (messages.MAX_MESSAGE_BYTES + 1), messages.TooLarge),
    ],
)
def test_garbage_is_refused_as_malformed(nodes_in_process, token, expected):
    rejection = refusal(token)

    assert type(rejection) is expected


def test_a_too_large_message_is_a_413(nodes_in_process):
    rejection = refusal("x" * (messages.MAX_MESSAGE_BYTES + 1))

    assert (rejection.code, rejection.status) == ("too-large", 413)


@pytest.mark.parametrize(
    ("claims", "header"),
    [
        (envelope(), {"typ": "JWT"}),
        (envelope(), {"crit": ["b64"], "b64": False}),
        (envelope(jti=""), {}),
        (envelope(iat="yesterday"), {}),
        (envelope(conversation_id=None), {}),
        ({k: v for k, v in envelope().items() if k != "type"}, {}),
        (["not", "an", "object"], {}),
    ],
    ids=["typ", "crit", "empty-jti", "text-iat", "no-conversation", "no-type", "array"],
)
def test_a_signed_message_that_breaks_the_protocol_is_malformed(nodes_in_process, claims, header):
    rejection = refusal(nodes_in_process.craft(claims, header))

    assert rejection.code == "malformed"
    assert rejection.status == 400


def test_a_message_signed_with_another_algorithm_is_malformed(nodes_in_process):
    _, claims, signature = nodes_in_process.craft(envelope()).split(".")
    hs256 = _b64encode(json.dumps({"alg": "HS256", "typ": messages.MESSAGE_TYP}))

    rejection = refusal(f"{hs256}.{claims}.{signature}")

    assert rejection.code == "malformed"


def test_a_refusal_is_logged_as_a_security_event_without_the_message(nodes_in_process, caplog):
    token = nodes_in_process.sign_as("lv", {"nonce": "secret-nonce"})

    with caplog.at_level(logging.WARNING, logger="lifegate.exchange.security"):
        refusal(token)

    [record] = [r for r in caplog.records if r.name == "lifegate.exchange.security"]
    line = record.getMessage()
    assert "untrusted-node" in line and "claimed_sender=lv" in line
    assert "secret-nonce" not in line and token.split(".")[1] not in line


def test_the_problem_for_a_refusal_carries_status_title_and_code(nodes_in_process):
    response = messages.problem_for(messages.Replayed("This message was received before."))

    body = json.loads(response.content)
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert body["code"] == "replayed"
    assert body["title"] == "Message replayed"
    assert body["detail"] == "This message was received before."
    assert body["type"].endswith("/exchange-replayed")


def test_expired_replay_records_are_forgotten_and_live_ones_kept(nodes_in_process):
    now = timezone.now()
    ReceivedMessage.objects.create(sender="ee", message_id="old", expires_at=now - timedelta(1))
    ReceivedMessage.objects.create(sender="ee", message_id="new", expires_at=now + timedelta(1))

    assert messages.forget_expired_messages() == 1

    assert list(ReceivedMessage.objects.values_list("message_id", flat=True)) == ["new"]


def test_the_cleanup_task_forgets_expired_records(nodes_in_process):
    from lifegate.exchange.tasks import forget_expired_messages

    old = timezone.now() - timedelta(1)
    ReceivedMessage.objects.create(sender="ee", message_id="old", expires_at=old)

    assert forget_expired_messages.call() == 1
    assert not ReceivedMessage.objects.exists()


def _b64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _b64encode(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


def test_housekeeping_enqueues_the_cleanup_for_the_worker_or_runs_it_at_once(nodes_in_process):
    from django_tasks_db.models import DBTaskResult

    old = timezone.now() - timedelta(1)
    ReceivedMessage.objects.create(sender="ee", message_id="old", expires_at=old)

    call_command("exchange_housekeeping", stdout=io.StringIO())
    assert DBTaskResult.objects.filter(
        task_path="lifegate.exchange.tasks.forget_expired_messages"
    ).exists()
    assert ReceivedMessage.objects.exists()

    call_command("exchange_housekeeping", "--now", stdout=io.StringIO())
    assert not ReceivedMessage.objects.exists()
