"""The plan data of the demo catalogue: the life events the journeys cover end to end explain
every step in both languages, ask only a few questions, give every request step a short form
that prefills what government knows, and their rules pick the right steps for real situations."""

import copy
from typing import Any

import pytest

from lifegate.catalogue import models as m
from lifegate.catalogue import rules
from lifegate.catalogue.loader import LoadReport, load_catalogue

JOURNEY_EVENTS = [
    "birth",
    "moving-house",
    "moving-to-the-netherlands",
    "moving-abroad",
    "death-of-a-relative",
    "retiring",
]


@pytest.fixture
def loaded(db: None) -> LoadReport:
    return load_catalogue()


def steps_of(event: str) -> list[m.EventService]:
    return list(
        m.EventService.objects.filter(life_event__slug=event).select_related(
            "service", "life_event"
        )
    )


def plan(event: str, answers: dict[str, Any], **facts: Any) -> dict[str, bool]:
    """Which services of `event` apply, for the sample facts changed by `facts` (dotted paths
    written with double underscores, e.g. person__is_dutch=False)."""
    values = copy.deepcopy(rules.FACT_SCHEMA)
    for path, value in facts.items():
        *parents, last = path.split("__")
        target = values
        for part in parents:
            target = target[part]
        target[last] = value
    questions = list(m.LifeEvent.objects.get(slug=event).questions.all())
    values["answers"] = rules.complete_answers(questions, answers)
    return {step.service.slug: rules.evaluate(step.rule, values) for step in steps_of(event)}


def applying(decisions: dict[str, bool]) -> set[str]:
    return {slug for slug, applies in decisions.items() if applies}


@pytest.mark.parametrize("event", JOURNEY_EVENTS)
def test_every_step_says_why_in_both_languages_and_why_not_when_it_has_a_rule(
    loaded: LoadReport, event: str
) -> None:
    for step in steps_of(event):
        assert step.reason_nl and step.reason_en, step
        if step.rule:
            assert step.skip_reason_nl and step.skip_reason_en, step
        else:
            assert not step.skip_reason_nl and not step.skip_reason_en, step


@pytest.mark.parametrize("event", JOURNEY_EVENTS)
def test_every_request_step_has_a_short_form_that_prefills_something(
    loaded: LoadReport, event: str
) -> None:
    for step in steps_of(event):
        if step.step_kind != m.StepKind.REQUEST:
            continue
        fields = list(step.service.form_fields.all())
        assert 2 <= len(fields) <= 6, step
        assert any(field.prefill for field in fields), step
        assert any(not field.prefill for field in fields), step


@pytest.mark.parametrize("event", JOURNEY_EVENTS)
def test_each_life_event_asks_at_most_four_questions(loaded: LoadReport, event: str) -> None:
    assert 1 <= m.LifeEventQuestion.objects.filter(life_event__slug=event).count() <= 4


def test_steps_wait_for_what_they_need(loaded: LoadReport) -> None:
    def waits_for(service: str, event: str) -> set[str]:
        step = m.EventService.objects.get(service__slug=service, life_event__slug=event)
        return {dependency.service.slug for dependency in step.depends_on.all()}

    assert waits_for("child-benefit", "birth") == {"birth-registration"}
    assert waits_for("healthcare-allowance", "moving-to-the-netherlands") == {"health-insurance"}
    assert "first-registration" in waits_for("digid-application", "moving-to-the-netherlands")
    assert waits_for("survivors-benefit-anw", "death-of-a-relative") == {"death-registration"}


def test_legal_deadlines_count_from_the_right_day(loaded: LoadReport) -> None:
    def deadline(service: str, event: str) -> tuple[int | None, str]:
        step = m.EventService.objects.get(service__slug=service, life_event__slug=event)
        return step.deadline_days, step.deadline_from

    assert deadline("birth-registration", "birth") == (3, "related.date_of_birth")
    assert deadline("address-change", "moving-house") == (5, "answers.move_date")
    assert deadline("first-registration", "moving-to-the-netherlands") == (
        5,
        "answers.arrival_date",
    )
    assert deadline("death-registration", "death-of-a-relative") == (6, "answers.date_of_death")


def test_a_dutch_parent_without_childcare_or_travel_plans_gets_the_core_birth_plan(
    loaded: LoadReport,
) -> None:
    decisions = plan("birth", {"uses_childcare": False, "travel_abroad": False})
    assert applying(decisions) == {
        "birth-registration",
        "child-benefit",
        "child-budget",
        "child-health-insurance",
    }


def test_a_foreign_parent_using_childcare_and_travelling_gets_those_steps_too(
    loaded: LoadReport,
) -> None:
    decisions = plan(
        "birth", {"uses_childcare": True, "travel_abroad": True}, person__is_dutch=False
    )
    assert decisions["birth-certificate"]
    assert decisions["childcare-benefit"]
    assert decisions["passport-id-card"]


def test_a_birth_already_in_the_registry_is_not_registered_again(loaded: LoadReport) -> None:
    decisions = plan("birth", {}, journey__started_by_registry=True)
    assert not decisions["birth-registration"]
    assert decisions["child-benefit"]


def test_a_tenant_with_a_car_gets_housing_benefit_and_vehicle_steps(loaded: LoadReport) -> None:
    owner = plan("moving-house", {"move_date": "2026-12-01"})
    tenant = plan("moving-house", {"rents_new_home": True, "has_vehicle": True})
    assert not owner["housing-benefit"] and not owner["environmental-zone"]
    assert tenant["housing-benefit"] and tenant["environmental-zone"] and tenant["a24-toll"]


def test_a_newcomer_staying_long_registers_with_the_municipality_not_the_rni(
    loaded: LoadReport,
) -> None:
    long_stay = plan(
        "moving-to-the-netherlands",
        {"stays_over_four_months": True, "has_job": True},
        person__is_resident=False,
        minor_children=0,
    )
    assert long_stay["first-registration"] and not long_stay["rni-registration"]
    assert not long_stay["child-benefit"] and not long_stay["diploma-evaluation"]
    short_stay = plan(
        "moving-to-the-netherlands", {"stays_over_four_months": False}, person__is_resident=False
    )
    assert short_stay["rni-registration"] and not short_stay["first-registration"]
    assert not short_stay["proof-of-residence"]


def test_survivors_benefit_is_for_a_partner_below_state_pension_age(loaded: LoadReport) -> None:
    partner = plan("death-of-a-relative", {"relation": "partner"})
    parent = plan("death-of-a-relative", {"relation": "parent"})
    retired_partner = plan(
        "death-of-a-relative", {"relation": "partner"}, person__state_pension_date="2020-01-01"
    )
    assert partner["survivors-benefit-anw"] and partner["partner-pension-abp"]
    assert not parent["survivors-benefit-anw"] and not parent["allowances-change"]
    assert not retired_partner["survivors-benefit-anw"]


def test_retiring_with_abp_adds_the_abp_claim_and_the_aow_only_before_pension_age(
    loaded: LoadReport,
) -> None:
    abp = plan("retiring", {"pension_fund": "abp"})
    retired = plan("retiring", {"pension_fund": "other"}, person__state_pension_date="2024-03-01")
    assert abp["abp-pension-application"] and abp["aow-application"]
    assert not retired["abp-pension-application"] and not retired["aow-application"]


def test_moving_abroad_with_a_state_pension_brings_the_cak_and_svb_steps(
    loaded: LoadReport,
) -> None:
    pensioner = plan(
        "moving-abroad",
        {"keeps_working_in_nl": False},
        person__state_pension_date="2020-05-01",
        minor_children=0,
    )
    worker = plan("moving-abroad", {"keeps_working_in_nl": True}, minor_children=0)
    assert pensioner["cak-treaty-registration"] and pensioner["svb-change-notification"]
    assert pensioner["health-insurance-end"]
    assert not worker["cak-treaty-registration"] and not worker["health-insurance-end"]
