"""A lost database connection is a 503 with Retry-After, not a 500 with a traceback: problem
details on the API, a readable page in the person's language elsewhere; and the next request
after the database is back is served normally."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.test import Client
from django.utils import translation
from django.utils.html import escape

from lifegate.catalogue.loader import load_catalogue

PROBLEM = "application/problem+json"


def refuse(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
    # What psycopg raises (through Django) for a query on a connection the server closed.
    raise OperationalError("server closed the connection unexpectedly")


@pytest.fixture
def database_down(client: Client) -> Iterator[None]:
    client.raise_request_exception = False
    load_catalogue()
    with connection.execute_wrapper(refuse):
        yield


@pytest.mark.django_db
def test_an_api_call_without_database_is_a_503_problem_with_retry_after(client, database_down):
    response = client.get("/api/catalogue/services")
    assert response.status_code == 503
    assert response["Content-Type"] == PROBLEM
    assert int(response["Retry-After"]) > 0
    body = response.json()
    assert body["status"] == 503
    assert body["type"].endswith("/service-unavailable")
    assert "closed the connection" not in response.text


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "nl"])
def test_a_page_without_database_is_a_503_page_in_the_persons_language(
    client, database_down, language
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/catalogue/life-events/")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    with translation.override(language):
        assert escape(translation.gettext("Service temporarily unavailable")) in html
    assert "Traceback" not in html and "closed the connection" not in html


@pytest.mark.django_db
def test_other_failures_stay_500(client, monkeypatch):
    from lifegate.catalogue import services

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug, not an outage")

    monkeypatch.setattr(services, "filter_services", broken)
    client.raise_request_exception = False
    response = client.get("/api/catalogue/services")
    assert response.status_code == 500
    assert "Retry-After" not in response


@pytest.mark.django_db
def test_requests_succeed_again_once_the_database_is_back(client):
    load_catalogue()
    client.raise_request_exception = False
    with connection.execute_wrapper(refuse):
        assert client.get("/api/catalogue/services").status_code == 503
    assert client.get("/api/catalogue/services").status_code == 200


def test_persistent_connections_are_checked_before_each_request():
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
