"""Fixtures of the registry-event tests: the catalogue and demo population, the register's
events client, and POSTing an event as it would."""

from typing import Any

import pytest
from django.test import Client

from lifegate.catalogue.loader import load_catalogue
from lifegate.catalogue.models import PublicOrganisation
from lifegate.journeys import agency, events
from lifegate.journeys.tests.events.support import IMMEDIATE, NOT_IN_REGISTER, SEED, URL, Post
from lifegate.registries.demo_loader import load_demo_population
from lifegate.registries.models import RegisteredPerson


@pytest.fixture(autouse=True)
def immediate_tasks(settings: Any) -> None:
    """Tasks run at once, so each test sees the journeys an event starts; the durable path
    (accepted now, processed by the worker) has its own tests below."""
    settings.TASKS = IMMEDIATE


@pytest.fixture
def register(db: None) -> None:
    """The catalogue and the test-sized demo population."""
    load_catalogue()
    load_demo_population(seed=SEED)
    assert not RegisteredPerson.objects.filter(bsn=NOT_IN_REGISTER).exists()


@pytest.fixture
def token(register: None) -> str:
    """The credential of the population register's events client."""
    rvig = PublicOrganisation.objects.get(slug="rvig")
    client, secret = agency.create_client(rvig, "brp", ["events"])
    return agency.bearer_token(client, secret)


@pytest.fixture
def post(client: Client, token: str) -> Post:
    """POST an event (structured mode unless `binary`) with the register's credential."""

    def send(event: Any, *, binary: bool = False, credential: str | None = None) -> Any:
        message = events.binary(event) if binary else events.structured(event)
        headers = {k: v for k, v in message.headers.items() if k != "content-type"}
        return client.post(
            URL,
            data=message.body,
            content_type=message.headers["content-type"],
            headers=headers | {"Authorization": f"Bearer {credential or token}"},
        )

    return send
