"""The population register interface: what every adapter (embedded, or a real register such as
the Dutch BRP API) returns and offers. Values are frozen dataclasses, never ORM objects, so no
caller can reach past the adapter into its storage."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Protocol, runtime_checkable

ADULT_AGE = 18


def age_in_years(date_of_birth: date, day: date) -> int:
    """Completed years between birth and `day` (someone born on 29 February ages on 1 March)."""
    had_birthday = (day.month, day.day) >= (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - (0 if had_birthday else 1)


@dataclass(frozen=True)
class Address:
    """A person's current Dutch residential address."""

    street: str
    house_number: int
    house_number_addition: str
    postcode: str
    city: str
    municipality: str
    since: date | None = None

    @property
    def street_line(self) -> str:
        """Street, number and addition as written on an envelope ("Kerkstraat 12A")."""
        return f"{self.street} {self.house_number}{self.house_number_addition}"


@dataclass(frozen=True)
class Person:
    """A person as the population register knows them, with relations as BSN tuples."""

    bsn: str
    given_names: str
    name_prefix: str
    family_name: str
    gender: str
    date_of_birth: date
    place_of_birth: str
    country_of_birth: str
    nationality: str
    resident: bool
    address: Address | None = None
    date_of_death: date | None = None
    eidas_person_identifier: str | None = None
    parents: tuple[str, ...] = ()
    children: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    parental_authority_holders: tuple[str, ...] = ()

    @property
    def family_name_with_prefix(self) -> str:
        """The family name as used in address lines and eIDAS: "van der Berg"."""
        return " ".join(part for part in (self.name_prefix, self.family_name) if part)

    @property
    def full_name(self) -> str:
        """Given names, prefix and family name: "Jan Pieter van der Berg"."""
        return " ".join(part for part in (self.given_names, self.family_name_with_prefix) if part)

    @property
    def first_given_name(self) -> str:
        """The first of the given names, as used in greetings."""
        return self.given_names.split(" ", 1)[0]

    def age_on(self, day: date) -> int:
        """Age in completed years on `day`."""
        return age_in_years(self.date_of_birth, day)

    def is_minor_on(self, day: date) -> bool:
        """True when the person is under 18 on `day`."""
        return self.age_on(day) < ADULT_AGE

    def is_alive_on(self, day: date) -> bool:
        """True when the person was born by `day` and had not died before it."""
        born = self.date_of_birth <= day
        return born and (self.date_of_death is None or self.date_of_death >= day)


@runtime_checkable
class PopulationRegister(Protocol):
    """What lifegate needs from a population register. Methods never log: the service layer
    (`lifegate.registries.services`) records every read of personal data."""

    def get_person(self, bsn: str, *, family: bool = True) -> Person | None:
        """The person with this BSN, or None (also for a malformed BSN). With `family=False`
        only the person's own registration (no parents, children, partners or authority
        holders): cheaper, for callers that need a name, a birth or an address."""
        ...

    def get_person_by_eidas(self, person_identifier: str, *, family: bool = True) -> Person | None:
        """The person linked to this eIDAS PersonIdentifier (XX/NL/id), or None; `family` as
        for `get_person`."""
        ...

    def children_of(self, bsn: str) -> list[Person]:
        """The registered children of the person, oldest first."""
        ...

    def registered(self, bsns: Collection[str], eidas_identifiers: Collection[str]) -> set[str]:
        """Which of these BSNs and eIDAS PersonIdentifiers belong to a registered person: one
        question for a whole batch (a bulk send checks 10,000 recipients at once)."""
        ...

    def parents_of(self, bsn: str) -> list[Person]:
        """The registered legal parents of the person."""
        ...

    def parental_authority_holders(self, child_bsn: str) -> list[Person]:
        """The persons holding parental authority over the child (none for adults)."""
        ...

    def holds_parental_authority(self, parent_bsn: str, child_bsn: str) -> bool:
        """Whether the parent holds parental authority over the child today (never over an
        adult): the authorisation decision asks this on every request, so it is one question."""
        ...

    def match_eidas(
        self, person_identifier: str, family_name: str, given_name: str, date_of_birth: date
    ) -> Person | None:
        """The one person matching the eIDAS mandatory attributes, or None when no person or
        more than one person matches, or when a known identifier comes with other attributes.
        Matching says who the person is: the answer carries their own registration only, no
        family relations (as `get_person(..., family=False)`)."""
        ...
