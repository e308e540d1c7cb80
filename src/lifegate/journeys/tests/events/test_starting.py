"""Proactive starts: registry CloudEvents POSTed to /api/events/ start journeys for the
people they concern, once, with what the register reported already done."""

from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from lifegate.catalogue.models import FormField, PublicService
from lifegate.core.subject import Subject
from lifegate.inbox.models import Mailbox, Message
from lifegate.journeys import events, services
from lifegate.journeys.models import InboundEvent, Journey
from lifegate.journeys.tests.events.support import (
    NOT_ASKED,
    SOURCE,
    Post,
    birth,
    journeys_of,
    newborn_of_two,
    people,
    step_status,
)
from lifegate.registries.adapters import Person
from lifegate.registries.models import RegisteredPerson
from lifegate.registries.services import population_register
from lifegate.transparency.services import Actor, records_about, subject_hash

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


def test_a_plan_and_its_message_speak_each_parents_notification_language(post: Post) -> None:
    child = newborn_of_two()
    english, dutch = child.parental_authority_holders
    # One parent chose English for notifications; the other never chose (Dutch, the default).
    Mailbox.objects.create(
        recipient_hash=subject_hash(Subject("bsn", english)), notify_language="en"
    )

    post(birth(child.bsn))

    for parent, language, subject, link in [
        (english, "en", "A plan is ready for you: A child is born", "[Open your plan]("),
        (dutch, "nl", "Er staat een plan voor u klaar: Er is een kind geboren", "[Open uw plan]("),
    ]:
        [journey] = journeys_of(parent, "birth")
        [message] = Message.objects.filter(recipient_hash=subject_hash(Subject("bsn", parent)))
        assert (journey.language, message.language, message.subject) == (
            language,
            language,
            subject,
        )
        assert link in message.body


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
