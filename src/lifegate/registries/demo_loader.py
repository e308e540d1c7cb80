"""Writes a generated demo population into the embedded register, once: the population of
this node's country (settings.NODE_COUNTRY) with the demo federation's cross-border people."""

from dataclasses import asdict
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction

from lifegate.registries.demo import generate_demo_population
from lifegate.registries.demo_builder import DemoPerson, DemoPopulation
from lifegate.registries.demo_estonia import generate_estonian_population
from lifegate.registries.federation import with_federation_people
from lifegate.registries.models import (
    ParentChildRelation,
    Partnership,
    RegisteredAddress,
    RegisteredPerson,
)

BATCH_SIZE = 500


def demo_population_loaded() -> bool:
    """True when the embedded register holds any person."""
    return RegisteredPerson.objects.exists()


def node_population(
    seed: int, size: int, country: str | None = None, *, today: date | None = None
) -> DemoPopulation:
    """What the register of `country` (default: settings.NODE_COUNTRY) holds: the generated
    population of `size` persons, the Dutch one for "NL" and the Estonian one for "EE",
    followed by the federation people (`federation.FEDERATION_SIZE` more)."""
    country = country or settings.NODE_COUNTRY
    if country == "NL":
        generated = generate_demo_population(seed, size, today=today)
    elif country == "EE":
        generated = generate_estonian_population(seed, size, today=today)
    else:
        raise ValueError(f"there is no demo population for node country {country!r}")
    return with_federation_people(generated, seed, country)


def load_demo_population(*, seed: int | None = None, size: int | None = None) -> int:
    """Create the demo population of this node (default: settings.DEMO_POPULATION_SEED and
    _SIZE, plus the federation people) in one transaction, unless the register already holds
    persons. Returns how many persons were created: 0 when the population was there already,
    so running it twice changes nothing."""
    if demo_population_loaded():
        return 0
    seed = settings.DEMO_POPULATION_SEED if seed is None else seed
    size = settings.DEMO_POPULATION_SIZE if size is None else size
    population = node_population(seed, size)
    try:
        with transaction.atomic():
            if demo_population_loaded():
                return 0
            save_population(population)
    except IntegrityError:
        # Another process loaded the same population at the same moment.
        if demo_population_loaded():
            return 0
        raise
    return len(population.persons)


def _person_row(person: DemoPerson, addresses: list[RegisteredAddress]) -> RegisteredPerson:
    fields = asdict(person)
    index = fields.pop("address")
    return RegisteredPerson(**fields, address=None if index is None else addresses[index])


def save_population(population: DemoPopulation) -> None:
    """Bulk-insert the population: a handful of INSERTs whatever its size."""
    addresses = RegisteredAddress.objects.bulk_create(
        [RegisteredAddress(**asdict(a)) for a in population.addresses], batch_size=BATCH_SIZE
    )
    persons = RegisteredPerson.objects.bulk_create(
        [_person_row(p, addresses) for p in population.persons], batch_size=BATCH_SIZE
    )
    by_bsn = {person.bsn: person for person in persons}
    ParentChildRelation.objects.bulk_create(
        [
            ParentChildRelation(
                parent=by_bsn[link.parent_bsn],
                child=by_bsn[link.child_bsn],
                has_parental_authority=link.has_parental_authority,
            )
            for link in population.parent_child
        ],
        batch_size=BATCH_SIZE,
    )
    Partnership.objects.bulk_create(
        [
            Partnership(
                first_partner=by_bsn[p.first_bsn],
                second_partner=by_bsn[p.second_bsn],
                kind=p.kind,
                started_on=p.started_on,
                ended_on=p.ended_on,
            )
            for p in population.partnerships
        ],
        batch_size=BATCH_SIZE,
    )
