"""However active, a session ends LIFEGATE_SESSION_MAX_SECONDS after the login that started
it: the next page asks to log in again and the session's data is gone."""

import time
from typing import Any

import pytest
from django.test import Client

from lifegate.identity.session import (
    SESSION_KEY,
    STARTED_KEY,
    current_authentication,
    session_value,
    start_session,
)
from lifegate.identity.tests.test_session_sealing import RESIDENT, request_with_session

pytestmark = pytest.mark.django_db
MAX_AGE = 8 * 60 * 60


@pytest.fixture(autouse=True)
def max_age(settings: Any) -> None:
    settings.LIFEGATE_SESSION_MAX_SECONDS = MAX_AGE


def logged_in(started_seconds_ago: int | None) -> Client:
    client = Client()
    session = client.session
    session[SESSION_KEY] = session_value(RESIDENT)
    if started_seconds_ago is not None:
        session[STARTED_KEY] = int(time.time()) - started_seconds_ago
    session.save()
    return client


def test_an_active_session_within_its_maximum_age_goes_on() -> None:
    client = logged_in(started_seconds_ago=MAX_AGE - 60)

    response = client.get("/journeys/")

    assert response.status_code == 200


def test_a_session_past_its_maximum_age_asks_to_log_in_again() -> None:
    client = logged_in(started_seconds_ago=MAX_AGE + 60)

    response = client.get("/journeys/")

    assert response.status_code == 302
    assert response["Location"].startswith("/identity/login/")
    assert SESSION_KEY not in client.session


def test_the_api_answers_401_for_a_session_past_its_maximum_age() -> None:
    client = logged_in(started_seconds_ago=MAX_AGE + 60)

    response = client.get("/api/journeys/")

    assert response.status_code == 401


def test_a_session_from_before_the_start_was_kept_counts_from_now() -> None:
    client = logged_in(started_seconds_ago=None)

    first = client.get("/journeys/")

    assert first.status_code == 200
    started = client.session[STARTED_KEY]
    assert abs(started - time.time()) < 60


def test_logging_in_starts_the_clock() -> None:
    request = request_with_session()
    request.session[STARTED_KEY] = int(time.time()) - 10 * MAX_AGE  # an earlier login's

    start_session(request, RESIDENT)

    assert abs(request.session[STARTED_KEY] - time.time()) < 60
    assert current_authentication(request) == RESIDENT
