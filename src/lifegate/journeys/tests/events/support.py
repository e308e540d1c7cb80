"""What the registry-event tests share: the register's event source, building events, and
finding the people and journeys they concern."""

import json
from collections.abc import Callable
from typing import Any

from django.test import Client
from django.utils import timezone

from lifegate.core.subject import Subject
from lifegate.journeys import events
from lifegate.journeys.models import Journey, Step
from lifegate.registries.adapters import Person
from lifegate.registries.models import RegisteredPerson
from lifegate.registries.services import population_register
from lifegate.transparency.services import subject_hash

SEED = 20261122
URL = "/api/events/"
SOURCE = "urn:nld:oin:00000001800000002000:systeem:brp"
NOT_IN_REGISTER = "999999990"  # a valid test-range BSN the demo population never uses

Post = Callable[..., Any]

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
DURABLE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def post_raw(client: Client, token: str, body: Any, content_type: str) -> Any:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(
        URL, data=data, content_type=content_type, headers={"Authorization": f"Bearer {token}"}
    )


def birth(child_bsn: str, event_id: str = "birth-1") -> Any:
    return events.registry_event(events.BIRTH_REGISTERED, child_bsn, SOURCE, event_id)


def people(condition: Callable[[Person], bool]) -> list[Person]:
    register = population_register()
    rows = RegisteredPerson.objects.order_by("id").values_list("bsn", flat=True)
    found = (register.get_person(bsn) for bsn in rows)
    return [person for person in found if person is not None and condition(person)]


def newborn_of_two() -> Person:
    """A child under one whose two parents both hold parental authority."""
    today = timezone.localdate()
    return people(lambda p: p.age_on(today) == 0 and len(p.parental_authority_holders) == 2)[0]


def journeys_of(bsn: str, slug: str) -> list[Journey]:
    hashed = subject_hash(Subject("bsn", bsn))
    return list(Journey.objects.filter(subject_hash=hashed, life_event_slug=slug))


def step_status(journey: Journey, slug: str) -> str:
    return journey.steps.get(service_slug=slug).status


# What the register reported is not asked of the person again: the step is done.
NOT_ASKED = (Step.Status.DONE,)


def assert_problem(response: Any, status: int, problem_type: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith("/" + problem_type), body
    return body
