import pytest
from django.db import transaction

from lifegate.core.subject import Subject
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import (
    Actor,
    decrypt_subject,
    record_processing,
    records_about,
    subject_hash,
)

RESIDENT = Subject("bsn", "999990019")
OTHER = Subject("bsn", "999990032")


def _record(subject=RESIDENT, **overrides):
    fields = {
        "name": "registries.read_person",
        "subject": subject,
        "activity": "registries-read",
        "actor": Actor(kind="person", subject=subject),
        "data_categories": ["name", "address"],
    }
    fields.update(overrides)
    return record_processing(**fields)


@pytest.mark.django_db
def test_it_records_the_logboek_fields():
    record = _record()
    assert len(record.trace_id) == 32 and len(record.span_id) == 16
    assert record.processing_activity_id == "registries-read"
    assert record.data_subject_id_type == "BSN"
    assert record.status_code == "OK"
    assert record.start_time <= record.end_time
    assert record.data_categories == ["name", "address"]


@pytest.mark.django_db
def test_the_identifier_is_never_stored_in_clear():
    record = _record()
    row = ProcessingRecord.objects.filter(pk=record.pk).values().get()
    assert not any(RESIDENT.value in str(value) for value in row.values())
    assert decrypt_subject(record.data_subject_ciphertext) == RESIDENT


@pytest.mark.django_db
def test_records_are_found_per_person_only():
    _record(RESIDENT)
    _record(OTHER)
    _record(RESIDENT, name="portal.home", activity="portal-home")
    assert {r.name for r in records_about(RESIDENT)} == {"registries.read_person", "portal.home"}
    assert len(records_about(OTHER)) == 1
    assert subject_hash(RESIDENT) != subject_hash(OTHER)


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_operation_leaves_no_record():
    with pytest.raises(RuntimeError), transaction.atomic():
        _record()
        raise RuntimeError("the operation failed")
    assert ProcessingRecord.objects.count() == 0


@pytest.mark.django_db
def test_acting_on_behalf_of_someone_records_both():
    parent = Subject("bsn", "999990032")
    record = _record(actor=Actor(kind="person", subject=parent, on_behalf_of=RESIDENT))
    assert record.actor_hash == subject_hash(parent)
    assert record.on_behalf_of_hash == subject_hash(RESIDENT)
