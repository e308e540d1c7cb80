"""The cross-border people of the demo federation, a Dutch and an Estonian lifegate node that
exchange evidence: three Estonians coming to live in the Netherlands and three Dutch residents
moving to Estonia.

Both nodes compute them from the same seed, whatever the size of their own population, so both
registers hold the same names and dates of birth and the providing node's eIDAS matching
(PersonIdentifier, family name, given name, date of birth) finds the person the requesting node
knows. Who is registered where:

    node  Estonians                                    Dutch movers
    NL    non-residents, eIDAS "EE/NL/<id>"            residents: BSN, a Dutch address
    EE    residents, "EE/EE/<id>", an Estonian address non-residents, "NL/EE/<id>"
"""

import random
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date, timedelta

from faker import Faker

from lifegate.registries.demo_builder import (
    CLASSIC_NAMES_BORN_BEFORE,
    DemoAddress,
    DemoPerson,
    DemoPopulation,
    estonian_address,
    years_before,
)
from lifegate.registries.demo_sources import (
    CLASSIC_GIVEN_NAMES,
    ESTONIAN_MUNICIPALITIES,
    MOVERS_MUNICIPALITIES,
    MUNICIPALITIES,
    POSTCODE_LETTERS,
    STREET_STEMS,
    STREET_SUFFIXES,
    UNUSED_POSTCODE_PAIRS,
    Municipality,
    dutch_family_names,
    test_range_bsns,
)
from lifegate.registries.matching import normalise_name

PEOPLE_PER_DIRECTION = 3
FEDERATION_SIZE = 2 * PEOPLE_PER_DIRECTION
# The national part of a federation person's PersonIdentifier starts with this. The generator's
# identifiers ("DEMO" and hex digits) never do, so persona finders tell the two apart.
FEDERATION_ID_PREFIX = "DEMO-"
EARLIEST_BIRTH = date(1966, 1, 1)
LATEST_BIRTH = date(2000, 12, 31)
# Weights of the Estonian personal code's check digit (isikukood, standard EVS 585).
CHECK_WEIGHTS = ((1, 2, 3, 4, 5, 6, 7, 8, 9, 1), (3, 4, 5, 6, 7, 8, 9, 1, 2, 3))

NameKey = tuple[str, str, date]


def name_key(family_name_with_prefix: str, given_names: str, date_of_birth: date) -> NameKey:
    """What eIDAS attribute matching compares: two persons with equal keys are ambiguous."""
    return normalise_name(family_name_with_prefix), normalise_name(given_names), date_of_birth


@dataclass(frozen=True)
class FederationPerson:
    """A citizen of one node's country moving to the other's, as both registers know them."""

    nationality: str
    destination: str
    national_identifier: str  # the <id> of the eIDAS PersonIdentifier; clearly not a real one
    given_names: str
    name_prefix: str
    family_name: str
    gender: str
    date_of_birth: date
    place_of_birth: str

    @property
    def family_name_with_prefix(self) -> str:
        """As eIDAS CurrentFamilyName carries it: "van der Berg"."""
        return " ".join(part for part in (self.name_prefix, self.family_name) if part)

    def eidas_identifier(self, receiving_country: str) -> str:
        """The PersonIdentifier the person's country issues for `receiving_country`."""
        return f"{self.nationality}/{receiving_country}/{self.national_identifier}"

    def name_key(self) -> NameKey:
        """The attributes that must single this person out in a register."""
        return name_key(self.family_name_with_prefix, self.given_names, self.date_of_birth)


def federation_people(
    seed: int, taken: Collection[NameKey] = frozenset()
) -> tuple[FederationPerson, ...]:
    """The Estonians moving to the Netherlands, then the Dutch moving to Estonia: the same for
    the same seed. A person whose names and date of birth are in `taken` (the node's generated
    population) or equal another federation person's is drawn again, deterministically, so
    attribute matching finds exactly one person."""
    used = set(taken)
    people = []
    for nationality, destination in (("EE", "NL"), ("NL", "EE")):
        for slot in range(PEOPLE_PER_DIRECTION):
            person = _unused_person(seed, nationality, destination, slot, used)
            used.add(person.name_key())
            people.append(person)
    return tuple(people)


def _unused_person(
    seed: int, nationality: str, destination: str, slot: int, used: set[NameKey]
) -> FederationPerson:
    # Each slot and attempt has its own stream: a clash changes nobody else.
    attempt = 0
    while True:
        rng = random.Random(f"lifegate-federation/{seed}/{nationality}/{slot}/{attempt}")  # noqa: S311 - reproducible demo data
        person = _draw(rng, nationality, destination)
        if person.name_key() not in used:
            return person
        attempt += 1


def _draw(rng: random.Random, nationality: str, destination: str) -> FederationPerson:
    gender = rng.choice(("male", "female"))
    born = EARLIEST_BIRTH + timedelta(days=rng.randint(0, (LATEST_BIRTH - EARLIEST_BIRTH).days))
    if nationality == "EE":
        # Estonian rather than Russian names: Faker's lists mix them, and their genders.
        prefix, family = "", _faker("et_EE", rng).last_name_est()
        given = _estonian_given_names(rng, gender)
        place = rng.choice(ESTONIAN_MUNICIPALITIES).city
        identifier = FEDERATION_ID_PREFIX + demo_personal_code(rng, gender, born)
    else:
        prefix, family = rng.choice(dutch_family_names())
        given = _dutch_given_names(rng, gender, born)
        place = rng.choice(MUNICIPALITIES).city
        identifier = f"{FEDERATION_ID_PREFIX}{rng.getrandbits(64):016X}"
    return FederationPerson(
        nationality=nationality,
        destination=destination,
        national_identifier=identifier,
        given_names=given,
        name_prefix=prefix,
        family_name=str(family),
        gender=gender,
        date_of_birth=born,
        place_of_birth=place,
    )


def _faker(locale: str, rng: random.Random) -> Faker:
    fake = Faker(locale)
    fake.seed_instance(rng.getrandbits(64))
    return fake


def _estonian_given_names(rng: random.Random, gender: str) -> str:
    fake = _faker("et_EE", rng)
    draw = fake.first_name_male_est if gender == "male" else fake.first_name_female_est
    names = [str(draw())]
    if rng.random() < 0.3:
        second = str(draw())
        names += [second] if second not in names else []
    return " ".join(names)


def _dutch_given_names(rng: random.Random, gender: str, born: date) -> str:
    fake = _faker("nl_NL", rng)
    modern = fake.first_name_male if gender == "male" else fake.first_name_female
    count = rng.choices((1, 2, 3), weights=(40, 45, 15))[0]
    names: list[str] = []
    while len(names) < count:
        classic = born.year < CLASSIC_NAMES_BORN_BEFORE
        name = rng.choice(CLASSIC_GIVEN_NAMES[gender]) if classic else str(modern())
        names += [name] if name not in names else []
    return " ".join(names)


def demo_personal_code(rng: random.Random, gender: str, born: date) -> str:
    """An 11-digit number shaped like an Estonian personal code (GYYMMDDSSSC: century and
    gender, date of birth, serial, check digit). Only ever used after FEDERATION_ID_PREFIX."""
    century = 3 if born.year < 2000 else 5
    first = century + (0 if gender == "male" else 1)
    digits = f"{first}{born:%y%m%d}{rng.randint(0, 999):03d}"
    return digits + str(_check_digit(digits))


def _check_digit(digits: str) -> int:
    for weights in CHECK_WEIGHTS:
        remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
        if remainder < 10:
            return remainder
    return 0


# The node's register


def with_federation_people(population: DemoPopulation, seed: int, country: str) -> DemoPopulation:
    """`population`, a node's generated one, followed by the federation people as the register
    of `country` ("NL" or "EE") holds them: its own citizens as residents with an address of
    their own, the other country's as non-residents known by their eIDAS identity. Their BSNs
    (internal register numbers on the Estonian node) are test-range numbers the population
    left unused."""
    taken = {name_key(_with_prefix(p), p.given_names, p.date_of_birth) for p in population.persons}
    people = federation_people(seed, taken)
    bsns = _unused_bsns(population, seed, country, len(people))
    rng = random.Random(f"lifegate-federation/{seed}/{country}/homes")  # noqa: S311 - reproducible demo data
    addresses = list(population.addresses)
    address_keys = {_address_key(a) for a in addresses}
    persons = list(population.persons)
    for person, bsn in zip(people, bsns, strict=True):
        row = _register_row(person, bsn, country)
        if person.nationality == country:
            home = _new_home(rng, len(addresses) - len(population.addresses), country, address_keys)
            addresses.append(home)
            since = years_before(person.date_of_birth, -rng.randint(20, 25))
            row = replace(row, address=len(addresses) - 1, address_since=since)
        persons.append(row)
    return replace(population, persons=tuple(persons), addresses=tuple(addresses))


def _with_prefix(person: DemoPerson) -> str:
    return " ".join(part for part in (person.name_prefix, person.family_name) if part)


def _register_row(person: FederationPerson, bsn: str, country: str) -> DemoPerson:
    resident = person.nationality == country
    # On the Dutch node a Dutch resident logs in with DigiD (BSN), not through eIDAS.
    identifier = None if country == "NL" == person.nationality else person.eidas_identifier(country)
    return DemoPerson(
        bsn=bsn,
        given_names=person.given_names,
        name_prefix=person.name_prefix,
        family_name=person.family_name,
        gender=person.gender,
        date_of_birth=person.date_of_birth,
        place_of_birth=person.place_of_birth,
        country_of_birth=person.nationality,
        nationality=person.nationality,
        resident=resident,
        eidas_person_identifier=identifier,
    )


def _unused_bsns(population: DemoPopulation, seed: int, country: str, count: int) -> list[str]:
    used = {person.bsn for person in population.persons}
    unused = [bsn for bsn in test_range_bsns() if bsn not in used]
    if len(unused) < count:
        raise ValueError(f"the population leaves fewer than {count} test-range BSNs unused")
    rng = random.Random(f"lifegate-federation/{seed}/{country}/bsn")  # noqa: S311 - not secret
    return rng.sample(unused, count)


def _address_key(address: DemoAddress) -> tuple[str, int, str]:
    return address.postcode, address.house_number, address.house_number_addition


def _new_home(
    rng: random.Random, index: int, country: str, taken: set[tuple[str, int, str]]
) -> DemoAddress:
    while True:
        if country == "NL":
            # Each mover in a town of their own that the generator never uses.
            home = _dutch_address(rng, MOVERS_MUNICIPALITIES[index % len(MOVERS_MUNICIPALITIES)])
        else:
            weights = [m.weight for m in ESTONIAN_MUNICIPALITIES]
            home = estonian_address(rng, rng.choices(ESTONIAN_MUNICIPALITIES, weights)[0])
        if _address_key(home) not in taken:
            taken.add(_address_key(home))
            return home


def _dutch_address(rng: random.Random, place: Municipality) -> DemoAddress:
    letters = "SA"
    while letters in UNUSED_POSTCODE_PAIRS:
        letters = "".join(rng.choices(POSTCODE_LETTERS, k=2))
    return DemoAddress(
        street=rng.choice(STREET_STEMS) + rng.choice(STREET_SUFFIXES),
        house_number=rng.randint(1, 80),
        house_number_addition="",
        postcode=f"{rng.randint(place.first_postcode, place.last_postcode)} {letters}",
        city=place.city,
        municipality=place.name,
    )
