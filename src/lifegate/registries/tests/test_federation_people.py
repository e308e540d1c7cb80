"""The demo federation's cross-border people and the Estonian node's population, as generated:
the same people on both nodes, unambiguous in each node's register."""

from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from lifegate.registries.demo_builder import DemoPerson, DemoPopulation
from lifegate.registries.demo_estonia import generate_estonian_population
from lifegate.registries.demo_loader import node_population
from lifegate.registries.demo_sources import ESTONIAN_MUNICIPALITIES, MUNICIPALITIES
from lifegate.registries.federation import (
    FEDERATION_ID_PREFIX,
    FEDERATION_SIZE,
    federation_people,
    name_key,
)
from lifegate.registries.matching import is_eidas_identifier, same_national_identity
from lifegate.registries.models.address import validate_postcode
from lifegate.registries.tests.conftest import SEED, TODAY

ESTONIAN_TOWNS = {m.city for m in ESTONIAN_MUNICIPALITIES}


def key(person: DemoPerson) -> tuple[str, str, object]:
    family = " ".join(p for p in (person.name_prefix, person.family_name) if p)
    return name_key(family, person.given_names, person.date_of_birth)


@pytest.fixture(scope="module")
def dutch_node() -> DemoPopulation:
    return node_population(SEED, 300, "NL", today=TODAY)


@pytest.fixture(scope="module")
def estonian_node() -> DemoPopulation:
    return node_population(SEED, 300, "EE", today=TODAY)


def test_there_are_three_estonians_moving_here_and_three_dutch_moving_there() -> None:
    people = federation_people(SEED)
    assert [(p.nationality, p.destination) for p in people] == [("EE", "NL")] * 3 + [
        ("NL", "EE")
    ] * 3
    assert len({p.name_key() for p in people}) == len(people)


def test_the_same_seed_gives_the_same_people_and_another_seed_others() -> None:
    assert federation_people(SEED) == federation_people(SEED)
    assert federation_people(SEED + 1) != federation_people(SEED)


def test_estonians_are_born_in_estonia_and_carry_a_demo_identifier() -> None:
    estonians = [p for p in federation_people(SEED) if p.nationality == "EE"]
    for person in estonians:
        assert person.place_of_birth in ESTONIAN_TOWNS
        assert person.national_identifier.startswith(FEDERATION_ID_PREFIX)
        assert is_eidas_identifier(person.eidas_identifier("NL"))
        # Shaped like a personal code: gender and century digit, then the date of birth.
        code = person.national_identifier.removeprefix(FEDERATION_ID_PREFIX)
        assert len(code) == 11 and code[1:7] == f"{person.date_of_birth:%y%m%d}"


def test_the_dutch_are_born_in_the_netherlands() -> None:
    dutch = [p for p in federation_people(SEED) if p.nationality == "NL"]
    assert {p.place_of_birth for p in dutch} <= {m.city for m in MUNICIPALITIES}


def test_a_person_whose_names_and_birth_date_are_taken_is_drawn_again() -> None:
    first, *others = federation_people(SEED)
    again, *same_others = federation_people(SEED, {first.name_key()})
    assert again.name_key() != first.name_key()
    assert same_others == others


def test_both_nodes_hold_the_same_people_whatever_their_size(
    dutch_node: DemoPopulation, estonian_node: DemoPopulation
) -> None:
    larger = node_population(SEED, 420, "NL", today=TODAY)
    for node in (dutch_node, estonian_node, larger):
        people = node.persons[-FEDERATION_SIZE:]
        assert [key(p) for p in people] == [p.name_key() for p in federation_people(SEED)]


@pytest.mark.parametrize("country", ["NL", "EE"])
def test_every_federation_person_is_unique_in_the_node_by_names_and_birth_date(
    country: str, dutch_node: DemoPopulation, estonian_node: DemoPopulation
) -> None:
    node = dutch_node if country == "NL" else estonian_node
    keys = Counter(key(p) for p in node.persons)
    assert all(keys[key(p)] == 1 for p in node.persons[-FEDERATION_SIZE:])


def test_on_the_dutch_node_estonians_are_non_residents_and_the_dutch_live_here(
    dutch_node: DemoPopulation,
) -> None:
    generated_bsns = {p.bsn for p in dutch_node.persons[:-FEDERATION_SIZE]}
    estonians, dutch = dutch_node.persons[-6:-3], dutch_node.persons[-3:]
    for person in estonians:
        assert not person.resident and person.address is None
        assert (person.eidas_person_identifier or "").startswith(f"EE/NL/{FEDERATION_ID_PREFIX}")
    for person in dutch:
        assert person.resident and person.eidas_person_identifier is None
        assert person.bsn.startswith("9999") and person.bsn not in generated_bsns
        assert person.address is not None
    homes = [dutch_node.addresses[p.address] for p in dutch if p.address is not None]
    assert len({(a.postcode, a.house_number) for a in homes}) == 3
    for home in homes:
        validate_postcode(home.postcode)


@override_settings(NODE_COUNTRY="EE")
def test_on_the_estonian_node_estonians_live_there_and_the_dutch_are_non_residents(
    estonian_node: DemoPopulation,
) -> None:
    estonians, dutch = estonian_node.persons[-6:-3], estonian_node.persons[-3:]
    for person in estonians:
        assert person.resident and person.address is not None
        assert (person.eidas_person_identifier or "").startswith(f"EE/EE/{FEDERATION_ID_PREFIX}")
        home = estonian_node.addresses[person.address]
        assert home.city in ESTONIAN_TOWNS
        validate_postcode(home.postcode)
    for person in dutch:
        assert not person.resident and person.address is None
        assert (person.eidas_person_identifier or "").startswith(f"NL/EE/{FEDERATION_ID_PREFIX}")


def test_one_identity_seen_from_two_receiving_countries_is_one_person() -> None:
    estonian = federation_people(SEED)[0]
    assert same_national_identity(estonian.eidas_identifier("NL"), estonian.eidas_identifier("EE"))
    assert not same_national_identity("EE/NL/123", "LV/NL/123")
    assert not same_national_identity("EE/NL/123", "EE/NL/1234")
    assert not same_national_identity("EE/NL/123", "not an identifier")


@override_settings(NODE_COUNTRY="EE")
def test_the_estonian_population_lives_in_estonia_with_an_estonian_eid() -> None:
    population = generate_estonian_population(SEED, 300, today=TODAY)
    assert len(population.persons) == 300
    assert {p.nationality for p in population.persons} == {"EE"}
    assert all(p.resident for p in population.persons)
    identifiers = [p.eidas_person_identifier or "" for p in population.persons]
    assert all(i.startswith("EE/EE/DEMO") for i in identifiers)
    assert len(set(identifiers)) == len(identifiers)
    for address in population.addresses:
        assert address.city in ESTONIAN_TOWNS
        validate_postcode(address.postcode)
    assert population.parent_child and population.partnerships


def test_the_estonian_population_is_reproducible_and_not_the_dutch_one(
    estonian_node: DemoPopulation, dutch_node: DemoPopulation
) -> None:
    again = generate_estonian_population(SEED, 300, today=TODAY)
    assert again.persons == estonian_node.persons[:-FEDERATION_SIZE]
    assert {p.bsn for p in again.persons} != {p.bsn for p in dutch_node.persons}


def test_a_node_of_another_country_has_no_demo_population() -> None:
    with pytest.raises(ValueError, match="DE"):
        node_population(SEED, 300, "DE", today=TODAY)


@pytest.mark.parametrize(
    ("country", "valid", "invalid"), [("NL", "3511 AB", "10115"), ("EE", "10115", "3511 AB")]
)
def test_postcodes_are_checked_in_the_nodes_own_format(
    country: str, valid: str, invalid: str
) -> None:
    with override_settings(NODE_COUNTRY=country):
        validate_postcode(valid)
        with pytest.raises(ValidationError):
            validate_postcode(invalid)
