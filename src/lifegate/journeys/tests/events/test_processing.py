"""Registry events processed by the worker: accepted now and started once, the safety net
for lost tasks, and events whose processing fails (retried, then failed, then retried from
the admin)."""

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lifegate.core.subject import Subject
from lifegate.journeys import event_processing, events, services
from lifegate.journeys.models import AgencyClient, InboundEvent, Journey
from lifegate.journeys.tests.events.support import DURABLE, SOURCE, Post, birth, newborn_of_two
from lifegate.registries.adapters import Person

# Durable processing: accepted now, journeys started by the worker


def test_with_the_database_backend_an_event_is_accepted_and_processed_once(
    post: Post, settings: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    from lifegate.journeys.tasks import start_event_journeys

    settings.TASKS = DURABLE
    child = newborn_of_two()

    response = post(birth(child.bsn))

    assert response.status_code == 202
    assert response.json() == {"status": "accepted", "journeys_started": 0}
    assert not Journey.objects.exists()
    inbound = InboundEvent.objects.get()
    assert child.bsn not in inbound.data_sealed
    queued = DBTaskResult.objects.get(task_path=start_event_journeys.module_path)
    assert queued.args_kwargs["args"] == [inbound.pk]

    assert event_processing.process_event(inbound.pk) == 2
    assert event_processing.process_event(inbound.pk) == 0  # a duplicate task starts nothing

    inbound.refresh_from_db()
    assert (inbound.status, inbound.journeys_started, inbound.data_sealed) == ("processed", 2, "")
    assert Journey.objects.count() == 2
    repeat = post(birth(child.bsn))
    assert repeat.status_code == 200
    assert repeat.json() == {"status": "processed", "journeys_started": 2}


def test_the_safety_net_enqueues_accepted_events_whose_task_was_lost(
    post: Post, settings: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DURABLE
    post(birth(newborn_of_two().bsn))
    DBTaskResult.objects.all().delete()  # the worker lost it
    InboundEvent.objects.update(received_at=timezone.now() - timedelta(minutes=10))
    output = StringIO()

    call_command("process_pending_events", stdout=output)

    assert "1 registry events enqueued" in output.getvalue()
    assert DBTaskResult.objects.count() == 1


def test_the_safety_net_leaves_processed_and_failed_events_alone(post: Post, settings: Any) -> None:
    settings.TASKS = DURABLE
    for number, status in enumerate(InboundEvent.Status.values):
        post(birth(newborn_of_two().bsn, f"birth-{number}"))
        InboundEvent.objects.filter(event_id=f"birth-{number}").update(status=status)
    InboundEvent.objects.update(received_at=timezone.now() - timedelta(minutes=10))

    assert event_processing.enqueue_pending() == 1  # the accepted one only


# Processing that fails


class RegisterDown(Exception):
    pass


@pytest.fixture
def failing_second_start(monkeypatch: pytest.MonkeyPatch) -> Person:
    """The second journey of a newborn's parents fails to start, naming the parent's BSN."""
    child = newborn_of_two()
    real = services.start_journey
    calls: list[Subject] = []

    def start_journey(life_event: Any, start: services.Start) -> Journey:
        calls.append(start.subject)
        if len(calls) % 2 == 0:
            raise RegisterDown(f"no answer for {start.subject.value}\nretry later")
        return real(life_event, start)

    monkeypatch.setattr(services, "start_journey", start_journey)
    return child


def test_a_failing_event_starts_nothing_and_records_the_error_without_a_bsn(
    post: Post, failing_second_start: Person
) -> None:
    child = failing_second_start

    response = post(birth(child.bsn))

    assert response.status_code == 202
    assert response.json() == {"status": "accepted", "journeys_started": 0}
    assert not Journey.objects.exists()  # the first parent's journey was rolled back
    inbound = InboundEvent.objects.get()
    assert (inbound.status, inbound.attempts) == ("accepted", 1)
    assert inbound.last_error == "RegisterDown: no answer for *** retry later"
    assert inbound.data_sealed  # kept for the next attempt


def test_a_failing_event_is_marked_failed_after_the_maximum_and_then_left_alone(
    post: Post, failing_second_start: Person, settings: Any
) -> None:
    settings.JOURNEYS_EVENT_MAX_ATTEMPTS = 3
    post(birth(failing_second_start.bsn))
    inbound = InboundEvent.objects.get()

    assert event_processing.process_event(inbound.pk) == 0
    inbound.refresh_from_db()
    assert (inbound.status, inbound.attempts) == ("accepted", 2)
    assert event_processing.process_event(inbound.pk) == 0
    inbound.refresh_from_db()
    assert (inbound.status, inbound.attempts) == ("failed", 3)

    assert event_processing.process_event(inbound.pk) == 0
    inbound.refresh_from_db()
    assert inbound.attempts == 3  # a failed event is not tried again by a stray task
    InboundEvent.objects.update(received_at=timezone.now() - timedelta(minutes=10))
    assert event_processing.enqueue_pending() == 0
    assert not Journey.objects.exists()


def test_the_admin_processes_a_failed_event_again(
    post: Post,
    failing_second_start: Person,
    monkeypatch: pytest.MonkeyPatch,
    admin_client: Client,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.JOURNEYS_EVENT_MAX_ATTEMPTS = 1
    post(birth(failing_second_start.bsn))
    processed = InboundEvent.objects.create(
        source=SOURCE,
        event_id="done",
        type=events.BIRTH_REGISTERED,
        client=AgencyClient.objects.get(),
        status="processed",
    )
    failed = InboundEvent.objects.get(status="failed")
    changelist = reverse("admin:journeys_inboundevent_changelist")
    page = admin_client.get(changelist, {"status__exact": "failed"}).content.decode()
    assert "RegisterDown: no answer for ***" in page
    assert failing_second_start.bsn not in page and failed.data_sealed not in page
    monkeypatch.undo()  # the register is back

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            changelist,
            {
                "action": "process_failed_events_again",
                "_selected_action": [failed.pk, processed.pk],
            },
        )

    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.journeys_started) == ("processed", 2)
    assert Journey.objects.count() == 2
    processed.refresh_from_db()
    assert processed.status == "processed"
