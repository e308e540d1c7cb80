"""A small life event with plan rules, and the demo population, for the plan engine's tests."""

from dataclasses import dataclass

import pytest

from lifegate.catalogue.models import EventService, FormField, LifeEvent, LifeEventQuestion
from lifegate.catalogue.tests.factories import (
    add_to_event,
    make_life_event,
    make_organisation,
    make_service,
)
from lifegate.registries.demo_loader import load_demo_population
from lifegate.registries.personas import DemoPersona, demo_personas
from lifegate.registries.tests.conftest import SEED
from lifegate.transparency.services import Actor


@dataclass
class PlanFixture:
    event: LifeEvent
    register: EventService
    benefit: EventService
    passport: EventService
    info: EventService


@pytest.fixture
def plan(db: None) -> PlanFixture:
    """ "Moving with children": register the move (with a deadline), then a benefit that waits
    for it and applies only with minor children, a passport only when travelling abroad, and
    a self-service step."""
    municipality = make_organisation("gemeente-test", "Gemeente Test", "Municipality of Test")
    agency = make_organisation("svb-test", "SVB Test", "SVB Test")
    event = make_life_event("moving-test", "Verhuizen test", "Moving test")
    LifeEventQuestion.objects.create(
        life_event=event, key="move_date", kind="date", label_nl="Datum", label_en="Date"
    )
    LifeEventQuestion.objects.create(
        life_event=event,
        key="travel_abroad",
        kind="yes-no",
        required=False,
        label_nl="Reist u naar het buitenland?",
        label_en="Are you travelling abroad?",
    )
    register = add_to_event(event, make_service("register-move", municipality), 10)
    register.deadline_days, register.deadline_from = 5, "answers.move_date"
    register.reason_nl, register.reason_en = "Iedereen die verhuist.", "Everyone who moves."
    register.save()
    FormField.objects.create(
        service=register.service,
        key="name",
        label_nl="Naam",
        label_en="Name",
        prefill="person.full_name",
    )
    FormField.objects.create(
        service=register.service,
        key="postcode",
        kind="postcode",
        label_nl="Nieuwe postcode",
        label_en="New postcode",
    )
    FormField.objects.create(
        service=register.service,
        key="move_date",
        kind="date",
        label_nl="Verhuisdatum",
        label_en="Moving date",
        prefill="answers.move_date",
    )
    benefit = add_to_event(event, make_service("benefit-test", agency), 20)
    benefit.rule = "minor_children > 0"
    benefit.reason_nl, benefit.reason_en = "Omdat u kinderen hebt.", "Because you have children."
    benefit.skip_reason_nl = "U hebt geen kinderen onder 18."
    benefit.skip_reason_en = "You have no children under 18."
    benefit.save()
    benefit.depends_on.add(register)
    FormField.objects.create(
        service=benefit.service, key="iban", kind="iban", label_nl="IBAN", label_en="IBAN"
    )
    passport = add_to_event(event, make_service("passport-test", municipality), 30)
    passport.rule = "answers.travel_abroad"
    passport.skip_reason_nl, passport.skip_reason_en = "U reist niet.", "You are not travelling."
    passport.save()
    info = add_to_event(event, make_service("info-test", agency), 40)
    info.step_kind = "self-service"
    info.save()
    return PlanFixture(event, register, benefit, passport, info)


@pytest.fixture
def personas(db: None) -> dict[str, DemoPersona]:
    load_demo_population(seed=SEED)
    return {persona.key: persona for persona in demo_personas()}


def person_actor(persona: DemoPersona) -> Actor:
    return Actor(kind="person", subject=persona.subject)
