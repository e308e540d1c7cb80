"""Whom a registry event concerns: the people a proactive journey is started for, read from
the population register (each read recorded in the person's processing log, under the
purpose `journeys.proactive.<event type>`).

A person the register does not know (or no longer knows: they left it after the event was
accepted) concerns no one: the targets are then empty. `events` refuses such an event when it
arrives; `event_processing` starts a journey for each target."""

from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from lifegate.core.subject import Subject
from lifegate.journeys import services
from lifegate.registries.adapters import Person
from lifegate.registries.services import read_children, read_person
from lifegate.transparency.services import Actor

EVENTS_ACTOR = Actor(kind="system")


@dataclass(frozen=True)
class Target:
    """One journey to start: for whom, about whom, in which relation."""

    subject: Subject
    related: Subject | None = None
    relation: str = ""
    # Answers the register already gives (a life event keeps those it asks for).
    answers: dict[str, Any] = field(default_factory=dict)


def read_event_person(bsn: str, event_type: str) -> Person | None:
    """The person with `bsn` as the register knows them (None when it does not), the read
    recorded for the event type's purpose."""
    return read_person(
        Subject("bsn", bsn),
        actor=EVENTS_ACTOR,
        activity=services.PLAN_ACTIVITY,
        purpose_name=f"journeys.proactive.{event_type}",
    )


def birth_targets(child_bsn: str, event_type: str) -> list[Target]:
    """Each parent with parental authority over the newborn."""
    child = read_event_person(child_bsn, event_type)
    if child is None:
        return []
    related = Subject("bsn", child.bsn)
    return [
        Target(Subject("bsn", holder), related, "child")
        for holder in child.parental_authority_holders
    ]


def death_targets(deceased_bsn: str, event_type: str) -> list[Target]:
    """The living registered partners and the living adult children of the deceased."""
    deceased = read_event_person(deceased_bsn, event_type)
    if deceased is None:
        return []
    related = Subject("bsn", deceased.bsn)
    today = timezone.localdate()
    died = {"date_of_death": deceased.date_of_death.isoformat()} if deceased.date_of_death else {}
    targets = []
    for partner_bsn in deceased.partners:
        partner = read_event_person(partner_bsn, event_type)
        if partner is not None and partner.date_of_death is None:
            answers = {"relation": "partner", **died}
            targets.append(Target(Subject("bsn", partner.bsn), related, "partner", answers))
    children = read_children(
        related,
        actor=EVENTS_ACTOR,
        activity=services.PLAN_ACTIVITY,
        purpose_name=f"journeys.proactive.{event_type}",
    )
    for child in children:
        if child.date_of_death is None and not child.is_minor_on(today):
            answers = {"relation": "parent", **died}
            targets.append(Target(Subject("bsn", child.bsn), related, "parent", answers))
    return targets


def address_targets(bsn: str, event_type: str) -> list[Target]:
    """The person who moved."""
    person = read_event_person(bsn, event_type)
    return [] if person is None else [Target(Subject("bsn", person.bsn))]
