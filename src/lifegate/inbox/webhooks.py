"""Telling the sending agency's system that a message was read, or is still unread after the
reminder: a signed CloudEvent to its webhook, with retries and growing waits.

The event carries no personal data: the message's id and the sender's own idempotency key, and
the moment. Its id is derived from (message, event), the same on every attempt and on any
repeat, so the agency can drop duplicates: a worker that dies after the agency answered sends
it again. Signing, waits between attempts and the number of attempts are those of submission
deliveries (`lifegate.journeys.delivery`). Without a webhook the agency still sees both facts
in the agency API (`read_at`, `unread_reported_at`)."""

import logging
import uuid
from datetime import datetime

from cloudevents.core.v1.event import CloudEvent
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from lifegate.inbox.models import Message
from lifegate.inbox.status import record_status_reads
from lifegate.journeys.delivery import backoff, post_signed
from lifegate.journeys.models import AgencyClient
from lifegate.transparency.services import Actor

logger = logging.getLogger(__name__)

EVENT_TYPES = {
    "read": "nl.lifegate.inbox.message.read",
    "unread": "nl.lifegate.inbox.message.unread",
}
# Namespace of the event ids (uuid5 of "<message id>:<event>").
EVENT_NAMESPACE = uuid.UUID("6f1d3c1e-4b7a-5c43-9a58-2f0e0c8d7a11")


def event_id(message_id: uuid.UUID | str, event: str) -> str:
    """The id of the `event` CloudEvent about a message: the same on every attempt."""
    return str(uuid.uuid5(EVENT_NAMESPACE, f"{message_id}:{event}"))


def _moment(message: Message, event: str) -> datetime | None:
    return message.read_at if event == "read" else message.unread_reported_at


def cloud_event(message: Message, event: str, moment: datetime) -> CloudEvent:
    """The event about `message` (NL GOV CloudEvents profile)."""
    field = "read_at" if event == "read" else "unread_reported_at"
    return CloudEvent(
        attributes={
            "specversion": "1.0",
            "id": event_id(message.pk, event),
            "source": settings.JOURNEYS_CLOUDEVENTS_SOURCE,
            "type": EVENT_TYPES[event],
            "subject": str(message.pk),
            "time": moment,
            "datacontenttype": "application/json",
        },
        data={
            "message_id": str(message.pk),
            "idempotency_key": message.idempotency_key,
            field: moment.isoformat(),
        },
    )


def _find(message_id: str) -> Message | None:
    try:
        return (
            Message.objects.select_related("sender_client__organisation")
            .filter(pk=message_id)
            .first()
        )
    except ValidationError:
        return None


def _webhook_client(message: Message) -> AgencyClient | None:
    client = message.sender_client
    if client is None or not client.active or not client.webhook_url:
        return None
    if AgencyClient.Scope.MESSAGES not in client.scopes:
        return None
    return client


def push(message_id: str, event: str, attempt: int = 1) -> str:
    """One attempt at telling the message's sender about `event` ("read" or "unread").
    Returns "delivered", "retrying" (the next attempt is enqueued with a growing wait),
    "dead" (JOURNEYS_DELIVERY_MAX_ATTEMPTS reached), "no-webhook" (the sending system has
    none) or "skipped" (unknown event, the message is gone or never had that event, or an
    "unread" event whose message was read since: a late retry must not arrive after the
    "read" event and send the agency to paper for nothing)."""
    if event not in EVENT_TYPES:
        return "skipped"
    message = _find(message_id)
    moment = _moment(message, event) if message else None
    if message is None or moment is None or (event == "unread" and not message.unread):
        return "skipped"
    client = _webhook_client(message)
    if client is None:
        return "no-webhook"
    cloudevent = cloud_event(message, event, moment)
    error = post_signed(client, str(cloudevent.get_id()), cloudevent)
    if not error:
        # The agency now knows whether the person read it: that is in their processing log,
        # as when the agency reads the status through the API.
        with transaction.atomic():
            actor = Actor(kind="agency", organisation=client.organisation.slug)
            record_status_reads(actor, [message])
        return "delivered"
    logger.warning("message event %s not delivered (attempt %d): %s", event, attempt, error)
    if attempt >= settings.JOURNEYS_DELIVERY_MAX_ATTEMPTS:
        return "dead"
    return "retrying" if _retry_later(message_id, event, attempt + 1) else "dead"


def _retry_later(message_id: str, event: str, attempt: int) -> bool:
    """Enqueue the next attempt after the backoff wait; False when the task backend cannot
    run a task later (then the event is given up: the agency API still shows the fact)."""
    from lifegate.inbox.tasks import push_message_event  # tasks.py imports this module

    task = push_message_event
    if not task.get_backend().supports_defer:
        return False
    run_after = timezone.now() + backoff(attempt - 1)
    task.using(run_after=run_after).enqueue(message_id, event, attempt)
    return True
