"""Generates the demo population of the embedded register: households of Dutch residents and
EU citizens living in the Netherlands, and non-resident EU citizens who log in through eIDAS.
Deterministic from the seed: the same seed, size and day always give the same population.
`Households` also builds the Estonian node's residents (`demo_estonia`)."""

import random
from datetime import date, timedelta

from django.utils import timezone

from lifegate.registries.adapters import ADULT_AGE, age_in_years
from lifegate.registries.demo_builder import (
    DemoPerson,
    DemoPopulation,
    PopulationBuilder,
    years_before,
)
from lifegate.registries.demo_sources import (
    EU_COUNTRIES,
    RESIDENT_EU_NATIONALITIES,
    test_range_bsns,
)

MINIMUM_SIZE = 30
LARGEST_HOUSEHOLD = 5
# The non-resident EU citizens every population has: the eIDAS login personas.
EIDAS_PERSONA_COUNTRIES = ("DE", "EE", "ES")
HOUSEHOLD_WEIGHTS = {
    "family": 26,
    "couple": 14,
    "single": 18,
    "elderly_couple": 11,
    "widowed": 9,
    "single_parent": 7,
    "student": 6,
    "non_resident": 3,
}


class Households:
    """Adds whole households (people, a shared address, relations) to a `PopulationBuilder`,
    in the builder's country: its own nationals unless a household says otherwise."""

    def __init__(
        self, builder: PopulationBuilder, weights: dict[str, int] = HOUSEHOLD_WEIGHTS
    ) -> None:
        self.b = builder
        self.rng = builder.rng
        self.today = builder.today
        self.home = builder.country
        self.weights = weights

    def _moved_in(self, youngest_adult_age: int, nationality: str) -> date:
        longest = max(0, min(25 if nationality == self.home else 8, youngest_adult_age - 20))
        return self.b.day_between(years_before(self.today, longest), self.today)

    def _gender(self) -> str:
        return self.rng.choice(("male", "female"))

    def _years_after(self, day: date, years: int) -> date:
        return years_before(day, -years)

    def _parent_age(self, oldest_child_age: int | None) -> int:
        if oldest_child_age is None:
            return self.rng.randint(25, 64)
        return oldest_child_age + self.rng.randint(24, 36)

    def couple(
        self,
        child_births: list[date],
        nationality: str | None = None,
        students_move_out: bool | None = None,
        first_age: int | None = None,
    ) -> tuple[DemoPerson, DemoPerson]:
        """Two partners at one address with their children (0-3), oldest child first."""
        nationality = nationality or self.home
        births = sorted(child_births)
        oldest_age = age_in_years(births[0], self.today) if births else None
        if first_age is None:
            first_age = self._parent_age(oldest_age)
        second_age = max(first_age + self.rng.randint(-5, 2), (oldest_age or 0) + 19)
        since = self._moved_in(min(first_age, second_age), nationality)
        address = self.b.new_address()
        # About one in thirty couples is two women (duo-motherhood); the rest a man and a woman.
        genders = ("female", "female") if self.rng.random() < 0.03 else ("male", "female")
        partners = tuple(
            self.b.new_person(
                gender=gender,
                born=self.b.birth_date(age),
                nationality=nationality,
                family=self.b.family_name(nationality),
                address=address,
                since=since,
            )
            for gender, age in zip(genders, (first_age, second_age), strict=True)
        )
        first, second = partners
        if self.rng.random() < 0.75:
            earliest = self._years_after(max(first.date_of_birth, second.date_of_birth), 20)
            self.b.add_partnership(
                first, second, self.b.day_between(earliest, births[0] if births else self.today)
            )
        family = (first.name_prefix, first.family_name)
        for born in births:
            self._child(born, (first, second), family, address, since, students_move_out)
        return first, second

    def _child(
        self,
        born: date,
        parents: tuple[DemoPerson, ...],
        family: tuple[str, str],
        address: int,
        since: date,
        students_move_out: bool | None,
    ) -> DemoPerson:
        age = age_in_years(born, self.today)
        leaves = students_move_out if students_move_out is not None else self.rng.random() < 0.6
        if age >= ADULT_AGE and leaves:
            address = self.b.new_address(self.b.university_town())
            since = self.b.day_between(self._years_after(born, ADULT_AGE), self.today)
        nationality = parents[0].nationality
        born_here = born >= since
        child = self.b.new_person(
            gender=self._gender(),
            born=born,
            nationality=nationality,
            family=family,
            address=address,
            since=since,
            country_of_birth=self.home if born_here or nationality == self.home else nationality,
            place_of_birth=self.b.addresses[address].city if born_here else None,
        )
        for parent in parents:
            self.b.add_parent(parent, child, authority=age < ADULT_AGE)
        return child

    def single_adult(self, age: int, nationality: str | None = None) -> DemoPerson:
        """Someone living alone."""
        nationality = nationality or self.home
        return self.b.new_person(
            gender=self._gender(),
            born=self.b.birth_date(age),
            nationality=nationality,
            family=self.b.family_name(nationality),
            address=self.b.new_address(),
            since=self._moved_in(age, nationality),
        )

    def widowed(self, age: int) -> DemoPerson:
        """Someone living alone whose spouse died in the last ten years."""
        survivor = self.single_adult(age)
        born = self.b.birth_date(age + self.rng.randint(-3, 6))
        gender = "female" if survivor.gender == "male" else "male"
        partner = self.b.new_person(
            gender=gender,
            born=born,
            nationality=self.home,
            family=self.b.family_name(self.home),
            address=None,
        )
        died = self.b.day_between(years_before(self.today, 10), self.today - timedelta(days=30))
        partner = self.b.replace_person(partner, date_of_death=died)
        married = self.b.day_between(self._years_after(born, 20), self._years_after(born, 32))
        self.b.add_partnership(survivor, partner, married, ended=died)
        return survivor

    def elderly_couple(self) -> None:
        """Two partners of 65 or over."""
        self.couple([], nationality=self.home, first_age=self.rng.randint(66, 92))

    def single_parent(self, child_births: list[date], nationality: str | None = None) -> DemoPerson:
        """One parent, the only one registered, with parental authority over the children."""
        nationality = nationality or self.home
        births = sorted(child_births)
        age = self._parent_age(age_in_years(births[0], self.today))
        gender = "female" if self.rng.random() < 0.8 else "male"
        address = self.b.new_address()
        since = self._moved_in(age, nationality)
        parent = self.b.new_person(
            gender=gender,
            born=self.b.birth_date(age),
            nationality=nationality,
            family=self.b.family_name(nationality),
            address=address,
            since=since,
        )
        for born in births:
            self._child(
                born, (parent,), (parent.name_prefix, parent.family_name), address, since, False
            )
        return parent

    def student(self) -> DemoPerson:
        """A student of 18 to 24 living on their own in a university city."""
        born = self.b.birth_date(self.rng.randint(ADULT_AGE, 24))
        return self.b.new_person(
            gender=self._gender(),
            born=born,
            nationality=self.home,
            family=self.b.family_name(self.home),
            address=self.b.new_address(self.b.university_town()),
            since=self.b.day_between(self._years_after(born, ADULT_AGE), self.today),
        )

    def non_resident(self, country: str, with_eidas: bool) -> DemoPerson:
        """An EU citizen registered as a non-resident (RNI): no Dutch address."""
        person = self.b.new_person(
            gender=self._gender(),
            born=self.b.birth_date(self.rng.randint(22, 60)),
            nationality=country,
            family=self.b.family_name(country),
            address=None,
        )
        identifier = self.b.eidas_identifier(country) if with_eidas else None
        return self.b.replace_person(person, resident=False, eidas_person_identifier=identifier)

    def random_children(self) -> list[date]:
        """One to three children of plausible ages, oldest possibly a young adult."""
        count = self.rng.choices((1, 2, 3), weights=(35, 45, 20))[0]
        ages = [self.rng.randint(0, 22)]
        while len(ages) < count and ages[-1] > 0:
            ages.append(max(0, ages[-1] - self.rng.randint(1, 4)))
        return [self.b.birth_date(age) for age in ages]

    def nationality(self) -> str:
        """In the Netherlands: NL for nine in ten households, otherwise an EU member state.
        Elsewhere always the node's own nationality (the source lists are Dutch)."""
        if self.home != "NL":
            return self.home
        return "NL" if self.rng.random() < 0.9 else self.rng.choice(RESIDENT_EU_NATIONALITIES)

    def add_guaranteed(self) -> None:
        """Households every population has, whatever the seed, so the personas always exist."""
        self.couple([self.b.birth_date(6), self.b.newborn_date()])
        self.single_parent([self.b.birth_date(9)])
        for age in (34, 45, 52):
            self.single_adult(age)
        self.widowed(84)
        self.couple([self.b.birth_date(20), self.b.birth_date(16)], students_move_out=True)
        for country in EIDAS_PERSONA_COUNTRIES:
            self.non_resident(country, with_eidas=True)
        self.couple([self.b.birth_date(7), self.b.birth_date(3)], nationality="PL")
        self.single_adult(29, nationality="IT")

    def add_random(self) -> None:
        """One household of a randomly drawn kind."""
        kinds = list(self.weights)
        kind = self.rng.choices(kinds, weights=list(self.weights.values()))[0]
        if kind == "family":
            self.couple(self.random_children(), nationality=self.nationality())
        elif kind == "couple":
            self.couple([], nationality=self.nationality())
        elif kind == "single":
            self.single_adult(self.rng.randint(25, 64), nationality=self.nationality())
        elif kind == "elderly_couple":
            self.elderly_couple()
        elif kind == "widowed":
            self.widowed(self.rng.randint(66, 95))
        elif kind == "single_parent":
            self.single_parent(self.random_children()[-1:])
        elif kind == "student":
            self.student()
        else:
            self.non_resident(
                self.rng.choice(list(EU_COUNTRIES)), with_eidas=self.rng.random() < 0.3
            )


def generate_demo_population(seed: int, size: int, *, today: date | None = None) -> DemoPopulation:
    """A population of exactly `size` persons, the same for the same seed, size and day.

    BSNs are drawn only from the test range 9999xxxxx and pass the elfproef, which limits
    `size` to about 9,000. `today` (default: the local date) anchors ages and dates."""
    pool = test_range_bsns()
    if not MINIMUM_SIZE <= size <= len(pool):
        raise ValueError(f"demo population size must be between {MINIMUM_SIZE} and {len(pool)}")
    bsns = random.Random(seed).sample(pool, size)  # noqa: S311 - reproducible, not secret
    builder = PopulationBuilder(seed=seed, today=today or timezone.localdate(), bsns=bsns)
    households = Households(builder)
    households.add_guaranteed()
    while len(builder.persons) < size:
        if size - len(builder.persons) >= LARGEST_HOUSEHOLD:
            households.add_random()
        else:
            households.single_adult(households.rng.randint(25, 64))
    return builder.population()
