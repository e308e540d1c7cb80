"""Loading the demo population into the embedded register: complete, once, in one transaction."""

from unittest import mock

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import translation

from lifegate.registries.demo import generate_demo_population
from lifegate.registries.demo_loader import load_demo_population
from lifegate.registries.federation import FEDERATION_SIZE
from lifegate.registries.models import (
    ParentChildRelation,
    Partnership,
    RegisteredAddress,
    RegisteredPerson,
)
from lifegate.registries.tests.conftest import SEED

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int, int]:
    return (
        RegisteredPerson.objects.count(),
        RegisteredAddress.objects.count(),
        ParentChildRelation.objects.count(),
        Partnership.objects.count(),
    )


def test_loading_creates_the_whole_population(loaded: int) -> None:
    assert loaded == 300 + FEDERATION_SIZE
    assert counts()[0] == 300 + FEDERATION_SIZE
    assert all(count > 0 for count in counts())


def test_loaded_rows_are_the_generated_ones(loaded: int) -> None:
    population = generate_demo_population(SEED, 300)  # anchored on today, like the load
    generated = {p.bsn: p for p in population.persons}
    rows = RegisteredPerson.objects.select_related("address").filter(bsn__in=generated)
    assert rows.count() == len(generated)
    for row in rows:
        person = generated[row.bsn]
        assert (row.given_names, row.name_prefix, row.family_name) == (
            person.given_names,
            person.name_prefix,
            person.family_name,
        )
        expected = population.addresses[person.address] if person.address is not None else None
        assert (row.address.postcode if row.address else None) == (
            expected.postcode if expected else None
        )


def test_loading_twice_leaves_the_same_rows(loaded: int) -> None:
    before = counts()
    bsns = set(RegisteredPerson.objects.values_list("bsn", flat=True))
    assert load_demo_population(seed=SEED) == 0
    assert load_demo_population(seed=SEED + 1) == 0
    assert counts() == before
    assert set(RegisteredPerson.objects.values_list("bsn", flat=True)) == bsns


def test_the_command_loads_once(capsys: pytest.CaptureFixture[str]) -> None:
    with translation.override("en"):
        call_command("load_demo_population", "--size", "120")
        call_command("load_demo_population")
    output = capsys.readouterr().out
    assert str(120 + FEDERATION_SIZE) in output
    assert "already" in output
    assert RegisteredPerson.objects.count() == 120 + FEDERATION_SIZE


def test_a_failed_load_leaves_nothing_behind() -> None:
    failing = mock.patch.object(
        Partnership.objects, "bulk_create", side_effect=RuntimeError("disk full")
    )
    with failing, pytest.raises(RuntimeError):
        load_demo_population(seed=SEED)
    assert counts() == (0, 0, 0, 0)
    assert load_demo_population(seed=SEED) == 300 + FEDERATION_SIZE


def test_loading_inside_an_outer_transaction_that_rolls_back_leaves_nothing() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        load_demo_population(seed=SEED)
        raise RuntimeError("caller failed")
    assert counts() == (0, 0, 0, 0)


def test_the_default_size_loads_completely() -> None:
    assert load_demo_population(seed=SEED, size=1200) == 1200 + FEDERATION_SIZE
    assert counts()[0] == 1200 + FEDERATION_SIZE
    assert all(count > 0 for count in counts())
