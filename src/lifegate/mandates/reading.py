"""What a person reads about their mandates: the mandates they gave and received with the other
person's name, and what others did on their behalf, by whom.

Names come from the population register; every read is recorded for the person and for each
person named, like the rest of the building block."""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from lifegate.catalogue.models import ProcessingActivity, PublicOrganisation
from lifegate.core.subject import Subject
from lifegate.mandates.models import Mandate
from lifegate.mandates.services import (
    ACTIVITY,
    mandates_for,
    principal_of,
    representative_of,
)
from lifegate.registries.services import full_name, population_register
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import Actor, record_processing, subject_hash

ON_BEHALF_PAGE_SIZE = 50


@dataclass(frozen=True)
class Listed:
    """A mandate with the name of the other person in it: the representative of a mandate
    given (empty while its invitation is not accepted), the principal of one received."""

    mandate: Mandate
    name: str


@dataclass(frozen=True)
class Overview:
    """A person's mandates with names, newest first."""

    given: list[Listed]
    received: list[Listed]


@dataclass(frozen=True)
class DoneOnBehalf:
    """One operation someone else did on the person's behalf: what, for which processing
    activity and organisation (names in the active language), and by whom (empty: unknown)."""

    record: ProcessingRecord
    activity: str
    organisation: str
    by: str


@dataclass(frozen=True)
class OnBehalfPage:
    """One page of `DoneOnBehalf`, newest first."""

    entries: list[DoneOnBehalf]
    number: int
    has_next: bool


def standing(mandate: Mandate, today: date | None = None) -> str:
    """Where the mandate stands today: "invited", "scheduled" (starts later), "active",
    "expired" or "ended"."""
    day = today or timezone.localdate()
    if mandate.status != Mandate.Status.ACTIVE:
        return str(mandate.status)
    if mandate.valid_until < day:
        return "expired"
    return "scheduled" if mandate.valid_from > day else "active"


def _record_shown(name: str, subject: Subject, named: list[Subject], actor: Actor) -> None:
    """Record that `subject`'s mandate data was shown, and the name of each of `named`."""
    with transaction.atomic():
        record_processing(
            name=name, subject=subject, activity=ACTIVITY, actor=actor, data_categories=("mandate",)
        )
        for other in named:
            record_processing(
                name=name,
                subject=other,
                activity=ACTIVITY,
                actor=actor,
                data_categories=("name", "mandate"),
            )


def overview(subject: Subject, actor: Actor) -> Overview:
    """The mandates `subject` gave and received, each with the other person's name from the
    population register. Records the read for `subject` and for every person named."""
    mine = mandates_for(subject)
    register = population_register()
    names: dict[Subject, str] = {}

    def name_of(other: Subject | None) -> str:
        if other is None:
            return ""
        if other not in names:
            names[other] = full_name(other, register)
        return names[other]

    # A representative's name shows once they accepted: a BSN typed in by the principal does
    # not turn into a name before its owner agrees (withdrawing the offer does not either).
    given = [
        Listed(mandate, name_of(representative_of(mandate)) if mandate.agreed else "")
        for mandate in mine.given
    ]
    received = [Listed(mandate, name_of(principal_of(mandate))) for mandate in mine.received]
    _record_shown("mandates.overview", subject, [s for s, n in names.items() if n], actor)
    return Overview(given=given, received=received)


def _on_behalf_records(subject: Subject) -> QuerySet[ProcessingRecord]:
    key = subject_hash(subject)
    return (
        ProcessingRecord.objects.filter(data_subject_hash=key, on_behalf_of_hash=key)
        .exclude(actor_hash=key)
        .exclude(actor_hash="")
    )


def _representatives(subject: Subject, wanted: set[str]) -> dict[str, tuple[Subject, str]]:
    """Who of `wanted` (actor hashes) may have acted for `subject`, with their name: the
    representatives of the mandates `subject` gave, and their parents (parental authority,
    now or while `subject` was a minor)."""
    found: dict[str, tuple[Subject, str]] = {}
    register = population_register()
    given = Mandate.objects.filter(
        principal_hash=subject_hash(subject), representative_hash__in=wanted
    )
    for mandate in given:
        representative = representative_of(mandate)
        if representative is not None and mandate.representative_hash not in found:
            name = full_name(representative, register)
            found[mandate.representative_hash] = (representative, name)
    if subject.scheme == "bsn" and wanted - found.keys():
        parents = [
            *register.parental_authority_holders(subject.value),
            *register.parents_of(subject.value),
        ]
        for parent in parents:
            parent_subject = Subject("bsn", parent.bsn)
            key = subject_hash(parent_subject)
            if key in wanted:
                found.setdefault(key, (parent_subject, parent.full_name))
    return found


def _names[M: (ProcessingActivity, PublicOrganisation)](
    model: type[M], slugs: set[str]
) -> dict[str, str]:
    return {found.slug: found.name for found in model._default_manager.filter(slug__in=slugs)}


def done_on_behalf_of(
    subject: Subject, actor: Actor, page: int = 1, size: int = ON_BEHALF_PAGE_SIZE
) -> OnBehalfPage:
    """Page `page` (from 1) of what others did with `subject`'s data on their behalf, newest
    first, each with the name of whoever did it when they are one of `subject`'s
    representatives. Records the read, and the name of every representative shown."""
    number = max(page, 1)
    start = (number - 1) * size
    rows = list(_on_behalf_records(subject)[start : start + size + 1])
    records = rows[:size]
    by = _representatives(subject, {record.actor_hash for record in records})
    activities = _names(ProcessingActivity, {r.processing_activity_id for r in records})
    organisations = _names(PublicOrganisation, {r.organisation for r in records})
    entries = [
        DoneOnBehalf(
            record=record,
            activity=activities.get(record.processing_activity_id, record.processing_activity_id),
            organisation=organisations.get(record.organisation, record.organisation),
            by=by[record.actor_hash][1] if record.actor_hash in by else "",
        )
        for record in records
    ]
    named = [shown for shown, name in by.values() if name]
    _record_shown("mandates.on-my-behalf", subject, named, actor)
    return OnBehalfPage(entries=entries, number=number, has_next=len(rows) > size)
