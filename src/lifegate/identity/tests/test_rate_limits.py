"""Rate limit of logging in: starting a login and the provider's callback count together per
calling address; over the limit, a 429 page with Retry-After in the person's language."""

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

pytestmark = pytest.mark.django_db

LIMIT = 3
WINDOW = 300
HOME_NETWORK = "198.51.100.7"
OTHER_NETWORK = "198.51.100.8"


@pytest.fixture(autouse=True)
def small_limit(settings: Any) -> Any:
    """A small limit, counted from zero in every test."""
    settings.LOGIN_RATE_LIMIT = LIMIT
    settings.LOGIN_RATE_WINDOW_SECONDS = WINDOW
    cache.clear()
    yield settings
    cache.clear()


def _start(http: Client, address: str, language: str = "en") -> Any:
    return http.post(
        "/identity/login/",
        {"scheme": "digid", "level": "low"},
        REMOTE_ADDR=address,
        HTTP_ACCEPT_LANGUAGE=language,
    )


def _callback(http: Client, address: str, language: str = "en") -> Any:
    return http.get(
        "/identity/callback/",
        {"state": "unknown", "code": "x"},
        REMOTE_ADDR=address,
        HTTP_ACCEPT_LANGUAGE=language,
    )


def _assert_throttled_page(response: Any) -> None:
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= WINDOW
    assert response["Content-Type"].startswith("text/html")


def test_starting_logins_is_limited_per_address(client: Client) -> None:
    answers = [_start(client, HOME_NETWORK).status_code for _ in range(LIMIT)]
    over = _start(client, HOME_NETWORK)

    assert 429 not in answers
    _assert_throttled_page(over)
    text = over.content.decode()
    assert "Too many login attempts" in text
    minutes = -(-int(over["Retry-After"]) // 60)
    assert f"try again in {minutes} minute" in text
    assert 'href="/identity/login/' in text  # the way back, once the window has passed


def test_the_callback_counts_with_the_start_of_a_login(client: Client) -> None:
    for _ in range(LIMIT - 1):
        _start(client, HOME_NETWORK)
    first_callback = _callback(client, HOME_NETWORK)

    over = _callback(client, HOME_NETWORK)

    assert first_callback.status_code == 400  # an unknown state, answered as usual
    _assert_throttled_page(over)


def test_another_address_can_still_log_in(client: Client) -> None:
    for _ in range(LIMIT + 2):
        _start(client, HOME_NETWORK)

    assert _start(client, HOME_NETWORK).status_code == 429
    assert _start(client, OTHER_NETWORK).status_code != 429
    assert _callback(client, OTHER_NETWORK).status_code == 400


def test_the_login_page_itself_is_not_counted(client: Client) -> None:
    for _ in range(LIMIT + 2):
        assert client.get("/identity/login/", REMOTE_ADDR=HOME_NETWORK).status_code == 200

    assert _start(client, HOME_NETWORK).status_code != 429


def test_the_page_is_in_the_persons_language(client: Client) -> None:
    for _ in range(LIMIT):
        _start(client, HOME_NETWORK, "nl")

    dutch = _start(client, HOME_NETWORK, "nl")
    english = _start(client, HOME_NETWORK, "en")

    _assert_throttled_page(dutch)
    assert dutch["Content-Language"] == "nl"
    assert '<html lang="nl"' in dutch.content.decode()
    assert english["Content-Language"] == "en"
    assert '<html lang="en"' in english.content.decode()
