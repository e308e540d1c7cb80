"""`core.statements` writes the same rows as `save()`: every column, prepared by its field."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from lifegate.core import statements
from lifegate.exchange.models import EvidencePreview
from lifegate.transparency.models import ProcessingRecord

pytestmark = pytest.mark.django_db(transaction=True)


def _preview(request_id: str) -> EvidencePreview:
    return EvidencePreview(
        requester_node="nl",
        request_id=request_id,
        conversation_id="c" * 32,
        evidence_type_slug="birth-certificate",
        requester_organisation="Gemeente Utrecht",
        requester_service="First registration",
        person_sealed="sealed",
        subject_hash="h" * 64,
        subject_sealed="sealed subject",
        return_url="http://nl.example/journeys/1/",
        expires_at=timezone.now() + timedelta(minutes=30),
        trace_id="t" * 32,
        span_id="s" * 16,
    )


def _record(**changes: object) -> ProcessingRecord:
    now = timezone.now()
    values: dict[str, object] = {
        "trace_id": "a" * 32,
        "span_id": "b" * 16,
        "name": "test.read",
        "start_time": now,
        "end_time": now,
        "status_code": "OK",
        "processing_activity_id": "inbox-delivery",
        "data_subject_hash": "c" * 64,
        "data_subject_ciphertext": "cipher",
        "data_subject_id_type": "BSN",
        "organisation": "lifegate",
        "actor_kind": "system",
        "data_categories": ["name", "address"],
    }
    return ProcessingRecord(**(values | changes))


def test_an_insert_with_a_database_key_gets_the_key_and_stores_every_value():
    record = _record()
    statements.insert(record)
    assert record.pk is not None
    assert not record._state.adding
    stored = ProcessingRecord.objects.get(pk=record.pk)
    assert stored.data_categories == ["name", "address"]  # JSON prepared by its field
    assert stored.start_time == record.start_time  # an aware datetime, on either database
    assert stored.name == "test.read"
    second = _record(span_id="d" * 16)
    statements.insert(second)
    assert second.pk != record.pk


def test_an_insert_with_a_uuid_key_keeps_it_and_sets_auto_now_add():
    preview = _preview("r-1")
    before = timezone.now()
    statements.insert(preview)
    stored = EvidencePreview.objects.get(pk=preview.pk)
    assert stored.request_id == "r-1"
    assert stored.status == EvidencePreview.Status.AWAITING_CONSENT  # the field's default
    assert stored.created_at >= before
    assert stored.created_at == preview.created_at


def test_an_insert_that_breaks_a_constraint_fails_and_leaves_nothing():
    statements.insert(_preview("r-2"))
    with pytest.raises(IntegrityError), transaction.atomic():
        statements.insert(_preview("r-2"))
    assert EvidencePreview.objects.filter(request_id="r-2").count() == 1


def test_an_update_writes_the_named_fields_only():
    preview = _preview("r-3")
    statements.insert(preview)
    preview.status = EvidencePreview.Status.DECLINED
    preview.decided_at = timezone.now()
    preview.requester_service = "not written"
    assert statements.update(preview, ("status", "decided_at")) == 1
    stored = EvidencePreview.objects.get(pk=preview.pk)
    assert stored.status == EvidencePreview.Status.DECLINED
    assert stored.decided_at == preview.decided_at
    assert stored.requester_service == "First registration"


def test_an_update_of_a_row_that_is_gone_updates_nothing():
    preview = _preview("r-4")
    statements.insert(preview)
    EvidencePreview.objects.filter(pk=preview.pk).delete()
    preview.status = EvidencePreview.Status.SHARED
    assert statements.update(preview, ("status",)) == 0


def test_an_update_names_concrete_fields():
    with pytest.raises(ValueError, match="not concrete fields"):
        statements.update(_preview("r-5"), ())


def test_first_reads_the_row_as_the_orm_does():
    preview = _preview("r-6")
    statements.insert(preview)
    found = statements.first(EvidencePreview, requester_node="nl", request_id="r-6")
    assert found is not None
    expected = EvidencePreview.objects.get(pk=preview.pk)
    for field in EvidencePreview._meta.concrete_fields:
        # UUIDs, datetimes and the rest converted alike, on SQLite as on PostgreSQL.
        assert getattr(found, field.attname) == getattr(expected, field.attname), field.name
    assert not found._state.adding
    record = _record()
    statements.insert(record)
    read = statements.first(ProcessingRecord, span_id=record.span_id)
    assert read is not None
    assert read.data_categories == ["name", "address"]  # JSON decoded by its field


def test_first_is_none_when_nothing_matches_and_names_concrete_fields():
    statements.insert(_preview("r-7"))
    assert statements.first(EvidencePreview, requester_node="ee", request_id="r-7") is None
    with pytest.raises(ValueError, match="not concrete fields"):
        statements.first(EvidencePreview)
