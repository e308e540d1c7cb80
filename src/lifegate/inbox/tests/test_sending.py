"""Sending: valid messages are stored once per idempotency key, bad ones get problem details
and never stop the rest of the batch."""

from dataclasses import replace

import pytest
from django.utils import translation

from lifegate.catalogue.models import PublicOrganisation
from lifegate.core.subject import Subject
from lifegate.inbox.models import Attachment, Mailbox, Message
from lifegate.inbox.sending import NewAttachment, Outcome, send_message, send_messages
from lifegate.inbox.tests.conftest import PDF, new_message
from lifegate.journeys.agency import create_client
from lifegate.registries.personas import DemoPersona
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import Actor, subject_hash

pytestmark = pytest.mark.django_db


def test_a_valid_message_is_stored_counted_and_recorded(
    personas: dict[str, DemoPersona], agency: PublicOrganisation, agency_actor: Actor
) -> None:
    persona = personas["parent"]
    result = send_message(agency, new_message(persona), actor=agency_actor)
    assert result.outcome == Outcome.CREATED and result.message_id
    message = Message.objects.get(pk=result.message_id)
    assert message.unread and message.recipient_hash == subject_hash(persona.subject)
    assert persona.subject.value not in message.recipient_sealed
    assert Attachment.objects.get(message=message).file.read() == PDF
    mailbox = Mailbox.objects.get(recipient_hash=message.recipient_hash)
    assert (mailbox.unread_count, mailbox.message_count) == (1, 1)
    record = ProcessingRecord.objects.get(name="inbox.send")
    assert record.data_subject_hash == message.recipient_hash
    assert record.organisation == agency.slug


def test_repeating_a_send_with_the_same_key_makes_no_second_message(
    personas: dict[str, DemoPersona], agency: PublicOrganisation, agency_actor: Actor
) -> None:
    first = send_message(agency, new_message(personas["parent"]), actor=agency_actor)
    again = send_message(agency, new_message(personas["parent"]), actor=agency_actor)
    assert again.outcome == Outcome.DUPLICATE and again.message_id == first.message_id
    assert Message.objects.count() == 1
    assert Mailbox.objects.get().unread_count == 1


def test_reusing_a_key_for_another_message_is_rejected(
    personas: dict[str, DemoPersona], agency: PublicOrganisation, agency_actor: Actor
) -> None:
    send_message(agency, new_message(personas["parent"]), actor=agency_actor)
    other = new_message(personas["parent"], subject="Iets anders")
    result = send_message(agency, other, actor=agency_actor)
    assert result.outcome == Outcome.REJECTED
    assert result.problem is not None and result.problem.slug == "idempotency-key-reused"


def test_bad_messages_in_a_batch_get_problems_and_the_rest_is_sent(
    personas: dict[str, DemoPersona], agency: PublicOrganisation, agency_actor: Actor
) -> None:
    persona = personas["single-parent"]
    good = new_message(persona, "good")
    batch = [
        good,
        new_message(persona, "unknown", recipient=Subject("bsn", "111222333")),
        replace(
            good,
            idempotency_key="big",
            attachments=(NewAttachment("a.pdf", "application/pdf", PDF + b"x" * 11 * 1024 * 1024),),
        ),
        replace(
            good,
            idempotency_key="type",
            attachments=(NewAttachment("a.exe", "application/pdf", b"MZ"),),
        ),
        replace(good, idempotency_key="html", body="<script>alert(1)</script>"),
        replace(good, idempotency_key="good-2"),
    ]
    results = send_messages(agency, batch, actor=agency_actor)
    assert [r.outcome for r in results] == [
        Outcome.CREATED,
        Outcome.REJECTED,
        Outcome.REJECTED,
        Outcome.REJECTED,
        Outcome.REJECTED,
        Outcome.CREATED,
    ]
    statuses = [r.problem.status for r in results if r.problem]
    assert statuses == [404, 413, 415, 422]
    assert Message.objects.count() == 2
    assert Attachment.objects.count() == 2


def test_an_agency_cannot_use_the_keys_reserved_for_lifegate(
    personas: dict[str, DemoPersona], agency: PublicOrganisation, agency_actor: Actor
) -> None:
    client, _secret = create_client(agency, "test", ["messages"])
    message = new_message(personas["parent"], "lifegate:journey-status-1")

    with translation.override("en"):
        result = send_message(agency, message, actor=agency_actor, client=client)

    assert result.outcome == Outcome.REJECTED
    assert result.problem is not None and "reserved" in result.problem.detail
    assert not Message.objects.exists()
