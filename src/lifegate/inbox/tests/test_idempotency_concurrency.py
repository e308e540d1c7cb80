"""Sending the same message concurrently under one idempotency key stores it once; the inbox
page reads counters, never counts messages, whatever the size of the box.

The 1,000-way version through the HTTP API, and the notifications after worker crashes, are
in the reliability drill (`make drill`, bench/drill_inbox.py)."""

import re
import threading
from typing import Any
from uuid import UUID

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lifegate.catalogue.models import PublicOrganisation
from lifegate.inbox import send_rows
from lifegate.inbox.models import Mailbox, Message
from lifegate.inbox.sending import NewMessage, Outcome, SendResult, send_message, send_messages
from lifegate.inbox.tests.conftest import new_message
from lifegate.journeys.tests.test_pages import log_in
from lifegate.registries.personas import DemoPersona
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import Actor, subject_hash

THREADS = 16
ATTEMPTS = 200
KEYS = 1000
COUNT_OF_MESSAGES = re.compile(r"count\s*\(.*?\bfrom\s+\"?inbox_message\"?\b", re.I | re.S)


def _send_concurrently(
    organisation: PublicOrganisation, persona: DemoPersona, actor: Actor
) -> list[SendResult]:
    """ATTEMPTS sends of one message under one key, from THREADS threads started together."""
    message = new_message(persona, "same-key", attachments=())
    start = threading.Barrier(THREADS, timeout=60)
    results: list[SendResult] = []
    errors: list[BaseException] = []

    def attempts(count: int) -> None:
        try:
            start.wait()
            for _ in range(count):
                results.append(send_message(organisation, message, actor=actor))
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()  # each thread has its own connection

    share = [ATTEMPTS // THREADS + (i < ATTEMPTS % THREADS) for i in range(THREADS)]
    threads = [threading.Thread(target=attempts, args=(count,)) for count in share]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_sends_with_one_key_store_one_message_counted_and_recorded_once(
    personas: dict[str, DemoPersona], agency: PublicOrganisation, agency_actor: Actor
) -> None:
    if connection.vendor == "sqlite":
        pytest.skip(
            "SQLite serialises writers with one database lock, so threads never race on the "
            "key; CI runs this test on PostgreSQL"
        )
    persona = personas["parent"]

    results = _send_concurrently(agency, persona, agency_actor)

    assert len(results) == ATTEMPTS
    outcomes = [result.outcome for result in results]
    assert outcomes.count(Outcome.CREATED) == 1
    assert outcomes.count(Outcome.DUPLICATE) == ATTEMPTS - 1
    message = Message.objects.get()
    assert {result.message_id for result in results} == {message.pk}
    mailbox = Mailbox.objects.get(recipient_hash=subject_hash(persona.subject))
    assert (mailbox.unread_count, mailbox.message_count) == (1, 1)
    assert ProcessingRecord.objects.filter(name="inbox.send").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_over_the_same_keys_in_any_order_store_each_message_once(
    personas: dict[str, DemoPersona],
    agency: PublicOrganisation,
    agency_actor: Actor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; CI runs this test on PostgreSQL")
    persona = personas["parent"]
    batch = [new_message(persona, f"key-{i:03d}", attachments=()) for i in range(KEYS)]
    # The same keys forwards, backwards, from the middle and interleaved: without a fixed insert
    # order, two of these wait for each other's keys (a deadlock, and a failed send) in most
    # runs.
    orders = [batch, batch[::-1], batch[KEYS // 2 :] + batch[: KEYS // 2], batch[1::2] + batch[::2]]
    # The batches are checked one after the other (the checks hold the GIL); make their
    # inserts start together, as they would on separate servers.
    start = threading.Barrier(len(orders), timeout=60)
    insert = send_rows.insert

    def insert_together(rows: Any) -> set[UUID] | None:
        start.wait()
        return insert(rows)

    monkeypatch.setattr(send_rows, "insert", insert_together)
    created: list[int] = []
    errors: list[BaseException] = []

    def send_batch(messages: list[NewMessage]) -> None:
        try:
            results = send_messages(agency, messages, actor=agency_actor)
            created.append(sum(r.outcome == Outcome.CREATED for r in results))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send_batch, args=(order,)) for order in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors, errors
    assert sum(created) == KEYS
    assert Message.objects.count() == KEYS
    mailbox = Mailbox.objects.get(recipient_hash=subject_hash(persona.subject))
    assert (mailbox.unread_count, mailbox.message_count) == (KEYS, KEYS)
    assert ProcessingRecord.objects.filter(name="inbox.send").count() == KEYS


def _page_sql(client: Client) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("inbox:list"))
    assert response.status_code == 200
    return [str(query["sql"]) for query in captured.captured_queries]


@pytest.mark.django_db
def test_the_inbox_page_runs_as_many_queries_for_a_full_box_and_counts_no_messages(
    client: Client,
    personas: dict[str, DemoPersona],
    agency: PublicOrganisation,
    agency_actor: Actor,
) -> None:
    persona = personas["parent"]
    log_in(client, persona)
    send_message(agency, new_message(persona, "first", attachments=()), actor=agency_actor)
    client.get(reverse("inbox:list"))  # the first request of a session reads more
    one_message = _page_sql(client)

    more = [new_message(persona, f"more-{i}", attachments=()) for i in range(60)]
    send_messages(agency, more, actor=agency_actor)
    full_box = _page_sql(client)

    assert len(full_box) == len(one_message)
    assert not [sql for sql in one_message + full_box if COUNT_OF_MESSAGES.search(sql)]
    # The count the page shows comes from the mailbox row.
    assert any('FROM "inbox_mailbox"' in sql for sql in full_box)
