"""Facts about a person for plan rules and form prefill, read from the registries.

The shape is `lifegate.catalogue.rules.FACT_SCHEMA` exactly (a test holds it to that). Every
read goes through `registries.services`, which records it in the processing log under the
processing activity the caller names: the plan's for building a plan, the service's for
prefilling its form."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from lifegate.core.subject import Subject
from lifegate.registries.adapters import Person, age_in_years
from lifegate.registries.services import read_children, read_person
from lifegate.transparency.services import Actor

# Member states of the EU (ISO 3166-1 alpha-2), for `person.is_eu_citizen`.
EU_MEMBER_STATES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)
# What can be read: the person, their partner, their children, the related person.
ALL_PARTS = frozenset({"person", "partner", "children", "related"})
# Which parts a fact path needs (paths outside these need no register read).
PARTS_OF_FACT = {
    "person": {"person"},
    "partner": {"person", "partner"},
    "children": {"children"},
    "minor_children": {"children"},
    "related": {"related"},
}


def parts_for(paths: Iterable[str]) -> frozenset[str]:
    """The register parts the fact paths need, e.g. {"person"} for `person.full_name`."""
    needed: set[str] = set()
    for path in paths:
        needed |= PARTS_OF_FACT.get(path.split(".", 1)[0], set())
    return frozenset(needed)


# The Dutch state pension (AOW) age for people born from 1960 on: 67 years and 3 months.
STATE_PENSION_AGE_MONTHS = 67 * 12 + 3


@dataclass(frozen=True)
class FactRead:
    """Who reads the facts, for what, and about whom besides the person."""

    actor: Actor
    activity: str
    purpose_name: str
    trace_id: str = ""

    def as_kwargs(self) -> dict[str, Any]:
        return {
            "actor": self.actor,
            "activity": self.activity,
            "purpose_name": self.purpose_name,
            "trace_id": self.trace_id,
        }


def _read(subject: Subject, read: FactRead) -> Person | None:
    return read_person(subject, **read.as_kwargs())


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate_day)
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - day 28 exists in every month


def person_facts(person: Person | None, today: date) -> dict[str, Any]:
    """The `person` facts; an unknown person (not in the register) has empty values."""
    if person is None:
        return {
            "bsn": "",
            "full_name": "",
            "given_names": "",
            "family_name": "",
            "date_of_birth": "",
            "age": 0,
            "nationality": "",
            "is_dutch": False,
            "is_eu_citizen": False,
            "is_resident": False,
            "has_partner": False,
            "state_pension_date": "",
            "address": {"street_line": "", "postcode": "", "city": "", "municipality": ""},
        }
    address = person.address
    return {
        "bsn": person.bsn,
        "full_name": person.full_name,
        "given_names": person.given_names,
        "family_name": person.family_name_with_prefix,
        "date_of_birth": _iso(person.date_of_birth),
        "age": person.age_on(today),
        "nationality": person.nationality,
        "is_dutch": person.nationality == "NL",
        "is_eu_citizen": person.nationality in EU_MEMBER_STATES,
        "is_resident": person.resident,
        "has_partner": bool(person.partners),
        "state_pension_date": _iso(_add_months(person.date_of_birth, STATE_PENSION_AGE_MONTHS)),
        "address": {
            "street_line": address.street_line if address else "",
            "postcode": address.postcode if address else "",
            "city": address.city if address else "",
            "municipality": address.municipality if address else "",
        },
    }


def related_facts(person: Person | None, relation: str, today: date) -> dict[str, Any]:
    """The `related` facts: the newborn child or the deceased the journey is about."""
    if person is None:
        return {
            "exists": False,
            "bsn": "",
            "full_name": "",
            "date_of_birth": "",
            "date_of_death": "",
            "age": 0,
            "relation": relation,
        }
    last_day = person.date_of_death or today
    return {
        "exists": True,
        "bsn": person.bsn,
        "full_name": person.full_name,
        "date_of_birth": _iso(person.date_of_birth),
        "date_of_death": _iso(person.date_of_death),
        "age": max(age_in_years(person.date_of_birth, last_day), 0),
        "relation": relation,
    }


def read_facts(
    subject: Subject,
    read: FactRead,
    *,
    today: date,
    answers: dict[str, Any],
    related: Subject | None = None,
    relation: str = "",
    started_on: date | None = None,
    started_by_registry: bool = False,
    parts: frozenset[str] = ALL_PARTS,
) -> dict[str, Any]:
    """The facts about `subject` (and the related person), each registry read recorded.

    Only the registers behind `parts` are read (data minimisation: a form that needs the
    person's name does not read their children); the other facts are empty."""
    person = _read(subject, read) if parts & {"person", "partner"} else None
    children = read_children(subject, **read.as_kwargs()) if "children" in parts else []
    partner = None
    if "partner" in parts and person and person.partners:
        partner = _read(Subject("bsn", person.partners[0]), read)
    related_person = _read(related, read) if related is not None and "related" in parts else None
    minors = [child for child in children if child.is_minor_on(today)]
    return {
        "today": today.isoformat(),
        "person": person_facts(person, today),
        "partner": {
            "exists": partner is not None,
            "full_name": partner.full_name if partner else "",
            "age": partner.age_on(today) if partner else 0,
        },
        "children": [
            {
                "full_name": child.full_name,
                "age": child.age_on(today),
                "is_minor": child.is_minor_on(today),
            }
            for child in children
        ],
        "minor_children": len(minors),
        "related": related_facts(related_person, relation, today),
        "journey": {
            "started_on": _iso(started_on or today),
            "started_by_registry": started_by_registry,
        },
        "answers": answers,
    }
