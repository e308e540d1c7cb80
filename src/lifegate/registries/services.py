# PLACEHOLDER — the registries building block replaces this file; the signatures below are the contract.
from dataclasses import dataclass
from datetime import date

from lifegate.core.subject import Subject
from lifegate.transparency.services import Actor


@dataclass(frozen=True)
class DemoPersona:
    key: str
    label_en: str
    label_nl: str
    subject: Subject
    max_loa: str
    given_name: str
    family_name: str
    date_of_birth: date
    nationality: str
    eidas_person_identifier: str | None = None


def read_person(subject: Subject, *, actor: Actor, activity: str, purpose_name: str):  # type: ignore[no-untyped-def]
    return None


def demo_personas() -> list[DemoPersona]:
    return []
