"""The embedded education register: demo diplomas for adults (always for the personas), the
same for the same seed, dated in the past; loaded once; read through `read_diplomas`, which
records the read."""

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from lifegate.core.subject import Subject
from lifegate.registries.admin import ADMIN_ACTIVITY, person_subject
from lifegate.registries.demo_builder import years_before
from lifegate.registries.demo_education import demo_diplomas, load_demo_diplomas
from lifegate.registries.models import RegisteredDiploma, RegisteredPerson
from lifegate.registries.personas import DemoPersona
from lifegate.registries.services import read_diplomas
from lifegate.registries.tests.conftest import SEED
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import Actor, subject_hash

ACTIVITY = "credential-issuing"
TODAY = date(2026, 11, 22)
# EQF level -> the ISCED 2011 codes a Dutch diploma of that level has.
ISCED_OF_LEVEL = {2: {"353"}, 3: {"353"}, 4: {"354"}, 6: {"645", "655"}, 7: {"747"}}


def test_the_same_person_and_seed_always_get_the_same_diplomas() -> None:
    first = demo_diplomas(SEED, "999990019", date(1990, 5, 1), TODAY, certain=True)
    again = demo_diplomas(SEED, "999990019", date(1990, 5, 1), TODAY, certain=True)
    other_seed = [demo_diplomas(s, "999990019", date(1990, 5, 1), TODAY) for s in range(10)]

    assert first == again
    assert 1 <= len(first) <= 2
    assert any(diplomas != first for diplomas in other_seed)


@pytest.mark.parametrize("age", [18, 19, 23, 40, 85])
def test_diplomas_are_plausible_and_awarded_between_adulthood_and_today(age: int) -> None:
    born = years_before(TODAY, age)
    for bsn in ("999990019", "999990020", "999990032", "999990044"):
        diplomas = demo_diplomas(SEED, bsn, born, TODAY, certain=True)
        assert 1 <= len(diplomas) <= 2
        for diploma in diplomas:
            assert years_before(diploma.awarded_on, 17) >= born, diploma
            assert diploma.awarded_on <= TODAY
            assert diploma.level_isced in ISCED_OF_LEVEL[diploma.level_eqf]
            assert diploma.title and diploma.awarding_body and diploma.learning_outcomes
            assert diploma.grade


@pytest.mark.django_db
def test_every_adult_persona_gets_one_or_two_diplomas_and_minors_none(
    personas: dict[str, DemoPersona],
) -> None:
    created = load_demo_diplomas(seed=SEED)

    assert created > len(personas)
    for persona in personas.values():
        diplomas = RegisteredDiploma.objects.filter(
            person__in=RegisteredPerson.objects.filter(bsn=persona.subject.value)
            | RegisteredPerson.objects.filter(eidas_person_identifier=persona.subject.value)
        )
        assert 1 <= diplomas.count() <= 2, persona.key
    adult = years_before(date.today(), 18)
    assert not RegisteredDiploma.objects.filter(person__date_of_birth__gt=adult).exists()


@pytest.mark.django_db
def test_loading_twice_adds_nothing_and_a_node_outside_the_netherlands_gets_none(
    settings, loaded: int
) -> None:
    first = load_demo_diplomas(seed=SEED)
    assert first > 0
    assert load_demo_diplomas(seed=SEED) == 0
    assert RegisteredDiploma.objects.count() == first

    RegisteredDiploma.objects.all().delete()
    settings.NODE_COUNTRY = "EE"
    assert load_demo_diplomas(seed=SEED) == 0


@pytest.mark.django_db
def test_read_diplomas_returns_them_oldest_first_and_records_one_read(
    personas: dict[str, DemoPersona], agency_actor: Actor
) -> None:
    load_demo_diplomas(seed=SEED)
    subject = personas["resident-high"].subject

    diplomas = read_diplomas(
        subject, actor=agency_actor, activity=ACTIVITY, purpose_name="credentials.issue.read"
    )

    stored = RegisteredDiploma.objects.filter(person__bsn=subject.value).order_by("awarded_on")
    assert [d.title for d in diplomas] == [row.title for row in stored]
    assert [d.reference for d in diplomas] == [f"diploma-{row.pk}" for row in stored]
    record = ProcessingRecord.objects.get()
    assert record.data_subject_hash == subject_hash(subject)
    assert record.processing_activity_id == ACTIVITY
    assert record.data_categories == ["diplomas"]
    assert record.status_code == ProcessingRecord.Status.OK


@pytest.mark.django_db
def test_reading_the_diplomas_of_someone_unknown_is_recorded_as_an_error(
    agency_actor: Actor,
) -> None:
    stranger = Subject("bsn", "999990019")

    diplomas = read_diplomas(
        stranger, actor=agency_actor, activity=ACTIVITY, purpose_name="credentials.issue.read"
    )

    assert diplomas == []
    record = ProcessingRecord.objects.get()
    assert record.status_code == ProcessingRecord.Status.ERROR
    assert record.data_categories == []


@pytest.mark.django_db
def test_an_eqf_level_outside_one_to_eight_is_refused(loaded: int) -> None:
    person = RegisteredPerson.objects.first()
    diploma = RegisteredDiploma(
        person=person,
        title="Doctor",
        level_eqf=9,
        level_isced="844",
        awarding_body="Universiteit van de Lage Landen",
        awarded_on=date(2020, 1, 1),
    )
    with pytest.raises(ValidationError) as refused:
        diploma.full_clean()
    assert "level_eqf" in refused.value.message_dict


@pytest.mark.django_db
def test_the_admin_shows_diplomas_read_only_and_records_each_holder_shown(loaded: int) -> None:
    load_demo_diplomas(seed=SEED)
    client = Client()
    client.force_login(User.objects.create_superuser("operator", "operator@example.org", "x"))

    page = client.get(reverse("admin:registries_registereddiploma_changelist"))

    assert page.status_code == 200
    holders = {row.person.pk: row.person for row in page.context["cl"].result_list}
    records = ProcessingRecord.objects.filter(processing_activity_id=ADMIN_ACTIVITY)
    assert records.count() == len(holders) > 0
    assert {record.data_subject_hash for record in records} == {
        subject_hash(person_subject(person)) for person in holders.values()
    }
    assert client.get(reverse("admin:registries_registereddiploma_add")).status_code == 403
