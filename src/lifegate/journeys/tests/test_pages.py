"""The person's pages: start with questions, the plan, a step's prefilled form, sending it."""

from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from lifegate.identity.assurance import LevelOfAssurance
from lifegate.identity.session import SESSION_KEY, Authentication, session_value
from lifegate.journeys.agency import create_client
from lifegate.journeys.models import Delivery, Journey, Step, Submission
from lifegate.journeys.tests.conftest import PlanFixture
from lifegate.registries.personas import DemoPersona

pytestmark = pytest.mark.django_db


def log_in(client: Client, persona: DemoPersona, loa: LevelOfAssurance = "substantial") -> None:
    session = client.session
    session[SESSION_KEY] = session_value(
        Authentication(
            subject=persona.subject,
            loa=loa,
            authenticated_at=datetime.now(UTC),
            issuer="test",
        )
    )
    session.save()


def start(client: Client, plan: PlanFixture, language: str = "nl") -> Journey:
    response = client.post(
        reverse("journeys:start", args=[plan.event.slug]),
        {"move_date": "2026-12-01", "travel_abroad": "no"},
        headers={"accept-language": language},
    )
    assert response.status_code == 302
    return Journey.objects.get()


def test_start_page_needs_login(client: Client, plan: PlanFixture) -> None:
    response = client.get(reverse("journeys:start", args=[plan.event.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("identity:login"))


def test_start_page_asks_the_questions(
    client: Client, plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    log_in(client, personas["parent"])
    client.cookies["django_language"] = "en"

    html = client.get(reverse("journeys:start", args=[plan.event.slug])).content.decode()

    assert 'name="move_date"' in html and 'type="date"' in html
    assert "Are you travelling abroad?" in html


def test_invalid_answers_show_field_errors_in_the_persons_language(
    client: Client, plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    log_in(client, personas["parent"])
    client.cookies["django_language"] = "nl"

    response = client.post(
        reverse("journeys:start", args=[plan.event.slug]), {"move_date": "31-31-2026"}
    )

    assert response.status_code == 422
    assert "Voer een geldige datum in." in response.content.decode()
    assert not Journey.objects.exists()


def test_plan_page_shows_steps_reasons_and_what_is_left_out(
    client: Client, plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    log_in(client, personas["parent"])
    client.cookies["django_language"] = "en"
    journey = start(client, plan)

    html = client.get(reverse("journeys:journey", args=[journey.pk])).content.decode()

    assert "Everyone who moves." in html
    assert 'id="step-register-move"' in html
    assert "6 December 2026" in html  # the deadline: 5 days after the move
    assert 'id="skipped-passport-test"' in html and "You are not travelling." in html
    assert personas["parent"].subject.value not in html


def test_starting_again_offers_the_running_journey(
    client: Client, plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    log_in(client, personas["parent"])
    journey = start(client, plan)

    response = client.get(reverse("journeys:start", args=[plan.event.slug]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("journeys:journey", args=[journey.pk])
    assert Journey.objects.count() == 1


def test_step_form_shows_known_fields_with_their_source(
    client: Client, plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    persona = personas["parent"]
    log_in(client, persona)
    client.cookies["django_language"] = "en"
    journey = start(client, plan)

    html = client.get(reverse("journeys:step", args=[journey.pk, "register-move"])).content.decode()

    assert f"{persona.given_name} {persona.family_name}" in html
    assert "population register, as of" in html
    assert "your answer when you started" in html
    assert 'name="postcode"' in html
    assert 'name="name"' not in html  # known, so not asked


def test_sending_needs_confirmation_and_valid_fields(
    client: Client, plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    log_in(client, personas["parent"])
    client.cookies["django_language"] = "nl"
    journey = start(client, plan)
    url = reverse("journeys:step", args=[journey.pk, "register-move"])

    response = client.post(url, {"postcode": "12345", "idempotency_key": "abc"})

    assert response.status_code == 422
    html = response.content.decode()
    assert "Bevestig dat de gegevens kloppen." in html
    assert "postcode" in html.lower()
    assert not Submission.objects.exists()


def test_sending_twice_makes_one_submission(
    client: Client, plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    log_in(client, personas["parent"])
    journey = start(client, plan)
    url = reverse("journeys:step", args=[journey.pk, "register-move"])
    data = {"postcode": "3511 AB", "confirm": "yes", "idempotency_key": "same-key"}

    first = client.post(url, data)
    second = client.post(url, data)

    assert first.status_code == second.status_code == 302
    assert Submission.objects.count() == 1
    submission = Submission.objects.get()
    assert submission.language == "nl"
    assert journey.steps.get(service_slug="register-move").status == Step.Status.SUBMITTED


def test_low_session_is_asked_to_step_up(
    client: Client, plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    log_in(client, personas["parent"], loa="low")
    client.cookies["django_language"] = "en"
    journey = start(client, plan)

    response = client.get(reverse("journeys:step", args=[journey.pk, "register-move"]))

    assert response.status_code == 403
    html = response.content.decode()
    assert "needs assurance level" in html
    assert "level=substantial" in html


def test_waiting_step_cannot_be_filled_in(
    client: Client, plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    log_in(client, personas["parent"])
    journey = start(client, plan)

    response = client.get(reverse("journeys:step", args=[journey.pk, "benefit-test"]))

    assert response.status_code == 409


def test_someone_elses_journey_is_not_found(
    client: Client, plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    log_in(client, personas["parent"])
    journey = start(client, plan)
    other = Client()
    log_in(other, personas["student"])

    assert other.get(reverse("journeys:journey", args=[journey.pk])).status_code == 404
    url = reverse("journeys:step", args=[journey.pk, "register-move"])
    assert other.get(url).status_code == 404


def test_home_page_lists_my_life_events(
    client: Client, plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    log_in(client, personas["parent"])
    client.cookies["django_language"] = "en"
    journey = start(client, plan)

    html = client.get(reverse("portal:home")).content.decode()

    assert reverse("journeys:journey", args=[journey.pk]) in html
    assert "0 of 3 steps done" in html


def test_an_agency_endpoint_that_is_down_shows_delivery_delayed_and_keeps_the_submission(
    client: Client,
    plan: PlanFixture,
    personas: dict[str, DemoPersona],
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    municipality = plan.register.service.competent_authority
    # Port 9 (discard) on loopback: nothing listens, the push fails at once.
    create_client(municipality, "down", ["submissions"], webhook_url="http://127.0.0.1:9/")
    log_in(client, personas["parent"])
    client.cookies["django_language"] = "en"
    journey = start(client, plan)
    url = reverse("journeys:step", args=[journey.pk, "register-move"])

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"postcode": "3511 AB", "confirm": "yes", "idempotency_key": "down-1"})

    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.RETRYING
    assert delivery.attempts == 1
    html = client.get(reverse("journeys:journey", args=[journey.pk])).content.decode()
    assert "delivery delayed" in html
    assert Submission.objects.get().status == Submission.Status.SUBMITTED


def test_a_finished_journey_stays_readable(
    client: Client, plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    log_in(client, personas["parent"])
    client.cookies["django_language"] = "en"
    journey = start(client, plan)
    Journey.objects.filter(pk=journey.pk).update(
        status=Journey.Status.FINISHED, finished_at=datetime(2026, 12, 24, tzinfo=UTC)
    )

    html = client.get(reverse("journeys:journey", args=[journey.pk])).content.decode()

    assert "Finished on 24 December 2026" in html
    assert 'id="step-register-move"' in html
    assert "finished" in client.get(reverse("journeys:list")).content.decode()


def test_the_plan_page_asks_the_open_questions_of_a_registry_journey(
    client: Client, plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
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
    client.cookies["django_language"] = "nl"
    page = reverse("journeys:journey", args=[journey.pk])
    answers = reverse("journeys:answers", args=[journey.pk])

    html = client.get(page).content.decode()
    invalid = client.post(answers, {"move_date": "morgen"})
    valid = client.post(answers, {"move_date": "2026-12-01", "travel_abroad": "yes"})

    assert 'id="questions"' in html and 'name="travel_abroad"' in html
    assert invalid.status_code == 422
    assert "Voer een geldige datum in." in invalid.content.decode()
    assert valid.status_code == 302
    after = client.get(page).content.decode()
    assert 'id="questions"' not in after
    assert journey.steps.get(service_slug="passport-test").status == Step.Status.TODO
