"""The embedded population register: the `PopulationRegister` interface on lifegate's own
tables, used when no real register is connected (demo, tests, pilots)."""

from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace
from datetime import date
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from lifegate.core.subject import bsn_is_valid
from lifegate.registries.adapters import ADULT_AGE, Address, Person, age_in_years
from lifegate.registries.demo_builder import years_before
from lifegate.registries.matching import (
    is_eidas_identifier,
    same_national_identity,
    single_match,
)
from lifegate.registries.models import (
    ParentChildRelation,
    Partnership,
    RegisteredAddress,
    RegisteredPerson,
)
from lifegate.registries.models.person import NATIONAL_PART_START


def _person_queryset(family: bool = True) -> QuerySet[RegisteredPerson]:
    # One query for persons and addresses plus one per relation kind, however many persons.
    own = RegisteredPerson.objects.select_related("address")
    if not family:
        return own
    relations = ParentChildRelation.objects.order_by("child__date_of_birth", "id")
    partnerships = Partnership.objects.filter(ended_on__isnull=True).order_by("id")
    return own.prefetch_related(
        Prefetch("parent_relations", queryset=relations.select_related("parent")),
        Prefetch("child_relations", queryset=relations.select_related("child")),
        Prefetch("partnerships_as_first", queryset=partnerships.select_related("second_partner")),
        Prefetch("partnerships_as_second", queryset=partnerships.select_related("first_partner")),
    )


def _own_rows(condition: str, params: Sequence[Any]) -> list[RegisteredPerson]:
    """Persons with their addresses (no family) meeting `condition`, an SQL condition on the
    person table `p`, in one SELECT written out here once. Same rows as
    `_person_queryset(family=False)`: a single-person read is on the path of every login,
    evidence request and match, and the ORM's compilation of that query costs several times
    the query itself."""
    with connection.cursor() as cursor:
        cursor.execute(_own_select() + condition, params)
        rows = cursor.fetchall()
    person_names, address_names = _own_columns()
    split = len(person_names)
    people = []
    for values in rows:
        person = RegisteredPerson.from_db(connection.alias, person_names, values[:split])
        address_values = values[split:]
        # The address's own id is the first address column: None when there is no address.
        person.address = (
            RegisteredAddress.from_db(connection.alias, address_names, address_values)
            if address_values[0] is not None
            else None
        )
        people.append(person)
    return people


@cache
def _own_columns() -> tuple[list[str], list[str]]:
    """The attribute names of the person and address columns `_own_select` reads, in order."""
    return (
        [f.attname for f in RegisteredPerson._meta.concrete_fields],
        [f.attname for f in RegisteredAddress._meta.concrete_fields],
    )


@cache
def _own_select() -> str:
    quote = connection.ops.quote_name
    person = [f"p.{quote(str(f.column))}" for f in RegisteredPerson._meta.concrete_fields]
    address = [f"a.{quote(str(f.column))}" for f in RegisteredAddress._meta.concrete_fields]
    address_key = quote(str(RegisteredPerson._meta.get_field("address").column))
    return (
        f"SELECT {', '.join(person + address)} "  # noqa: S608 (names from the models)
        f"FROM {quote(RegisteredPerson._meta.db_table)} p "
        f"LEFT JOIN {quote(RegisteredAddress._meta.db_table)} a ON a.id = p.{address_key} "
        "WHERE "
    )


def _national_part() -> str:
    """The SQL of the indexed expression `registries_person_eidas_nat` (the national part of
    the eIDAS identifier), spelled as each database's index has it, so the index is used."""
    function = "SUBSTRING" if connection.vendor == "postgresql" else "SUBSTR"
    return f"{function}(p.eidas_person_identifier, {NATIONAL_PART_START})"


def _address(row: RegisteredPerson) -> Address | None:
    place: RegisteredAddress | None = row.address
    if place is None:
        return None
    return Address(
        street=place.street,
        house_number=place.house_number,
        house_number_addition=place.house_number_addition,
        postcode=place.postcode,
        city=place.city,
        municipality=place.municipality,
        since=row.address_since,
    )


def _authority_holders(row: RegisteredPerson, today: date) -> tuple[str, ...]:
    # Parental authority ends when the child comes of age, whatever the stored flag says.
    if age_in_years(row.date_of_birth, today) >= ADULT_AGE:
        return ()
    links = row.parent_relations.all()
    return tuple(link.parent.bsn for link in links if link.has_parental_authority)


def _partners(row: RegisteredPerson) -> tuple[str, ...]:
    firsts = [p.second_partner.bsn for p in row.partnerships_as_first.all()]
    seconds = [p.first_partner.bsn for p in row.partnerships_as_second.all()]
    return tuple(firsts + seconds)


def to_person(row: RegisteredPerson, today: date, family: bool = True) -> Person:
    """The frozen `Person` value of a row fetched with `_person_queryset(family)`; without
    `family`, its relations are left empty."""
    own = _own_registration(row)
    if not family:
        return own
    return replace(
        own,
        parents=tuple(link.parent.bsn for link in row.parent_relations.all()),
        children=tuple(link.child.bsn for link in row.child_relations.all()),
        partners=_partners(row),
        parental_authority_holders=_authority_holders(row, today),
    )


def _own_registration(row: RegisteredPerson) -> Person:
    return Person(
        bsn=row.bsn,
        given_names=row.given_names,
        name_prefix=row.name_prefix,
        family_name=row.family_name,
        gender=row.gender,
        date_of_birth=row.date_of_birth,
        place_of_birth=row.place_of_birth,
        country_of_birth=row.country_of_birth,
        nationality=row.nationality,
        resident=row.resident,
        address=_address(row),
        date_of_death=row.date_of_death,
        eidas_person_identifier=row.eidas_person_identifier,
    )


def _registered_values(field: str, values: list[str]) -> list[str]:
    """Those of `values` that a registered person has in `field` (a unique column)."""
    if connection.vendor == "postgresql":
        # One array parameter instead of one parameter per value: for a bulk send's 10,000
        # recipients, the driver and the server spend several times longer on an IN list.
        quote = connection.ops.quote_name
        columns = {f.name: str(f.column) for f in RegisteredPerson._meta.concrete_fields}
        column = quote(columns[field])
        table = quote(RegisteredPerson._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {column} FROM {table} WHERE {column} = ANY(%s)", [values])  # noqa: S608
            return [value for (value,) in cursor.fetchall()]
    found: list[str] = []
    for start in range(0, len(values), 5000):  # SQLite limits query parameters
        rows = RegisteredPerson.objects.filter(**{f"{field}__in": values[start : start + 5000]})
        found += rows.values_list(field, flat=True)
    return found


class EmbeddedPopulationRegister:
    """`PopulationRegister` backed by the `registries` tables."""

    def _people(self, rows: Iterable[RegisteredPerson], family: bool = True) -> list[Person]:
        today = timezone.localdate()
        return [to_person(row, today, family) for row in rows]

    def _one(self, field: str, value: str, family: bool = True) -> Person | None:
        """The person whose `field` (a unique column) is `value`, or None."""
        if family:
            rows: Iterable[RegisteredPerson] = _person_queryset().filter(**{field: value})[:1]
        else:
            rows = _own_rows(f"p.{connection.ops.quote_name(field)} = %s", [value])
        people = self._people(rows, family)
        return people[0] if people else None

    def get_person(self, bsn: str, *, family: bool = True) -> Person | None:
        """The person with this BSN, or None (also for a malformed BSN)."""
        if not bsn_is_valid(bsn):
            return None
        return self._one("bsn", bsn, family)

    def get_person_by_eidas(self, person_identifier: str, *, family: bool = True) -> Person | None:
        """The person linked to this eIDAS PersonIdentifier, or None."""
        if not is_eidas_identifier(person_identifier):
            return None
        return self._one("eidas_person_identifier", person_identifier, family)

    def registered(self, bsns: Collection[str], eidas_identifiers: Collection[str]) -> set[str]:
        """Which of these BSNs and eIDAS PersonIdentifiers belong to a registered person."""
        found: set[str] = set()
        for field, values in (("bsn", bsns), ("eidas_person_identifier", eidas_identifiers)):
            if values:
                found.update(_registered_values(field, sorted(set(values))))
        return found

    def children_of(self, bsn: str) -> list[Person]:
        """The registered children of the person, oldest first."""
        rows = _person_queryset().filter(parent_relations__parent__bsn=bsn)
        return self._people(rows.order_by("date_of_birth", "id"))

    def parents_of(self, bsn: str) -> list[Person]:
        """The registered legal parents of the person."""
        rows = _person_queryset().filter(child_relations__child__bsn=bsn)
        return self._people(rows.order_by("id"))

    def parental_authority_holders(self, child_bsn: str) -> list[Person]:
        """The persons holding parental authority over the child (none once it is an adult)."""
        child = self.get_person(child_bsn)
        if child is None or not child.parental_authority_holders:
            return []
        rows = _person_queryset().filter(bsn__in=child.parental_authority_holders)
        return self._people(rows.order_by("id"))

    def holds_parental_authority(self, parent_bsn: str, child_bsn: str) -> bool:
        """One query: the parent's link to a child born less than ADULT_AGE years ago."""
        return ParentChildRelation.objects.filter(
            parent__bsn=parent_bsn,
            child__bsn=child_bsn,
            has_parental_authority=True,
            child__date_of_birth__gt=years_before(timezone.localdate(), ADULT_AGE),
        ).exists()

    def match_eidas(
        self, person_identifier: str, family_name: str, given_name: str, date_of_birth: date
    ) -> Person | None:
        """The one person matching the eIDAS mandatory attributes, or None."""
        if not is_eidas_identifier(person_identifier):
            return None
        linked = self._linked(person_identifier)
        known = [p for p in linked if p.eidas_person_identifier == person_identifier]
        if known:
            return single_match(known, family_name, given_name, date_of_birth)
        if linked:
            return single_match(linked, family_name, given_name, date_of_birth)
        # Not linked yet: only records without another eIDAS identity can be this person.
        rows = _own_rows(
            "p.eidas_person_identifier IS NULL AND p.date_of_birth = %s ORDER BY p.id",
            [date_of_birth],
        )
        return single_match(
            self._people(rows, family=False), family_name, given_name, date_of_birth
        )

    def _linked(self, person_identifier: str) -> list[Person]:
        """In one query: the person linked to exactly this identifier, and persons registered
        with the same national identity for another receiving country (an Estonian resident
        known here as EE/EE/<id>, asked for by the Dutch node as EE/NL/<id>)."""
        issuer, _receiver, national = person_identifier.split("/", 2)
        rows = _own_rows(
            f"p.eidas_person_identifier = %s OR ({_national_part()} = %s"
            " AND p.eidas_person_identifier LIKE %s) ORDER BY p.id",
            [person_identifier, national, f"{issuer}/%"],
        )
        return [
            p
            for p in self._people(rows, family=False)
            if same_national_identity(p.eidas_person_identifier or "", person_identifier)
        ]
