"""Queueing the tasks that follow a change to messages: the notification tasks of a send (see
`sending`), each telling the recipients of a batch of new messages that there is post, and
the events that tell a sender its message was read or is still unread (`webhooks`)."""

from collections.abc import Callable

from django.conf import settings
from django.db import connection, router, transaction


def with_transaction(enqueue: Callable[[], None]) -> None:
    """Call `enqueue` (which queues tasks) so that its tasks commit with the caller's
    transaction: within it when the tasks are rows in this same database, else after the
    commit, robustly (a failure to queue is logged and must not undo or fail what was
    committed)."""
    if _tasks_stored_here():
        enqueue()
    else:
        transaction.on_commit(enqueue, robust=True)


def queue_notifications(message_ids: list[str]) -> None:
    """Queue the notification tasks of new messages, inside the send's transaction.

    When the tasks are rows in this same database (the database task backend), they are
    written in the transaction that stores the messages: they commit together or not at all,
    and no worker sees them before the messages exist. Another backend gets them only after
    the commit (a worker could otherwise look for messages not yet there), robustly: failing
    to enqueue must not undo a committed send, and the sweep (`notify_pending`) picks up
    messages whose task never got queued."""
    if _tasks_stored_here():
        _enqueue_notifications(message_ids)
    else:
        transaction.on_commit(lambda: _notify_later(message_ids), robust=True)


def _tasks_stored_here() -> bool:
    """Whether the task backend keeps its tasks in the database the messages are sent in."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from lifegate.inbox.tasks import notify_messages

    return isinstance(notify_messages.get_backend(), DatabaseBackend) and (
        router.db_for_write(DBTaskResult) == connection.alias
    )


def _notify_later(message_ids: list[str]) -> None:
    # One transaction for all the tasks: one commit to wait for instead of one per task. If
    # one fails, none is queued; the sweep queues them all.
    with transaction.atomic():
        _enqueue_notifications(message_ids)


def _enqueue_notifications(message_ids: list[str]) -> None:
    from lifegate.inbox.tasks import notify_messages

    for start in range(0, len(message_ids), settings.INBOX_NOTIFY_BATCH):
        notify_messages.enqueue(message_ids[start : start + settings.INBOX_NOTIFY_BATCH])
