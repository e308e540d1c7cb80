"""The registries building block's interface for the other building blocks.

Every function that returns personal data records the read with
`lifegate.transparency.services.record_processing` in the same database transaction: the
caller gets no data without a record, and a rolled-back operation leaves no record. A read
that finds nobody is recorded too (the identifier was processed), with status ERROR and no
data categories."""

from collections.abc import Collection, Sequence
from datetime import date
from typing import cast

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from lifegate.core.subject import Subject
from lifegate.registries.adapters import Address, Person, PopulationRegister
from lifegate.registries.demo_loader import load_demo_population
from lifegate.registries.education import Diploma, diplomas_of
from lifegate.registries.personas import DemoPersona, demo_personas
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import Actor, ForeignOperation, record_processing

__all__ = [
    "Address",
    "DemoPersona",
    "Diploma",
    "Person",
    "PopulationRegister",
    "demo_personas",
    "load_demo_population",
    "match_eidas_identity",
    "population_register",
    "read_children",
    "read_diplomas",
    "read_person",
    "read_person_recorded",
    "registered_subjects",
]

PERSON_DATA = (
    "name",
    "gender",
    "date_of_birth",
    "place_of_birth",
    "nationality",
    "address",
    "family_relations",
)
RELATIONS_DATA = ("family_relations",)
OWN_REGISTRATION_DATA = tuple(c for c in PERSON_DATA if c not in RELATIONS_DATA)
EIDAS_MATCHING_DATA = ("name", "date_of_birth", "identifiers")
DIPLOMA_DATA = ("diplomas",)


def population_register() -> PopulationRegister:
    """The adapter named by settings.POPULATION_REGISTER_ADAPTER (default: the embedded one).

    Calling its methods directly does not log; other building blocks use the functions
    below instead."""
    adapter_class = import_string(settings.POPULATION_REGISTER_ADAPTER)
    return cast(PopulationRegister, adapter_class())


def _find(register: PopulationRegister, subject: Subject, family: bool = True) -> Person | None:
    if subject.scheme == "bsn":
        return register.get_person(subject.value, family=family)
    return register.get_person_by_eidas(subject.value, family=family)


def full_name(subject: Subject, register: PopulationRegister | None = None) -> str:
    """The registered person's full name ("" when not registered). Records nothing itself:
    the caller records showing the name, on the person named, as part of what it does."""
    person = _find(register or population_register(), subject, family=False)
    return person.full_name if person else ""


def _record(
    *,
    name: str,
    subject: Subject,
    activity: str,
    actor: Actor,
    categories: Sequence[str],
    found: bool,
    trace_id: str = "",
    parent_span_id: str = "",
    foreign: ForeignOperation | None = None,
) -> ProcessingRecord:
    return record_processing(
        name=name,
        subject=subject,
        activity=activity,
        actor=actor,
        data_categories=categories if found else (),
        started_at=timezone.now(),
        status=ProcessingRecord.Status.OK if found else ProcessingRecord.Status.ERROR,
        trace_id=trace_id,
        parent_span_id=parent_span_id,
        foreign=foreign,
    )


def read_person(
    subject: Subject,
    *,
    actor: Actor,
    activity: str,
    purpose_name: str,
    trace_id: str = "",
    foreign: ForeignOperation | None = None,
    family: bool = True,
) -> Person | None:
    """The person identified by `subject` (a BSN or an eIDAS PersonIdentifier), or None.

    Records one processing record named `purpose_name` for processing activity `activity`
    (an id from the catalogue's register of processing activities), performed by `actor`.
    With `family=False` the family relations are neither read nor recorded as read."""
    person, _record_made = read_person_recorded(
        subject,
        actor=actor,
        activity=activity,
        purpose_name=purpose_name,
        trace_id=trace_id,
        foreign=foreign,
        family=family,
    )
    return person


def read_person_recorded(
    subject: Subject,
    *,
    actor: Actor,
    activity: str,
    purpose_name: str,
    trace_id: str = "",
    foreign: ForeignOperation | None = None,
    family: bool = True,
) -> tuple[Person | None, ProcessingRecord]:
    """`read_person`, also returning its processing record: for an operation whose one
    record is this read (its trace and span identify the operation to other nodes)."""
    with transaction.atomic(savepoint=False):  # joins the caller's; no savepoint needed
        person = _find(population_register(), subject, family)
        record = _record(
            name=purpose_name,
            subject=subject,
            activity=activity,
            actor=actor,
            categories=PERSON_DATA if family else OWN_REGISTRATION_DATA,
            found=person is not None,
            trace_id=trace_id,
            foreign=foreign,
        )
    return person, record


def registered_subjects(subjects: Collection[Subject]) -> set[Subject]:
    """Which of `subjects` are registered persons. Returns no personal data beyond the answer
    "known", so it records nothing itself: the caller records what it then does for each
    known subject (a bulk send records every message it delivers)."""
    register = population_register()
    # Asked per scheme: a value must be registered under the scheme it was given with.
    bsns = register.registered({s.value for s in subjects if s.scheme == "bsn"}, ())
    eidas = register.registered((), {s.value for s in subjects if s.scheme == "eidas"})
    return {s for s in subjects if s.value in (bsns if s.scheme == "bsn" else eidas)}


def read_children(
    subject: Subject, *, actor: Actor, activity: str, purpose_name: str, trace_id: str = ""
) -> list[Person]:
    """The registered children of the person identified by `subject`, oldest first.

    Records the read of the parent's family relations and, in the same trace, one record per
    child whose data is returned (each child sees it in their own processing log)."""
    with transaction.atomic(savepoint=False):  # joins the caller's; no savepoint needed
        register = population_register()
        parent = _find(register, subject)
        children = register.children_of(parent.bsn) if parent else []
        record = _record(
            name=purpose_name,
            subject=subject,
            activity=activity,
            actor=actor,
            categories=RELATIONS_DATA,
            found=parent is not None,
            trace_id=trace_id,
        )
        for child in children:
            _record(
                name=purpose_name,
                subject=Subject("bsn", child.bsn),
                activity=activity,
                actor=actor,
                categories=PERSON_DATA,
                found=True,
                trace_id=record.trace_id,
                parent_span_id=record.span_id,
            )
    return children


def match_eidas_identity(
    person_identifier: str,
    *,
    family_name: str,
    given_name: str,
    date_of_birth: date,
    actor: Actor,
    activity: str,
    purpose_name: str,
    trace_id: str = "",
    foreign: ForeignOperation | None = None,
) -> Person | None:
    """The registered person matching an eIDAS identity on its mandatory attributes
    (PersonIdentifier, CurrentFamilyName, CurrentGivenName, DateOfBirth), or None when no
    person, or more than one, matches. `foreign` links the record to the operation of
    another node that asked for the match.

    Matching is itself a processing step: one record about the eIDAS subject."""
    with transaction.atomic(savepoint=False):  # joins the caller's; no savepoint needed
        register = population_register()
        person = register.match_eidas(person_identifier, family_name, given_name, date_of_birth)
        _record(
            name=purpose_name,
            subject=Subject("eidas", person_identifier),
            activity=activity,
            actor=actor,
            categories=EIDAS_MATCHING_DATA,
            found=person is not None,
            trace_id=trace_id,
            foreign=foreign,
        )
    return person


def read_diplomas(
    subject: Subject, *, actor: Actor, activity: str, purpose_name: str, trace_id: str = ""
) -> list[Diploma]:
    """The diplomas in the education register of the person identified by `subject`, oldest
    first (none for a person who is not registered, or has none).

    Records one processing record named `purpose_name` for processing activity `activity`,
    performed by `actor`, like `read_person`; a person who is not registered gets a record
    with status ERROR and no data categories."""
    with transaction.atomic(savepoint=False):  # joins the caller's; no savepoint needed
        diplomas = diplomas_of(subject)
        _record(
            name=purpose_name,
            subject=subject,
            activity=activity,
            actor=actor,
            categories=DIPLOMA_DATA,
            found=diplomas is not None,
            trace_id=trace_id,
        )
    return diplomas or []
