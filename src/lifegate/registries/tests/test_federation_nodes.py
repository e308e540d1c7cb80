"""The two nodes of the demo federation, each with its register loaded: the personas each
offers, and the providing node's eIDAS matching finding the person the other node knows."""

from dataclasses import dataclass
from datetime import date

import pytest
from django.test import override_settings

from lifegate.registries.demo_loader import load_demo_population
from lifegate.registries.embedded import EmbeddedPopulationRegister
from lifegate.registries.federation import FEDERATION_ID_PREFIX, FEDERATION_SIZE
from lifegate.registries.matching import normalise_name
from lifegate.registries.models import RegisteredAddress, RegisteredPerson
from lifegate.registries.personas import DemoPersona, demo_personas
from lifegate.registries.tests.conftest import SEED
from lifegate.registries.tests.test_embedded_register import unused_test_bsn

pytestmark = pytest.mark.django_db

SIZE = 300
DUTCH_NODE_KEYS = ["ee-newcomer", "nl-emigrant"]
ESTONIAN_NODE_KEYS = ["ee-resident", "ee-resident-2", "nl-citizen"]


@dataclass(frozen=True)
class Known:
    """A federation person as one node's register holds them."""

    eidas_person_identifier: str | None
    family_name: str
    given_names: str
    date_of_birth: date
    nationality: str


def load(country: str) -> dict[str, DemoPersona]:
    """Empty the register, load the node of `country` and return its personas by key."""
    RegisteredPerson.objects.all().delete()
    RegisteredAddress.objects.all().delete()
    with override_settings(NODE_COUNTRY=country):
        assert load_demo_population(seed=SEED, size=SIZE) == SIZE + FEDERATION_SIZE
        return {persona.key: persona for persona in demo_personas()}


def federation_rows() -> list[Known]:
    """The federation people in the register: the rows after the generated population."""
    rows = RegisteredPerson.objects.order_by("-id")[:FEDERATION_SIZE]
    return [
        Known(
            row.eidas_person_identifier,
            " ".join(p for p in (row.name_prefix, row.family_name) if p),
            row.given_names,
            row.date_of_birth,
            row.nationality,
        )
        for row in reversed(rows)
    ]


def holders_of(person: Known) -> int:
    """How many registered persons have these names and this date of birth."""
    same_day = RegisteredPerson.objects.filter(date_of_birth=person.date_of_birth)
    return sum(
        normalise_name(" ".join(p for p in (row.name_prefix, row.family_name) if p))
        == normalise_name(person.family_name)
        and normalise_name(row.given_names) == normalise_name(person.given_names)
        for row in same_day
    )


def match(identifier: str, person: Known) -> str | None:
    """The BSN of the person the embedded register matches, or None."""
    found = EmbeddedPopulationRegister().match_eidas(
        identifier, person.family_name, person.given_names, person.date_of_birth
    )
    return found.bsn if found else None


def test_the_dutch_node_adds_the_newcomer_and_the_emigrant_after_its_own_personas() -> None:
    personas = load("NL")
    assert list(personas)[-2:] == DUTCH_NODE_KEYS
    newcomer, emigrant = personas["ee-newcomer"], personas["nl-emigrant"]
    assert newcomer.subject.scheme == "eidas" and newcomer.nationality == "EE"
    assert newcomer.subject.value.startswith(f"EE/NL/{FEDERATION_ID_PREFIX}")
    assert (newcomer.max_loa, emigrant.max_loa) == ("high", "high")
    assert emigrant.subject.scheme == "bsn" and emigrant.nationality == "NL"
    row = RegisteredPerson.objects.select_related("address").get(bsn=emigrant.subject.value)
    assert row.resident and row.address is not None
    row.address.full_clean()


def test_the_estonian_node_offers_estonian_residents_and_the_dutch_citizen() -> None:
    personas = load("EE")
    assert list(personas) == ESTONIAN_NODE_KEYS
    assert all(p.subject.scheme == "eidas" for p in personas.values())
    assert all(p.max_loa == "high" for p in personas.values())
    resident, other = personas["ee-resident"], personas["ee-resident-2"]
    assert resident.subject.value.startswith(f"EE/EE/{FEDERATION_ID_PREFIX}")
    assert other.subject.value.startswith("EE/EE/DEMO")
    assert FEDERATION_ID_PREFIX not in other.subject.value
    assert personas["nl-citizen"].subject.value.startswith(f"NL/EE/{FEDERATION_ID_PREFIX}")
    for persona in (resident, other):
        row = RegisteredPerson.objects.select_related("address").get(
            eidas_person_identifier=persona.subject.value
        )
        assert row.resident and row.address is not None
        with override_settings(NODE_COUNTRY="EE"):
            row.address.full_clean()


def test_the_two_nodes_personas_are_the_same_cross_border_people() -> None:
    dutch_node = load("NL")
    estonian_node = load("EE")
    for here, there in (("ee-newcomer", "ee-resident"), ("nl-emigrant", "nl-citizen")):
        one, other = dutch_node[here], estonian_node[there]
        assert (one.given_name, one.family_name, one.date_of_birth, one.nationality) == (
            other.given_name,
            other.family_name,
            other.date_of_birth,
            other.nationality,
        )
    national_id = dutch_node["ee-newcomer"].subject.value.split("/", 2)[2]
    assert estonian_node["ee-resident"].subject.value == f"EE/EE/{national_id}"


def test_estonians_known_to_the_dutch_node_match_exactly_one_estonian_resident() -> None:
    load("NL")
    estonians = [p for p in federation_rows() if p.nationality == "EE"]
    assert len(estonians) == 3
    load("EE")
    for person in estonians:
        assert person.eidas_person_identifier is not None
        national_id = person.eidas_person_identifier.split("/", 2)[2]
        assert holders_of(person) == 1
        # As the Dutch node asks for them, and in the Estonian node's own form.
        found = match(person.eidas_person_identifier, person)
        assert found is not None
        assert found == match(f"EE/EE/{national_id}", person)
        row = RegisteredPerson.objects.get(bsn=found)
        assert row.resident and row.eidas_person_identifier == f"EE/EE/{national_id}"


def test_the_dutch_known_to_the_estonian_node_match_exactly_one_dutch_resident() -> None:
    load("EE")
    dutch = [p for p in federation_rows() if p.nationality == "NL"]
    assert len(dutch) == 3
    load("NL")
    for person in dutch:
        assert person.eidas_person_identifier is not None
        national_id = person.eidas_person_identifier.split("/", 2)[2]
        assert holders_of(person) == 1
        found = match(person.eidas_person_identifier, person)
        assert found is not None
        assert found == match(f"NL/NL/{national_id}", person)
        row = RegisteredPerson.objects.get(bsn=found)
        assert row.resident and row.nationality == "NL" and row.eidas_person_identifier is None


def test_the_other_nodes_people_are_registered_as_non_residents_that_match() -> None:
    for country in ("NL", "EE"):
        load(country)
        others = [p for p in federation_rows() if p.nationality != country]
        assert len(others) == 3
        for person in others:
            assert person.eidas_person_identifier is not None
            assert match(person.eidas_person_identifier, person) is not None


def test_a_federation_person_with_a_twin_in_the_register_matches_nobody() -> None:
    load("EE")
    person = next(p for p in federation_rows() if p.nationality == "NL")
    load("NL")
    assert person.eidas_person_identifier is not None
    original = RegisteredPerson.objects.get(
        given_names=person.given_names, date_of_birth=person.date_of_birth
    )
    twin = RegisteredPerson.objects.get(pk=original.pk)
    twin.pk, twin.bsn, twin.address = None, unused_test_bsn(), None
    twin.save()
    assert match(person.eidas_person_identifier, person) is None


def test_an_estonian_identity_with_other_attributes_matches_nobody() -> None:
    load("EE")
    person = next(p for p in federation_rows() if p.nationality == "EE")
    assert person.eidas_person_identifier is not None
    national_id = person.eidas_person_identifier.split("/", 2)[2]
    older = Known(
        person.eidas_person_identifier,
        person.family_name,
        person.given_names,
        person.date_of_birth.replace(year=person.date_of_birth.year - 1),
        person.nationality,
    )
    assert match(f"EE/NL/{national_id}", older) is None
    assert match(f"EE/NL/{national_id}X", person) is None
