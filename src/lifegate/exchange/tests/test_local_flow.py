"""Evidence this node provides itself: asked for in a journey step, looked at in the preview,
shared or not, received and verified, all in one process (the two-node tests are in
tests/federation)."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from lifegate.exchange import delivery, provider, services
from lifegate.exchange.models import EvidencePreview, EvidenceRequest
from lifegate.exchange.options import options_for
from lifegate.exchange.received import discard, evidence_payload, explanation, received, show
from lifegate.exchange.tests.local_fixtures import ExchangeFixture
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import Actor, records_about, subject_hash

RETURN = "http://127.0.0.1:8000/journeys/back/"


def _ask(exchange: ExchangeFixture, requirement: str = "") -> EvidenceRequest:
    return services.request_evidence(
        exchange.journey,
        exchange.step,
        requirement or exchange.birth.slug,
        actor=exchange.actor,
        return_url=RETURN,
    )


def _preview(asked: EvidenceRequest) -> EvidencePreview:
    return EvidencePreview.objects.get(request_id=str(asked.pk))


def _decide(exchange: ExchangeFixture, asked: EvidenceRequest, share: bool) -> EvidenceRequest:
    preview = provider.decide(_preview(asked).pk, exchange.subject, exchange.actor, share=share)
    assert delivery.attempt(preview.pk) == "delivered"
    asked.refresh_from_db()
    return asked


def test_an_answer_whose_delivery_task_was_lost_is_delivered_by_the_housekeeping(
    exchange: ExchangeFixture, settings: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    asked = _ask(exchange)
    # Decided, and its delivery never enqueued (the commit hook did not run: a crash).
    preview = provider.decide(_preview(asked).pk, exchange.subject, exchange.actor, share=True)

    assert delivery.redeliver_stalled() == 0  # just decided: its own task may still come
    later = timezone.now() + delivery.STALLED_AFTER * 2
    assert delivery.redeliver_stalled(now=later) == 1

    preview.refresh_from_db()
    asked.refresh_from_db()
    assert preview.delivered_at is not None and asked.status == EvidenceRequest.Status.RECEIVED
    assert delivery.redeliver_stalled(now=later) == 0  # delivered: nothing left to do


def test_an_answer_out_of_attempts_is_left_alone(exchange: ExchangeFixture) -> None:
    preview = provider.decide(
        _preview(_ask(exchange)).pk, exchange.subject, exchange.actor, share=False
    )
    EvidencePreview.objects.filter(pk=preview.pk).update(
        delivery_attempts=delivery.DELIVERY_ATTEMPTS
    )

    assert delivery.redeliver_stalled(now=timezone.now() + delivery.STALLED_AFTER * 2) == 0


def test_the_step_offers_both_requirements_from_this_nodes_register(
    exchange: ExchangeFixture,
) -> None:
    options = options_for(exchange.step, exchange.subject)
    assert set(options) == {exchange.birth.slug, exchange.residence.slug}
    assert options[exchange.birth.slug].local
    assert options[exchange.birth.slug].provider_name_en == "Personal Records Database"


def test_asking_opens_a_preview_and_sends_nothing_yet(exchange: ExchangeFixture) -> None:
    asked = _ask(exchange)
    assert asked.status == EvidenceRequest.Status.AWAITING_CONSENT
    assert asked.preview_url.endswith(f"/exchange/preview/{_preview(asked).pk}/")
    assert asked.evidence_sealed == ""
    assert _preview(asked).evidence_sealed == ""


def test_the_preview_shows_exactly_the_evidence_to_the_person_it_is_about(
    exchange: ExchangeFixture,
) -> None:
    shown = provider.show_preview(_preview(_ask(exchange)), exchange.subject, exchange.actor)
    keys = [str(label) for label, _ in shown.rows]
    assert len(keys) == 6  # given names, family name, birth date and place, country, gender
    with pytest.raises(provider.NotYourPreview):
        provider.show_preview(_preview(_ask(exchange)), exchange.other, exchange.actor)


def test_someone_else_cannot_share_it(exchange: ExchangeFixture) -> None:
    preview = _preview(_ask(exchange))
    with pytest.raises(provider.NotYourPreview):
        provider.decide(preview.pk, exchange.other, exchange.actor, share=True)
    preview.refresh_from_db()
    assert preview.status == EvidencePreview.Status.AWAITING_CONSENT


def test_shared_evidence_arrives_verified_and_goes_with_the_submission(
    exchange: ExchangeFixture,
) -> None:
    asked = _decide(exchange, _ask(exchange), share=True)
    assert asked.status == EvidenceRequest.Status.RECEIVED
    assert len(asked.evidence_digest) == 64
    payload = evidence_payload(asked)
    assert payload["iss"] == "nl"
    assert payload["evidence_type"] == "birth-certificate"
    assert payload["claims"]["date_of_birth"]
    assert received(exchange.step) == [asked]
    # The provider keeps nothing once it is delivered.
    assert _preview(asked).evidence_sealed == ""


def test_a_repeated_delivery_changes_nothing(exchange: ExchangeFixture) -> None:
    asked = _decide(exchange, _ask(exchange), share=True)
    digest = asked.evidence_digest
    services.receive_response("nl", str(asked.pk), {"status": "declined"})
    asked.refresh_from_db()
    assert asked.status == EvidenceRequest.Status.RECEIVED
    assert asked.evidence_digest == digest


def test_declining_sends_nothing(exchange: ExchangeFixture) -> None:
    asked = _decide(exchange, _ask(exchange), share=False)
    assert asked.status == EvidenceRequest.Status.DECLINED
    assert asked.evidence_sealed == ""
    assert explanation(asked)


def test_a_request_not_decided_in_time_expires_on_both_sides(exchange: ExchangeFixture) -> None:
    asked = _ask(exchange)
    EvidencePreview.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(provider.PreviewClosed):
        provider.decide(_preview(asked).pk, exchange.subject, exchange.actor, share=True)
    assert _preview(asked).status == EvidencePreview.Status.EXPIRED
    delivery.attempt(_preview(asked).pk)
    asked.refresh_from_db()
    assert asked.status == EvidenceRequest.Status.EXPIRED
    assert asked.evidence_sealed == ""


def test_the_expiry_task_closes_forgotten_requests(exchange: ExchangeFixture) -> None:
    asked = _ask(exchange)
    EvidencePreview.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    EvidenceRequest.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert delivery.expire_due() == 2
    asked.refresh_from_db()
    assert asked.status == EvidenceRequest.Status.EXPIRED
    assert _preview(asked).status == EvidencePreview.Status.EXPIRED


def test_a_decided_preview_cannot_be_decided_again(exchange: ExchangeFixture) -> None:
    asked = _decide(exchange, _ask(exchange), share=False)
    with pytest.raises(provider.PreviewClosed):
        provider.decide(_preview(asked).pk, exchange.subject, exchange.actor, share=True)


def test_evidence_that_fails_verification_is_not_kept(exchange: ExchangeFixture) -> None:
    asked = _ask(exchange)
    answer = {"status": "shared", "evidence": "eyJhbGciOiJFUzI1NiJ9.e30.AAAA"}
    services.receive_response("nl", str(asked.pk), answer)
    asked.refresh_from_db()
    assert asked.status == EvidenceRequest.Status.REJECTED
    assert asked.problem == "evidence-bad-signature"
    assert asked.evidence_sealed == ""


def test_an_answer_from_another_provider_is_refused(exchange: ExchangeFixture) -> None:
    asked = _ask(exchange)
    with pytest.raises(services.RequestInvalid):
        services.receive_response("ee", str(asked.pk), {"status": "declined"})
    with pytest.raises(services.RequestInvalid):
        services.receive_response("nl", "not-a-uuid", {"status": "declined"})


def test_every_step_is_in_the_processing_log_in_one_trace(exchange: ExchangeFixture) -> None:
    asked = _decide(exchange, _ask(exchange), share=True)
    names = {record.name: record for record in records_about(exchange.subject)}
    for name in (
        "exchange.request.birth-certificate",
        "exchange.match.birth-certificate",
        "exchange.share.birth-certificate",
        "exchange.receive.birth-certificate",
    ):
        assert name in names, name
    request = names["exchange.request.birth-certificate"]
    assert request.trace_id == asked.trace_id
    share = names["exchange.share.birth-certificate"]
    # The provider's records point at the requester's operation, and the other way round.
    assert (share.foreign_trace_id, share.foreign_span_id) == (asked.trace_id, asked.span_id)
    assert share.foreign_entity == "http://127.0.0.1:8000"  # the requester, as a URI
    receipt = names["exchange.receive.birth-certificate"]
    assert receipt.foreign_trace_id == asked.provider_trace_id
    assert receipt.data_categories


def test_a_person_without_the_evidence_gets_not_found(exchange: ExchangeFixture) -> None:
    # A non-resident has no residence here to prove: "not found", and no preview.
    from lifegate.registries.models import RegisteredPerson

    RegisteredPerson.objects.filter(bsn=exchange.subject.value).update(resident=False, address=None)
    asked = _ask(exchange, exchange.residence.slug)
    assert asked.status == EvidenceRequest.Status.NOT_FOUND
    assert not EvidencePreview.objects.exists()
    failed = ProcessingRecord.objects.filter(name="exchange.match.residence-certificate")
    assert failed.exists()


def test_evidence_is_attached_to_the_submission_and_can_be_removed_before(
    exchange: ExchangeFixture,
) -> None:
    first = _decide(exchange, _ask(exchange), share=True)
    discard(first, actor=Actor("person", subject=exchange.subject))
    assert not EvidenceRequest.objects.filter(pk=first.pk).exists()
    [removed] = ProcessingRecord.objects.filter(name="exchange.discard-received")
    assert removed.data_subject_hash == subject_hash(exchange.subject)
    assert removed.data_categories == [first.evidence_type_slug]
    second = _decide(exchange, _ask(exchange), share=True)
    shown = show(second, actor=Actor("person", subject=exchange.subject), purpose="exchange.view")
    assert shown.rows and shown.token.count(".") == 2
