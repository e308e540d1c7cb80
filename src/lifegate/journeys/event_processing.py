"""Proactive starts, the processing side: a registry event that `events` accepted becomes
journeys.

The event's durable task (`tasks.start_event_journeys`) calls `process_event`, which starts
the life event for everyone the event concerns (`event_targets`), sends each a message that
their plan has started, and drops the event's BSN. Someone who already has that life event
running (for the same child or deceased) is left alone. Processing runs once per event,
however often its task runs.

An event whose processing fails unexpectedly starts nothing (all its journeys are rolled back)
and stays accepted, so the safety net (`enqueue_pending`, the `process_pending_events`
command) tries it again; after `JOURNEYS_EVENT_MAX_ATTEMPTS` failures it is marked failed and
left alone until an operator processes it again in the admin (`process_again`)."""

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lifegate.core.sealing import unseal
from lifegate.inbox.services import notify_language
from lifegate.journeys import notices, services
from lifegate.journeys.event_targets import EVENTS_ACTOR
from lifegate.journeys.events import EVENT_SEAL, EVENT_TYPES, masked
from lifegate.journeys.models import InboundEvent, Journey

# InboundEvent.last_error's width.
ERROR_LENGTH = 300

logger = logging.getLogger(__name__)


def process_event(inbound_id: int) -> int:
    """Start the journeys an accepted event calls for; returns how many. Runs once per event:
    a second run (a duplicate task, the safety net) finds it processed and does nothing.
    Afterwards the event keeps no BSN.

    An unexpected error rolls back every journey this run started and is recorded on the
    event (attempts, last error); the event stays accepted for the safety net, or becomes
    failed after `JOURNEYS_EVENT_MAX_ATTEMPTS`. The task itself then ends normally: the event,
    not the task result, is where an operator looks."""
    try:
        return _process(inbound_id)
    except Exception as error:
        _record_failure(inbound_id, error)
        return 0


def _process(inbound_id: int) -> int:
    # One transaction (a savepoint inside an outer one): an error leaves nothing half-written.
    with transaction.atomic():
        inbound = (
            InboundEvent.objects.select_for_update(of=("self",))
            .select_related("client__organisation")
            .filter(pk=inbound_id)
            .first()
        )
        if inbound is None or inbound.status != InboundEvent.Status.ACCEPTED:
            return 0
        kind = EVENT_TYPES[inbound.type]
        life_event = services.startable_life_event(kind.life_event)
        bsn = unseal(EVENT_SEAL, inbound.data_sealed)
        # Empty when the person left the register since the event was accepted.
        targets = kind.targets(bsn, inbound.type)
        started = 0
        for target in targets:
            start = services.Start(
                subject=target.subject,
                actor=EVENTS_ACTOR,
                answers=target.answers,
                related=target.related,
                relation=target.relation,
                origin=Journey.Origin.REGISTRY,
                origin_event_id=inbound.pk,
                done=kind.done,
                # Nobody asked in a language: the plan speaks the person's notification language.
                language=notify_language(target.subject),
            )
            try:
                journey = services.start_journey(life_event, start)
            except services.JourneyAlreadyRunning:
                continue
            sender = inbound.client.organisation
            notices.send_plan_started_message(journey, target.subject, sender, EVENTS_ACTOR)
            started += 1
        inbound.status = InboundEvent.Status.PROCESSED
        inbound.journeys_started = started
        inbound.data_sealed = ""
        inbound.processed_at = timezone.now()
        inbound.save(update_fields=["status", "journeys_started", "data_sealed", "processed_at"])
    return started


def error_text(error: BaseException) -> str:
    """A failure as kept on the event and in the log: the exception's class and a short
    message, with every run of 8 or 9 digits (a possible BSN) masked."""
    message = " ".join(str(error).split())[:200]
    return masked(f"{type(error).__name__}: {message}" if message else type(error).__name__)[
        :ERROR_LENGTH
    ]


def _record_failure(inbound_id: int, error: BaseException) -> None:
    text = error_text(error)
    with transaction.atomic():
        inbound = (
            InboundEvent.objects.select_for_update()
            .filter(pk=inbound_id, status=InboundEvent.Status.ACCEPTED)
            .first()
        )
        if inbound is None:
            return
        inbound.attempts += 1
        inbound.last_error = text
        if inbound.attempts >= settings.JOURNEYS_EVENT_MAX_ATTEMPTS:
            inbound.status = InboundEvent.Status.FAILED
        inbound.save(update_fields=["attempts", "last_error", "status"])
    logger.warning(
        "registry event %s failed (attempt %d, %s): %s",
        inbound_id,
        inbound.attempts,
        inbound.status,
        text,
    )


def process_again(inbound: InboundEvent) -> bool:
    """Give a failed event a fresh set of attempts and enqueue it (on commit); False when the
    event is not failed (accepted ones are already on their way, processed ones are done)."""
    from lifegate.journeys.tasks import start_event_journeys

    with transaction.atomic():
        revived = InboundEvent.objects.filter(
            pk=inbound.pk, status=InboundEvent.Status.FAILED
        ).update(status=InboundEvent.Status.ACCEPTED, attempts=0, last_error="")
        if revived:
            transaction.on_commit(partial(start_event_journeys.enqueue, inbound.pk))
    return bool(revived)


def enqueue_pending(older_than_seconds: int = 300) -> int:
    """The safety net: enqueue accepted events whose task seems lost (or whose last attempt
    failed); failed and processed events are left alone. Returns how many."""
    from lifegate.journeys.tasks import start_event_journeys

    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    pending = InboundEvent.objects.filter(
        status=InboundEvent.Status.ACCEPTED, received_at__lt=cutoff
    ).values_list("pk", flat=True)
    count = 0
    for pk in pending:
        start_event_journeys.enqueue(pk)
        count += 1
    return count
