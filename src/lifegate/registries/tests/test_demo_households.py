"""Households in the demo population: families share an address, children have parents with
parental authority, partners are partners."""

from collections import defaultdict

from lifegate.registries.adapters import age_in_years
from lifegate.registries.demo_builder import DemoParentChild, DemoPerson, DemoPopulation
from lifegate.registries.tests.conftest import TODAY


def by_bsn(population: DemoPopulation) -> dict[str, DemoPerson]:
    return {p.bsn: p for p in population.persons}


def links_by_child(population: DemoPopulation) -> dict[str, list[DemoParentChild]]:
    links: dict[str, list[DemoParentChild]] = defaultdict(list)
    for link in population.parent_child:
        links[link.child_bsn].append(link)
    return links


def minors(population: DemoPopulation) -> list[DemoPerson]:
    return [p for p in population.persons if age_in_years(p.date_of_birth, TODAY) < 18]


def test_minor_children_live_with_every_parent_holding_authority(
    large_population: DemoPopulation,
) -> None:
    persons = by_bsn(large_population)
    links = links_by_child(large_population)
    for child in minors(large_population):
        assert child.address is not None
        for link in links[child.bsn]:
            assert persons[link.parent_bsn].address == child.address


def test_minor_children_have_two_parents_with_authority_or_one_single_parent(
    large_population: DemoPopulation,
) -> None:
    links = links_by_child(large_population)
    counts = {1: 0, 2: 0}
    for child in minors(large_population):
        parents = links[child.bsn]
        assert len(parents) in counts, child
        assert all(link.has_parental_authority for link in parents)
        counts[len(parents)] += 1
    assert counts[2] > counts[1] > 0


def test_adult_children_have_no_parental_authority(large_population: DemoPopulation) -> None:
    persons = by_bsn(large_population)
    adult_links = [
        link
        for link in large_population.parent_child
        if age_in_years(persons[link.child_bsn].date_of_birth, TODAY) >= 18
    ]
    assert adult_links
    assert not any(link.has_parental_authority for link in adult_links)


def test_parents_are_at_least_eighteen_years_older_than_their_children(
    large_population: DemoPopulation,
) -> None:
    persons = by_bsn(large_population)
    for link in large_population.parent_child:
        parent, child = persons[link.parent_bsn], persons[link.child_bsn]
        assert age_in_years(parent.date_of_birth, child.date_of_birth) >= 18


def test_couples_with_children_have_one_to_three_children(large_population: DemoPopulation) -> None:
    children: dict[str, int] = defaultdict(int)
    for link in large_population.parent_child:
        children[link.parent_bsn] += 1
    assert set(children.values()) == {1, 2, 3}


def test_partners_share_an_address_while_both_live_here(large_population: DemoPopulation) -> None:
    persons = by_bsn(large_population)
    current = [p for p in large_population.partnerships if p.ended_on is None]
    assert len(current) >= 100
    for partnership in current:
        first, second = persons[partnership.first_bsn], persons[partnership.second_bsn]
        assert first.address is not None and first.address == second.address
        assert partnership.kind in {"marriage", "registered"}


def test_some_young_adults_moved_out_to_a_student_city(large_population: DemoPopulation) -> None:
    persons = by_bsn(large_population)
    moved_out = [
        persons[link.child_bsn]
        for link in large_population.parent_child
        if persons[link.child_bsn].address != persons[link.parent_bsn].address
    ]
    assert moved_out
    assert all(18 <= age_in_years(p.date_of_birth, TODAY) <= 25 for p in moved_out)
