"""Shared fixtures: the demo population (generated, or loaded into the embedded register),
and an actor reading it."""

from datetime import date

import pytest
from django.conf import settings

from lifegate.registries.demo import generate_demo_population
from lifegate.registries.demo_builder import DemoPopulation
from lifegate.registries.demo_loader import load_demo_population
from lifegate.registries.embedded import EmbeddedPopulationRegister
from lifegate.registries.personas import DemoPersona, demo_personas
from lifegate.transparency.services import Actor

TODAY = date(2026, 11, 22)
SEED = 20261122


@pytest.fixture(scope="session")
def population() -> DemoPopulation:
    """The test-sized demo population (300 persons), generated once per test session."""
    return generate_demo_population(SEED, settings.DEMO_POPULATION_SIZE, today=TODAY)


@pytest.fixture(scope="session")
def large_population() -> DemoPopulation:
    """The default-sized demo population (1,200 persons)."""
    return generate_demo_population(SEED, 1200, today=TODAY)


@pytest.fixture
def loaded(db: None) -> int:
    """The test-sized demo population in the embedded register; returns the number of persons."""
    return load_demo_population(seed=SEED)


@pytest.fixture
def personas(loaded: int) -> dict[str, DemoPersona]:
    """The demo personas by key."""
    return {persona.key: persona for persona in demo_personas()}


@pytest.fixture
def embedded_register() -> EmbeddedPopulationRegister:
    """The embedded adapter."""
    return EmbeddedPopulationRegister()


@pytest.fixture
def agency_actor() -> Actor:
    """A municipality reading the register for one of its services."""
    return Actor(kind="agency", organisation="gemeente-utrecht")
