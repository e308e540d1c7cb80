"""The `exchange` fixture: a service whose requirement can be met by evidence from this node's own
at that service's step for a demo resident, and the resident's subject."""

from dataclasses import dataclass

import pytest

from lifegate.catalogue.models import EvidenceMapping, EvidenceProvider, Requirement
from lifegate.catalogue.tests.factories import (
    add_to_event,
    make_evidence_type,
    make_life_event,
    make_organisation,
    make_requirement,
    make_service,
)
from lifegate.core.subject import Subject
from lifegate.journeys.models import Journey, Step
from lifegate.journeys.plan import Start, start_journey
from lifegate.registries.demo_loader import load_demo_population
from lifegate.registries.personas import demo_personas
from lifegate.registries.tests.conftest import SEED
from lifegate.transparency.services import Actor


@dataclass
class ExchangeFixture:
    journey: Journey
    step: Step
    subject: Subject
    other: Subject
    birth: Requirement
    residence: Requirement

    @property
    def actor(self) -> Actor:
        return Actor(kind="person", subject=self.subject)


@pytest.fixture
def exchange(db: None) -> ExchangeFixture:
    load_demo_population(seed=SEED, size=300)
    personas = {persona.key: persona for persona in demo_personas()}
    subject = personas["resident-substantial"].subject
    other = personas["parent"].subject
    municipality = make_organisation("gemeente-test", "Gemeente Test", "Municipality of Test")
    event = make_life_event("moving-test", "Verhuizen test", "Moving test")
    service = make_service("register-test", municipality, "Inschrijven", "Register")
    add_to_event(event, service, 10)
    birth_type = make_evidence_type("birth-certificate", "Geboorteakte", "Birth certificate")
    residence_type = make_evidence_type(
        "residence-certificate", "Bewijs van inschrijving", "Proof of residence"
    )
    birth = make_requirement(service, "register-test-birth", "Geboorte", "Birth", birth_type)
    residence = make_requirement(
        service, "register-test-residence", "Woonadres", "Residence", residence_type
    )
    for requirement, kind in ((birth, birth_type), (residence, residence_type)):
        EvidenceMapping.objects.create(requirement=requirement, country="NL", evidence_type=kind)
        EvidenceProvider.objects.create(
            evidence_type=kind,
            country="NL",
            node="nl",
            organisation_name_nl="Basisregistratie Personen",
            organisation_name_en="Personal Records Database",
        )
    journey = start_journey(event, Start(subject=subject, actor=Actor("person", subject=subject)))
    step = journey.steps.get(service_slug=service.slug)
    return ExchangeFixture(journey, step, subject, other, birth, residence)


def other_step(exchange: ExchangeFixture) -> Step:
    """Another step in the person's plan, of another service of the same organisation."""
    assert exchange.step.service is not None
    authority = exchange.step.service.competent_authority
    other = make_service("other-test", authority, "Ander", "Other")
    return Step.objects.create(
        journey=exchange.journey,
        service=other,
        service_slug=other.slug,
        name_nl="Ander",
        name_en="Other",
        organisation_nl="Gemeente Test",
        organisation_en="Municipality of Test",
        position=20,
    )
