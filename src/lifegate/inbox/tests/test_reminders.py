"""Reminders of unread messages that need action, the report to their sender after a further
period, and the housekeeping command that runs both (and the rest) from cron."""

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from lifegate.catalogue.models import PublicOrganisation
from lifegate.inbox.models import Message
from lifegate.inbox.reminders import report_unread, send_reminders
from lifegate.inbox.tests.test_notifications import assert_content_free, give_address, send
from lifegate.registries.personas import DemoPersona
from lifegate.transparency.models import ProcessingRecord

pytestmark = pytest.mark.django_db
PUSH_TASK = "lifegate.inbox.tasks.push_message_event"
DAY = timedelta(days=1)


def test_an_unread_message_that_needs_action_gets_one_reminder(
    personas: dict[str, DemoPersona], agency: PublicOrganisation
) -> None:
    persona = personas["parent"]
    give_address(persona)
    message = send(agency, persona)
    later = timezone.now() + 7 * DAY + timedelta(minutes=1)

    assert send_reminders(timezone.now() + 6 * DAY) == 0
    assert send_reminders(later) == 1
    assert send_reminders(later + DAY) == 0

    [email] = mail.outbox
    assert email.subject == "A message in your lifegate message box is waiting for you"
    assert_content_free(email, message, persona)
    message.refresh_from_db()
    assert (message.reminded_at, message.reminder_sent) == (later, True)
    assert ProcessingRecord.objects.filter(name="inbox.remind").count() == 1


def test_read_messages_and_messages_without_a_deadline_get_no_reminder(
    personas: dict[str, DemoPersona], agency: PublicOrganisation
) -> None:
    give_address(personas["parent"])
    read = send(agency, personas["parent"], "read")
    Message.objects.filter(pk=read.pk).update(unread=False, read_at=timezone.now())
    send(agency, personas["parent"], "no-deadline", action_required_by=None)

    assert send_reminders(timezone.now() + 30 * DAY) == 0

    assert mail.outbox == []
    assert not Message.objects.exclude(reminded_at=None).exists()


@pytest.mark.parametrize("how", ["no address", "never"])
def test_without_a_wanted_e_mail_the_reminder_moment_still_passes(
    personas: dict[str, DemoPersona], agency: PublicOrganisation, how: str
) -> None:
    if how == "never":
        give_address(personas["parent"], notify="never")
    message = send(agency, personas["parent"])

    assert send_reminders(timezone.now() + 8 * DAY) == 0

    assert mail.outbox == []
    message.refresh_from_db()
    assert message.reminded_at is not None  # so the sender will still hear it is unread
    assert not message.reminder_sent  # and is not told a reminder went out


def test_the_sender_learns_once_that_a_message_is_still_unread_after_the_further_period(
    personas: dict[str, DemoPersona],
    agency: PublicOrganisation,
    django_capture_on_commit_callbacks: Any,
) -> None:
    persona = personas["parent"]
    message = send(agency, persona)
    reminded = timezone.now() + 8 * DAY
    send_reminders(reminded)

    assert report_unread(reminded + 6 * DAY) == 0
    # The event's task is a row written with the report (the database task backend), not
    # queued after the commit: a process that dies in between cannot lose it.
    with django_capture_on_commit_callbacks(execute=False):
        assert report_unread(reminded + 7 * DAY + timedelta(minutes=1)) == 1
        assert report_unread(reminded + 9 * DAY) == 0

    message.refresh_from_db()
    assert message.unread_reported_at == reminded + 7 * DAY + timedelta(minutes=1)
    [queued] = DBTaskResult.objects.filter(task_path=PUSH_TASK)
    assert queued.args_kwargs["args"] == [str(message.pk), "unread"]
    [record] = ProcessingRecord.objects.filter(name="inbox.unread-report")
    assert record.data_categories == ["read-status"]


def test_a_message_read_after_the_reminder_is_not_reported(
    personas: dict[str, DemoPersona], agency: PublicOrganisation
) -> None:
    message = send(agency, personas["parent"])
    reminded = timezone.now() + 8 * DAY
    send_reminders(reminded)
    Message.objects.filter(pk=message.pk).update(unread=False, read_at=reminded + DAY)

    assert report_unread(reminded + 30 * DAY) == 0
    assert Message.objects.get(pk=message.pk).unread_reported_at is None


# The housekeeping command --------------------------------------------------------------------

HOUSEKEEPING_TASKS = {
    "lifegate.inbox.tasks.notify_pending",
    "lifegate.inbox.tasks.send_reminders",
    "lifegate.inbox.tasks.report_unread",
    "lifegate.inbox.tasks.warn_expiring",
    "lifegate.inbox.tasks.purge_expired",
    "lifegate.inbox.tasks.remove_orphan_files",
}


def test_housekeeping_enqueues_each_step_once_however_often_cron_runs_it(db: None) -> None:
    first, second = StringIO(), StringIO()

    call_command("inbox_housekeeping", stdout=first)
    call_command("inbox_housekeeping", stdout=second)

    paths = list(DBTaskResult.objects.values_list("task_path", flat=True))
    assert sorted(paths) == sorted(HOUSEKEEPING_TASKS)
    assert "send_reminders" in first.getvalue()
    assert "nothing (all still queued)" in second.getvalue()


def test_housekeeping_now_does_the_work_in_the_process(
    personas: dict[str, DemoPersona], agency: PublicOrganisation
) -> None:
    give_address(personas["parent"])
    message = send(agency, personas["parent"])
    Message.objects.filter(pk=message.pk).update(
        sent_at=timezone.now() - 8 * DAY, notification_state="sent"
    )
    queued_by_the_send = set(DBTaskResult.objects.values_list("id", flat=True))
    out = StringIO()

    call_command("inbox_housekeeping", "--now", stdout=out)
    call_command("inbox_housekeeping", "--now", stdout=StringIO())

    assert "send_reminders: 1" in out.getvalue()
    assert len(mail.outbox) == 1
    assert set(DBTaskResult.objects.values_list("id", flat=True)) == queued_by_the_send
