"""Pushing submissions to agency webhooks: one CloudEvent per (submission, webhook client), with
retries, exponential backoff and a dead-letter state.

The event carries no personal data: it says which submission arrived and where to fetch it,
and the agency fetches it through the authenticated API, where every read is logged. Its id is
the delivery id, the same on every attempt, so a receiver can drop repeats: a worker that dies
after the agency answered but before the answer was recorded will send the event again.

A delivery is claimed in a short transaction and the HTTP call is made outside it, so no
database lock (on SQLite: the whole database) is held while an agency takes its time."""

import base64
import hashlib
import hmac
import random
import time
from datetime import datetime, timedelta
from functools import partial
from uuid import UUID

import requests
from cloudevents.core.bindings.http import to_structured
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from lifegate.journeys.agency import WEBHOOK_SECRET_PREFIX, webhook_secret
from lifegate.journeys.models import AgencyClient, Delivery, Submission

EVENT_TYPE = "nl.lifegate.submission.submitted"
ERROR_LENGTH = 300
# Extra time a claimed delivery stays reserved beyond the HTTP timeout (slow responses,
# recording the outcome); a worker that dies mid-attempt frees it after this.
LEASE_MARGIN_SECONDS = 30


class NotRetryable(ValueError):
    """Only a dead delivery can be retried: a delivered one would push the submission twice,
    and a pending or retrying one may have an attempt under way. `state` is the current one."""

    def __init__(self, state: str) -> None:
        super().__init__(state)
        self.state = state


def schedule_deliveries(submission: Submission) -> list[Delivery]:
    """Create one delivery per active webhook client of the submission's organisation and
    enqueue each when the current transaction commits. Running it again creates nothing new."""
    clients = AgencyClient.objects.filter(
        organisation_id=submission.organisation_id, active=True
    ).exclude(webhook_url="")
    created = []
    for client in clients:
        if AgencyClient.Scope.SUBMISSIONS not in client.scopes:
            continue
        delivery, was_created = Delivery.objects.get_or_create(submission=submission, client=client)
        if was_created:
            created.append(delivery)
            transaction.on_commit(partial(enqueue, delivery.pk))
    return created


def enqueue(delivery_id: UUID, run_after: datetime | None = None) -> None:
    """Queue an attempt of the delivery, now or at `run_after`."""
    from lifegate.journeys.tasks import deliver  # tasks.py imports this module

    task = deliver
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # `retry_due_deliveries` picks it up when it is due
        task = task.using(run_after=run_after)
    task.enqueue(str(delivery_id))


def retry_delivery(delivery: Delivery) -> Delivery:
    """Start a dead delivery over: pending, with a fresh set of attempts, enqueued on commit.
    Any other state raises `NotRetryable`: a delivered one is done, and a pending or retrying
    one has its next attempt planned (or running), so a retry could push it twice."""
    with transaction.atomic():
        locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if locked.state != Delivery.State.DEAD:
            raise NotRetryable(locked.state)
        locked.state = Delivery.State.PENDING
        locked.attempts = 0
        locked.next_attempt_at = None
        locked.last_error = ""
        locked.save(
            update_fields=["state", "attempts", "next_attempt_at", "last_error", "updated_at"]
        )
        transaction.on_commit(partial(enqueue, locked.pk))
    return locked


def due_deliveries(now: datetime | None = None) -> list[Delivery]:
    """Deliveries waiting for an attempt whose time has come (or that were never tried)."""
    now = now or timezone.now()
    return list(
        Delivery.objects.filter(state__in=[Delivery.State.PENDING, Delivery.State.RETRYING])
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("created_at")
    )


def attempt(delivery_id: UUID | str) -> str:
    """Make one attempt at a delivery (the body of the `deliver` task); returns its new state,
    or "skipped" when it is delivered, dead, not due yet or being attempted elsewhere."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return "skipped"
    if not delivery.client.active or not delivery.client.webhook_url:
        return _record_outcome(delivery.pk, "client inactive or without webhook URL", final=True)
    return _record_outcome(delivery.pk, _post(delivery))


def backoff(attempts: int) -> timedelta:
    """Wait after the `attempts`-th failed attempt: doubling from the base delay, plus up to
    50% jitter so that retries after an agency outage do not all arrive at once."""
    base = settings.JOURNEYS_DELIVERY_BASE_DELAY_SECONDS * 2 ** max(attempts - 1, 0)
    seconds = min(base * (1 + random.random() / 2), settings.JOURNEYS_DELIVERY_MAX_DELAY_SECONDS)  # noqa: S311
    return timedelta(seconds=seconds)


def cloud_event(delivery: Delivery) -> CloudEvent:
    """The event announcing the delivery's submission (NL GOV CloudEvents profile)."""
    submission = delivery.submission
    url = f"{settings.BASE_URL}/api/agency/submissions/{submission.pk}"
    return CloudEvent(
        attributes={
            "specversion": "1.0",
            "id": str(delivery.pk),
            "source": settings.JOURNEYS_CLOUDEVENTS_SOURCE,
            "type": EVENT_TYPE,
            "subject": str(submission.pk),
            "time": submission.submitted_at,
            "datacontenttype": "application/json",
        },
        data={
            "submission": str(submission.pk),
            "service": submission.service_slug,
            "organisation": delivery.client.organisation.oin,
            "links": {"submission": url, "status": f"{url}/status"},
        },
    )


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """Standard Webhooks signature: `v1,` and base64 HMAC-SHA256 of `id.timestamp.body`, keyed
    with the base64-decoded part of a `whsec_` secret."""
    key = base64.b64decode(secret.removeprefix(WEBHOOK_SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def _claim(delivery_id: UUID | str) -> Delivery | None:
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("client__organisation", "submission")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.state in (Delivery.State.DELIVERED, Delivery.State.DEAD):
            return None
        now = timezone.now()
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
            return None
        lease = settings.JOURNEYS_DELIVERY_TIMEOUT_SECONDS * 3 + LEASE_MARGIN_SECONDS
        delivery.attempts += 1
        delivery.next_attempt_at = now + timedelta(seconds=lease)
        delivery.save(update_fields=["attempts", "next_attempt_at", "updated_at"])
    return delivery


def _post(delivery: Delivery) -> str:
    """POST the event; an empty string when the agency accepted it, else a short error."""
    return post_signed(delivery.client, str(delivery.pk), cloud_event(delivery))


def post_signed(client: AgencyClient, webhook_id: str, event: CloudEvent) -> str:
    """POST `event` to the client's webhook, signed (Standard Webhooks headers, the client's
    secret); "" when the agency accepted it (2xx), else a short error without content."""
    message = to_structured(event, JSONFormat())
    timestamp = int(time.time())
    headers = {
        **message.headers,
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(webhook_secret(client), webhook_id, timestamp, message.body),
    }
    try:
        response = requests.post(
            client.webhook_url,
            data=message.body,
            headers=headers,
            timeout=settings.JOURNEYS_DELIVERY_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.RequestException as exc:
        # The class only: messages can be long and carry addresses, never anything useful here.
        return f"no answer ({type(exc).__name__})"
    if 200 <= response.status_code < 300:
        return ""
    return f"HTTP {response.status_code}"


def _record_outcome(delivery_id: UUID, error: str, final: bool = False) -> str:
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
        now = timezone.now()
        delivery.last_error = error[:ERROR_LENGTH]
        if not error:
            delivery.state = Delivery.State.DELIVERED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
        elif final or delivery.attempts >= settings.JOURNEYS_DELIVERY_MAX_ATTEMPTS:
            delivery.state = Delivery.State.DEAD
            delivery.next_attempt_at = None
        else:
            delivery.state = Delivery.State.RETRYING
            delivery.next_attempt_at = now + backoff(delivery.attempts)
            transaction.on_commit(partial(enqueue, delivery.pk, delivery.next_attempt_at))
        delivery.save()
    return str(delivery.state)
