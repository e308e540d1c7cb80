"""POST (and GET) /api/assistant/: ranked suggestions with reasons and channels, in the requested
language, and 400 problem details for bad questions."""

from typing import Any

import pytest
from django.test import Client

from lifegate.assistant.services import MAX_QUESTION_LENGTH
from lifegate.assistant.tests.conftest import ask_api, ask_api_by_link
from lifegate.catalogue.loader import LoadReport

pytestmark = pytest.mark.django_db


def answer(client: Client, **params: Any) -> dict[str, Any]:
    response = ask_api(client, **params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    return response.json()


def test_it_answers_an_english_question_with_ranked_explained_suggestions(
    catalogue: LoadReport, client: Client
) -> None:
    body = answer(client, q="my father passed away", lang="en")
    assert body["matched"] is True
    first = body["suggestions"][0]
    assert first["kind"] == "life-event" and first["slug"] == "death-of-a-relative"
    assert first["name"] == "Death of a relative"
    assert first["url"] == "http://testserver/catalogue/life-events/death-of-a-relative/"
    assert first["start_url"] == "http://testserver/journeys/start/death-of-a-relative/"
    scores = [s["score"] for s in body["suggestions"]]
    assert scores == sorted(scores, reverse=True)
    reason = next(r for r in first["reasons"] if r["word"] == "passed")
    assert reason["via"] == "word" and reason["language"] == "en"
    assert reason["field"] == "situations" and reason["text"] == "passed away"
    assert reason["sentence"] == "“passed” matches the situation “passed away”"
    assert reason["sentence"] in first["explanation"]


def test_suggestions_carry_only_human_channels_of_the_agencies_involved(
    catalogue: LoadReport, client: Client
) -> None:
    body = answer(client, q="kinderbijslag", lang="nl")
    service = body["suggestions"][0]
    assert service["slug"] == "child-benefit" and service["start_url"] is None
    assert service["agencies"] == [
        {
            "slug": "svb",
            "name": "Sociale Verzekeringsbank",
            "channels": [
                {
                    "kind": "phone",
                    "name": "Telefoon SVB",
                    "address": "020 656 56 56",
                    "hours": "maandag tot en met vrijdag van 8.00 tot 17.00 uur",
                }
            ],
        }
    ]


def test_a_life_event_lists_every_agency_of_its_services(
    catalogue: LoadReport, client: Client
) -> None:
    body = answer(client, q="mijn moeder is overleden", lang="nl")
    event = body["suggestions"][0]
    assert event["slug"] == "death-of-a-relative"
    agencies = [agency["slug"] for agency in event["agencies"]]
    assert agencies[0] == "gemeente-utrecht"
    assert {"svb", "toeslagen", "belastingdienst", "abp", "rdw"} <= set(agencies)
    kinds = {c["kind"] for agency in event["agencies"] for c in agency["channels"]}
    assert kinds <= {"phone", "counter", "chat"}


def test_a_dutch_question_answered_in_english(catalogue: LoadReport, client: Client) -> None:
    body = answer(client, q="ik ga verhuizen", lang="en")
    assert body["suggestions"][0]["name"] in {
        "Moving house within the Netherlands",
        "Reporting a change of address",
    }
    assert body["message"].endswith("from the catalogue, best first.")
    reason = body["suggestions"][0]["reasons"][0]
    assert reason["language"] == "nl" and reason["word"] == "verhuizen"


def test_no_match_says_so_and_offers_the_helpdesk(catalogue: LoadReport, client: Client) -> None:
    body = answer(client, q="wat voor weer wordt het morgen", lang="en")
    assert body["matched"] is False and body["suggestions"] == []
    assert body["message"].startswith("Nothing in the catalogue matches your situation well.")
    assert body["helpdesk"][0]["slug"] == "gemeente-utrecht"
    assert {c["kind"] for c in body["helpdesk"][0]["channels"]} == {"phone", "counter"}


@pytest.mark.parametrize(
    ("params", "problem_type"),
    [
        ({}, "invalid-question"),
        ({"q": "  "}, "invalid-question"),
        ({"q": "x" * (MAX_QUESTION_LENGTH + 1)}, "invalid-request"),
        ({"q": "paspoort", "lang": "de"}, "invalid-request"),
    ],
)
def test_bad_input_is_a_400_problem_that_does_not_repeat_the_question(
    catalogue: LoadReport, client: Client, params: dict[str, str], problem_type: str
) -> None:
    response = ask_api(client, **params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith(problem_type) and problem["status"] == 400
    if "q" in params and params["q"].strip():
        assert params["q"] not in response.content.decode()


@pytest.mark.parametrize(
    ("method", "operation_id"), [("post", "askAssistant"), ("get", "askAssistantByLink")]
)
def test_the_operation_is_documented(client: Client, method: str, operation_id: str) -> None:
    document = client.get("/api/openapi.json").json()
    operation = document["paths"]["/api/assistant/"][method]
    assert operation["operationId"] == operation_id
    assert operation["description"] and operation["tags"] == ["assistant"]
    assert "400" in operation["responses"]


def test_a_link_with_the_question_in_the_url_gets_the_same_answer(
    catalogue: LoadReport, client: Client
) -> None:
    posted = answer(client, q="my father passed away", lang="en")
    linked = ask_api_by_link(client, q="my father passed away", lang="en")
    assert linked.status_code == 200 and linked.json() == posted


@pytest.mark.parametrize(
    ("language", "title"), [("nl", "Ongeldige vraag"), ("en", "Invalid question")]
)
def test_an_empty_question_is_refused_in_the_language_asked_for(
    catalogue: LoadReport, client: Client, language: str, title: str
) -> None:
    response = ask_api(client, q=" ", lang=language)
    assert response.status_code == 400 and response.json()["title"] == title
