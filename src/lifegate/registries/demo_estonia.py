"""Generates the demo population of the Estonian node of a demo federation (settings
NODE_COUNTRY "EE"): households of Estonian residents at Estonian addresses, each with the eIDAS
PersonIdentifier ("EE/EE/<id>") they log in with. Deterministic like the Dutch population, and
different from it for the same seed."""

import hashlib
import random
from dataclasses import replace
from datetime import date

from django.utils import timezone

from lifegate.registries.demo import HOUSEHOLD_WEIGHTS, LARGEST_HOUSEHOLD, MINIMUM_SIZE, Households
from lifegate.registries.demo_builder import DemoPopulation, PopulationBuilder
from lifegate.registries.demo_sources import test_range_bsns

COUNTRY = "EE"
# Everyone registered on this node lives in Estonia; the non-residents are the Dutch people of
# the demo federation (`federation.with_federation_people`).
RESIDENT_HOUSEHOLD_WEIGHTS = {
    kind: weight for kind, weight in HOUSEHOLD_WEIGHTS.items() if kind != "non_resident"
}


def estonian_seed(seed: int) -> int:
    """The seed of the Estonian draws: the same demo seed gives both nodes different people."""
    return int.from_bytes(hashlib.sha256(f"{seed}/{COUNTRY}".encode()).digest()[:8], "big")


def generate_estonian_population(
    seed: int, size: int, *, today: date | None = None
) -> DemoPopulation:
    """A population of exactly `size` Estonian residents, the same for the same seed, size and
    day; `today` (default: the local date) anchors ages and dates.

    The register keys every person by the nine-digit `bsn` column, and Estonia has no BSN: here
    those are elfproef-valid numbers from the same 9999xxxxx test range, used only as internal
    register numbers and never shown. A simplification: a real Estonian register is keyed by the
    personal code (isikukood), which the demo stands in for with its eIDAS identifiers."""
    pool = test_range_bsns()
    if not MINIMUM_SIZE <= size <= len(pool):
        raise ValueError(f"demo population size must be between {MINIMUM_SIZE} and {len(pool)}")
    own_seed = estonian_seed(seed)
    bsns = random.Random(own_seed).sample(pool, size)  # noqa: S311 - reproducible, not secret
    builder = PopulationBuilder(
        seed=own_seed, today=today or timezone.localdate(), bsns=bsns, country=COUNTRY
    )
    households = Households(builder, RESIDENT_HOUSEHOLD_WEIGHTS)
    _add_guaranteed(households)
    while len(builder.persons) < size:
        if size - len(builder.persons) >= LARGEST_HOUSEHOLD:
            households.add_random()
        else:
            households.single_adult(households.rng.randint(25, 64))
    builder.persons = [
        replace(person, eidas_person_identifier=builder.eidas_identifier(COUNTRY))
        for person in builder.persons
    ]
    return builder.population()


def _add_guaranteed(households: Households) -> None:
    """Households every Estonian population has, whatever the seed: a family with a newborn,
    a single parent, people of working age living alone, a widow(er), students."""
    b = households.b
    households.couple([b.birth_date(6), b.newborn_date()])
    households.single_parent([b.birth_date(9)])
    for age in (34, 45, 52):
        households.single_adult(age)
    households.widowed(84)
    households.couple([b.birth_date(20), b.birth_date(16)], students_move_out=True)
