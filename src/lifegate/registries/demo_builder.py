"""Building blocks of the demo population generator: the generated records, and a builder that
draws names, dates, addresses and BSNs from one seeded `random.Random` and one seeded Faker.
The builder makes the population of one member state's node: the Netherlands by default,
Estonia for the Estonian node of a demo federation."""

import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from faker import Faker

from lifegate.registries.demo_sources import (
    CLASSIC_GIVEN_NAMES,
    ESTONIAN_FLAT_NUMBERS,
    ESTONIAN_MUNICIPALITIES,
    ESTONIAN_STREET_KINDS,
    ESTONIAN_STREET_STEMS,
    ESTONIAN_STUDENT_TOWNS,
    EU_COUNTRIES,
    FAKER_LOCALES,
    HOUSE_NUMBER_ADDITIONS,
    MUNICIPALITIES,
    POSTCODE_LETTERS,
    STREET_STEMS,
    STREET_SUFFIXES,
    STUDENT_CITIES,
    UNUSED_POSTCODE_PAIRS,
    Municipality,
    dutch_family_names,
)

CLASSIC_NAMES_BORN_BEFORE = 1975


@dataclass(frozen=True)
class DemoAddress:
    """A generated address in the node's country."""

    street: str
    house_number: int
    house_number_addition: str
    postcode: str
    city: str
    municipality: str


@dataclass(frozen=True)
class DemoPerson:
    """A generated person; `address` indexes `DemoPopulation.addresses`."""

    bsn: str
    given_names: str
    name_prefix: str
    family_name: str
    gender: str
    date_of_birth: date
    place_of_birth: str
    country_of_birth: str
    nationality: str
    resident: bool = True
    address: int | None = None
    address_since: date | None = None
    date_of_death: date | None = None
    eidas_person_identifier: str | None = None


@dataclass(frozen=True)
class DemoParentChild:
    """A generated parent-child relation."""

    parent_bsn: str
    child_bsn: str
    has_parental_authority: bool


@dataclass(frozen=True)
class DemoPartnership:
    """A generated marriage or registered partnership."""

    first_bsn: str
    second_bsn: str
    kind: str
    started_on: date
    ended_on: date | None = None


@dataclass(frozen=True)
class DemoPopulation:
    """Everything the generator made, in creation order (which the loader keeps)."""

    persons: tuple[DemoPerson, ...]
    addresses: tuple[DemoAddress, ...]
    parent_child: tuple[DemoParentChild, ...]
    partnerships: tuple[DemoPartnership, ...]


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def estonian_address(rng: random.Random, place: Municipality) -> DemoAddress:
    """An Estonian address in `place`: "Kase tänav 12-5, 10115 Tallinn"; in towns most people
    live in flats, whose number follows the house number."""
    street = f"{rng.choice(ESTONIAN_STREET_STEMS)} {rng.choice(ESTONIAN_STREET_KINDS)}"
    low = rng.random() < 0.8
    in_flat = rng.random() < 0.6
    return DemoAddress(
        street=street,
        house_number=rng.randint(1, 30) if low else rng.randint(31, 160),
        house_number_addition=rng.choice(ESTONIAN_FLAT_NUMBERS) if in_flat else "",
        postcode=f"{rng.randint(place.first_postcode, place.last_postcode):05d}",
        city=place.city,
        municipality=place.name,
    )


@dataclass
class PopulationBuilder:
    """Accumulates persons, addresses and relations; every draw is deterministic from `seed`.
    `country` is the member state whose register this is ("NL" or "EE"): where residents
    live, and the receiving country of the eIDAS identifiers it hands out."""

    seed: int
    today: date
    bsns: list[str]
    persons: list[DemoPerson] = field(default_factory=list)
    addresses: list[DemoAddress] = field(default_factory=list)
    parent_child: list[DemoParentChild] = field(default_factory=list)
    partnerships: list[DemoPartnership] = field(default_factory=list)
    country: str = "NL"

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)  # noqa: S311 - reproducible demo data, not secrets
        self.fake = Faker(FAKER_LOCALES)
        self.fake.seed_instance(self.seed)
        self._address_keys: set[tuple[str, int, str]] = set()

    def population(self) -> DemoPopulation:
        """The frozen result."""
        return DemoPopulation(
            tuple(self.persons),
            tuple(self.addresses),
            tuple(self.parent_child),
            tuple(self.partnerships),
        )

    # Dates

    def birth_date(self, age: int) -> date:
        """A date of birth making the person exactly `age` today."""
        latest = years_before(self.today, age)
        earliest = years_before(self.today, age + 1) + timedelta(days=1)
        return earliest + timedelta(days=self.rng.randint(0, (latest - earliest).days))

    def newborn_date(self) -> date:
        """A date of birth between three days and five months ago."""
        return self.today - timedelta(days=self.rng.randint(3, 150))

    def day_between(self, earliest: date, latest: date) -> date:
        """A day in [earliest, latest]; `latest` when the range is empty."""
        span = (latest - earliest).days
        return latest if span <= 0 else earliest + timedelta(days=self.rng.randint(0, span))

    # Names

    def given_names(self, gender: str, nationality: str, born: date) -> str:
        """One to three given names fitting the nationality and generation."""
        count = self.rng.choices(
            (1, 2, 3), weights=(40, 45, 15) if nationality == "NL" else (70, 30, 0)
        )[0]
        names: list[str] = []
        while len(names) < count:
            name = self._given_name(gender, nationality, born)
            if name not in names:
                names.append(name)
        return " ".join(names)

    def _given_name(self, gender: str, nationality: str, born: date) -> str:
        if nationality == "NL" and born.year < CLASSIC_NAMES_BORN_BEFORE:
            return self.rng.choice(CLASSIC_GIVEN_NAMES[gender])
        faker = self.fake[self._locale(nationality)]
        return faker.first_name_male() if gender == "male" else faker.first_name_female()

    def family_name(self, nationality: str) -> tuple[str, str]:
        """(prefix, family name): Dutch names often carry a prefix such as "van der"."""
        if nationality == "NL":
            return self.rng.choice(dutch_family_names())
        return "", self.fake[self._locale(nationality)].last_name()

    def _locale(self, nationality: str) -> str:
        return "nl_NL" if nationality == "NL" else EU_COUNTRIES[nationality].faker_locale

    def place_of_birth(self, country: str) -> str:
        """A real town in the country of birth."""
        if country == "NL":
            return self.rng.choice(MUNICIPALITIES).city
        if country == self.country == "EE":
            return self.rng.choice(ESTONIAN_MUNICIPALITIES).city
        return self.rng.choice(EU_COUNTRIES[country].cities)

    def eidas_identifier(self, country: str) -> str:
        """A PersonIdentifier issued by `country` for this register's country; clearly not a
        real one."""
        return f"{country}/{self.country}/DEMO{self.rng.getrandbits(48):012X}"

    # Addresses

    def municipality(self, among: frozenset[str] | None = None) -> Municipality:
        """A municipality, larger ones more often; optionally only those named in `among`."""
        everywhere = MUNICIPALITIES if self.country == "NL" else ESTONIAN_MUNICIPALITIES
        options = [m for m in everywhere if among is None or m.name in among]
        return self.rng.choices(options, weights=[m.weight for m in options])[0]

    def university_town(self) -> Municipality:
        """A municipality with a university, where students rent a room."""
        return self.municipality(STUDENT_CITIES if self.country == "NL" else ESTONIAN_STUDENT_TOWNS)

    def new_address(self, municipality: Municipality | None = None) -> int:
        """A new, unique address; returns its index."""
        place = municipality or self.municipality()
        while True:
            candidate = self._address_in(place)
            key = (candidate.postcode, candidate.house_number, candidate.house_number_addition)
            if key not in self._address_keys:
                self._address_keys.add(key)
                self.addresses.append(candidate)
                return len(self.addresses) - 1

    def _address_in(self, place: Municipality) -> DemoAddress:
        if self.country == "EE":
            return estonian_address(self.rng, place)
        # Most houses have low numbers; one in seven has an addition (12A, 12-1).
        low = self.rng.random() < 0.75
        has_addition = self.rng.random() < 0.15
        postcode = self.rng.randint(place.first_postcode, place.last_postcode)
        return DemoAddress(
            street=self._street(),
            house_number=self.rng.randint(1, 40) if low else self.rng.randint(41, 350),
            house_number_addition=self.rng.choice(HOUSE_NUMBER_ADDITIONS) if has_addition else "",
            postcode=f"{postcode} {self._letters()}",
            city=place.city,
            municipality=place.name,
        )

    def _street(self) -> str:
        if self.rng.random() < 0.3:
            return str(self.fake["nl_NL"].street_name())
        return self.rng.choice(STREET_STEMS) + self.rng.choice(STREET_SUFFIXES)

    def _letters(self) -> str:
        while True:
            pair = "".join(self.rng.choices(POSTCODE_LETTERS, k=2))
            if pair not in UNUSED_POSTCODE_PAIRS:
                return pair

    # Persons and relations

    def new_person(
        self,
        *,
        gender: str,
        born: date,
        nationality: str,
        family: tuple[str, str],
        address: int | None,
        since: date | None = None,
        country_of_birth: str | None = None,
        place_of_birth: str | None = None,
    ) -> DemoPerson:
        """A person with the next unused test-range BSN and generated given names."""
        country = country_of_birth or nationality
        person = DemoPerson(
            bsn=self.bsns[len(self.persons)],
            given_names=self.given_names(gender, nationality, born),
            name_prefix=family[0],
            family_name=family[1],
            gender=gender,
            date_of_birth=born,
            place_of_birth=place_of_birth or self.place_of_birth(country),
            country_of_birth=country,
            nationality=nationality,
            address=address,
            address_since=None if address is None else max(since or born, born),
        )
        self.persons.append(person)
        return person

    def replace_person(self, person: DemoPerson, **changes: object) -> DemoPerson:
        """Change a kept person (for instance: record a death); returns the new value."""
        index = self.persons.index(person)
        self.persons[index] = replace(person, **changes)  # type: ignore[arg-type]
        return self.persons[index]

    def add_parent(self, parent: DemoPerson, child: DemoPerson, authority: bool) -> None:
        """Record that `parent` is a legal parent of `child`."""
        self.parent_child.append(DemoParentChild(parent.bsn, child.bsn, authority))

    def add_partnership(
        self, first: DemoPerson, second: DemoPerson, started: date, ended: date | None = None
    ) -> None:
        """A marriage (four in five) or registered partnership between two persons."""
        kind = "marriage" if self.rng.random() < 0.8 else "registered"
        self.partnerships.append(DemoPartnership(first.bsn, second.bsn, kind, started, ended))
