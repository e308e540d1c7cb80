"""Demo personas: stable, distinct, in the register, covering every level of assurance and
at least three EU member states, for any seed."""

import pytest
from django.utils import timezone

from lifegate.registries.demo_loader import load_demo_population
from lifegate.registries.embedded import EmbeddedPopulationRegister
from lifegate.registries.personas import DemoPersona, demo_personas
from lifegate.registries.tests.contract import found

pytestmark = pytest.mark.django_db

EXPECTED_KEYS = {
    "resident-low",
    "resident-substantial",
    "resident-high",
    "parent",
    "single-parent",
    "elderly",
    "student",
    "parent-of-adult",
    "eu-de",
    "eu-ee",
    "eu-es",
    "ee-newcomer",
    "nl-emigrant",
}


def age(persona: DemoPersona) -> int:
    today = timezone.localdate()
    born = persona.date_of_birth
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def test_there_are_no_personas_before_the_population_is_loaded() -> None:
    assert demo_personas() == []


def test_every_persona_has_a_distinct_key_and_person(personas: dict[str, DemoPersona]) -> None:
    listed = demo_personas()
    assert {p.key for p in listed} == EXPECTED_KEYS
    assert len({p.subject for p in listed}) == len(listed)


def test_personas_are_the_same_on_every_call(loaded: int) -> None:
    assert demo_personas() == demo_personas()


@pytest.mark.parametrize("seed", [1, 2, 31337])
def test_every_seed_has_all_personas(seed: int) -> None:
    load_demo_population(seed=seed, size=300)
    assert {p.key for p in demo_personas()} == EXPECTED_KEYS


def test_personas_cover_all_three_levels(personas: dict[str, DemoPersona]) -> None:
    assert {p.max_loa for p in personas.values()} == {"low", "substantial", "high"}
    residents = [p for p in personas.values() if p.subject.scheme == "bsn"]
    assert {p.max_loa for p in residents} == {"low", "substantial", "high"}


def test_personas_include_at_least_three_eu_member_states(personas: dict[str, DemoPersona]) -> None:
    eu = [p for p in personas.values() if p.subject.scheme == "eidas"]
    assert {p.nationality for p in eu} >= {"DE", "EE", "ES"}
    for persona in eu:
        assert persona.eidas_person_identifier == persona.subject.value
        assert persona.subject.value.startswith(f"{persona.nationality}/NL/")


def test_every_persona_is_in_the_register_with_the_same_data(
    personas: dict[str, DemoPersona], embedded_register: EmbeddedPopulationRegister
) -> None:
    for persona in personas.values():
        if persona.subject.scheme == "bsn":
            person = found(embedded_register.get_person(persona.subject.value))
        else:
            person = found(embedded_register.get_person_by_eidas(persona.subject.value))
        assert person.given_names == persona.given_name
        assert person.family_name_with_prefix == persona.family_name
        assert (person.date_of_birth, person.nationality) == (
            persona.date_of_birth,
            persona.nationality,
        )
        assert person.date_of_death is None


def test_labels_are_in_english_and_dutch(personas: dict[str, DemoPersona]) -> None:
    parent = personas["parent"]
    assert "newborn" in parent.label_en and "Substantial" in parent.label_en
    assert "pasgeborene" in parent.label_nl and "Substantieel" in parent.label_nl
    assert all(p.label_en != p.label_nl for p in personas.values())


def test_working_age_residents_are_dutch_and_of_working_age(
    personas: dict[str, DemoPersona],
) -> None:
    for key in ("resident-low", "resident-substantial", "resident-high"):
        assert 30 <= age(personas[key]) <= 64
        assert personas[key].nationality == "NL"


def test_the_parent_has_a_newborn_and_another_minor_under_their_authority(
    personas: dict[str, DemoPersona], embedded_register: EmbeddedPopulationRegister
) -> None:
    bsn = personas["parent"].subject.value
    children = embedded_register.children_of(bsn)
    today = timezone.localdate()
    assert min(c.age_on(today) for c in children) == 0
    minors = [c for c in children if c.is_minor_on(today)]
    assert len(minors) >= 2
    assert all(bsn in c.parental_authority_holders for c in minors)


def test_the_single_parent_is_the_only_authority_holder(
    personas: dict[str, DemoPersona], embedded_register: EmbeddedPopulationRegister
) -> None:
    bsn = personas["single-parent"].subject.value
    children = embedded_register.children_of(bsn)
    assert children
    assert any(c.parental_authority_holders == (bsn,) for c in children)


def test_the_elderly_persona_is_eighty_or_over(personas: dict[str, DemoPersona]) -> None:
    assert age(personas["elderly"]) >= 80


def test_the_student_lives_away_from_their_parents(
    personas: dict[str, DemoPersona], embedded_register: EmbeddedPopulationRegister
) -> None:
    student = found(embedded_register.get_person(personas["student"].subject.value))
    assert 18 <= student.age_on(timezone.localdate()) <= 24
    parents = embedded_register.parents_of(student.bsn)
    assert parents
    assert all(parent.address != student.address for parent in parents)


def test_the_parent_of_an_adult_is_the_students_parent_without_authority(
    personas: dict[str, DemoPersona], embedded_register: EmbeddedPopulationRegister
) -> None:
    student = found(embedded_register.get_person(personas["student"].subject.value))
    parent = personas["parent-of-adult"].subject.value
    assert parent in student.parents
    assert parent not in student.parental_authority_holders
    assert embedded_register.parental_authority_holders(student.bsn) == []


def test_eu_personas_match_their_own_eidas_identity(
    personas: dict[str, DemoPersona], embedded_register: EmbeddedPopulationRegister
) -> None:
    for key in ("eu-de", "eu-ee", "eu-es"):
        persona = personas[key]
        match = embedded_register.match_eidas(
            persona.subject.value, persona.family_name, persona.given_name, persona.date_of_birth
        )
        assert match is not None and match.eidas_person_identifier == persona.subject.value
