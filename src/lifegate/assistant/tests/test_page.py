"""The assistant page /assistant/: works without JavaScript, in Dutch and English, with
reasons, a way to start, human channels, and readable messages for bad questions."""

import logging

import pytest
from django.test import Client
from django.utils import translation

from lifegate.assistant.services import MAX_QUESTION_LENGTH
from lifegate.catalogue.loader import LoadReport

pytestmark = pytest.mark.django_db
PAGE = "/assistant/"


def page(client: Client, language: str = "en", **params: str) -> tuple[int, str]:
    """The page, with the question posted as its form does."""
    response = (
        client.post(PAGE, params, HTTP_ACCEPT_LANGUAGE=language)
        if params
        else client.get(PAGE, HTTP_ACCEPT_LANGUAGE=language)
    )
    assert response["Content-Language"] == language
    return response.status_code, response.content.decode()


def test_without_a_question_it_shows_only_the_form(catalogue: LoadReport, client: Client) -> None:
    status, html = page(client)
    assert status == 200
    assert 'id="assistant-question"' in html and 'name="q"' in html
    assert 'id="answer"' not in html


def test_an_english_question_gets_suggestions_with_reasons_start_link_and_channels(
    catalogue: LoadReport, client: Client
) -> None:
    status, html = page(client, q="we're expecting a baby")
    assert status == 200
    assert 'id="suggestion-1"' in html
    assert 'href="/catalogue/life-events/birth/"' in html
    assert 'href="/journeys/start/birth/"' in html
    with translation.override("en"):
        assert "Why this suggestion" in html
        assert "“baby” matches the situation “expecting a baby”" in html
        assert "Prefer to talk to someone?" in html
    assert 'href="tel:14030"' in html  # the municipality, which registers the birth


def test_a_dutch_question_on_the_dutch_page_gets_dutch_catalogue_texts(
    catalogue: LoadReport, client: Client
) -> None:
    status, html = page(client, "nl", q="mijn vader is overleden")
    assert status == 200
    assert "Overlijden van een naaste" in html
    assert 'href="/journeys/start/death-of-a-relative/"' in html


def test_a_reason_quoting_dutch_catalogue_text_on_an_english_page_marks_its_language(
    catalogue: LoadReport, client: Client
) -> None:
    _status, html = page(client, q="ik ga verhuizen")
    assert '“verhuizen” is in the name “<span lang="nl">Verhuizen binnen Nederland</span>”' in html


def test_a_misspelling_is_explained_as_read(catalogue: LoadReport, client: Client) -> None:
    _status, html = page(client, q="kinderbijslg")
    assert 'href="/catalogue/services/child-benefit/"' in html
    assert "“kinderbijslg” (read as “kinderbijslag”)" in html


def test_no_match_says_so_and_offers_the_helpdesk(catalogue: LoadReport, client: Client) -> None:
    status, html = page(client, q="recipe for apple pie")
    assert status == 200
    assert 'id="suggestion-1"' not in html
    assert "We found no match in the catalogue" in html
    assert "Contact the helpdesk" in html
    assert 'href="tel:14030"' in html


@pytest.mark.parametrize("question", ["", "   ", "x" * (MAX_QUESTION_LENGTH + 1)])
def test_an_empty_or_overlong_question_gets_a_readable_message(
    catalogue: LoadReport, client: Client, question: str
) -> None:
    status, html = page(client, q=question)
    assert status == 400
    assert 'role="alert"' in html and 'aria-invalid="true"' in html
    assert 'id="answer"' not in html


def test_the_forms_post_the_question_so_that_it_stays_out_of_urls(
    catalogue: LoadReport, client: Client
) -> None:
    # A question may hold a citizen service number: a URL ends up in proxy logs and history.
    csrf_checking = Client(enforce_csrf_checks=True)
    html = csrf_checking.get(PAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="answer"' not in html and '<form method="post" action="/assistant/"' in html
    answered = csrf_checking.post(PAGE, {"q": "paspoort"}, HTTP_ACCEPT_LANGUAGE="en")
    assert answered.status_code == 200 and 'id="suggestion-1"' in answered.content.decode()


def test_a_link_with_the_question_still_gets_the_answer(
    catalogue: LoadReport, client: Client
) -> None:
    response = client.get(PAGE, {"q": "paspoort"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and 'id="suggestion-1"' in response.content.decode()


def test_the_answer_is_never_cached(catalogue: LoadReport, client: Client) -> None:
    response = client.post(PAGE, {"q": "paspoort"})
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_every_page_has_the_question_form_in_its_header(
    catalogue: LoadReport, client: Client
) -> None:
    for path in ("/", "/catalogue/life-events/", "/catalogue/services/child-benefit/"):
        html = client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert 'method="post" action="/assistant/"' in html, path
        assert '<label class="utrecht-form-label" for="lg-ask-question">' in html, path


def test_the_question_is_not_logged(
    catalogue: LoadReport, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "mijn buurman Pietersen 06-12345678 verhuist"
    with caplog.at_level(logging.DEBUG):
        client.post(PAGE, {"q": secret})
        client.post(PAGE, {"q": secret + "x" * MAX_QUESTION_LENGTH})
        client.get(PAGE, {"q": secret})
        client.post("/api/assistant/", {"q": secret}, content_type="application/json")
    assert caplog.records, "nothing was captured: the check would prove nothing"
    assert all("Pietersen" not in record.getMessage() for record in caplog.records)
