"""Proactive starts: registry CloudEvents POSTed to /api/events/ start journeys."""

import json
from collections.abc import Callable
from datetime import date, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lifegate.catalogue.loader import load_catalogue
from lifegate.catalogue.models import FormField, PublicOrganisation, PublicService
from lifegate.core.subject import Subject
from lifegate.inbox.models import Message
from lifegate.journeys import agency, event_processing, events, services
from lifegate.journeys.models import AgencyClient, InboundEvent, Journey, Step
from lifegate.registries.adapters import Person
from lifegate.registries.demo_loader import load_demo_population
from lifegate.registries.models import RegisteredPerson
from lifegate.registries.services import population_register
from lifegate.transparency.services import Actor, records_about, subject_hash

SEED = 20261122
URL = "/api/events/"
SOURCE = "urn:nld:oin:00000001800000002000:systeem:brp"
NOT_IN_REGISTER = "999999990"  # a valid test-range BSN the demo population never uses

Post = Callable[..., Any]


IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
DURABLE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


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


# Birth


def test_birth_event_starts_a_journey_for_each_parent_with_authority(post: Post) -> None:
    child = newborn_of_two()

    response = post(birth(child.bsn))

    assert response.status_code == 202
    assert response.json() == {"status": "processed", "journeys_started": 2}
    event = InboundEvent.objects.get()
    for parent in child.parental_authority_holders:
        [journey] = journeys_of(parent, "birth")
        assert journey.origin == Journey.Origin.REGISTRY
        assert journey.origin_event == event
        assert services.journey_related(journey) == Subject("bsn", child.bsn)
        assert services.answers_of(journey)["relation"] == "child"
        assert step_status(journey, "birth-registration") in NOT_ASKED
        assert step_status(journey, "child-benefit") not in NOT_ASKED


def test_each_parent_finds_a_message_linking_to_the_plan_made_for_them(post: Post) -> None:
    child = newborn_of_two()

    post(birth(child.bsn))

    for parent in child.parental_authority_holders:
        [journey] = journeys_of(parent, "birth")
        [message] = Message.objects.filter(recipient_hash=subject_hash(Subject("bsn", parent)))
        assert message.unread and message.category == "announcement"
        assert f"/journeys/{journey.pk}/" in message.body
    post(birth(child.bsn))
    assert Message.objects.count() == 2


def test_child_benefit_form_is_prefilled_with_the_newborns_data(post: Post) -> None:
    child = newborn_of_two()
    FormField.objects.create(
        service=PublicService.objects.get(slug="child-benefit"),
        key="newborn_check",
        label_nl="Naam van het kind",
        label_en="Name of the child",
        prefill="related.full_name",
        position=999,
    )
    post(birth(child.bsn))
    parent = child.parental_authority_holders[0]
    [journey] = journeys_of(parent, "birth")
    step = services.get_step(journey, "child-benefit")

    form = services.step_form(journey, step, Actor(kind="person", subject=Subject("bsn", parent)))

    known = {field.key: field.value for field in form.known}
    assert known["newborn_check"] == child.full_name


def test_birth_event_skips_a_parent_who_already_has_that_journey(post: Post) -> None:
    child = newborn_of_two()
    first, second = child.parental_authority_holders
    services.start_journey(
        services.startable_life_event("birth"),
        services.Start(
            subject=Subject("bsn", first),
            actor=Actor(kind="person", subject=Subject("bsn", first)),
            related=Subject("bsn", child.bsn),
            relation="child",
        ),
    )

    response = post(birth(child.bsn))

    assert response.json() == {"status": "processed", "journeys_started": 1}
    assert len(journeys_of(first, "birth")) == 1
    assert journeys_of(first, "birth")[0].origin == Journey.Origin.PERSON
    assert journeys_of(second, "birth")[0].origin == Journey.Origin.REGISTRY


def test_register_reads_for_an_event_are_in_the_childs_processing_log(post: Post) -> None:
    child = newborn_of_two()

    post(birth(child.bsn))

    names = {record.name for record in records_about(Subject("bsn", child.bsn))}
    assert f"journeys.proactive.{events.BIRTH_REGISTERED}" in names


def test_binary_mode_works(post: Post) -> None:
    child = newborn_of_two()

    response = post(birth(child.bsn), binary=True)

    assert response.status_code == 202
    assert response.json() == {"status": "processed", "journeys_started": 2}


# Idempotency


def test_repeated_event_answers_with_the_first_outcome_and_starts_nothing(post: Post) -> None:
    child = newborn_of_two()
    post(birth(child.bsn))
    # Parents who finished their journey would get a new one if the repeat were processed.
    Journey.objects.update(status=Journey.Status.FINISHED)

    response = post(birth(child.bsn))

    assert response.status_code == 200
    assert response.json() == {"status": "processed", "journeys_started": 2}
    assert Journey.objects.count() == 2
    assert InboundEvent.objects.count() == 1


def test_simultaneous_repeat_is_caught_by_the_unique_constraint(
    post: Post, monkeypatch: pytest.MonkeyPatch
) -> None:
    child = newborn_of_two()
    post(birth(child.bsn))
    Journey.objects.update(status=Journey.Status.FINISHED)
    real = events._earlier
    calls: list[str] = []

    def not_seen_yet(event: Any) -> InboundEvent | None:
        # The second request checked before the first committed: it sees nothing.
        calls.append(event.get_id())
        return None if len(calls) == 1 else real(event)

    monkeypatch.setattr(events, "_earlier", not_seen_yet)

    response = post(birth(child.bsn))

    assert response.status_code == 200
    assert response.json() == {"status": "processed", "journeys_started": 2}
    assert len(calls) == 2
    assert Journey.objects.count() == 2


def test_same_id_from_another_source_is_another_event(post: Post) -> None:
    child = newborn_of_two()
    post(birth(child.bsn))
    Journey.objects.update(status=Journey.Status.FINISHED)
    other = events.registry_event(events.BIRTH_REGISTERED, child.bsn, SOURCE + "-test", "birth-1")

    response = post(other)

    assert response.status_code == 202
    assert Journey.objects.count() == 4


# Other event types


def test_death_event_starts_for_partners_and_adult_children_only(post: Post) -> None:
    today = timezone.localdate()
    register = population_register()

    def fits(p: Person) -> bool:
        kids = register.children_of(p.bsn)
        return bool(p.partners) and {k.is_minor_on(today) for k in kids} == {True, False}

    deceased = people(fits)[0]
    children = register.children_of(deceased.bsn)
    event = events.registry_event(events.DEATH_REGISTERED, deceased.bsn, SOURCE, "death-1")

    response = post(event)

    assert response.status_code == 202
    for partner in deceased.partners:
        [journey] = journeys_of(partner, "death-of-a-relative")
        assert services.answers_of(journey)["relation"] == "partner"
        assert services.answers_of(journey)["values"].get("relation", "partner") == "partner"
        assert step_status(journey, "death-registration") in NOT_ASKED
    for child in children:
        started = journeys_of(child.bsn, "death-of-a-relative")
        assert len(started) == (0 if child.is_minor_on(today) else 1)
        assert all(services.answers_of(j)["relation"] == "parent" for j in started)
        assert all(
            services.answers_of(j)["values"].get("relation", "parent") == "parent" for j in started
        )
    adults = [c for c in children if not c.is_minor_on(today)]
    assert response.json() == {
        "status": "processed",
        "journeys_started": len(deceased.partners) + len(adults),
    }


def test_address_changed_event_starts_moving_house_with_the_change_done(post: Post) -> None:
    person = people(lambda p: p.resident and p.age_on(date.today()) >= 18)[0]
    event = events.registry_event(events.ADDRESS_CHANGED, person.bsn, SOURCE, "move-1")

    response = post(event)

    assert response.json() == {"status": "processed", "journeys_started": 1}
    [journey] = journeys_of(person.bsn, "moving-house")
    assert services.journey_related(journey) is None
    assert step_status(journey, "address-change") in NOT_ASKED


# Credentials


def test_it_rejects_a_bad_credential(post: Post) -> None:
    response = post(birth(newborn_of_two().bsn), credential="lg-nobody.wrong")

    assert_problem(response, 401, "unauthorized")
    assert not Journey.objects.exists()


def test_it_rejects_a_client_without_the_events_scope(post: Post) -> None:
    rvig = PublicOrganisation.objects.get(slug="rvig")
    other, secret = agency.create_client(rvig, "back office", ["submissions"])

    response = post(birth(newborn_of_two().bsn), credential=agency.bearer_token(other, secret))

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert not Journey.objects.exists()


def test_it_rejects_a_source_naming_another_organisations_oin(post: Post) -> None:
    event = events.registry_event(
        events.BIRTH_REGISTERED,
        newborn_of_two().bsn,
        "urn:nld:oin:00000001800000003000:systeem:brp",
        "x",
    )

    assert_problem(post(event), 403, "foreign-source")


@pytest.mark.parametrize(
    "source",
    [
        "https://brp.example.nl/events",
        "urn:uuid:a1b2c3d4-0000-4000-8000-000000000001",
        "urn:nld:oin:00000001800000002000x",
        "urn:nld:oin:0000000180000000200",
    ],
)
def test_a_source_that_is_not_the_clients_own_oin_is_a_403_and_starts_nothing(
    post: Post, source: str
) -> None:
    event = events.registry_event(events.BIRTH_REGISTERED, newborn_of_two().bsn, source, "x")

    problem = assert_problem(post(event), 403, "foreign-source")

    assert "00000001800000002000" in problem["detail"]  # tells the client what to send
    assert not InboundEvent.objects.exists()
    assert not Journey.objects.exists()


def test_the_bare_oin_urn_of_the_clients_organisation_is_its_source(post: Post) -> None:
    event = events.registry_event(
        events.BIRTH_REGISTERED, newborn_of_two().bsn, "urn:nld:oin:00000001800000002000", "x"
    )

    assert post(event).status_code == 202


# Bad events


@pytest.mark.parametrize("body", [b'{"specversion": "1.0",', b"[" * 100_000])
def test_malformed_json_is_a_400(client: Client, token: str, body: bytes) -> None:
    # The second nests too deep for the parser: a RecursionError, not a ValueError.
    response = post_raw(client, token, body, events.STRUCTURED_CONTENT_TYPE)

    assert_problem(response, 400, "invalid-cloudevent")


def test_json_that_is_no_object_is_a_400(client: Client, token: str) -> None:
    response = post_raw(client, token, [1, 2], events.STRUCTURED_CONTENT_TYPE)

    assert_problem(response, 400, "invalid-cloudevent")


def test_missing_attributes_are_named(client: Client, token: str) -> None:
    body = {"specversion": "1.0", "type": events.BIRTH_REGISTERED, "data": {}}

    response = post_raw(client, token, body, events.STRUCTURED_CONTENT_TYPE)

    problem = assert_problem(response, 400, "invalid-cloudevent")
    assert {error["location"] for error in problem["errors"]} == {"id", "source"}


def test_another_specversion_is_a_400(client: Client, token: str) -> None:
    body = {"specversion": "0.3", "id": "1", "source": SOURCE, "type": events.BIRTH_REGISTERED}

    response = post_raw(client, token, body, events.STRUCTURED_CONTENT_TYPE)

    problem = assert_problem(response, 400, "invalid-cloudevent")
    assert [error["location"] for error in problem["errors"]] == ["specversion"]


def test_plain_json_without_ce_headers_is_a_415(client: Client, token: str) -> None:
    response = post_raw(client, token, {"child_bsn": "999912345"}, "application/json")

    assert_problem(response, 415, "unsupported-media-type")


def test_unknown_type_is_a_422(post: Post) -> None:
    event = birth(newborn_of_two().bsn)
    event.get_attributes()["type"] = "nl.brp.marriage-registered"

    assert_problem(post(event), 422, "unknown-event-type")
    assert not InboundEvent.objects.exists()


def test_a_source_that_is_no_uri_is_a_422_before_whose_it_is(post: Post) -> None:
    event = events.registry_event(events.BIRTH_REGISTERED, newborn_of_two().bsn, "brp", "x")

    assert_problem(post(event), 422, "invalid-source")


def test_bsn_in_subject_is_rejected_without_repeating_it(post: Post) -> None:
    child = newborn_of_two()
    event = birth(child.bsn)
    event.get_attributes()["subject"] = f"person/{child.bsn}"

    response = post(event)

    assert_problem(response, 422, "bsn-in-subject")
    assert child.bsn not in response.content.decode()
    assert not Journey.objects.exists()


def test_an_opaque_subject_is_fine(post: Post) -> None:
    event = birth(newborn_of_two().bsn)
    event.get_attributes()["subject"] = "a1b2c3d4-0000-4000-8000-000000000001"

    assert post(event).status_code == 202


def test_invalid_child_bsn_is_a_422_naming_the_field(post: Post) -> None:
    response = post(birth("999912346"))  # fails the elfproef

    problem = assert_problem(response, 422, "invalid-event-data")
    assert [error["location"] for error in problem["errors"]] == ["data.child_bsn"]
    assert "999912346" not in response.content.decode()


def test_data_that_is_no_object_is_a_422(post: Post) -> None:
    event = events.CloudEvent(
        {"type": events.BIRTH_REGISTERED, "source": SOURCE, "id": "t"}, "999912345"
    )
    event.get_attributes()["datacontenttype"] = "text/plain"

    assert_problem(post(event), 422, "invalid-event-data")


def test_a_person_the_register_does_not_know_is_a_422_and_nothing_is_kept(post: Post) -> None:
    response = post(birth(NOT_IN_REGISTER))

    assert_problem(response, 422, "unknown-person")
    assert not InboundEvent.objects.exists()
    assert NOT_IN_REGISTER not in response.content.decode()


# The register as event source


def test_emit_birth_event_registers_a_newborn_and_starts_the_parents_journeys(
    register: None,
) -> None:
    before = RegisteredPerson.objects.count()
    output = StringIO()

    call_command("emit_birth_event", stdout=output)

    assert RegisteredPerson.objects.count() == before + 1
    child = RegisteredPerson.objects.order_by("-id").first()
    assert child is not None and child.date_of_birth == timezone.localdate()
    registered = population_register().get_person(child.bsn)
    assert registered is not None and registered.parental_authority_holders
    holders = registered.parental_authority_holders
    started = [j for bsn in holders for j in journeys_of(bsn, "birth")]
    assert {services.journey_related(j) for j in started} == {Subject("bsn", child.bsn)}
    assert "processed" in output.getvalue()
    assert child.bsn not in output.getvalue()


# Durable processing: accepted now, journeys started by the worker


def test_with_the_database_backend_an_event_is_accepted_and_processed_once(
    post: Post, settings: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    from lifegate.journeys.tasks import start_event_journeys

    settings.TASKS = DURABLE
    child = newborn_of_two()

    response = post(birth(child.bsn))

    assert response.status_code == 202
    assert response.json() == {"status": "accepted", "journeys_started": 0}
    assert not Journey.objects.exists()
    inbound = InboundEvent.objects.get()
    assert child.bsn not in inbound.data_sealed
    queued = DBTaskResult.objects.get(task_path=start_event_journeys.module_path)
    assert queued.args_kwargs["args"] == [inbound.pk]

    assert event_processing.process_event(inbound.pk) == 2
    assert event_processing.process_event(inbound.pk) == 0  # a duplicate task starts nothing

    inbound.refresh_from_db()
    assert (inbound.status, inbound.journeys_started, inbound.data_sealed) == ("processed", 2, "")
    assert Journey.objects.count() == 2
    repeat = post(birth(child.bsn))
    assert repeat.status_code == 200
    assert repeat.json() == {"status": "processed", "journeys_started": 2}


def test_the_safety_net_enqueues_accepted_events_whose_task_was_lost(
    post: Post, settings: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DURABLE
    post(birth(newborn_of_two().bsn))
    DBTaskResult.objects.all().delete()  # the worker lost it
    InboundEvent.objects.update(received_at=timezone.now() - timedelta(minutes=10))
    output = StringIO()

    call_command("process_pending_events", stdout=output)

    assert "1 registry events enqueued" in output.getvalue()
    assert DBTaskResult.objects.count() == 1


def test_the_safety_net_leaves_processed_and_failed_events_alone(post: Post, settings: Any) -> None:
    settings.TASKS = DURABLE
    for number, status in enumerate(InboundEvent.Status.values):
        post(birth(newborn_of_two().bsn, f"birth-{number}"))
        InboundEvent.objects.filter(event_id=f"birth-{number}").update(status=status)
    InboundEvent.objects.update(received_at=timezone.now() - timedelta(minutes=10))

    assert event_processing.enqueue_pending() == 1  # the accepted one only


# Processing that fails


class RegisterDown(Exception):
    pass


@pytest.fixture
def failing_second_start(monkeypatch: pytest.MonkeyPatch) -> Person:
    """The second journey of a newborn's parents fails to start, naming the parent's BSN."""
    child = newborn_of_two()
    real = services.start_journey
    calls: list[Subject] = []

    def start_journey(life_event: Any, start: services.Start) -> Journey:
        calls.append(start.subject)
        if len(calls) % 2 == 0:
            raise RegisterDown(f"no answer for {start.subject.value}\nretry later")
        return real(life_event, start)

    monkeypatch.setattr(services, "start_journey", start_journey)
    return child


def test_a_failing_event_starts_nothing_and_records_the_error_without_a_bsn(
    post: Post, failing_second_start: Person
) -> None:
    child = failing_second_start

    response = post(birth(child.bsn))

    assert response.status_code == 202
    assert response.json() == {"status": "accepted", "journeys_started": 0}
    assert not Journey.objects.exists()  # the first parent's journey was rolled back
    inbound = InboundEvent.objects.get()
    assert (inbound.status, inbound.attempts) == ("accepted", 1)
    assert inbound.last_error == "RegisterDown: no answer for *** retry later"
    assert inbound.data_sealed  # kept for the next attempt


def test_a_failing_event_is_marked_failed_after_the_maximum_and_then_left_alone(
    post: Post, failing_second_start: Person, settings: Any
) -> None:
    settings.JOURNEYS_EVENT_MAX_ATTEMPTS = 3
    post(birth(failing_second_start.bsn))
    inbound = InboundEvent.objects.get()

    assert event_processing.process_event(inbound.pk) == 0
    inbound.refresh_from_db()
    assert (inbound.status, inbound.attempts) == ("accepted", 2)
    assert event_processing.process_event(inbound.pk) == 0
    inbound.refresh_from_db()
    assert (inbound.status, inbound.attempts) == ("failed", 3)

    assert event_processing.process_event(inbound.pk) == 0
    inbound.refresh_from_db()
    assert inbound.attempts == 3  # a failed event is not tried again by a stray task
    InboundEvent.objects.update(received_at=timezone.now() - timedelta(minutes=10))
    assert event_processing.enqueue_pending() == 0
    assert not Journey.objects.exists()


def test_the_admin_processes_a_failed_event_again(
    post: Post,
    failing_second_start: Person,
    monkeypatch: pytest.MonkeyPatch,
    admin_client: Client,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.JOURNEYS_EVENT_MAX_ATTEMPTS = 1
    post(birth(failing_second_start.bsn))
    processed = InboundEvent.objects.create(
        source=SOURCE,
        event_id="done",
        type=events.BIRTH_REGISTERED,
        client=AgencyClient.objects.get(),
        status="processed",
    )
    failed = InboundEvent.objects.get(status="failed")
    changelist = reverse("admin:journeys_inboundevent_changelist")
    page = admin_client.get(changelist, {"status__exact": "failed"}).content.decode()
    assert "RegisterDown: no answer for ***" in page
    assert failing_second_start.bsn not in page and failed.data_sealed not in page
    monkeypatch.undo()  # the register is back

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            changelist,
            {
                "action": "process_failed_events_again",
                "_selected_action": [failed.pk, processed.pk],
            },
        )

    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.journeys_started) == ("processed", 2)
    assert Journey.objects.count() == 2
    processed.refresh_from_db()
    assert processed.status == "processed"
