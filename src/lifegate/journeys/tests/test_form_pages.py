"""What a person notices on the journey forms: field errors and hints that screen readers
announce (every aria-describedby points at an element on the page), a confirmation box that
keeps its tick, and Enter in a field that sends the step."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from lifegate.journeys.models import Submission
from lifegate.journeys.tests.conftest import PlanFixture
from lifegate.journeys.tests.test_pages import log_in, start
from lifegate.registries.personas import DemoPersona

DESCRIBED_BY = re.compile(r'aria-describedby="([^"]*)"')


def unresolved_descriptions(html: str) -> list[str]:
    """The ids aria-describedby names that no element on the page has."""
    named = {name for value in DESCRIBED_BY.findall(html) for name in value.split()}
    return sorted(name for name in named if f'id="{name}"' not in html)


def test_the_question_forms_errors_are_tied_to_their_fields(
    client: Client, plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    log_in(client, personas["parent"])

    response = client.post(
        reverse("journeys:start", args=[plan.event.slug]), {"move_date": "31-31-2026"}
    )

    html = response.content.decode()
    assert response.status_code == 422
    described = re.search(r'<input[^>]*name="move_date"[^>]*aria-describedby="([^"]*)"', html)
    assert described is not None and "id_move_date_error" in described.group(1).split()
    assert unresolved_descriptions(html) == []


def test_the_step_forms_errors_are_tied_to_their_fields_and_the_tick_is_kept(
    client: Client, plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    log_in(client, personas["parent"])
    journey = start(client, plan)
    url = reverse("journeys:step", args=[journey.pk, "register-move"])

    response = client.post(url, {"postcode": "12345", "confirm": "yes", "idempotency_key": "k"})

    html = response.content.decode()
    assert response.status_code == 422
    assert 'aria-invalid="true"' in html
    assert unresolved_descriptions(html) == []
    assert re.search(r'<input[^>]*id="id_confirm"[^>]* checked', html)
    assert not Submission.objects.exists()


def test_enter_in_a_field_sends_the_step(
    client: Client, plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    # Browsers submit a form with its first submit button when Enter is pressed in a field:
    # that must be "Send", not an action further down such as asking for evidence.
    log_in(client, personas["parent"])
    journey = start(client, plan)

    html = client.get(reverse("journeys:step", args=[journey.pk, "register-move"])).content
    form = html.decode().split('enctype="multipart/form-data"', 1)[1]
    first_button = re.search(r"<button[^>]*>", form)

    assert first_button is not None
    assert 'id="default-send"' in first_button.group(0)
    assert "formaction" not in first_button.group(0)


ERROR_LINK = re.compile(
    r'<li class="utrecht-unordered-list__item"><a class="utrecht-link" href="#([^"]+)">([^<]+)</a>'
)


def error_links(html: str) -> list[tuple[str, str]]:
    """The error summary's links: (target id, text)."""
    summary = html.split('id="form-error-list"', 1)[1].split("</ul>", 1)[0]
    return ERROR_LINK.findall(summary)


@pytest.mark.parametrize(("language", "label"), [("nl", "Datum"), ("en", "Date")])
def test_the_error_summary_links_each_error_to_its_field(
    client: Client, plan: PlanFixture, personas: dict[str, DemoPersona], language: str, label: str
) -> None:
    log_in(client, personas["parent"])
    client.cookies["django_language"] = language

    response = client.post(
        reverse("journeys:start", args=[plan.event.slug]), {"move_date": "31-31-2026"}
    )

    html = response.content.decode()
    links = error_links(html)
    assert response.status_code == 422
    assert [target for target, _text in links] == ["id_move_date"]
    assert links[0][1].startswith(f"{label}: ")
    assert all(f'id="{target}"' in html for target, _text in links)
