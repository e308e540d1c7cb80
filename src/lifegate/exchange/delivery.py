"""Delivering the provider's answer to the requester once the person decided: the signed
evidence after "share", or word that they declined or let the request expire.

The answer is queued as a durable task when the decision commits, so a crash loses nothing; the
share page also tries at once, so the person usually returns to a step that already shows the
evidence. The requester accepts an answer once and ignores repeats, so the two never deliver
twice. A failed attempt is retried with exponential backoff until the attempts run out."""

import logging
import random
from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lifegate.exchange.models import EvidencePreview, EvidenceRequest

log = logging.getLogger("lifegate.exchange")
DELIVERY_ATTEMPTS = 8
DELIVERY_BASE_DELAY_SECONDS = 30
RESPONSE_TYPE = "evidence-response"
# An answer still undelivered this long after the decision has lost its task (a worker killed
# during an attempt, or an enqueue after the commit that never happened).
STALLED_AFTER = timedelta(minutes=2)


def schedule(preview: EvidencePreview) -> None:
    """Queue the delivery of the preview's answer (call when the decision has committed)."""
    from lifegate.exchange.tasks import deliver_response

    deliver_response.enqueue(str(preview.pk))


def redeliver_stalled(now: datetime | None = None) -> int:
    """The safety net for lost deliveries: enqueue again every decided answer still not
    delivered STALLED_AFTER after the decision, while it has attempts left (each run is one
    more attempt; the requester takes an answer once, so a repeat is harmless). Returns how
    many were enqueued."""
    from lifegate.exchange.tasks import deliver_response

    cutoff = (now or timezone.now()) - STALLED_AFTER
    stalled = (
        EvidencePreview.objects.filter(
            delivered_at__isnull=True,
            decided_at__lt=cutoff,
            delivery_attempts__lt=DELIVERY_ATTEMPTS,
        )
        .exclude(status=EvidencePreview.Status.AWAITING_CONSENT)
        .values_list("pk", flat=True)
    )
    enqueued = 0
    for preview_id in stalled:
        deliver_response.enqueue(str(preview_id))
        enqueued += 1
    return enqueued


def _answer(preview: EvidencePreview) -> dict[str, object]:
    from lifegate.exchange import provider

    shared = preview.status == EvidencePreview.Status.SHARED
    return {
        "request_id": preview.request_id,
        "status": preview.status,
        "evidence": provider.shared_evidence(preview) if shared else "",
        "trace": {"trace_id": preview.trace_id, "span_id": preview.span_id},
    }


def attempt(preview_id: str | UUID) -> str:
    """Deliver the answer once; returns what happened (for the task's result)."""
    from lifegate.exchange import client, messages, nodes, services

    with transaction.atomic():
        preview = EvidencePreview.objects.select_for_update().filter(pk=preview_id).first()
        if preview is None or preview.delivered_at is not None:
            return "nothing to deliver"
        if preview.status == EvidencePreview.Status.AWAITING_CONSENT:
            return "not decided yet"
        preview.delivery_attempts += 1
        preview.save(update_fields=["delivery_attempts"])
    answer = _answer(preview)
    if preview.requester_node == settings.NODE_ID:
        services.receive_response(settings.NODE_ID, preview.request_id, answer)
    else:
        try:
            peer = nodes.peer(preview.requester_node)

            def signed() -> str:  # signed afresh for each attempt: a retry is no replay
                return messages.sign(
                    answer,
                    to=peer.id,
                    message_type=RESPONSE_TYPE,
                    conversation_id=preview.conversation_id,
                    correlation_id=preview.request_id,
                )

            reply = client.post_message(peer, "/api/exchange/responses", signed)
            messages.verify(reply, expected_type="evidence-response-received")
        except (client.PeerUnavailable, client.PeerRefused, messages.MessageRejected) as exc:
            return _retry_later(preview, type(exc).__name__)
        except nodes.UnknownNode:
            log.error("exchange: requester node %s left the trust list", preview.requester_node)
            return "requester no longer trusted"
    EvidencePreview.objects.filter(pk=preview.pk).update(
        delivered_at=timezone.now(), evidence_sealed=""
    )
    return "delivered"


def _retry_later(preview: EvidencePreview, reason: str) -> str:
    from lifegate.exchange.tasks import deliver_response

    if preview.delivery_attempts >= DELIVERY_ATTEMPTS:
        log.error("exchange: answer %s undeliverable after %s attempts (%s)",
                  preview.pk, preview.delivery_attempts, reason)  # fmt: skip
        return "gave up"
    delay = DELIVERY_BASE_DELAY_SECONDS * 2 ** (preview.delivery_attempts - 1)
    delay = delay * (1 + random.random() / 2)  # noqa: S311 - jitter, not a secret
    task = deliver_response
    if task.get_backend().supports_defer:
        task = task.using(run_after=timezone.now() + timedelta(seconds=delay))
        task.enqueue(str(preview.pk))
    log.warning("exchange: answer %s not delivered (%s), attempt %s",
                preview.pk, reason, preview.delivery_attempts)  # fmt: skip
    return "retrying"


def expire_due() -> int:
    """Expire the previews and requests whose time for consent ran out; returns how many."""
    from lifegate.exchange import provider

    now = timezone.now()
    due = EvidencePreview.objects.filter(
        status=EvidencePreview.Status.AWAITING_CONSENT, expires_at__lte=now
    )
    count = 0
    for preview in due:
        provider.expire_if_due(preview)
        count += 1
    count += EvidenceRequest.objects.filter(
        status=EvidenceRequest.Status.AWAITING_CONSENT, expires_at__lte=now
    ).update(status=EvidenceRequest.Status.EXPIRED, problem="consent-time-over")
    return count
