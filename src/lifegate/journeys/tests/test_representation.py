"""Acting for someone in their journeys: the pages and the person API ask the mandates decision
point for the journey's life event and each step's service, and what is done on someone's
behalf carries both people."""

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from lifegate.catalogue.tests.factories import make_organisation
from lifegate.core.sealing import seal
from lifegate.core.subject import Subject
from lifegate.journeys import services
from lifegate.journeys.models import Journey, Step, Submission
from lifegate.journeys.tests.conftest import PlanFixture
from lifegate.journeys.tests.test_pages import log_in
from lifegate.mandates import acting
from lifegate.mandates import services as mandates
from lifegate.mandates.models import Mandate
from lifegate.mandates.scopes import Scope
from lifegate.mandates.tests.conftest import grant_active
from lifegate.registries.personas import DemoPersona
from lifegate.registries.services import population_register
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import Actor, decrypt_subject, subject_hash

pytestmark = pytest.mark.django_db
API = "/api/journeys/"


@pytest.fixture(autouse=True)
def notice_sender(db: None) -> None:
    """Principals are told about their mandates by this organisation (settings)."""
    make_organisation(settings.MANDATES_NOTICE_SENDER, "Logius", "Logius")


def _start(plan: PlanFixture, subject: Subject) -> Journey:
    """The person's own "moving" journey with the passport step in it (they travel abroad)."""
    start = services.Start(
        subject=subject,
        actor=Actor(kind="person", subject=subject),
        answers={"move_date": "2026-12-01", "travel_abroad": True},
    )
    return services.start_journey(plan.event, start)


def _grant(principal: DemoPersona, representative: DemoPersona, scope: Scope) -> Mandate:
    today = timezone.localdate()
    granted = grant_active(
        principal.subject,
        representative.subject,
        [scope],
        today,
        today + timedelta(days=30),
        Actor(kind="person", subject=principal.subject),
    )
    return granted.mandates[0]


def _act_for(client: Client, persona: DemoPersona, principal: Subject) -> None:
    log_in(client, persona)
    response = client.post(reverse("mandates:choose"), {"person": subject_hash(principal)})
    assert response.status_code == 302


def _journey_page(journey: Journey) -> str:
    return reverse("journeys:journey", args=[journey.pk])


def _step_page(journey: Journey, slug: str) -> str:
    return reverse("journeys:step", args=[journey.pk, slug])


def _refusal_reason(html: str) -> str:
    marker = 'id="refusal" data-reason="'
    assert marker in html
    return html.split(marker, 1)[1].split('"', 1)[0]


@pytest.fixture
def principal(personas: dict[str, DemoPersona]) -> DemoPersona:
    return personas["elderly"]


@pytest.fixture
def representative(personas: dict[str, DemoPersona]) -> DemoPersona:
    return personas["student"]


def test_a_representative_for_the_life_event_sends_a_step_on_the_principals_behalf(
    client: Client, plan: PlanFixture, principal: DemoPersona, representative: DemoPersona
) -> None:
    journey = _start(plan, principal.subject)
    _grant(principal, representative, Scope("life-event", plan.event.slug))
    _act_for(client, representative, principal.subject)

    page = client.get(_journey_page(journey))
    form = client.get(_step_page(journey, "register-move"))
    sent = client.post(
        _step_page(journey, "register-move"),
        {"postcode": "3511 AB", "confirm": "yes", "idempotency_key": "on-behalf-1"},
    )

    assert page.status_code == form.status_code == 200
    assert f"{principal.given_name} {principal.family_name}" in form.content.decode()
    assert sent.status_code == 302
    submission = Submission.objects.get()
    assert decrypt_subject(submission.actor_sealed) == representative.subject
    assert services.submission_subject(submission) == principal.subject
    record = ProcessingRecord.objects.get(name="journeys.submit.register-move")
    assert record.data_subject_hash == subject_hash(principal.subject)
    assert record.actor_hash == subject_hash(representative.subject)
    assert record.on_behalf_of_hash == subject_hash(principal.subject)


def test_seeing_the_plan_on_behalf_is_recorded_on_the_principal(
    client: Client, plan: PlanFixture, principal: DemoPersona, representative: DemoPersona
) -> None:
    journey = _start(plan, principal.subject)
    _grant(principal, representative, Scope("life-event", plan.event.slug))
    _act_for(client, representative, principal.subject)

    client.get(_journey_page(journey))

    record = ProcessingRecord.objects.get(name="journeys.view")
    assert record.data_subject_hash == subject_hash(principal.subject)
    assert record.actor_hash == subject_hash(representative.subject)
    assert record.on_behalf_of_hash == subject_hash(principal.subject)


def test_a_representative_starts_a_life_event_for_the_principal_through_the_api(
    client: Client, plan: PlanFixture, principal: DemoPersona, representative: DemoPersona
) -> None:
    _grant(principal, representative, Scope("life-event", plan.event.slug))
    _act_for(client, representative, principal.subject)

    response = client.post(
        API,
        {"life_event": plan.event.slug, "answers": {"move_date": "2026-12-01"}},
        content_type="application/json",
    )

    assert response.status_code == 201
    journey = Journey.objects.get()
    assert journey.subject_hash == subject_hash(principal.subject)
    assert not Journey.objects.filter(subject_hash=subject_hash(representative.subject)).exists()


def test_a_service_mandate_shows_the_plan_but_acts_only_in_its_own_step(
    client: Client, plan: PlanFixture, principal: DemoPersona, representative: DemoPersona
) -> None:
    journey = _start(plan, principal.subject)
    _grant(principal, representative, Scope("service", "passport-test"))
    _act_for(client, representative, principal.subject)
    client.cookies["django_language"] = "en"

    html = client.get(_journey_page(journey)).content.decode()
    own_step = client.get(_step_page(journey, "passport-test"))
    other_step = client.get(_step_page(journey, "register-move"))
    other_send = client.post(
        _step_page(journey, "register-move"),
        {"postcode": "3511 AB", "confirm": "yes", "idempotency_key": "out-of-scope-1"},
    )
    other_done = client.post(reverse("journeys:done", args=[journey.pk, "info-test"]))

    assert _step_page(journey, "passport-test") in html
    assert _step_page(journey, "register-move") not in html
    assert 'id="refusal-register-move"' in html and 'id="refusal-info-test"' in html
    assert "Your authorisation does not cover this." in html
    assert own_step.status_code == 200
    assert other_step.status_code == other_send.status_code == other_done.status_code == 403
    assert _refusal_reason(other_step.content.decode()) == "out-of-scope"
    with translation.override("en"):
        assert "Your authorisation does not cover this." in other_send.content.decode()
    assert not Submission.objects.exists()
    assert journey.steps.get(service_slug="info-test").status == Step.Status.TODO


def test_a_service_mandate_is_refused_other_steps_through_the_api_with_the_reason(
    client: Client, plan: PlanFixture, principal: DemoPersona, representative: DemoPersona
) -> None:
    journey = _start(plan, principal.subject)
    _grant(principal, representative, Scope("service", "passport-test"))
    _act_for(client, representative, principal.subject)
    base = f"{API}{journey.pk}"

    plan_out = client.get(base)
    own_form = client.get(f"{base}/steps/passport-test/form")
    other_form = client.get(f"{base}/steps/register-move/form")
    other_send = client.post(
        f"{base}/steps/register-move/submissions",
        {"fields": {"postcode": "3511 AB"}, "idempotency_key": "api-out-1", "confirmed": True},
        content_type="application/json",
    )
    own_send = client.post(
        f"{base}/steps/passport-test/submissions",
        {"fields": {}, "idempotency_key": "api-own-1", "confirmed": True},
        content_type="application/json",
    )

    assert plan_out.status_code == own_form.status_code == 200
    # The plan says beforehand which steps the representative may act in, and why not.
    steps = {step["service"]: step for step in plan_out.json()["steps"]}
    assert steps["passport-test"]["may_act"] and steps["passport-test"]["refusal"] == ""
    assert not steps["register-move"]["may_act"] and steps["register-move"]["refusal"]
    for refused in (other_form, other_send):
        assert refused.status_code == 403
        assert refused["Content-Type"] == "application/problem+json"
        assert refused.json()["type"].endswith("not-permitted")
        assert refused.json()["reason"] == "out-of-scope"
    assert own_send.status_code == 201
    assert [s.service_slug for s in Submission.objects.all()] == ["passport-test"]


def test_a_service_mandate_cannot_answer_the_plans_questions(
    client: Client, plan: PlanFixture, principal: DemoPersona, representative: DemoPersona
) -> None:
    journey = services.start_journey(
        plan.event,
        services.Start(
            subject=principal.subject,
            actor=Actor(kind="person", subject=principal.subject),
            origin=Journey.Origin.REGISTRY,
        ),
    )
    _grant(principal, representative, Scope("service", "register-move"))
    _act_for(client, representative, principal.subject)

    html = client.get(_journey_page(journey)).content.decode()
    answered = client.post(
        reverse("journeys:answers", args=[journey.pk]), {"move_date": "2026-12-01"}
    )

    assert 'id="questions-refused"' in html and 'name="move_date"' not in html
    assert answered.status_code == 403
    assert services.pending_questions(journey)
    # The API's plan says so too, in the request's language.
    english = client.get(f"{API}{journey.pk}", headers={"accept-language": "en"}).json()
    assert english["open_questions"] and english["questions_refused"]


def test_an_inbox_mandate_does_not_show_journeys(
    client: Client, plan: PlanFixture, principal: DemoPersona, representative: DemoPersona
) -> None:
    journey = _start(plan, principal.subject)
    _grant(principal, representative, Scope("inbox-read"))
    _act_for(client, representative, principal.subject)

    page = client.get(_journey_page(journey))
    listing = client.get(reverse("journeys:list")).content.decode()
    api_plan = client.get(f"{API}{journey.pk}")

    assert page.status_code == 403
    assert _refusal_reason(page.content.decode()) == "out-of-scope"
    assert _journey_page(journey) not in listing
    assert 'id="journeys-limited"' in listing
    assert api_plan.status_code == 403 and api_plan.json()["reason"] == "out-of-scope"
    assert client.get(API).json() == []
    assert not ProcessingRecord.objects.filter(name__startswith="journeys.view").exists()


def test_the_list_shows_only_the_journeys_the_mandate_covers(
    client: Client, plan: PlanFixture, principal: DemoPersona, representative: DemoPersona
) -> None:
    journey = _start(plan, principal.subject)
    _grant(principal, representative, Scope("service", "info-test"))
    _act_for(client, representative, principal.subject)

    listing = client.get(reverse("journeys:list")).content.decode()

    assert _journey_page(journey) in listing
    assert [item["id"] for item in client.get(API).json()] == [str(journey.pk)]


def test_an_ended_mandate_is_refused_at_the_next_click(
    client: Client, plan: PlanFixture, principal: DemoPersona, representative: DemoPersona
) -> None:
    journey = _start(plan, principal.subject)
    mandate = _grant(principal, representative, Scope("life-event", plan.event.slug))
    _act_for(client, representative, principal.subject)
    assert client.get(_journey_page(journey)).status_code == 200

    mandates.end(mandate.pk, principal.subject, Actor(kind="person", subject=principal.subject))
    page = client.get(_journey_page(journey))
    api_plan = client.get(f"{API}{journey.pk}")

    assert page.status_code == 403
    assert _refusal_reason(page.content.decode()) == "ended"
    assert api_plan.status_code == 403 and api_plan.json()["reason"] == "ended"


def test_an_expired_mandate_is_refused_in_an_ongoing_session(
    client: Client, plan: PlanFixture, principal: DemoPersona, representative: DemoPersona
) -> None:
    journey = _start(plan, principal.subject)
    mandate = _grant(principal, representative, Scope("life-event", plan.event.slug))
    _act_for(client, representative, principal.subject)
    yesterday = timezone.localdate() - timedelta(days=1)
    Mandate.objects.filter(pk=mandate.pk).update(
        valid_from=yesterday - timedelta(days=30), valid_until=yesterday
    )

    sent = client.post(
        _step_page(journey, "register-move"),
        {"postcode": "3511 AB", "confirm": "yes", "idempotency_key": "expired-1"},
    )

    assert sent.status_code == 403
    assert _refusal_reason(sent.content.decode()) == "expired"
    assert not Submission.objects.exists()


def _minor_child(parent: DemoPersona) -> Subject:
    today = timezone.localdate()
    child = next(
        c
        for c in population_register().children_of(parent.subject.value)
        if c.is_minor_on(today) and parent.subject.value in c.parental_authority_holders
    )
    return Subject("bsn", child.bsn)


def test_a_parent_starts_and_sends_a_plan_for_their_minor_child(
    client: Client, plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    parent = personas["parent"]
    child = _minor_child(parent)
    _act_for(client, parent, child)

    started = client.post(
        reverse("journeys:start", args=[plan.event.slug]),
        {"move_date": "2026-12-01", "travel_abroad": "no"},
    )
    journey = Journey.objects.get()
    sent = client.post(
        _step_page(journey, "register-move"),
        {"postcode": "3511 AB", "confirm": "yes", "idempotency_key": "child-1"},
    )

    assert started.status_code == sent.status_code == 302
    assert journey.subject_hash == subject_hash(child)
    submission = Submission.objects.get()
    assert decrypt_subject(submission.actor_sealed) == parent.subject
    assert services.submission_subject(submission) == child
    record = ProcessingRecord.objects.get(name="journeys.submit.register-move")
    assert record.data_subject_hash == subject_hash(child)
    assert record.on_behalf_of_hash == subject_hash(child)
    assert record.actor_hash == subject_hash(parent.subject)


def _forge_choice(client: Client, representative: DemoPersona, principal: Subject) -> None:
    """A session whose choice was once valid (say, before the child turned 18)."""
    session = client.session
    payload = {
        "representative": subject_hash(representative.subject),
        "subject": principal.as_dict(),
        "name": "",
    }
    session[acting.SESSION_KEY] = seal(acting.SEAL_PURPOSE, json.dumps(payload))
    session.save()


def test_a_parent_of_an_adult_child_is_refused(
    client: Client, plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    student, parent = personas["student"], personas["parent-of-adult"]
    journey = _start(plan, student.subject)
    log_in(client, parent)

    chosen = client.post(reverse("mandates:choose"), {"person": subject_hash(student.subject)})
    _forge_choice(client, parent, student.subject)
    page = client.get(_journey_page(journey))
    listing = client.get(reverse("journeys:list"))
    api_list = client.get(API)

    assert chosen.status_code == 422
    assert page.status_code == listing.status_code == 403
    assert _refusal_reason(page.content.decode()) == "no-relation"
    assert api_list.status_code == 403 and api_list.json()["reason"] == "no-relation"
