"""The embedded adapter: the register contract, plus what only it has to get right (queries,
authority that ends at 18, matching records that have no eIDAS identity yet)."""

import pytest
from django.db.models import Count
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from lifegate.core.subject import bsn_is_valid
from lifegate.registries.adapters import PopulationRegister
from lifegate.registries.demo_builder import years_before
from lifegate.registries.embedded import EmbeddedPopulationRegister
from lifegate.registries.models import ParentChildRelation, RegisteredPerson
from lifegate.registries.personas import DemoPersona
from lifegate.registries.services import population_register
from lifegate.registries.tests.contract import (
    PopulationRegisterContract,
    RegisterSample,
    found,
)


def unused_test_bsn() -> str:
    taken = set(RegisteredPerson.objects.values_list("bsn", flat=True))
    return next(
        f"9999{n:05d}"
        for n in range(100_000)
        if bsn_is_valid(f"9999{n:05d}") and f"9999{n:05d}" not in taken
    )


@pytest.mark.django_db
class TestEmbeddedPopulationRegister(PopulationRegisterContract):
    @pytest.fixture
    def register(self, embedded_register: EmbeddedPopulationRegister) -> PopulationRegister:
        return embedded_register

    @pytest.fixture
    def sample(self, personas: dict[str, DemoPersona]) -> RegisterSample:
        parent = personas["parent"].subject.value
        child = (
            ParentChildRelation.objects.filter(parent__bsn=parent)
            .latest("child__date_of_birth")
            .child
        )
        return RegisterSample(
            parent_bsn=parent,
            minor_child_bsn=child.bsn,
            eidas_person_identifier=personas["eu-de"].subject.value,
            unknown_bsn=unused_test_bsn(),
        )


def test_the_configured_adapter_is_the_embedded_one() -> None:
    assert isinstance(population_register(), EmbeddedPopulationRegister)


@pytest.mark.django_db
def test_reading_a_person_takes_a_fixed_number_of_queries(
    loaded: int,
    embedded_register: EmbeddedPopulationRegister,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    parent = RegisteredPerson.objects.filter(child_relations__isnull=False).first()
    assert parent is not None
    with django_assert_max_num_queries(5):
        embedded_register.get_person(parent.bsn)


@pytest.mark.django_db
def test_reading_children_does_not_query_per_child(
    loaded: int,
    embedded_register: EmbeddedPopulationRegister,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    parents = RegisteredPerson.objects.annotate(children=Count("child_relations"))
    bsn = parents.filter(children__gte=2).values_list("bsn", flat=True)[0]
    with django_assert_max_num_queries(5):
        children = embedded_register.children_of(bsn)
    assert len(children) >= 2


@pytest.mark.django_db
def test_parental_authority_ends_when_the_child_comes_of_age(
    loaded: int, embedded_register: EmbeddedPopulationRegister
) -> None:
    link = (
        ParentChildRelation.objects.filter(has_parental_authority=True)
        .select_related("child")
        .first()
    )
    assert link is not None
    assert embedded_register.parental_authority_holders(link.child.bsn)
    RegisteredPerson.objects.filter(pk=link.child.pk).update(
        date_of_birth=years_before(timezone.localdate(), 18)
    )
    assert embedded_register.parental_authority_holders(link.child.bsn) == []
    assert found(embedded_register.get_person(link.child.bsn)).parental_authority_holders == ()


@pytest.mark.django_db
def test_a_record_without_eidas_identity_matches_on_its_attributes_alone(
    loaded: int, embedded_register: EmbeddedPopulationRegister
) -> None:
    row = RegisteredPerson.objects.filter(nationality="PL", resident=True).first()
    assert row is not None
    match = embedded_register.match_eidas(
        "PL/NL/new-identity",
        f"{row.name_prefix} {row.family_name}",
        row.given_names,
        row.date_of_birth,
    )
    assert match is not None and match.bsn == row.bsn


@pytest.mark.django_db
def test_an_ambiguous_match_links_nobody(
    loaded: int, embedded_register: EmbeddedPopulationRegister
) -> None:
    row = RegisteredPerson.objects.filter(
        resident=True, eidas_person_identifier__isnull=True
    ).first()
    assert row is not None
    twin = RegisteredPerson.objects.get(pk=row.pk)
    twin.pk = None
    twin.bsn = unused_test_bsn()
    twin.save()
    name = f"{row.name_prefix} {row.family_name}".strip()
    assert (
        embedded_register.match_eidas("DE/NL/twin", name, row.given_names, row.date_of_birth)
        is None
    )


@pytest.mark.django_db
def test_a_record_linked_to_another_eidas_identity_is_not_matched(
    personas: dict[str, DemoPersona], embedded_register: EmbeddedPopulationRegister
) -> None:
    persona = personas["eu-ee"]
    match = embedded_register.match_eidas(
        "EE/NL/someone-else", persona.family_name, persona.given_name, persona.date_of_birth
    )
    assert match is None
