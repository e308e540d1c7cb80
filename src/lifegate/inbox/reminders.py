"""Reminders and unread reports for messages that ask the person to act (`action_required_by`).

A message still unread INBOX_REMIND_AFTER_DAYS after it was sent gets one reminder e-mail, if
the person has a confirmed address and did not choose "never"; `reminded_at` is set either
way and starts the second period. Still unread INBOX_REPORT_UNREAD_AFTER_DAYS after that, the
sender is told once (`unread_reported_at`, shown in the agency API, and a webhook event) so it
can reach the person another way, such as by letter."""

from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from lifegate.inbox import send_tasks
from lifegate.inbox.mail import SYSTEM, Mailing, run_mailing
from lifegate.inbox.models import Mailbox, Message
from lifegate.inbox.sending import SEND_ACTIVITY
from lifegate.transparency.services import decrypt_subject, record_processing_many

REPORT_CHUNK = 200


def _wants_reminder(message: Message, mailbox: Mailbox) -> bool:
    return mailbox.notify != Mailbox.Notify.NEVER


REMINDER = Mailing(
    kind="reminder",
    record_name="inbox.remind",
    wanted=_wants_reminder,
    handled=lambda sent, now: {"reminded_at": now, "reminder_sent": sent},
)


def _waiting_for_action(now: datetime) -> QuerySet[Message]:
    return Message.objects.filter(unread=True, action_required_by__isnull=False, expires_at__gt=now)


def send_reminders(now: datetime | None = None) -> int:
    """Remind people of messages that need action and are unread after the first period;
    once per message. Returns the e-mails sent."""
    now = now or timezone.now()
    due = _waiting_for_action(now).filter(
        reminded_at__isnull=True,
        sent_at__lte=now - timedelta(days=settings.INBOX_REMIND_AFTER_DAYS),
    )
    return run_mailing(REMINDER, due, now)


def report_unread(now: datetime | None = None) -> int:
    """Tell senders which of their messages that need action are still unread after the
    reminder and the second period; once per message. Returns how many were reported."""
    now = now or timezone.now()
    due = _waiting_for_action(now).filter(
        unread_reported_at__isnull=True,
        reminded_at__lte=now - timedelta(days=settings.INBOX_REPORT_UNREAD_AFTER_DAYS),
    )
    reported = 0
    while True:
        with transaction.atomic():
            rows = list(
                due.select_for_update(skip_locked=True)
                .order_by("sent_at", "id")
                .values_list("pk", "recipient_sealed")[:REPORT_CHUNK]
            )
            if not rows:
                return reported
            ids = [pk for pk, _sealed in rows]
            Message.objects.filter(pk__in=ids).update(unread_reported_at=now)
            record_processing_many(
                name="inbox.unread-report",
                subjects=[decrypt_subject(sealed) for _pk, sealed in rows],
                activity=SEND_ACTIVITY,
                actor=SYSTEM,
                data_categories=("read-status",),
                started_at=now,
            )
            send_tasks.with_transaction(partial(_tell_senders, [str(pk) for pk in ids]))
        reported += len(rows)


def _tell_senders(message_ids: list[str]) -> None:
    from lifegate.inbox.tasks import push_message_event

    for message_id in message_ids:
        push_message_event.enqueue(message_id, "unread")
