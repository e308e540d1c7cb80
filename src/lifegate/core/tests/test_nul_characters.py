"""A NUL character (U+0000) anywhere a person or client can put text is a clear 400: in the
query string, a posted form or a JSON body, on pages and in the API. PostgreSQL cannot store
it in text, so without the check it was a 500 wherever the value reached a query."""

import json
from datetime import UTC, datetime

import pytest
from django.test import Client

from lifegate.assistant.models import SharedQuestion
from lifegate.core.subject import Subject
from lifegate.identity.session import SESSION_KEY, Authentication, session_value
from lifegate.inbox.models import Message
from lifegate.journeys.models import Journey

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"
SAID = {
    "en": (
        "Text may not contain the NUL character (U+0000) or a lone UTF-16 surrogate "
        "(U+D800 to U+DFFF)."
    ),
    "nl": (
        "Tekst mag het NUL-teken (U+0000) en losse UTF-16-surrogaten (U+D800 tot en met "
        "U+DFFF) niet bevatten."
    ),
}
PAGE = {
    "en": "Something is wrong with this request",
    "nl": "Er is iets mis met dit verzoek",
}


@pytest.fixture
def person(client: Client) -> Subject:
    """A logged-in person (the pages and endpoints here need no register entry)."""
    subject = Subject("bsn", "999990019")
    session = client.session
    session[SESSION_KEY] = session_value(
        Authentication(subject, "substantial", datetime.now(UTC), "test")
    )
    session.save()
    return subject


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("query", ["q=a%00b", "organisation=a%00b", "category=post%00", "a%00=1"])
def test_a_nul_in_an_api_query_is_a_400_problem(
    client: Client, person: Subject, query: str, language: str
) -> None:
    response = client.get(f"/api/inbox/messages?{query}", headers={"accept-language": language})

    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    assert response.json()["detail"] == SAID[language]


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize(
    "body",
    [
        {"life_event": "moving\u0000house", "answers": {}},
        {"life_event": "moving-house", "answers": {"move\u0000date": "2027-01-10"}},
        {"life_event": "moving-house", "answers": {"note": ["ok", {"deep": "x\u0000"}]}},
        # An unpaired surrogate: valid JSON, but no UTF-8 (a 500 in the database before).
        {"life_event": "moving\ud800house", "answers": {}},
        {"life_event": "moving-house", "answers": {"\udfff": "2027-01-10"}},
    ],
)
def test_a_nul_in_a_json_body_is_a_400_problem_and_nothing_is_stored(
    client: Client, person: Subject, body: dict[str, object], language: str
) -> None:
    response = client.post(
        "/api/journeys/",
        json.dumps(body),
        content_type="application/json",
        headers={"accept-language": language},
    )

    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    assert response.json()["detail"] == SAID[language]
    assert not Journey.objects.exists()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_nul_in_a_page_query_is_the_400_page(
    client: Client, person: Subject, language: str
) -> None:
    response = client.get("/inbox/?q=rekening%00", headers={"accept-language": language})

    assert response.status_code == 400
    assert PAGE[language] in response.content.decode()
    assert not Message.objects.exists()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_nul_in_a_posted_form_is_the_400_page_and_nothing_is_kept(
    client: Client, language: str
) -> None:
    response = client.post(
        "/assistant/share/",
        {"q": "ik ga verhuizen\x00", "consent": "yes"},
        headers={"accept-language": language},
    )

    assert response.status_code == 400
    assert PAGE[language] in response.content.decode()
    assert not SharedQuestion.objects.exists()


def test_text_without_nul_passes(client: Client, person: Subject) -> None:
    response = client.get("/api/inbox/messages?q=rekening", headers={"accept-language": "en"})

    assert response.status_code == 200
