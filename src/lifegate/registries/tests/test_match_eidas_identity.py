"""`match_eidas_identity`: linking a foreign identity to the register is a logged step."""

from datetime import date, timedelta

import pytest

from lifegate.core.subject import Subject
from lifegate.registries.adapters import Person
from lifegate.registries.personas import DemoPersona
from lifegate.registries.services import match_eidas_identity
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import Actor, subject_hash

pytestmark = pytest.mark.django_db

SYSTEM = Actor(kind="system")


def match(persona: DemoPersona, born: date | None = None) -> Person | None:
    return match_eidas_identity(
        persona.subject.value,
        family_name=persona.family_name,
        given_name=persona.given_name,
        date_of_birth=born or persona.date_of_birth,
        actor=SYSTEM,
        activity="eidas-login",
        purpose_name="identity.match_eidas",
    )


def test_a_matching_identity_returns_the_person_and_is_recorded(
    personas: dict[str, DemoPersona],
) -> None:
    persona = personas["eu-es"]
    person = match(persona)
    assert person is not None and person.nationality == "ES"
    record = ProcessingRecord.objects.get()
    assert record.data_subject_hash == subject_hash(Subject("eidas", persona.subject.value))
    assert record.name == "identity.match_eidas"
    assert record.status_code == ProcessingRecord.Status.OK


def test_a_mismatch_returns_none_and_is_recorded_as_such(personas: dict[str, DemoPersona]) -> None:
    persona = personas["eu-de"]
    assert match(persona, born=persona.date_of_birth - timedelta(days=365)) is None
    record = ProcessingRecord.objects.get()
    assert record.status_code == ProcessingRecord.Status.ERROR
    assert persona.subject.value not in record.data_subject_ciphertext
