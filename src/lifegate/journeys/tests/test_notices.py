"""An agency's status update on a submission arrives in the person's message box."""

import pytest

from lifegate.inbox.models import Category, Mailbox, Message
from lifegate.inbox.rendering import as_literal_markdown, render_body
from lifegate.journeys import services
from lifegate.journeys.models import Journey, Submission
from lifegate.journeys.tests.conftest import PlanFixture, person_actor
from lifegate.journeys.tests.test_plan import start, steps
from lifegate.registries.personas import DemoPersona
from lifegate.transparency.services import Actor, subject_hash

pytestmark = pytest.mark.django_db


def submit(journey: Journey, persona: DemoPersona, language: str) -> Submission:
    return services.submit_step(
        journey,
        steps(journey)["register-move"],
        actor=person_actor(persona),
        data={"postcode": "3511 AB"},
        language=language,
        idempotency_key="k-1",
    )


def test_a_status_update_becomes_a_message_linked_to_the_step(
    plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    persona = personas["parent"]
    journey = start(persona, plan)
    submission = submit(journey, persona, "en")
    agency = Actor(kind="agency", organisation=submission.organisation.slug)

    services.update_submission_status(submission, "received", "", "desk", agency)
    services.update_submission_status(
        submission, "decided", "Your <b>address</b> *changed*.", "desk", agency
    )

    messages = Message.objects.filter(recipient_hash=subject_hash(persona.subject))
    assert messages.count() == 2
    decided = messages.get(subject__endswith="decided")
    assert decided.category == Category.JOURNEY_UPDATE and decided.language == "en"
    assert decided.organisation == submission.organisation
    assert decided.step == steps(journey)["register-move"]
    html = render_body(decided.body)
    assert "Your &lt;b&gt;address&lt;/b&gt; *changed*." in html
    assert "<b>" not in html
    assert Mailbox.objects.get(recipient_hash=decided.recipient_hash).unread_count == 2


def test_a_message_in_dutch_for_a_dutch_request(
    plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    persona = personas["parent"]
    journey = start(persona, plan)
    submission = submit(journey, persona, "nl")
    agency = Actor(kind="agency", organisation=submission.organisation.slug)

    services.update_submission_status(submission, "rejected", "Onvolledig.", "desk", agency)

    message = Message.objects.get(recipient_hash=subject_hash(persona.subject))
    assert message.subject.endswith("afgewezen") and "Onvolledig" in message.body


def test_literal_markdown_shows_every_character_as_written() -> None:
    text = r"* [link](javascript:x) <img> _a_ `b` # c \ d"
    assert render_body(as_literal_markdown(text)).count("<") == 2  # only <p> and </p>


def test_an_agency_text_with_control_characters_still_arrives(
    plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    persona = personas["parent"]
    journey = start(persona, plan)
    submission = submit(journey, persona, "nl")
    agency = Actor(kind="agency", organisation=submission.organisation.slug)

    services.update_submission_status(submission, "rejected", "Regel 1\x0bRegel 2", "desk", agency)

    message = Message.objects.get(recipient_hash=subject_hash(persona.subject))
    assert "Regel 1\nRegel 2" in message.body
