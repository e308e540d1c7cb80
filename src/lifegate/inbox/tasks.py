"""Durable background work of the message box (Django's task framework, database backend)."""

from django.tasks import task


@task()
def notify_messages(message_ids: list[str]) -> int:
    """Tell the recipients of these messages, by e-mail, that there is new post. Each message
    is notified at most once, whatever the number of runs; returns the number sent."""
    from lifegate.inbox.notifications import notify

    return notify(message_ids)


@task()
def push_message_event(message_id: str, event: str) -> str:
    """Tell the sending agency's system (its webhook, if it has one) that a message was read
    (`read`) or is still unread after the reminder (`unread`); returns the delivery state."""
    from lifegate.inbox.webhooks import push

    return push(message_id, event)
