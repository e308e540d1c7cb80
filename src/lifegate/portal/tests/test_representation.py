"""The home page while acting for someone: that person's page, with only what the decision
point allows, and the read recorded on them with the representative as actor."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lifegate.catalogue.models import LifeEvent
from lifegate.catalogue.tests.factories import (
    add_to_event,
    make_life_event,
    make_organisation,
    make_service,
)
from lifegate.core.subject import Subject
from lifegate.journeys import services as journeys
from lifegate.journeys.models import Journey
from lifegate.journeys.tests.test_pages import log_in
from lifegate.mandates import services as mandates
from lifegate.mandates.models import Mandate
from lifegate.mandates.scopes import Scope
from lifegate.mandates.tests.conftest import grant_active
from lifegate.registries.demo_loader import load_demo_population
from lifegate.registries.personas import DemoPersona, demo_personas
from lifegate.registries.services import population_register
from lifegate.registries.tests.conftest import SEED
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import Actor, subject_hash

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def notice_sender(db: None) -> None:
    """Principals are told about their mandates by this organisation (settings)."""
    make_organisation(settings.MANDATES_NOTICE_SENDER, "Logius", "Logius")


@pytest.fixture
def personas(db: None) -> dict[str, DemoPersona]:
    load_demo_population(seed=SEED)
    return {persona.key: persona for persona in demo_personas()}


@pytest.fixture
def events(db: None) -> tuple[LifeEvent, LifeEvent]:
    """Two life events with a service each: moving and retiring."""
    municipality = make_organisation("gemeente-test", "Gemeente Test", "Municipality Test")
    moving = make_life_event("moving-test", "Verhuizen", "Moving")
    retiring = make_life_event("retiring-test", "Met pensioen", "Retiring")
    add_to_event(moving, make_service("register-move-test", municipality), 1)
    add_to_event(retiring, make_service("pension-test", municipality), 1)
    return moving, retiring


def _start(event: LifeEvent, subject: Subject) -> Journey:
    actor = Actor(kind="person", subject=subject)
    return journeys.start_journey(event, journeys.Start(subject=subject, actor=actor))


def _grant(principal: DemoPersona, representative: DemoPersona, scope: Scope) -> Mandate:
    today = timezone.localdate()
    granted = grant_active(
        principal.subject,
        representative.subject,
        [scope],
        today,
        today + timedelta(days=30),
        Actor(kind="person", subject=principal.subject),
    )
    return granted.mandates[0]


def _act_for(client: Client, persona: DemoPersona, principal: Subject) -> None:
    log_in(client, persona)
    client.cookies["django_language"] = "en"
    response = client.post(reverse("mandates:choose"), {"person": subject_hash(principal)})
    assert response.status_code == 302


def _home(client: Client) -> str:
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    return response.content.decode()


def _journey_link(journey: Journey) -> str:
    return reverse("journeys:journey", args=[journey.pk])


def test_a_parent_sees_the_page_of_their_minor_child(
    client: Client, events: tuple[LifeEvent, LifeEvent], personas: dict[str, DemoPersona]
) -> None:
    parent = personas["parent"]
    today = timezone.localdate()
    register = population_register()
    child = next(
        c
        for c in register.children_of(parent.subject.value)
        if c.is_minor_on(today) and parent.subject.value in c.parental_authority_holders
    )
    child_subject = Subject("bsn", child.bsn)
    journey = _start(events[0], child_subject)
    _act_for(client, parent, child_subject)

    html = _home(client)

    assert f"The page of {child.full_name}" in html
    assert _journey_link(journey) in html
    assert 'id="section-messages"' in html
    for own in ("credentials", "mandates", "transparency"):
        assert f'id="section-{own}"' not in html
    assert child.bsn not in html
    record = ProcessingRecord.objects.get(name="portal.home")
    assert record.data_subject_hash == subject_hash(child_subject)
    assert record.actor_hash == subject_hash(parent.subject)
    assert record.on_behalf_of_hash == subject_hash(child_subject)


def test_a_life_event_mandate_shows_only_that_life_events_plan_and_no_message_box(
    client: Client, events: tuple[LifeEvent, LifeEvent], personas: dict[str, DemoPersona]
) -> None:
    principal, representative = personas["elderly"], personas["student"]
    moving, retiring = events
    covered, other = _start(moving, principal.subject), _start(retiring, principal.subject)
    _grant(principal, representative, Scope("life-event", moving.slug))
    _act_for(client, representative, principal.subject)

    html = _home(client)

    assert _journey_link(covered) in html
    assert _journey_link(other) not in html
    assert 'id="journeys-limited"' in html
    assert 'id="section-messages"' not in html
    assert principal.family_name in html


def test_an_inbox_mandate_shows_the_message_box_and_no_plans(
    client: Client, events: tuple[LifeEvent, LifeEvent], personas: dict[str, DemoPersona]
) -> None:
    principal, representative = personas["elderly"], personas["student"]
    journey = _start(events[0], principal.subject)
    _grant(principal, representative, Scope("inbox-read"))
    _act_for(client, representative, principal.subject)

    html = _home(client)

    assert 'id="section-messages"' in html
    assert _journey_link(journey) not in html
    assert ProcessingRecord.objects.filter(
        name="portal.home", data_subject_hash=subject_hash(principal.subject)
    ).exists()


def test_after_the_mandate_ends_the_page_reads_nothing_of_the_principal(
    client: Client, events: tuple[LifeEvent, LifeEvent], personas: dict[str, DemoPersona]
) -> None:
    principal, representative = personas["elderly"], personas["student"]
    journey = _start(events[0], principal.subject)
    mandate = _grant(principal, representative, Scope("life-event", events[0].slug))
    _act_for(client, representative, principal.subject)
    mandates.end(mandate.pk, principal.subject, Actor(kind="person", subject=principal.subject))

    html = _home(client)

    assert _journey_link(journey) not in html
    assert 'id="section-messages"' not in html
    assert not ProcessingRecord.objects.filter(
        name="portal.home", actor_hash=subject_hash(representative.subject)
    ).exists()


def test_ones_own_page_is_unchanged_by_the_mandates_one_holds(
    client: Client, events: tuple[LifeEvent, LifeEvent], personas: dict[str, DemoPersona]
) -> None:
    principal, representative = personas["elderly"], personas["student"]
    _start(events[0], principal.subject)
    own = _start(events[1], representative.subject)
    _grant(principal, representative, Scope("inbox-read"))
    log_in(client, representative)
    client.cookies["django_language"] = "en"

    html = _home(client)

    assert f"Welcome, {representative.given_name}" in html
    assert _journey_link(own) in html
    assert 'id="section-mandates"' in html and 'id="journeys-limited"' not in html
    record = ProcessingRecord.objects.get(name="portal.home")
    assert record.data_subject_hash == subject_hash(representative.subject)
    assert record.on_behalf_of_hash == ""
