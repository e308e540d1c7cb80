"""After logging in, a person comes back where they were. A form posted after the session ran
out cannot be repeated as a GET (most actions answer that with 405), so it comes back to the
page the form was on."""

import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db
ACTION = f"/mandates/{uuid.uuid4()}/end/"  # POST only, at level substantial


def next_of(response: object) -> str:
    location = response["Location"]  # type: ignore[index]
    assert urlsplit(location).path == "/identity/login/"
    return parse_qs(urlsplit(location).query)["next"][0]


def test_a_page_comes_back_to_itself(client: Client) -> None:
    assert next_of(client.get("/mandates/?tab=given")) == "/mandates/?tab=given"


def test_a_form_posted_without_a_session_comes_back_to_the_page_it_was_on(client: Client) -> None:
    response = client.post(ACTION, headers={"referer": "http://testserver/mandates/"})

    assert next_of(response) == "/mandates/"


@pytest.mark.parametrize("referer", [None, "https://elsewhere.example/mandates/", "javascript:x"])
def test_without_a_page_of_this_site_to_go_back_to_it_is_the_home_page(
    client: Client, referer: str | None
) -> None:
    headers = {"referer": referer} if referer else {}

    assert next_of(client.post(ACTION, headers=headers)) == "/"
