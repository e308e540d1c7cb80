"""The plan data in the catalogue file: life-event questions, steps with rules, reasons,
dependencies and deadlines, and request forms load exactly, export back to the same structure,
and a rule, prefill, deadline or dependency the plan engine could not use is refused by name."""

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import translation

from lifegate.catalogue import models as m
from lifegate.catalogue.loader import export_catalogue, load_catalogue, read_catalogue_file
from lifegate.catalogue.tests.test_loader import counts, refused, service, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> dict[str, Any]:
    return read_catalogue_file(settings.CATALOGUE_DATA_FILE)


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


def event(data: dict[str, Any], slug: str) -> dict[str, Any]:
    return next(row for row in data["life_events"] if row["slug"] == slug)


def step(slug: str, event_slug: str) -> m.EventService:
    return m.EventService.objects.get(service__slug=slug, life_event__slug=event_slug)


def problems_of(tmp_path: Path, data: dict[str, Any]) -> str:
    return "\n".join(refused(tmp_path, data).problems)


def test_steps_questions_and_forms_are_loaded_as_the_file_says() -> None:
    load_catalogue()
    benefit = step("child-benefit", "birth")
    assert benefit.rule == "related.age < 18"
    assert (
        benefit.reason_en
        == "Because your child is under 18. You get child benefit for children under 18."
    )
    assert [d.service.slug for d in benefit.depends_on.all()] == ["birth-registration"]
    registration = step("birth-registration", "birth")
    assert (registration.deadline_days, registration.deadline_from) == (3, "related.date_of_birth")
    assert step("child-budget", "birth").step_kind == m.StepKind.AUTOMATIC
    birth_questions = m.LifeEvent.objects.get(slug="birth").questions.order_by("position")
    assert [q.key for q in birth_questions] == ["uses_childcare", "travel_abroad"]
    form = m.PublicService.objects.get(slug="address-change").form_fields.order_by("position")
    assert [(f.key, f.prefill) for f in form][:2] == [
        ("current_address", "person.address.street_line"),
        ("move_date", "answers.move_date"),
    ]
    # A service with only a position keeps the plain form: a request step without a rule.
    plain = step("student-finance", "studying")
    assert (plain.step_kind, plain.rule, plain.depends_on.count()) == ("request", "", 0)


def test_a_plain_position_exports_as_a_number_and_a_step_as_a_mapping() -> None:
    load_catalogue()
    exported = service(export_catalogue(), "child-benefit")
    assert exported["life_events"]["birth"]["depends_on"] == ["birth-registration"]
    assert "kind" not in exported["life_events"]["birth"]  # request is the default
    assert service(export_catalogue(), "student-finance")["life_events"] == {"studying": 20}


def test_changed_plan_data_updates_only_that_service_and_removes_what_is_gone(
    tmp_path: Path, demo: dict[str, Any]
) -> None:
    load_catalogue()
    budget = service(demo, "child-budget")["life_events"]["birth"]
    budget["depends_on"] = ["birth-registration", "child-benefit"]
    service(demo, "address-change")["form"].reverse()
    event(demo, "birth")["questions"].pop()  # travel_abroad; the passport rule uses it
    passport = service(demo, "passport-id-card")["life_events"]["birth"]
    del passport["rule"], passport["skip_reason"]
    report = load_catalogue(write(tmp_path, demo))
    assert report.sections["services"].updated == 2  # child-budget and passport-id-card
    assert report.sections["questions"].deleted == 1
    assert report.sections["form_fields"].updated >= 2
    budget_step = step("child-budget", "birth")
    assert {d.service.slug for d in budget_step.depends_on.all()} == {
        "birth-registration",
        "child-benefit",
    }
    form = m.PublicService.objects.get(slug="address-change").form_fields.order_by("position")
    assert next(field.key for field in form) == "household"
    assert not load_catalogue(write(tmp_path, demo)).changed


def test_a_rule_that_is_not_cel_is_refused_by_row(tmp_path: Path, demo: dict[str, Any]) -> None:
    service(demo, "child-benefit")["life_events"]["birth"]["rule"] = "related.age <<< 18"
    problems = problems_of(tmp_path, demo)
    assert "services[child-benefit].life_events.birth.rule: This rule is not valid CEL" in problems


def test_a_rule_on_an_unknown_fact_or_unasked_question_is_refused(
    tmp_path: Path, demo: dict[str, Any]
) -> None:
    service(demo, "child-benefit")["life_events"]["birth"]["rule"] = "person.income < 30000"
    service(demo, "housing-benefit")["life_events"]["moving-house"]["rule"] = "answers.is_tenant"
    problems = problems_of(tmp_path, demo)
    assert "services[child-benefit].life_events.birth.rule: This rule uses a fact" in problems
    assert "services[housing-benefit].life_events.moving-house.rule: This rule uses a" in problems


def test_a_rule_that_does_not_yield_yes_or_no_is_refused(
    tmp_path: Path, demo: dict[str, Any]
) -> None:
    service(demo, "child-benefit")["life_events"]["birth"]["rule"] = "related.age + 1"
    problems = problems_of(tmp_path, demo)
    assert (
        "services[child-benefit].life_events.birth.rule: This rule cannot be evaluated" in problems
    )


def test_an_unknown_prefill_fact_is_refused(tmp_path: Path, demo: dict[str, Any]) -> None:
    service(demo, "child-benefit")["form"][0]["prefill"] = "person.bank_account"
    service(demo, "aow-application")["form"][0]["prefill"] = "answers.move_date"
    problems = problems_of(tmp_path, demo)
    assert "services[child-benefit].form[applicant_name].prefill: Unknown fact" in problems
    assert (
        "services[aow-application].form[full_name].prefill: no life event of this service asks "
        "'answers.move_date'" in problems
    )


def test_a_bad_deadline_is_refused(tmp_path: Path, demo: dict[str, Any]) -> None:
    steps = service(demo, "birth-registration")["life_events"]
    steps["birth"]["deadline"] = {"days": 3, "from": "related.full_name"}
    service(demo, "address-change")["life_events"]["moving-house"]["deadline"] = {"days": 5}
    service(demo, "first-registration")["life_events"]["moving-to-the-netherlands"]["deadline"] = {
        "days": "five",
        "from": "answers.arrival_date",
    }
    problems = problems_of(tmp_path, demo)
    assert "services[birth-registration].life_events.birth.deadline: related.full_name is not" in (
        problems
    )
    assert "services[address-change].life_events.moving-house.deadline: A deadline needs" in (
        problems
    )
    assert (
        "services[first-registration].life_events.moving-to-the-netherlands.deadline.days"
        in problems
    )


def test_depending_on_a_service_outside_the_life_event_is_refused(
    tmp_path: Path, demo: dict[str, Any]
) -> None:
    service(demo, "child-benefit")["life_events"]["birth"]["depends_on"] = ["address-change"]
    problems = problems_of(tmp_path, demo)
    assert (
        "services[child-benefit].life_events.birth.depends_on: 'address-change' is not a "
        "service of life event 'birth'" in problems
    )


def test_steps_waiting_for_each_other_in_a_circle_are_refused(
    tmp_path: Path, demo: dict[str, Any]
) -> None:
    registration = service(demo, "birth-registration")["life_events"]["birth"]
    registration["depends_on"] = ["child-budget"]
    problems = refused(tmp_path, demo).problems
    circles = [p for p in problems if "circle" in p]
    assert circles == [
        "services[birth-registration].life_events.birth.depends_on: the steps wait for each "
        "other in a circle: birth-registration -> child-budget -> child-benefit -> "
        "birth-registration"
    ]


def test_a_step_waiting_for_itself_is_refused(tmp_path: Path, demo: dict[str, Any]) -> None:
    service(demo, "child-benefit")["life_events"]["birth"]["depends_on"] = ["child-benefit"]
    assert "child-benefit -> child-benefit" in problems_of(tmp_path, demo)


def test_malformed_steps_questions_and_fields_are_refused_not_crashed_on(
    tmp_path: Path, demo: dict[str, Any]
) -> None:
    steps = service(demo, "child-benefit")["life_events"]
    steps["birth"] |= {"kind": "by-pigeon", "reason": {"nl": "Omdat het kan."}, "when": "now"}
    steps["moving-to-the-netherlands"]["depends_on"] = "first-registration"
    questions = event(demo, "birth")["questions"]
    questions.append(dict(questions[0]))
    questions[1]["choices"] = "yes"
    questions.append({"kind": "date"})
    form = service(demo, "child-benefit")["form"]
    form[0]["kind"] = "choice"
    form[1]["required"] = "yes"
    problems = problems_of(tmp_path, demo)
    for expected in (
        "services[child-benefit].life_events.birth.kind",
        "services[child-benefit].life_events.birth.reason.en: English text is missing",
        "services[child-benefit].life_events.birth.when: unknown key",
        "services[child-benefit].life_events.moving-to-the-netherlands.depends_on: must be",
        "life_events[birth].questions: key 'uses_childcare' is used more than once",
        "life_events[birth].questions[travel_abroad].choices",
        "life_events[birth].questions[3]: key is missing",
        "services[child-benefit].form[applicant_name].choices: A choice needs options",
        "services[child-benefit].form[child_name].required: has the wrong type",
    ):
        assert expected in problems, expected


def test_a_refused_file_writes_no_plan_data(tmp_path: Path, demo: dict[str, Any]) -> None:
    service(demo, "child-benefit")["life_events"]["birth"]["rule"] = "nonsense("
    refused(tmp_path, demo)
    assert counts() == dict.fromkeys(counts(), 0)
    assert not m.LifeEventQuestion.objects.exists()
