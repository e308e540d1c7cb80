"""Background work of the evidence exchange: telling the requester what the person decided."""

from django.tasks import task

from lifegate.exchange import delivery


@task()
def deliver_response(preview_id: str) -> str:
    """One attempt at delivering a decided preview's answer; a failure schedules the next."""
    return delivery.attempt(preview_id)


@task()
def expire_requests() -> int:
    """Close every request whose time for consent ran out, on both sides."""
    return delivery.expire_due()


@task()
def redeliver_stalled() -> int:
    """Enqueue again the answers whose delivery task was lost; returns how many."""
    return delivery.redeliver_stalled()


@task()
def forget_expired_messages() -> int:
    """Delete the replay records of node messages that have expired; returns how many."""
    from lifegate.exchange import messages

    return messages.forget_expired_messages()
