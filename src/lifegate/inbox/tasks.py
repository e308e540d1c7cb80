"""Durable background work of the message box (Django's task framework, database backend).

Every task here may run more than once, and at the same time as itself, without doing its
work twice: that is what lets `recover_lost_tasks` simply enqueue again what a killed worker
left "running"."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.tasks import Task, task
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from lifegate.inbox import notifications, reminders, retention, webhooks

LOST_EXCEPTION = f"{__name__}.WorkerLost"


@task()
def notify_messages(message_ids: list[str]) -> int:
    """Tell the recipients of these messages, by e-mail, that there is new post. Each message
    is notified at most once, whatever the number of runs; returns the number sent."""
    return notifications.notify(message_ids)


@task()
def push_message_event(message_id: str, event: str, attempt: int = 1) -> str:
    """Tell the sending agency's system (its webhook, if it has one) that a message was read
    (`read`) or is still unread after the reminder (`unread`); returns the delivery state. A
    failed attempt enqueues the next one itself."""
    return webhooks.push(message_id, event, attempt)


@task()
def notify_pending() -> int:
    """Enqueue notifications whose task was lost; returns the number of messages."""
    return notifications.notify_pending()


@task()
def send_reminders() -> int:
    """Remind people of unread messages that need action; returns the e-mails sent."""
    return reminders.send_reminders()


@task()
def report_unread() -> int:
    """Tell senders about messages still unread after the reminder; returns how many."""
    return reminders.report_unread()


@task()
def warn_expiring() -> int:
    """Warn people of important messages about to be removed; returns the e-mails sent."""
    return retention.warn_expiring()


@task()
def purge_expired() -> int:
    """Remove messages at the end of their retention period; returns how many."""
    return retention.purge_expired()


@task()
def remove_orphan_files() -> int:
    """Remove attachment files left behind by sends that never committed; returns how many."""
    return retention.remove_orphan_files()


# Housekeeping, in the order it runs: the notification sweep first, removal last.
HOUSEKEEPING: tuple[Task[..., int], ...] = (
    notify_pending,
    send_reminders,
    report_unread,
    warn_expiring,
    purge_expired,
    remove_orphan_files,
)


def _in_database(task: Task[..., Any]) -> bool:
    return isinstance(task.get_backend(), DatabaseBackend)


def queued(task: Task[..., Any], enqueued_after: datetime | None = None) -> bool:
    """Whether a run of `task` (enqueued after `enqueued_after`, if given) is waiting in the
    database task queue (with other backends nothing waits)."""
    if not _in_database(task):
        return False
    waiting = DBTaskResult.objects.filter(task_path=task.module_path, status="READY")
    if enqueued_after is not None:
        waiting = waiting.filter(enqueued_at__gt=enqueued_after)
    return waiting.exists()


def enqueue_housekeeping() -> list[str]:
    """Enqueue each housekeeping task that is not waiting in the queue already (cron may
    run faster than a busy worker); returns the names enqueued."""
    enqueued = []
    for each in HOUSEKEEPING:
        if not queued(each):
            each.enqueue()
            enqueued.append(each.name)
    return enqueued


def recover_lost_tasks(now: datetime | None = None) -> int:
    """django_tasks_db marks a task "running" when a worker takes it and never looks at it
    again: a worker killed mid-task leaves it "running" for ever, and its work undone. Tasks
    of the message box running for longer than INBOX_TASK_LOST_MINUTES are marked failed
    (`WorkerLost`) and enqueued again with the same arguments. Returns how many."""
    if not _in_database(notify_messages):
        return 0
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.INBOX_TASK_LOST_MINUTES)
    lost = DBTaskResult.objects.filter(
        status="RUNNING", task_path__startswith=f"{__name__}.", started_at__lt=cutoff
    )
    recovered = 0
    for row in lost:
        with transaction.atomic():
            taken = DBTaskResult.objects.filter(pk=row.pk, status="RUNNING").update(
                status="FAILED",
                finished_at=now,
                exception_class_path=LOST_EXCEPTION,
                traceback="The worker running this task stopped before it finished.",
            )
            if taken:
                arguments = row.args_kwargs
                row.task.using(run_after=None).enqueue(*arguments["args"], **arguments["kwargs"])
                recovered += 1
    return recovered
