"""Rate limits of the agency API (one budget per client across /api/agency/) and of the events
API (/api/events/, per client): over the limit, 429 problem details with Retry-After."""

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from lifegate.api import api
from lifegate.catalogue.tests.factories import make_organisation
from lifegate.journeys import agency
from lifegate.journeys.models import AgencyClient

pytestmark = pytest.mark.django_db

LIMIT = 3
ALL_AGENCY_SCOPES: list[str] = [
    AgencyClient.Scope.SUBMISSIONS,
    AgencyClient.Scope.MESSAGES,
    AgencyClient.Scope.MANDATES,
    AgencyClient.Scope.CREDENTIALS,
]


@pytest.fixture(autouse=True)
def small_limits(settings: Any) -> Any:
    """Small limits, counted from zero in every test."""
    settings.AGENCY_API_RATE_LIMIT = LIMIT
    settings.EVENTS_API_RATE_LIMIT = LIMIT
    settings.API_RATE_WINDOW_SECONDS = 60
    cache.clear()
    yield settings
    cache.clear()


def _token(slug: str, scopes: list[str]) -> str:
    organisation = make_organisation(slug)
    client, secret = agency.create_client(organisation, "system", scopes)
    return agency.bearer_token(client, secret)


def _get(http: Client, path: str, token: str) -> Any:
    return http.get(path, HTTP_AUTHORIZATION=f"Bearer {token}")


def _assert_throttled(response: Any) -> None:
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 60
    problem = response.json()
    assert problem["status"] == 429
    assert problem["type"].endswith("/too-many-requests")
    assert problem["retry_after"] == retry_after


def test_the_agency_api_answers_429_with_retry_after_over_the_limit(client: Client) -> None:
    token = _token("gemeente-a", ALL_AGENCY_SCOPES)

    answers = [_get(client, "/api/agency/submissions", token).status_code for _ in range(LIMIT)]
    over = _get(client, "/api/agency/submissions", token)

    assert answers == [200] * LIMIT
    _assert_throttled(over)


def test_one_budget_per_client_covers_every_part_of_the_agency_api(client: Client) -> None:
    token = _token("gemeente-a", ALL_AGENCY_SCOPES)
    paths = ["/api/agency/submissions", "/api/agency/messages/", "/api/agency/deliveries"]

    answers = [_get(client, path, token).status_code for path in paths]
    over = client.post(
        "/api/agency/mandates/check",
        data={},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )

    assert 429 not in answers
    _assert_throttled(over)


def test_another_client_is_not_limited_by_a_busy_one(client: Client) -> None:
    busy = _token("gemeente-a", ALL_AGENCY_SCOPES)
    calm = _token("gemeente-b", ALL_AGENCY_SCOPES)
    for _ in range(LIMIT + 2):
        _get(client, "/api/agency/submissions", busy)

    assert _get(client, "/api/agency/submissions", busy).status_code == 429
    assert _get(client, "/api/agency/submissions", calm).status_code == 200


def test_wrong_secrets_do_not_use_up_a_clients_budget(client: Client) -> None:
    token = _token("gemeente-a", ALL_AGENCY_SCOPES)
    client_id = token.partition(".")[0]
    for _ in range(LIMIT + 2):
        assert _get(client, "/api/agency/submissions", f"{client_id}.wrong").status_code == 401

    assert _get(client, "/api/agency/submissions", token).status_code == 200


def test_every_agency_endpoint_is_behind_the_limited_bearer() -> None:
    schema = api.get_openapi_schema()
    agency_operations = [
        (path, method, operation)
        for path, methods in schema["paths"].items()
        if path.startswith("/api/agency/")
        for method, operation in methods.items()
    ]

    assert len(agency_operations) >= 10
    for path, method, operation in agency_operations:
        assert operation.get("security") == [{"AgencyBearer": []}], (method, path)


def test_the_events_api_answers_429_with_retry_after_per_client(client: Client) -> None:
    register = _token("rvig-a", [AgencyClient.Scope.EVENTS])
    other = _token("rvig-b", [AgencyClient.Scope.EVENTS])

    def post(token: str) -> Any:
        return client.post(
            "/api/events/",
            data="{}",
            content_type="text/plain",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )

    answers = [post(register).status_code for _ in range(LIMIT)]
    over = post(register)

    assert 429 not in answers
    _assert_throttled(over)
    assert post(other).status_code not in (401, 429)


def test_events_and_agency_calls_have_separate_budgets(client: Client) -> None:
    token = _token("gemeente-a", [*ALL_AGENCY_SCOPES, AgencyClient.Scope.EVENTS])
    for _ in range(LIMIT):
        _get(client, "/api/agency/submissions", token)

    events = client.post(
        "/api/events/", data="{}", content_type="text/plain", HTTP_AUTHORIZATION=f"Bearer {token}"
    )

    assert _get(client, "/api/agency/submissions", token).status_code == 429
    assert events.status_code not in (401, 429)
