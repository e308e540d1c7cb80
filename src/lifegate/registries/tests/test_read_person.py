"""`read_person`: returns the register's person and records the read in the processing log,
in the caller's transaction."""

import pytest
from django.db import transaction
from django.forms.models import model_to_dict

from lifegate.core.subject import Subject
from lifegate.registries.adapters import Person
from lifegate.registries.personas import DemoPersona
from lifegate.registries.services import read_person
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import Actor, decrypt_subject, subject_hash

pytestmark = pytest.mark.django_db

ACTIVITY = "https://example.org/processing-activities/birth-registration"


def read(subject: Subject, actor: Actor) -> Person | None:
    return read_person(
        subject, actor=actor, activity=ACTIVITY, purpose_name="journeys.prefill_birth"
    )


def test_it_returns_the_person_and_writes_exactly_one_record(
    personas: dict[str, DemoPersona], agency_actor: Actor
) -> None:
    subject = personas["parent"].subject
    person = read(subject, agency_actor)
    assert person is not None and person.bsn == subject.value
    record = ProcessingRecord.objects.get()
    assert record.data_subject_hash == subject_hash(subject)
    assert decrypt_subject(record.data_subject_ciphertext) == subject
    assert record.name == "journeys.prefill_birth"
    assert record.processing_activity_id == ACTIVITY
    assert record.status_code == ProcessingRecord.Status.OK
    assert {"name", "address", "date_of_birth"} <= set(record.data_categories)
    assert (record.organisation, record.actor_kind) == ("gemeente-utrecht", "agency")


def test_the_record_does_not_contain_the_bsn_in_clear(personas: dict[str, DemoPersona]) -> None:
    subject = personas["resident-high"].subject
    read(subject, Actor(kind="person", subject=subject))
    record = ProcessingRecord.objects.get()
    for column, value in model_to_dict(record).items():
        assert subject.value not in str(value), column


def test_the_person_acting_is_recorded_by_hash(personas: dict[str, DemoPersona]) -> None:
    subject = personas["resident-low"].subject
    read(subject, Actor(kind="person", subject=subject))
    assert ProcessingRecord.objects.get().actor_hash == subject_hash(subject)


def test_it_reads_an_eu_citizen_by_eidas_identifier(
    personas: dict[str, DemoPersona], agency_actor: Actor
) -> None:
    subject = personas["eu-ee"].subject
    person = read(subject, agency_actor)
    assert person is not None and person.eidas_person_identifier == subject.value
    record = ProcessingRecord.objects.get()
    assert record.data_subject_hash == subject_hash(subject)
    assert record.data_subject_id_type == "eIDAS"


def test_an_unknown_person_is_none_and_the_lookup_is_recorded(
    loaded: int, agency_actor: Actor
) -> None:
    subject = Subject("bsn", "123456782")
    assert read(subject, agency_actor) is None
    record = ProcessingRecord.objects.get()
    assert record.data_subject_hash == subject_hash(subject)
    assert record.status_code == ProcessingRecord.Status.ERROR
    assert record.data_categories == []


def test_a_rolled_back_transaction_leaves_no_record(
    personas: dict[str, DemoPersona], agency_actor: Actor
) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        assert read(personas["parent"].subject, agency_actor) is not None
        raise RuntimeError("the operation that needed the data failed")
    assert not ProcessingRecord.objects.exists()


def test_every_read_is_recorded(personas: dict[str, DemoPersona], agency_actor: Actor) -> None:
    for persona in personas.values():
        read(persona.subject, agency_actor)
    hashes = set(ProcessingRecord.objects.values_list("data_subject_hash", flat=True))
    assert hashes == {subject_hash(p.subject) for p in personas.values()}
