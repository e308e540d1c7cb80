"""Telling the sender's system that a message was read or is still unread: a signed CloudEvent
without personal data to a real HTTP server on localhost, retried with growing waits."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from cloudevents.core.bindings.http import HTTPMessage, from_http
from cloudevents.core.formats.json import JSONFormat
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from lifegate.catalogue.models import PublicOrganisation
from lifegate.inbox.models import Message
from lifegate.inbox.reading import open_message
from lifegate.inbox.sending import send_message
from lifegate.inbox.tests.conftest import new_message
from lifegate.inbox.webhooks import push
from lifegate.journeys import agency as agency_clients
from lifegate.journeys.models import AgencyClient
from lifegate.journeys.tests.test_delivery import Receiver, expected_signature
from lifegate.registries.personas import DemoPersona
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import Actor

pytestmark = pytest.mark.django_db
PUSH_TASK = "lifegate.inbox.tasks.push_message_event"
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.stop()


def hooked_client(
    agency: PublicOrganisation, url: str, scopes: tuple[str, ...] = ("messages",)
) -> AgencyClient:
    client, _secret = agency_clients.create_client(agency, "post", list(scopes), webhook_url=url)
    return client


def sent_by(client: AgencyClient, persona: DemoPersona, **changes: Any) -> Message:
    result = send_message(
        client.organisation,
        new_message(persona, "tax-2026"),
        actor=Actor("agency", client.organisation.slug),
        client=client,
    )
    assert result.message_id is not None
    Message.objects.filter(pk=result.message_id).update(**changes)
    return Message.objects.get(pk=result.message_id)


def received_event(request: dict[str, Any]) -> Any:
    headers = {name.lower(): value for name, value in request["headers"].items()}
    return headers, from_http(HTTPMessage(headers, request["body"]), JSONFormat())


def test_the_sender_receives_a_signed_read_event_without_personal_data(
    personas: dict[str, DemoPersona], agency: PublicOrganisation, receiver: Receiver
) -> None:
    client = hooked_client(agency, receiver.url)
    persona = personas["parent"]
    read_at = timezone.now()
    message = sent_by(client, persona, unread=False, read_at=read_at)

    assert push(str(message.pk), "read") == "delivered"

    [request] = receiver.requests
    headers, event = received_event(request)
    assert event.get_type() == "nl.lifegate.inbox.message.read"
    assert event.get_subject() == str(message.pk)
    assert event.get_data() == {
        "message_id": str(message.pk),
        "idempotency_key": "tax-2026",
        "read_at": read_at.isoformat(),
    }
    body = request["body"].decode()
    for personal in (persona.subject.value, persona.family_name, message.subject):
        assert personal not in body
    secret = agency_clients.webhook_secret(client)
    assert headers["webhook-id"] == event.get_id()
    assert headers["webhook-signature"] == expected_signature(secret, headers, request["body"])
    [record] = ProcessingRecord.objects.filter(name="inbox.status")
    assert record.organisation == agency.slug
    assert record.data_subject_hash == message.recipient_hash


def test_an_unread_report_is_its_own_event_with_the_same_id_on_every_repeat(
    personas: dict[str, DemoPersona], agency: PublicOrganisation, receiver: Receiver
) -> None:
    client = hooked_client(agency, receiver.url)
    reported = timezone.now()
    message = sent_by(client, personas["parent"], unread_reported_at=reported)

    assert push(str(message.pk), "unread") == "delivered"
    assert push(str(message.pk), "unread") == "delivered"
    assert push(str(message.pk), "read") == "skipped"  # it was never read

    first, again = (received_event(request)[1] for request in receiver.requests)
    assert first.get_type() == "nl.lifegate.inbox.message.unread"
    assert first.get_data()["unread_reported_at"] == reported.isoformat()
    assert first.get_id() == again.get_id()


@override_settings(JOURNEYS_DELIVERY_MAX_ATTEMPTS=3, JOURNEYS_DELIVERY_BASE_DELAY_SECONDS=60)
def test_a_failing_endpoint_is_tried_again_later_until_the_last_attempt(
    personas: dict[str, DemoPersona], agency: PublicOrganisation, receiver: Receiver
) -> None:
    receiver.status = 503
    message = sent_by(
        hooked_client(agency, receiver.url), personas["parent"], read_at=timezone.now()
    )
    before = timezone.now()

    assert push(str(message.pk), "read") == "retrying"

    [queued] = DBTaskResult.objects.filter(task_path=PUSH_TASK)
    assert queued.args_kwargs["args"] == [str(message.pk), "read", 2]
    assert queued.run_after >= before + timedelta(seconds=60)
    assert push(str(message.pk), "read", 2) == "retrying"
    waits = sorted(row.run_after for row in DBTaskResult.objects.filter(task_path=PUSH_TASK))
    assert waits[1] - waits[0] > timedelta(seconds=30)  # the second wait is longer
    assert push(str(message.pk), "read", 3) == "dead"
    assert DBTaskResult.objects.filter(task_path=PUSH_TASK).count() == 2
    assert len(receiver.requests) == 3


@pytest.mark.parametrize("client_kind", ["without webhook", "without messages scope", "inactive"])
def test_no_event_goes_where_the_sender_did_not_ask_for_it(
    personas: dict[str, DemoPersona],
    agency: PublicOrganisation,
    receiver: Receiver,
    client_kind: str,
) -> None:
    url = "" if client_kind == "without webhook" else receiver.url
    scopes = ("submissions",) if client_kind == "without messages scope" else ("messages",)
    client = hooked_client(agency, url, scopes)
    if client_kind == "inactive":
        AgencyClient.objects.filter(pk=client.pk).update(active=False)
    message = sent_by(client, personas["parent"], read_at=timezone.now())

    assert push(str(message.pk), "read") == "no-webhook"
    assert receiver.requests == []


@override_settings(TASKS=IMMEDIATE)
def test_opening_a_message_tells_its_sender(
    personas: dict[str, DemoPersona],
    agency: PublicOrganisation,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    persona = personas["parent"]
    message = sent_by(hooked_client(agency, receiver.url), persona)

    with django_capture_on_commit_callbacks(execute=True):
        open_message(persona.subject, message.pk, actor=Actor("person", subject=persona.subject))

    [request] = receiver.requests
    assert received_event(request)[1].get_type() == "nl.lifegate.inbox.message.read"


def test_an_unread_event_of_a_message_read_since_is_not_sent(
    personas: dict[str, DemoPersona], agency: PublicOrganisation, receiver: Receiver
) -> None:
    client = hooked_client(agency, receiver.url)
    message = sent_by(client, personas["parent"], unread_reported_at=timezone.now())
    Message.objects.filter(pk=message.pk).update(unread=False, read_at=timezone.now())

    assert push(str(message.pk), "unread", 2) == "skipped"  # a late retry
    assert push(str(message.pk), "read") == "delivered"

    [request] = receiver.requests
    assert received_event(request)[1].get_type() == "nl.lifegate.inbox.message.read"


def test_the_read_event_is_queued_with_the_read_itself(
    personas: dict[str, DemoPersona],
    agency: PublicOrganisation,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    persona = personas["parent"]
    message = sent_by(hooked_client(agency, receiver.url), persona)

    # No commit callback runs: the task row is written in the read's own transaction, so a
    # process that dies right after the commit cannot lose the event.
    with django_capture_on_commit_callbacks(execute=False):
        open_message(persona.subject, message.pk, actor=Actor("person", subject=persona.subject))

    [queued] = DBTaskResult.objects.filter(task_path=PUSH_TASK)
    assert queued.args_kwargs["args"] == [str(message.pk), "read"]
