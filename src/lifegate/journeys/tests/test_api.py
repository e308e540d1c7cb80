"""The person's journeys API: session-authenticated, CSRF-checked, problem details on errors."""

from collections import Counter

import pytest
from django.test import Client

from lifegate.catalogue.models import PublicService
from lifegate.journeys.models import Journey, Submission
from lifegate.journeys.tests.conftest import PlanFixture
from lifegate.journeys.tests.test_pages import log_in
from lifegate.registries.personas import DemoPersona
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import subject_hash

pytestmark = pytest.mark.django_db
BASE = "/api/journeys/"


def start(client: Client, plan: PlanFixture, **answers: object) -> dict:
    response = client.post(
        BASE,
        {"life_event": plan.event.slug, "answers": {"move_date": "2026-12-01", **answers}},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_needs_a_session(client: Client, plan: PlanFixture) -> None:
    response = client.get(BASE)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_start_returns_the_plan_with_reasons(
    client: Client, plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    log_in(client, personas["parent"])

    body = start(client, plan, travel_abroad=True)

    steps = {step["service"]: step for step in body["steps"]}
    assert steps["register-move"]["deadline"] == "2026-12-06"
    assert steps["benefit-test"]["status"] == "waiting"
    assert steps["benefit-test"]["depends_on"] == ["register-move"]
    assert steps["passport-test"]["applicable"] is True
    assert client.get(BASE).json()[0]["id"] == body["id"]


@pytest.mark.parametrize(
    ("answers", "language", "error"),
    [
        ({"move_date": "soon"}, "en", {"location": "move_date", "message": "Enter a valid date."}),
        (  # a question the life event does not ask is not dropped unseen
            {"move_date": "2026-12-01", "mvoe_abroad": 1},
            "nl",
            {"location": "mvoe_abroad", "message": "Deze levensgebeurtenis heeft zo'n vraag niet."},
        ),
    ],
    ids=["invalid", "not asked"],
)
def test_bad_answers_are_field_errors_in_the_persons_language(
    client: Client,
    plan: PlanFixture,
    personas: dict[str, DemoPersona],
    answers: dict[str, object],
    language: str,
    error: dict[str, str],
) -> None:
    log_in(client, personas["parent"])

    response = client.post(
        BASE,
        {"life_event": plan.event.slug, "answers": answers},
        content_type="application/json",
        headers={"accept-language": language},
    )

    assert response.status_code == 422
    assert response.json()["errors"] == [error]
    assert not Journey.objects.exists()


def test_an_answer_given_as_null_counts_as_not_given(
    client: Client, plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    log_in(client, personas["parent"])

    assert start(client, plan, not_a_question=None)["life_event"] == plan.event.slug


def test_unknown_life_event_is_404(
    client: Client, plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    log_in(client, personas["parent"])

    response = client.post(BASE, {"life_event": "nope"}, content_type="application/json")

    assert response.status_code == 404


def test_running_journey_is_409_with_its_id(
    client: Client, plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    log_in(client, personas["parent"])
    first = start(client, plan)

    response = client.post(
        BASE, {"life_event": plan.event.slug, "answers": {}}, content_type="application/json"
    )

    assert response.status_code == 409
    assert response.json()["journey_id"] == first["id"]


def test_step_form_and_submission(
    client: Client, plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    persona = personas["parent"]
    log_in(client, persona)
    journey = start(client, plan)
    url = f"{BASE}{journey['id']}/steps/register-move/"

    form = client.get(url + "form").json()
    known = {field["key"]: field for field in form["known"]}
    assert known["name"]["value"] == f"{persona.given_name} {persona.family_name}"
    assert known["name"]["source"] == "population-register"
    assert [field["key"] for field in form["asked"]] == ["postcode"]

    body = {"fields": {"postcode": "3511 AB"}, "idempotency_key": "api-key-1", "confirmed": True}
    first = client.post(url + "submissions", body, content_type="application/json")
    again = client.post(url + "submissions", body, content_type="application/json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Submission.objects.count() == 1
    plan_out = client.get(f"{BASE}{journey['id']}").json()
    steps = {step["service"]: step for step in plan_out["steps"]}
    sent_at = steps["register-move"]["sent_at"]
    assert sent_at and sent_at.startswith(Submission.objects.get().submitted_at.date().isoformat())
    assert steps["register-move"]["may_act"] and plan_out["questions_refused"] == ""
    assert steps["info-test"]["sent_at"] is None


def test_a_self_service_step_is_marked_done_once(
    client: Client, plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    PublicService.objects.filter(slug="info-test").update(online_url="https://example.org/info")
    log_in(client, personas["parent"])
    journey = start(client, plan)
    before = _plan_records(personas["parent"])
    shown = {step["service"]: step for step in client.get(f"{BASE}{journey['id']}").json()["steps"]}
    assert shown["info-test"]["online_url"] == "https://example.org/info"
    before = _plan_records(personas["parent"])

    done = client.post(f"{BASE}{journey['id']}/steps/info-test/done")
    again = client.post(f"{BASE}{journey['id']}/steps/info-test/done")
    not_self_service = client.post(
        f"{BASE}{journey['id']}/steps/register-move/done", headers={"accept-language": "en"}
    )

    assert done.status_code == 200, done.content
    steps = {step["service"]: step for step in done.json()["steps"]}
    assert steps["info-test"]["status"] == "done"
    assert again.status_code == not_self_service.status_code == 409
    assert again.json()["title"] == "U kunt deze stap nu niet als klaar markeren."
    assert not_self_service.json()["title"] == "This step cannot be marked as done now."
    assert not_self_service["Content-Type"] == "application/problem+json"
    stored = Journey.objects.get().steps.get(service_slug="register-move")
    assert stored.status != "done"
    # Marking done is recorded once, when it happened; the refusals as looks at the plan.
    after = _plan_records(personas["parent"])
    assert after["journeys.step-done"] - before["journeys.step-done"] == 1
    assert after["journeys.view"] - before["journeys.view"] == 2


def _plan_records(persona: DemoPersona) -> Counter[str]:
    return Counter(
        ProcessingRecord.objects.filter(
            data_subject_hash=subject_hash(persona.subject),
            name__in=("journeys.step-done", "journeys.view"),
        ).values_list("name", flat=True)
    )


def test_invalid_fields_and_missing_confirmation_are_422(
    client: Client, plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    log_in(client, personas["parent"])
    journey = start(client, plan)
    url = f"{BASE}{journey['id']}/steps/register-move/submissions"

    response = client.post(
        url,
        {"fields": {"postcode": "nope"}, "idempotency_key": "api-key-2", "confirmed": False},
        content_type="application/json",
        headers={"accept-language": "en"},
    )

    assert response.status_code == 422
    locations = {error["location"] for error in response.json()["errors"]}
    assert locations == {"postcode", ""}
    assert not Submission.objects.exists()


def test_low_session_gets_step_up_problem(
    client: Client, plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    log_in(client, personas["parent"], loa="low")
    journey = start(client, plan)

    response = client.get(f"{BASE}{journey['id']}/steps/register-move/form")

    assert response.status_code == 403
    assert response.json()["required_level"] == "substantial"


def test_changes_need_the_csrf_token(plan: PlanFixture, personas: dict[str, DemoPersona]) -> None:
    client = Client(enforce_csrf_checks=True)
    log_in(client, personas["parent"])

    response = client.post(
        BASE, {"life_event": plan.event.slug, "answers": {}}, content_type="application/json"
    )

    assert response.status_code == 403
    assert not Journey.objects.exists()


@pytest.mark.parametrize("value", [[1, 2], {"a": 1}, 1.5])
def test_answers_of_the_wrong_json_type_are_a_400(
    client: Client, plan: PlanFixture, personas: dict[str, DemoPersona], value: object
) -> None:
    log_in(client, personas["parent"])

    response = client.post(
        BASE,
        {"life_event": plan.event.slug, "answers": {"move_date": value}},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert not Journey.objects.exists()


@pytest.mark.parametrize("value", [20261201, True])
def test_a_number_or_yes_for_a_date_is_a_field_error(
    client: Client, plan: PlanFixture, personas: dict[str, DemoPersona], value: object
) -> None:
    log_in(client, personas["parent"])

    response = client.post(
        BASE,
        {"life_event": plan.event.slug, "answers": {"move_date": value}},
        content_type="application/json",
        headers={"accept-language": "en"},
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["location"] == "move_date"


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Enter a date between 1 January 1900 and 31 December 2100."),
        ("nl", "Vul een datum in tussen 1 januari 1900 en 31 december 2100."),
    ],
)
@pytest.mark.parametrize("value", ["9999-12-30", "1850-06-01"])
def test_a_date_no_life_event_can_mean_is_a_field_error(
    client: Client,
    plan: PlanFixture,
    personas: dict[str, DemoPersona],
    value: str,
    language: str,
    message: str,
) -> None:
    # The deadline counts 5 days from the move: from 9999-12-30 that was an overflow (500).
    log_in(client, personas["parent"])

    response = client.post(
        BASE,
        {"life_event": plan.event.slug, "answers": {"move_date": value}},
        content_type="application/json",
        headers={"accept-language": language},
    )

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (error["location"], error["message"]) == ("move_date", message)
    assert not Journey.objects.exists()


@pytest.fixture
def registry_journey(
    client: Client, plan: PlanFixture, personas: dict[str, DemoPersona]
) -> Journey:
    """A journey the population register started for the parent, with its questions open;
    the parent is logged in."""
    from lifegate.journeys import services
    from lifegate.journeys.tests.conftest import person_actor

    persona = personas["parent"]
    journey = services.start_journey(
        plan.event,
        services.Start(
            subject=persona.subject, actor=person_actor(persona), origin=Journey.Origin.REGISTRY
        ),
    )
    log_in(client, persona)
    return journey


def test_open_questions_of_a_registry_journey_are_answered_through_the_api(
    client: Client, registry_journey: Journey
) -> None:
    journey = registry_journey
    url = f"{BASE}{journey.pk}/answers"
    assert client.get(f"{BASE}{journey.pk}").json()["open_questions"] == [
        "move_date",
        "travel_abroad",
    ]

    bad = client.post(url, {"answers": {"move_date": "x"}}, content_type="application/json")
    good = client.post(
        url,
        {"answers": {"move_date": "2026-12-01", "travel_abroad": True}},
        content_type="application/json",
    )
    again = client.post(url, {"answers": {}}, content_type="application/json")

    assert bad.status_code == 422
    assert good.status_code == 200
    body = good.json()
    assert body["open_questions"] == []
    steps = {step["service"]: step for step in body["steps"]}
    assert steps["passport-test"]["status"] == "todo"
    assert again.status_code == 409


# What the API sends that the form has no place for is an error, not dropped -----------------


@pytest.mark.parametrize(
    ("sent", "error"),
    [
        (
            {"fields": {"postcode": "3511 AB", "postocde": "3511 AB"}},
            {"location": "postocde", "message": "This form has no such field."},
        ),
        (
            {"fields": {"postcode": "3511 AB", "name": "Someone Else"}},
            {
                "location": "name",
                "message": "This detail is already known and cannot be sent here.",
            },
        ),
        (
            {"fields": {"postcode": "3511 AB"}, "evidence_types": {"no-such": "passport"}},
            {
                "location": "evidence_types.no-such",
                "requirement": "no-such",
                "message": "This service has no such requirement.",
            },
        ),
        ({"fields": {"postcode": "3511 AB", "name": None}}, None),  # null: not sent
    ],
    ids=["misspelt field", "prefilled field", "unknown requirement", "prefilled field null"],
)
def test_a_field_or_evidence_type_the_form_has_no_place_for_is_a_422(
    client: Client,
    plan: PlanFixture,
    personas: dict[str, DemoPersona],
    sent: dict[str, object],
    error: dict[str, str] | None,
) -> None:
    log_in(client, personas["parent"])
    journey = start(client, plan)
    url = f"{BASE}{journey['id']}/steps/register-move/submissions"

    response = client.post(
        url,
        sent | {"idempotency_key": "api-key-3", "confirmed": True},
        content_type="application/json",
        headers={"accept-language": "en"},
    )

    if error is None:
        assert response.status_code == 201, response.content
        return
    assert response.status_code == 422, response.content
    assert response.json()["errors"] == [error]
    assert not Submission.objects.exists()


def test_refused_answers_are_recorded_as_a_look_and_kept_answers_as_answering(
    client: Client, registry_journey: Journey, personas: dict[str, DemoPersona]
) -> None:
    from lifegate.transparency.services import records_about

    persona, journey = personas["parent"], registry_journey
    url = f"{BASE}{journey.pk}/answers"

    def recorded(answers: dict[str, object]) -> tuple[int, list[str]]:
        before = {record.pk for record in records_about(persona.subject)}
        response = client.post(url, {"answers": answers}, content_type="application/json")
        names = [r.name for r in records_about(persona.subject) if r.pk not in before]
        errors.append(response.json().get("errors"))
        return response.status_code, [n for n in names if n.startswith("journeys.")]

    errors: list[object] = []
    assert recorded({"move_date": "x"}) == (422, ["journeys.view"])
    # A question the plan does not have open is an error too, not dropped unseen.
    assert recorded({"move_date": "2026-12-01", "moving_abroad": True}) == (422, ["journeys.view"])
    assert errors[-1] == [
        {"location": "moving_abroad", "message": "Dit plan heeft zo'n open vraag niet."}
    ]
    assert journey.steps.filter(status="to-check").exists()  # nothing was answered
    status, names = recorded({"move_date": "2026-12-01", "travel_abroad": False})
    assert status == 200 and "journeys.answers" in names and "journeys.view" not in names
    assert recorded({}) == (409, ["journeys.view"])
