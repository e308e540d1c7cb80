"""Shared fixtures of the mandates tests: the demo personas, a small catalogue with two
agencies, and the people around the personas (a parent's minor child, a student's parent)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from lifegate.catalogue.tests.factories import (
    add_to_event,
    make_life_event,
    make_organisation,
    make_service,
)
from lifegate.core.subject import Subject
from lifegate.mandates import services
from lifegate.mandates.scopes import Scope
from lifegate.registries.demo_loader import load_demo_population
from lifegate.registries.personas import DemoPersona, demo_personas
from lifegate.registries.services import population_register
from lifegate.registries.tests.conftest import SEED
from lifegate.transparency.services import Actor

MUNICIPALITY = "gemeente-test"
TAX_OFFICE = "belasting-test"
BIRTH_SERVICE = "birth-registration-test"
TAX_SERVICE = "income-tax-test"
BIRTH_EVENT = "birth-test"


@dataclass(frozen=True)
class Catalogue:
    """Slugs of the test catalogue: a municipality's birth service in the life event "birth",
    and the tax office's income tax service outside it."""

    municipality: str = MUNICIPALITY
    tax_office: str = TAX_OFFICE
    birth_service: str = BIRTH_SERVICE
    tax_service: str = TAX_SERVICE
    birth_event: str = BIRTH_EVENT


@pytest.fixture(autouse=True)
def notice_sender(db: None) -> None:
    """The organisation that tells principals about their mandates (settings)."""
    make_organisation(settings.MANDATES_NOTICE_SENDER, "Logius", "Logius")


@pytest.fixture
def personas(db: None) -> dict[str, DemoPersona]:
    load_demo_population(seed=SEED)
    return {persona.key: persona for persona in demo_personas()}


@pytest.fixture
def catalogue(db: None) -> Catalogue:
    municipality = make_organisation(MUNICIPALITY, "Gemeente Test", "Municipality Test")
    tax_office = make_organisation(TAX_OFFICE, "Belasting Test", "Tax Test")
    birth = make_service(BIRTH_SERVICE, municipality, "Geboorteaangifte", "Birth registration")
    make_service(TAX_SERVICE, tax_office, "Inkomstenbelasting", "Income tax")
    add_to_event(make_life_event(BIRTH_EVENT, "Geboorte", "Birth"), birth, 1)
    return Catalogue()


@pytest.fixture
def minor_child(personas: dict[str, DemoPersona]) -> Subject:
    """A minor child of the "parent" persona, who holds parental authority over it."""
    parent = personas["parent"].subject.value
    children = population_register().children_of(parent)
    today = timezone.localdate()
    child = next(
        c for c in children if c.is_minor_on(today) and parent in c.parental_authority_holders
    )
    return Subject("bsn", child.bsn)


@pytest.fixture
def parent_of_student(personas: dict[str, DemoPersona]) -> Subject:
    """A parent of the "student" persona, an adult: no parental authority any more."""
    parents = population_register().parents_of(personas["student"].subject.value)
    return Subject("bsn", parents[0].bsn)


def grant_active(
    principal: Subject,
    representative: Subject | None,
    scopes: Sequence[Scope],
    valid_from: date,
    valid_until: date,
    actor: Actor,
) -> services.Granted:
    """`services.grant`, and for a named representative their acceptance: active mandates,
    as most tests need them. (A code invitation stays waiting for its code.)"""
    granted = services.grant(principal, representative, scopes, valid_from, valid_until, actor)
    if representative is None:
        return granted
    accepted = services.accept_offer(granted.mandates[0].pk, representative, person(representative))
    return services.Granted(mandates=accepted, invitation_code="")


def person(subject: Subject) -> Actor:
    """`subject` acting in their own portal session."""
    return Actor(kind="person", subject=subject)


def period(days: int = 30) -> tuple[date, date]:
    """From today for `days` days."""
    today = timezone.localdate()
    return today, today + timedelta(days=days)
