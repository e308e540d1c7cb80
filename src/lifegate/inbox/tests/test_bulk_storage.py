"""How a batch is stored: every message of it once per key (keys sent before, or twice in the
batch, included), each with its processing record and mailbox count, its notification tasks
queued together after commit, and nothing at all when storing fails half-way."""

import hashlib
import json
from dataclasses import replace
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from django.db import connection, transaction
from django.test import Client, override_settings
from django_tasks_db.models import DBTaskResult

from lifegate.catalogue.models import PublicOrganisation
from lifegate.core.subject import Subject
from lifegate.inbox import sending
from lifegate.inbox.api_agency_schemas import BulkSendOut
from lifegate.inbox.models import Mailbox, Message
from lifegate.inbox.sending import NewAttachment, NewMessage, Outcome, send_messages
from lifegate.inbox.tests.conftest import PDF, new_message
from lifegate.inbox.tests.test_agency_api_bulk import bulk, item
from lifegate.inbox.tests.test_agency_api_send import make_token
from lifegate.registries.personas import DemoPersona
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import Actor, decrypt_subject, subject_hash

pytestmark = pytest.mark.django_db
NOTIFY_TASK = "lifegate.inbox.tasks.notify_messages"


def fingerprint_as_first_stored(message: NewMessage) -> str:
    """The fingerprint as lifegate has stored it with every message since the first one."""
    content = {
        "recipient": message.recipient.as_dict(),
        "subject": message.subject,
        "body": message.body,
        "category": message.category,
        "language": message.language,
        "action_required_by": str(message.action_required_by or ""),
        "submission_id": str(message.submission_id or ""),
        "attachments": [
            [a.filename, a.content_type, hashlib.sha256(a.content).hexdigest()]
            for a in message.attachments
        ],
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def test_the_fingerprint_of_a_message_is_the_one_stored_with_messages_sent_before() -> None:
    plain = new_message_to(Subject("bsn", "999990019"))
    variants = [
        plain,
        replace(plain, attachments=()),
        replace(plain, action_required_by=None, language="en", category="payment"),
        replace(plain, submission_id=UUID("0b6d7f3e-5c1a-4e8f-9d2b-7a4c6e1f3b58")),
        replace(plain, recipient=Subject("eidas", "EE/NL/38001085718")),
        replace(
            plain,
            subject='Über "uw" aanvraag \\ €50',
            body="Regel 1\n\tRegel 2 — \u2018klaar\u2019 😀",
        ),
        replace(
            plain,
            attachments=(
                NewAttachment("brief één.pdf", "application/pdf", PDF),
                NewAttachment('bijlage "2".pdf', "application/pdf", PDF + b"2"),
            ),
        ),
    ]
    for message in variants:
        assert message.fingerprint() == fingerprint_as_first_stored(message)
    assert len({message.fingerprint() for message in variants}) == len(variants)


def new_message_to(recipient: Subject) -> NewMessage:
    return NewMessage(
        recipient=recipient,
        subject="Uw aanslag",
        body="Zie de **bijlage**.",
        category="decision",
        idempotency_key="key-1",
        action_required_by=date(2027, 1, 31),
        attachments=(NewAttachment("aanslag.pdf", "application/pdf", PDF),),
    )


def test_each_message_of_a_batch_has_a_record_with_its_recipient_in_one_trace(
    personas: dict[str, DemoPersona], agency: PublicOrganisation, agency_actor: Actor
) -> None:
    people = [personas[key] for key in ("parent", "single-parent", "elderly", "eu-de")]
    batch = [new_message(p, f"key-{n}", attachments=()) for n, p in enumerate(people)]

    results = send_messages(agency, batch, actor=agency_actor)

    assert [r.outcome for r in results] == [Outcome.CREATED] * len(people)
    records = ProcessingRecord.objects.filter(name="inbox.send")
    assert records.count() == len(people)
    assert len({record.trace_id for record in records}) == 1
    for person, result in zip(people, results, strict=True):
        message = Message.objects.get(idempotency_key=result.idempotency_key)
        assert message.pk == result.message_id
        record = records.get(data_subject_hash=subject_hash(person.subject))
        assert message.recipient_hash == record.data_subject_hash
        assert decrypt_subject(message.recipient_sealed) == person.subject
        assert decrypt_subject(record.data_subject_ciphertext) == person.subject
        expected_type = "BSN" if person.subject.scheme == "bsn" else "eIDAS"
        assert record.data_subject_id_type == expected_type
        assert record.organisation == agency.slug and record.actor_kind == "agency"


def test_a_batch_with_keys_sent_before_stores_counts_and_records_only_the_new_messages(
    personas: dict[str, DemoPersona], agency: PublicOrganisation, agency_actor: Actor
) -> None:
    parent = personas["parent"]
    first = send_messages(
        agency, [new_message(parent, "a"), new_message(parent, "b")], actor=agency_actor
    )
    batch = [
        new_message(parent, "c"),
        new_message(parent, "a"),
        new_message(parent, "b", subject="Iets anders"),
        new_message(parent, "d"),
    ]

    results = send_messages(agency, batch, actor=agency_actor)

    assert [r.outcome for r in results] == [
        Outcome.CREATED,
        Outcome.DUPLICATE,
        Outcome.REJECTED,
        Outcome.CREATED,
    ]
    assert results[1].message_id == first[0].message_id
    assert results[2].problem is not None and results[2].problem.slug == "idempotency-key-reused"
    assert set(Message.objects.values_list("idempotency_key", flat=True)) == {"a", "b", "c", "d"}
    assert Message.objects.get(idempotency_key="b").subject == "Uw aanslag inkomstenbelasting"
    mailbox = Mailbox.objects.get(recipient_hash=subject_hash(parent.subject))
    assert (mailbox.unread_count, mailbox.message_count) == (4, 4)
    assert ProcessingRecord.objects.filter(name="inbox.send").count() == 4


def test_one_key_twice_in_a_batch_is_stored_once(
    personas: dict[str, DemoPersona], agency: PublicOrganisation, agency_actor: Actor
) -> None:
    parent = personas["parent"]
    batch = [
        new_message(parent, "same"),
        new_message(parent, "other"),
        new_message(parent, "same"),
        new_message(parent, "clash"),
        new_message(parent, "clash", subject="Iets anders"),
    ]

    results = send_messages(agency, batch, actor=agency_actor)

    outcomes = [r.outcome for r in results]
    assert outcomes[:3] == [Outcome.CREATED, Outcome.CREATED, Outcome.DUPLICATE]
    assert results[2].message_id == results[0].message_id
    # Which of two different messages under one key is stored is not defined; one is.
    assert sorted(outcomes[3:]) == sorted([Outcome.CREATED, Outcome.REJECTED])
    assert Message.objects.count() == 3
    mailbox = Mailbox.objects.get(recipient_hash=subject_hash(parent.subject))
    assert (mailbox.unread_count, mailbox.message_count) == (3, 3)
    assert ProcessingRecord.objects.filter(name="inbox.send").count() == 3


def test_a_batch_that_fails_while_it_is_stored_leaves_nothing_behind(
    personas: dict[str, DemoPersona],
    agency: PublicOrganisation,
    agency_actor: Actor,
    monkeypatch: pytest.MonkeyPatch,
    private_attachment_dir: Any,
) -> None:
    def failing_record(**kwargs: Any) -> None:
        raise RuntimeError("the processing log is unavailable")

    monkeypatch.setattr(sending, "record_processing_many", failing_record)
    batch = [new_message(personas["parent"], f"key-{n}") for n in range(3)]

    with pytest.raises(RuntimeError):
        send_messages(agency, batch, actor=agency_actor)

    assert not Message.objects.exists()
    assert not Mailbox.objects.exists()
    assert not ProcessingRecord.objects.exists()
    assert not [path for path in private_attachment_dir.rglob("*") if path.is_file()]


def test_control_characters_reject_only_their_message_and_the_rest_is_stored(
    personas: dict[str, DemoPersona], agency: PublicOrganisation, agency_actor: Actor
) -> None:
    good = new_message(personas["parent"], "good")
    batch = [
        replace(good, idempotency_key="subject", subject="Uw\x00aanslag"),
        replace(
            good,
            idempotency_key="filename",
            attachments=(NewAttachment("aanslag\x00.pdf", "application/pdf", PDF),),
        ),
        replace(good, idempotency_key="recipient", recipient=Subject("bsn", "99999\x000019")),
        good,
    ]

    results = send_messages(agency, batch, actor=agency_actor)

    assert [r.outcome for r in results] == [Outcome.REJECTED] * 3 + [Outcome.CREATED]
    assert [r.problem.status for r in results if r.problem] == [422, 415, 404]
    assert list(Message.objects.values_list("idempotency_key", flat=True)) == ["good"]


@override_settings(INBOX_NOTIFY_BATCH=2)
def test_a_batch_stores_the_notification_tasks_of_its_new_messages_in_its_own_transaction(
    personas: dict[str, DemoPersona],
    agency: PublicOrganisation,
    agency_actor: Actor,
    django_capture_on_commit_callbacks: Any,
) -> None:
    send_messages(agency, [new_message(personas["parent"], "old")], actor=agency_actor)
    DBTaskResult.objects.all().delete()
    batch = [new_message(personas["parent"], key) for key in ("old", "n1", "n2", "n3", "n4")]

    with django_capture_on_commit_callbacks() as after_commit:
        results = send_messages(agency, batch, actor=agency_actor)

    assert after_commit == []  # nothing waits for the commit: the tasks commit with the rows
    tasks = DBTaskResult.objects.filter(task_path=NOTIFY_TASK)
    assert tasks.count() == 2
    queued = [i for task in tasks for i in task.args_kwargs["args"][0]]
    assert sorted(queued) == sorted(str(r.message_id) for r in results[1:])


def test_a_send_rolled_back_leaves_no_notification_task_behind(
    personas: dict[str, DemoPersona], agency: PublicOrganisation, agency_actor: Actor
) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        send_messages(agency, [new_message(personas["parent"], "gone")], actor=agency_actor)
        raise RuntimeError("the caller's transaction fails after the send")

    assert not Message.objects.filter(idempotency_key="gone").exists()
    assert not DBTaskResult.objects.filter(task_path=NOTIFY_TASK).exists()


@override_settings(TASKS={"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}})
def test_another_task_backend_gets_the_notification_tasks_only_after_the_commit(
    personas: dict[str, DemoPersona],
    agency: PublicOrganisation,
    agency_actor: Actor,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django.tasks import default_task_backend

    with django_capture_on_commit_callbacks(execute=True) as after_commit:
        [result] = send_messages(agency, [new_message(personas["parent"], "k")], actor=agency_actor)
        assert default_task_backend.results == []  # type: ignore[attr-defined]

    assert len(after_commit) == 1
    [queued] = default_task_backend.results  # type: ignore[attr-defined]
    assert queued.args == [[str(result.message_id)]]


def test_the_bulk_answer_has_the_documented_shape(
    client: Client, personas: dict[str, DemoPersona], agency: PublicOrganisation
) -> None:
    parent = personas["parent"]
    messages = [
        item(parent, "good"),
        item(parent, "wrong-category", category="spam"),
        {"subject": "no key"},
        item(parent, "unknown", recipient={"scheme": "bsn", "value": "111222333"}),
    ]

    response = bulk(client, make_token(agency), {"messages": messages})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    # As the schema reads it: a key left out is null (the answer leaves nulls out).
    read = body | {"results": [{"idempotency_key": None} | r for r in body["results"]]}
    documented = BulkSendOut.model_validate(read).model_dump(mode="json", exclude_none=True)
    assert body == documented
    assert [r["outcome"] for r in body["results"]] == ["created"] + ["rejected"] * 3
    assert "idempotency_key" not in body["results"][2]
    assert body["results"][1]["problem"]["errors"][0]["location"] == "category"


def test_the_mailbox_table_has_only_its_primary_key_index() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL gives varchar keys a second index for LIKE; SQLite does not")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'inbox_mailbox'")
        definitions = [definition for (definition,) in cursor.fetchall()]
    assert len(definitions) == 1 and "pkey" in definitions[0]
