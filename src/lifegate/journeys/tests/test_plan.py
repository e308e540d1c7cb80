"""The plan engine: rules decide which steps apply and why, dependencies make steps wait,
deadlines follow the answers, and a life event runs once at a time."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from lifegate.catalogue import rules
from lifegate.core.subject import Subject
from lifegate.journeys import services
from lifegate.journeys.facts import FactRead, read_facts
from lifegate.journeys.models import Journey, Step, Submission
from lifegate.journeys.tests.conftest import PlanFixture, person_actor
from lifegate.registries.personas import DemoPersona
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import records_about

pytestmark = pytest.mark.django_db


def start(persona: DemoPersona, plan: PlanFixture, **answers: object) -> Journey:
    return services.start_journey(
        plan.event,
        services.Start(
            subject=persona.subject,
            actor=person_actor(persona),
            answers={"move_date": "2026-12-01", **answers},
        ),
    )


def steps(journey: Journey) -> dict[str, Step]:
    return {step.service_slug: step for step in journey.steps.all()}


def test_facts_have_exactly_the_shape_rules_are_checked_against(
    plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    persona = personas["parent"]
    facts = read_facts(
        persona.subject,
        FactRead(person_actor(persona), "journeys-plan", "test"),
        today=timezone.localdate(),
        answers={},
    )

    def shape(value: object) -> object:
        if isinstance(value, dict):
            return {key: shape(item) for key, item in value.items()}
        if isinstance(value, list):
            return [shape(value[0])] if value else []
        return type(value).__name__

    expected = shape({**rules.FACT_SCHEMA, "answers": {}})
    assert shape(facts) == expected
    assert facts["person"]["full_name"] == f"{persona.given_name} {persona.family_name}"
    assert facts["minor_children"] >= 1


def test_plan_keeps_applicable_steps_in_order_and_explains_the_rest(
    plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    journey = start(personas["parent"], plan, travel_abroad=False)

    plan_steps = steps(journey)
    assert [s.service_slug for s in journey.steps.all()] == [
        "register-move",
        "benefit-test",
        "passport-test",
        "info-test",
    ]
    assert plan_steps["register-move"].status == Step.Status.TODO
    assert plan_steps["register-move"].reason_en == "Everyone who moves."
    assert plan_steps["benefit-test"].applicable
    assert plan_steps["benefit-test"].reason_nl == "Omdat u kinderen hebt."
    assert plan_steps["passport-test"].applicable is False
    assert plan_steps["passport-test"].status == Step.Status.NOT_APPLICABLE
    assert plan_steps["passport-test"].reason_en == "You are not travelling."
    # No reason written in the catalogue: a generic one, in both languages.
    assert plan_steps["info-test"].reason_nl and plan_steps["info-test"].reason_en
    assert plan_steps["info-test"].reason_nl != plan_steps["info-test"].reason_en


def test_rule_with_no_minor_children_leaves_the_benefit_out(
    plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    journey = start(personas["student"], plan, travel_abroad=True)

    plan_steps = steps(journey)
    assert plan_steps["benefit-test"].status == Step.Status.NOT_APPLICABLE
    assert plan_steps["benefit-test"].reason_en == "You have no children under 18."
    assert plan_steps["passport-test"].status == Step.Status.TODO


def test_dependent_step_waits_until_the_earlier_step_is_decided(
    plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    journey = start(personas["parent"], plan)
    register = steps(journey)["register-move"]
    assert steps(journey)["benefit-test"].status == Step.Status.WAITING

    submission = services.submit_step(
        journey,
        register,
        actor=person_actor(personas["parent"]),
        data={"postcode": "3511 AB"},
        language="nl",
        idempotency_key="k-1",
    )
    assert steps(journey)["benefit-test"].status == Step.Status.WAITING
    services.update_submission_status(
        submission, "decided", "Uw adres is gewijzigd.", "test", person_actor(personas["parent"])
    )

    after = steps(journey)
    assert after["register-move"].status == Step.Status.DECIDED
    assert after["register-move"].status_message == "Uw adres is gewijzigd."
    assert after["benefit-test"].status == Step.Status.TODO


def test_deadline_counts_from_the_answered_date(
    plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    journey = start(personas["parent"], plan, move_date="2027-01-10")

    assert steps(journey)["register-move"].deadline == date(2027, 1, 15)
    assert steps(journey)["benefit-test"].deadline is None


@pytest.mark.parametrize(("anchor", "days"), [("9999-12-30", 5), ("0001-01-02", -5)])
def test_a_deadline_beyond_the_calendar_is_no_deadline(anchor: str, days: int) -> None:
    # Forms keep dates within 1900-2100; a fact from elsewhere still must not crash the plan.
    assert rules.deadline("answers.move_date", days, {"answers": {"move_date": anchor}}) is None


def test_starting_the_same_life_event_twice_offers_the_running_journey(
    plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    first = start(personas["parent"], plan)

    with pytest.raises(services.JourneyAlreadyRunning) as raised:
        start(personas["parent"], plan)

    assert raised.value.journey == first
    assert Journey.objects.count() == 1


def test_a_rule_that_cannot_be_evaluated_keeps_the_step_and_says_so(
    plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    plan.passport.rule = "children[5].age > 1"  # valid CEL, but no sixth child
    plan.passport.save()

    journey = start(personas["parent"], plan)

    passport = steps(journey)["passport-test"]
    assert passport.applicable
    assert "could not check" in passport.reason_en


def test_building_the_plan_records_each_registry_read(
    plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    persona = personas["parent"]
    before = len(records_about(persona.subject))

    start(persona, plan)

    new = records_about(persona.subject)[: len(records_about(persona.subject)) - before]
    assert {r.processing_activity_id for r in new} == {"journeys-plan"}
    assert all(r.status_code == ProcessingRecord.Status.OK for r in new)


def test_journey_stores_no_readable_identifier(
    plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    persona = personas["parent"]
    journey = start(persona, plan)

    row = Journey.objects.values().get(pk=journey.pk)
    assert persona.subject.value not in str(row)
    assert services.journey_subject(journey) == persona.subject


def test_withdrawn_service_mid_journey_unblocks_its_dependents(
    plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    journey = start(personas["parent"], plan)
    plan.register.service.delete()

    refreshed = services.get_journey(personas["parent"].subject, journey.pk)

    after = steps(refreshed)
    assert after["register-move"].status == Step.Status.WITHDRAWN
    assert after["register-move"].name_en  # still readable
    assert after["benefit-test"].status == Step.Status.TODO


def test_journey_finishes_when_every_applicable_step_is_settled(
    plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    persona = personas["student"]
    journey = start(persona, plan)
    register = steps(journey)["register-move"]
    submission = services.submit_step(
        journey,
        register,
        actor=person_actor(persona),
        data={"postcode": "3511 AB"},
        language="en",
        idempotency_key="k-2",
    )
    services.update_submission_status(submission, "decided", "", "test", person_actor(persona))
    services.mark_done(journey, steps(journey)["info-test"])

    journey.refresh_from_db()
    assert journey.status == Journey.Status.FINISHED
    assert journey.finished_at is not None
    summary = services.journeys_for(persona.subject)[0]
    assert (summary.done, summary.total, summary.percent) == (2, 2, 100)


def test_another_person_cannot_open_the_journey(
    plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    journey = start(personas["parent"], plan)

    with pytest.raises(Exception) as raised:
        services.get_journey(personas["student"].subject, journey.pk)
    assert type(raised.value).__name__ == "Http404"


def test_started_on_is_today(plan: PlanFixture, personas: dict[str, DemoPersona]) -> None:
    journey = start(personas["parent"], plan)
    assert journey.started_on == timezone.localdate()
    assert journey.started_on > timezone.localdate() - timedelta(days=1)


def test_showing_a_form_reads_the_register_under_the_services_processing_activity(
    plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    from lifegate.catalogue.models import ProcessingActivity, PublicOrganisation

    activity = ProcessingActivity.objects.create(
        slug="register-move-activity",
        controller=PublicOrganisation.objects.get(slug="gemeente-test"),
        name_nl="Verhuizing",
        name_en="Move",
        purpose_nl="Doel",
        purpose_en="Purpose",
        legal_basis_nl="Wet",
        legal_basis_en="Law",
    )
    plan.register.service.processing_activity = activity
    plan.register.service.save()
    persona = personas["parent"]
    journey = start(persona, plan)
    step = services.get_step(journey, "register-move")

    prepared = services.step_form(journey, step, person_actor(persona))

    assert {field.key for field in prepared.known} == {"name", "move_date"}
    newest = records_about(persona.subject)[0]
    assert newest.processing_activity_id == "register-move-activity"
    assert newest.name == "journeys.prefill.register-move"


def test_two_tabs_with_different_keys_send_a_step_once(
    plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    persona = personas["parent"]
    journey = start(persona, plan)
    first_tab = services.get_step(journey, "register-move")
    second_tab = services.get_step(journey, "register-move")  # loaded before the first sends
    data = {"postcode": "3511 AB"}

    services.submit_step(
        journey, first_tab, actor=person_actor(persona), data=data, language="nl",
        idempotency_key="tab-1",
    )  # fmt: skip
    with pytest.raises(services.StepNotOpen):
        services.submit_step(
            journey, second_tab, actor=person_actor(persona), data=data, language="nl",
            idempotency_key="tab-2",
        )  # fmt: skip

    assert Submission.objects.count() == 1


def test_the_same_key_on_another_step_is_another_form(
    plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    parent, student = personas["parent"], personas["student"]
    for persona in (parent, student):
        journey = start(persona, plan)
        services.submit_step(
            journey, services.get_step(journey, "register-move"), actor=person_actor(persona),
            data={"postcode": "3511 AB"}, language="nl", idempotency_key="shared-key",
        )  # fmt: skip

    assert Submission.objects.count() == 2


def test_applying_again_after_a_rejection_reopens_a_finished_journey(
    plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    persona = personas["student"]
    journey = start(persona, plan)
    services.mark_done(journey, steps(journey)["info-test"])
    register = steps(journey)["register-move"]
    actor = person_actor(persona)
    first = services.submit_step(
        journey, register, actor=actor, data={"postcode": "3511 AB"}, language="nl",
        idempotency_key="k-first",
    )  # fmt: skip
    services.update_submission_status(first, "rejected", "Postcode onbekend.", "test", actor)
    journey.refresh_from_db()
    assert journey.status == Journey.Status.FINISHED

    services.submit_step(
        journey, steps(journey)["register-move"], actor=actor, data={"postcode": "3512 JE"},
        language="nl", idempotency_key="k-second",
    )  # fmt: skip

    journey.refresh_from_db()
    assert (journey.status, journey.finished_at) == (Journey.Status.ACTIVE, None)
    with pytest.raises(services.JourneyAlreadyRunning):
        start(persona, plan)


def test_a_form_reads_only_the_registers_its_fields_need(
    plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    from lifegate.registries.services import read_children

    persona = personas["parent"]
    journey = start(persona, plan)
    children = read_children(
        persona.subject, actor=person_actor(persona), activity="test", purpose_name="test"
    )
    child = Subject("bsn", children[0].bsn)
    before = len(records_about(child))

    services.step_form(journey, services.get_step(journey, "register-move"), person_actor(persona))

    assert len(records_about(child)) == before  # the form needs the name, not the children


def registry_start(persona: DemoPersona, plan: PlanFixture, **answers: object) -> Journey:
    return services.start_journey(
        plan.event,
        services.Start(
            subject=persona.subject,
            actor=person_actor(persona),
            answers=dict(answers),
            origin=Journey.Origin.REGISTRY,
            done=("register-move",),
        ),
    )


def test_a_registry_started_journey_asks_its_questions_before_deciding_on_them(
    plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    persona = personas["parent"]
    journey = registry_start(persona, plan)

    assert services.pending_questions(journey) == ["move_date", "travel_abroad"]
    before = steps(journey)
    assert before["register-move"].status == Step.Status.DONE
    assert before["passport-test"].status == Step.Status.TO_CHECK
    assert "Answer the questions" in before["passport-test"].reason_en
    assert before["benefit-test"].status == Step.Status.TODO  # its rule needs no answer

    form = services.answer_questions(
        journey, {"move_date": "2026-12-01", "travel_abroad": "no"}, person_actor(persona)
    )

    assert not form.errors
    after = steps(journey)
    assert after["passport-test"].status == Step.Status.NOT_APPLICABLE
    assert after["passport-test"].reason_en == "You are not travelling."
    assert services.pending_questions(journey) == []
    assert services.answers_of(journey)["values"]["travel_abroad"] is False


def test_invalid_late_answers_change_nothing(
    plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    persona = personas["parent"]
    journey = registry_start(persona, plan)

    form = services.answer_questions(journey, {"move_date": "soon"}, person_actor(persona))

    assert "move_date" in form.errors
    assert steps(journey)["passport-test"].status == Step.Status.TO_CHECK
    assert services.pending_questions(journey) == ["move_date", "travel_abroad"]


def test_person_started_journey_is_offered_when_the_register_starts_one_and_adopted_by_it(
    plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    persona = personas["parent"]
    own = start(persona, plan)
    newborn = Subject("bsn", "999990019")

    with pytest.raises(services.JourneyAlreadyRunning) as raised:
        services.start_journey(
            plan.event,
            services.Start(
                subject=persona.subject, actor=person_actor(persona), related=newborn,
                relation="child", origin=Journey.Origin.REGISTRY, done=("register-move",),
            ),
        )  # fmt: skip

    assert raised.value.journey == own
    assert Journey.objects.count() == 1
    own.refresh_from_db()
    assert services.journey_related(own) == newborn
    assert steps(own)["register-move"].status == Step.Status.DONE
    # And the other way round: a registry journey is offered when the person starts.
    with pytest.raises(services.JourneyAlreadyRunning):
        start(persona, plan)


def test_a_plan_refresh_never_overwrites_what_a_concurrent_request_wrote(
    plan: PlanFixture, personas: dict[str, DemoPersona], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The refresh reads without locks; a status written meanwhile (here: between its read and
    its write, as a concurrent request would) stays, for steps and for the journey."""
    from lifegate.journeys import plan as plan_engine

    journey = start(personas["parent"], plan)
    benefit = steps(journey)["benefit-test"]
    assert benefit.status == Step.Status.WAITING
    journey.steps.filter(service_slug="register-move").update(status=Step.Status.DECIDED)
    worked_out = plan_engine._current_status

    def concurrently_rejected(step: Step, by_slug: dict[str, Step]) -> str:
        new = worked_out(step, by_slug)
        if step.pk == benefit.pk:
            Step.objects.filter(pk=step.pk).update(status=Step.Status.REJECTED)
        return new

    monkeypatch.setattr(plan_engine, "_current_status", concurrently_rejected)
    fresh = Journey.objects.get(pk=journey.pk)
    services.refresh_plan(fresh)
    assert steps(fresh)["benefit-test"].status == Step.Status.REJECTED  # not TODO
    monkeypatch.undo()

    # Every step settled: the journey would finish, but it was stopped in the meantime.
    fresh.steps.filter(applicable=True).exclude(status=Step.Status.REJECTED).update(
        status=Step.Status.DECIDED
    )
    stale = Journey.objects.get(pk=journey.pk)
    Journey.objects.filter(pk=journey.pk).update(status=Journey.Status.CANCELLED)
    services.refresh_plan(stale)
    assert stale.status == Journey.Status.CANCELLED
    assert Journey.objects.get(pk=journey.pk).status == Journey.Status.CANCELLED
    # Without a concurrent stop, it finishes.
    Journey.objects.filter(pk=journey.pk).update(status=Journey.Status.ACTIVE)
    services.refresh_plan(Journey.objects.get(pk=journey.pk))
    assert Journey.objects.get(pk=journey.pk).status == Journey.Status.FINISHED
