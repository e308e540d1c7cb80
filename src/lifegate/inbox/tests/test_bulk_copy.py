"""The fast paths of a bulk send store exactly what the plain ones would: messages written as
COPY text on PostgreSQL are the rows the ORM writes, whatever characters they hold; a batch
validated as one list gives the results of one validated message by message."""

import gc
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from lifegate.catalogue.models import PublicOrganisation
from lifegate.core.subject import Subject
from lifegate.inbox import send_rows, sending
from lifegate.inbox.models import Message
from lifegate.inbox.sending import NewMessage
from lifegate.inbox.tests.test_agency_api_bulk import bulk, item
from lifegate.inbox.tests.test_agency_api_send import make_token
from lifegate.registries.personas import DemoPersona
from lifegate.transparency.services import decrypt_subject

pytestmark = pytest.mark.django_db

# Everything COPY's text format must escape, or could mistake for something else.
AWKWARD_TEXTS = [
    "plain",
    "tab\there, newline\nthere, carriage return\r\nand a \\ backslash",
    "\\N",  # COPY's NULL, as text
    "\\.",  # COPY's old end-of-data marker
    "ends in a backslash \\",
    "Über €50 — \u2018quoted\u2019 😀 \\\\ \\t",
    "   ",
]


def copied_and_ormed(agency: PublicOrganisation, messages: list[NewMessage]) -> list[Any]:
    """Each message stored once through COPY and once through the ORM (another key), read
    back as every column but id, key and sealed recipient: pairs that must be equal."""
    now = timezone.now()
    candidates = [sending._Candidate(n, message) for n, message in enumerate(messages)]
    send_rows.insert(send_rows.Rows(agency, candidates, None, now))
    ormed = [
        sending._Candidate(n, message.__class__(**vars(message) | {"idempotency_key": f"orm-{n}"}))
        for n, message in enumerate(messages)
    ]
    send_rows.insert_with_orm(send_rows.Rows(agency, ormed, None, now))
    fields = [f.attname for f in Message._meta.concrete_fields if f.attname not in ("id",)]
    pairs = []
    for copy, orm in zip(candidates, ormed, strict=True):
        copied = Message.objects.filter(pk=copy.row_id).values(*fields).get()
        stored = Message.objects.filter(pk=orm.row_id).values(*fields).get()
        assert copied.pop("idempotency_key") == copy.new.idempotency_key
        assert stored.pop("idempotency_key") == orm.new.idempotency_key
        # Sealed with a fresh nonce each time: equal once opened.
        assert decrypt_subject(copied.pop("recipient_sealed")) == copy.new.recipient
        assert decrypt_subject(stored.pop("recipient_sealed")) == orm.new.recipient
        pairs.append((copied, stored))
    return pairs


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_messages_copied_as_text_are_the_rows_the_orm_stores_whatever_their_characters(
    personas: dict[str, DemoPersona], agency: PublicOrganisation
) -> None:
    recipient = personas["parent"].subject
    messages = [
        NewMessage(
            recipient=recipient,
            subject=f"Onderwerp {text}"[:200],
            body=f"Regel 1\n\n{text}\n",
            category="decision" if n % 2 else "payment",
            idempotency_key=f"copy-{n}\t\\{text[:20]}",
            language="en",
            action_required_by=date(2027, 1, 31) if n % 2 else None,
        )
        for n, text in enumerate(AWKWARD_TEXTS)
    ]

    pairs = copied_and_ormed(agency, messages)

    assert len(pairs) == len(AWKWARD_TEXTS)
    for (copied, stored), message in zip(pairs, messages, strict=True):
        assert copied == stored
        assert copied["body"] == message.body
        assert copied["subject"] == message.subject.strip()
        assert copied["action_required_by"] == message.action_required_by
        assert copied["unread"] is True and copied["read_at"] is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_messages_copied_after_a_taken_key_keep_their_characters(
    personas: dict[str, DemoPersona], agency: PublicOrganisation, agency_actor: Any
) -> None:
    recipient = personas["parent"].subject
    texts = AWKWARD_TEXTS[:3]
    first = NewMessage(recipient, "Eerst", "Eerst", "decision", "taken")
    sending.send_messages(agency, [first], actor=agency_actor)
    batch = [first] + [
        NewMessage(recipient, "Daarna", f"Body {text}", "decision", f"next-{n}")
        for n, text in enumerate(texts)
    ]

    results = sending.send_messages(agency, batch, actor=agency_actor)

    assert [r.outcome for r in results] == ["duplicate"] + ["created"] * len(texts)
    bodies = set(Message.objects.filter(subject="Daarna").values_list("body", flat=True))
    assert bodies == {f"Body {text}" for text in texts}


def test_a_copy_value_of_an_unknown_type_is_refused_rather_than_guessed() -> None:
    with pytest.raises(TypeError):
        send_rows.copy_text(1.5)
    assert send_rows.copy_text(None) == "\\N"
    assert send_rows.copy_text("a\tb\\") == "a\\tb\\\\"


def test_a_valid_bulk_validated_as_one_list_gives_the_results_of_each_message(
    client: Client, agency: PublicOrganisation, personas: dict[str, DemoPersona]
) -> None:
    token = make_token(agency)
    people = [personas[key] for key in ("parent", "single-parent", "elderly")]
    messages = [item(person, f"list-{n}") for n, person in enumerate(people)]

    answer = bulk(client, token, {"messages": messages}).json()

    assert answer["created"] == len(people)
    assert [r["idempotency_key"] for r in answer["results"]] == [
        m["idempotency_key"] for m in messages
    ]
    stored = {m.idempotency_key: m for m in Message.objects.all()}
    assert stored["list-0"].subject == messages[0]["subject"]


def test_the_cycle_collector_runs_again_after_a_bulk_send_sent_or_refused(
    client: Client, agency: PublicOrganisation, personas: dict[str, DemoPersona]
) -> None:
    token = make_token(agency)
    assert gc.isenabled()
    sent = bulk(client, token, {"messages": [item(personas["parent"], "gc-1")]})
    assert sent.json()["created"] == 1
    assert gc.isenabled()
    refused = client.post(
        "/api/agency/messages/bulk",
        b"{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert refused.status_code == 400
    assert gc.isenabled()


def test_an_unregistered_recipient_in_a_list_is_rejected_alone(
    client: Client, agency: PublicOrganisation, personas: dict[str, DemoPersona]
) -> None:
    token = make_token(agency)
    stranger = Subject("bsn", "999999990").as_dict()
    known = item(personas["parent"], "known")
    messages = [known, item(personas["parent"], "unknown", recipient=stranger)]

    answer = bulk(client, token, {"messages": messages}).json()

    assert [r["outcome"] for r in answer["results"]] == ["created", "rejected"]
    assert answer["results"][1]["problem"]["status"] == 404
