"""The generated demo population: test-range BSNs, determinism, and a realistic mix of people."""

import re
from collections import Counter
from datetime import date

import pytest

from lifegate.core.subject import bsn_is_valid
from lifegate.registries.adapters import age_in_years
from lifegate.registries.demo import generate_demo_population
from lifegate.registries.demo_builder import DemoPopulation
from lifegate.registries.demo_sources import MUNICIPALITIES, NAME_PREFIXES
from lifegate.registries.tests.conftest import SEED, TODAY


def ages(population: DemoPopulation) -> list[int]:
    return [
        age_in_years(p.date_of_birth, TODAY) for p in population.persons if p.date_of_death is None
    ]


def test_every_bsn_passes_the_elfproef_and_is_in_the_test_range(
    large_population: DemoPopulation,
) -> None:
    for person in large_population.persons:
        assert bsn_is_valid(person.bsn), person.bsn
        assert person.bsn.startswith("9999")


def test_bsns_are_unique(large_population: DemoPopulation) -> None:
    bsns = [p.bsn for p in large_population.persons]
    assert len(set(bsns)) == len(bsns)


def test_the_default_size_gives_1200_persons(large_population: DemoPopulation) -> None:
    assert len(large_population.persons) == 1200


@pytest.mark.parametrize("size", [30, 300, 301, 1203])
def test_the_population_has_exactly_the_requested_size(size: int) -> None:
    assert len(generate_demo_population(7, size, today=TODAY).persons) == size


def test_the_same_seed_gives_an_identical_population(population: DemoPopulation) -> None:
    assert generate_demo_population(SEED, 300, today=TODAY) == population


def test_a_different_seed_gives_a_different_population(population: DemoPopulation) -> None:
    other = generate_demo_population(SEED + 1, 300, today=TODAY)
    assert {p.bsn for p in other.persons} != {p.bsn for p in population.persons}
    assert [p.family_name for p in other.persons] != [p.family_name for p in population.persons]


@pytest.mark.parametrize("size", [29, 9_500])
def test_a_size_outside_the_test_range_is_refused(size: int) -> None:
    with pytest.raises(ValueError, match="between"):
        generate_demo_population(SEED, size, today=TODAY)


def test_there_are_minors_from_newborns_to_seventeen(large_population: DemoPopulation) -> None:
    years = Counter(ages(large_population))
    assert years[0] >= 5
    assert sum(years[age] for age in range(18)) >= 150
    assert all(years[age] for age in (1, 5, 10, 15, 17))


def test_there_are_young_adults_working_age_people_and_elderly(
    large_population: DemoPopulation,
) -> None:
    years = ages(large_population)
    assert sum(18 <= age <= 24 for age in years) >= 40
    assert sum(25 <= age <= 64 for age in years) >= 400
    assert sum(age >= 65 for age in years) >= 100
    assert sum(age >= 80 for age in years) >= 20


def test_eu_nationals_live_in_the_netherlands(large_population: DemoPopulation) -> None:
    living_here = Counter(
        p.nationality for p in large_population.persons if p.resident and p.address is not None
    )
    eu_nationalities = {code for code in living_here if code != "NL"}
    assert {"DE", "PL"} <= eu_nationalities
    assert len(eu_nationalities) >= 5


def test_at_least_three_non_resident_eu_citizens_have_an_eidas_identifier(
    population: DemoPopulation,
) -> None:
    with_eidas = [p for p in population.persons if p.eidas_person_identifier]
    assert {p.nationality for p in with_eidas} >= {"DE", "EE", "ES"}
    for person in with_eidas:
        assert not person.resident
        assert re.fullmatch(rf"{person.nationality}/NL/\S+", person.eidas_person_identifier or "")


def test_non_residents_have_no_dutch_address(large_population: DemoPopulation) -> None:
    non_residents = [p for p in large_population.persons if not p.resident]
    assert len(non_residents) >= 3
    assert all(p.address is None and p.nationality != "NL" for p in non_residents)


def test_the_deceased_have_no_address_and_their_partnership_ended(
    large_population: DemoPopulation,
) -> None:
    deceased = {p.bsn: p for p in large_population.persons if p.date_of_death is not None}
    assert deceased
    assert all(p.address is None and (p.date_of_death or TODAY) <= TODAY for p in deceased.values())
    for partnership in large_population.partnerships:
        if partnership.second_bsn in deceased:
            assert partnership.ended_on == deceased[partnership.second_bsn].date_of_death


def test_addresses_look_dutch(large_population: DemoPopulation) -> None:
    municipalities = {m.name for m in MUNICIPALITIES}
    for address in large_population.addresses:
        assert re.fullmatch(r"[1-9][0-9]{3} [A-Z]{2}", address.postcode)
        assert address.postcode[-2:] not in {"SA", "SD", "SS"}
        assert address.municipality in municipalities
        assert address.street and address.house_number > 0
    assert len({a.municipality for a in large_population.addresses}) >= 20


def test_addresses_are_unique(large_population: DemoPopulation) -> None:
    keys = [
        (a.postcode, a.house_number, a.house_number_addition) for a in large_population.addresses
    ]
    assert len(set(keys)) == len(keys)


def test_many_dutch_names_carry_a_prefix(large_population: DemoPopulation) -> None:
    dutch = [p for p in large_population.persons if p.nationality == "NL"]
    prefixed = [p for p in dutch if p.name_prefix]
    assert all(p.name_prefix in NAME_PREFIXES for p in prefixed)
    assert 0.1 < len(prefixed) / len(dutch) < 0.5


def test_dates_are_consistent(large_population: DemoPopulation) -> None:
    for person in large_population.persons:
        assert person.date_of_birth <= TODAY
        if person.address_since is not None:
            assert person.date_of_birth <= person.address_since <= TODAY


def test_the_day_anchors_ages_so_newborns_stay_newborns() -> None:
    later = date(2031, 3, 1)
    population = generate_demo_population(SEED, 100, today=later)
    youngest = max(p.date_of_birth for p in population.persons)
    assert (later - youngest).days <= 150
