"""An agency's message on a step (its decision text) is shown on the plan page and in the
person API only to whom may read it in the message box too: a login of level substantial or
higher (and at least the step's own level), and for a representative a mandate that lets them
act in that step."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from lifegate.catalogue.tests.factories import make_organisation
from lifegate.journeys.models import Journey, Step
from lifegate.journeys.tests.conftest import PlanFixture
from lifegate.journeys.tests.test_pages import log_in
from lifegate.journeys.tests.test_representation import _act_for, _grant, _start
from lifegate.mandates.scopes import Scope
from lifegate.registries.personas import DemoPersona

pytestmark = pytest.mark.django_db
DECISION = "Afgewezen: het uittreksel ontbreekt."
PASSPORT_NOTE = "Uw paspoort ligt klaar."
WITHHELD = {
    "nl": "De organisatie stuurde een bericht over deze stap.",
    "en": "The organisation sent a message about this step.",
}


def _with_messages(journey: Journey) -> None:
    journey.steps.filter(service_slug="register-move").update(status_message=DECISION)
    journey.steps.filter(service_slug="passport-test").update(status_message=PASSPORT_NOTE)


def _messages(client: Client, journey: Journey) -> dict[str, tuple[str, bool]]:
    response = client.get(f"/api/journeys/{journey.pk}")
    assert response.status_code == 200
    return {
        step["service"]: (step["message"], step["message_withheld"])
        for step in response.json()["steps"]
        if step["service"] in ("register-move", "passport-test")
    }


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_low_login_sees_that_there_is_a_message_but_not_what_it_says(
    client: Client, plan: PlanFixture, personas: dict[str, DemoPersona], language: str
) -> None:
    owner = personas["elderly"]
    journey = _start(plan, owner.subject)
    _with_messages(journey)
    log_in(client, owner, loa="low")
    client.cookies["django_language"] = language

    page = client.get(reverse("journeys:journey", args=[journey.pk]))

    assert page.status_code == 200
    assert DECISION not in page.text and PASSPORT_NOTE not in page.text
    assert WITHHELD[language] in page.text
    assert _messages(client, journey) == {
        "register-move": ("", True),
        "passport-test": ("", True),
    }


def test_the_person_at_level_substantial_reads_every_message(
    client: Client, plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    owner = personas["elderly"]
    journey = _start(plan, owner.subject)
    _with_messages(journey)
    log_in(client, owner, loa="substantial")

    page = client.get(reverse("journeys:journey", args=[journey.pk]))

    assert DECISION in page.text and PASSPORT_NOTE in page.text
    assert WITHHELD["nl"] not in page.text
    assert _messages(client, journey) == {
        "register-move": (DECISION, False),
        "passport-test": (PASSPORT_NOTE, False),
    }


def test_a_representative_reads_only_the_messages_of_steps_their_mandate_covers(
    client: Client, plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    make_organisation(settings.MANDATES_NOTICE_SENDER, "Logius", "Logius")  # mandate notices
    principal, representative = personas["elderly"], personas["student"]
    journey = _start(plan, principal.subject)
    _with_messages(journey)
    _grant(principal, representative, Scope("service", "passport-test"))
    _act_for(client, representative, principal.subject)

    page = client.get(reverse("journeys:journey", args=[journey.pk]))

    assert page.status_code == 200
    assert PASSPORT_NOTE in page.text
    assert DECISION not in page.text and WITHHELD["nl"] in page.text
    assert _messages(client, journey) == {
        "register-move": ("", True),
        "passport-test": (PASSPORT_NOTE, False),
    }
    assert Step.objects.get(service_slug="register-move").status_message == DECISION
