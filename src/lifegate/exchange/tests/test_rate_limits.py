"""Rate limit of the exchange's signed endpoints (/api/exchange/requests, /responses, /ping): per
calling address, counted before any signature is checked; over it, 429 problem details with
Retry-After."""

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

pytestmark = pytest.mark.django_db

LIMIT = 3
NODE_A = "192.0.2.10"
NODE_B = "192.0.2.20"


@pytest.fixture(autouse=True)
def small_limit(settings: Any) -> Any:
    """A small limit, counted from zero in every test."""
    settings.EXCHANGE_API_RATE_LIMIT = LIMIT
    settings.API_RATE_WINDOW_SECONDS = 60
    cache.clear()
    yield settings
    cache.clear()


def _post(http: Client, path: str, address: str) -> Any:
    # Not a valid JWS: a flood of forged messages is exactly what the limit is for.
    return http.post(path, data="not.a.jws", content_type="application/jose", REMOTE_ADDR=address)


def _assert_throttled(response: Any) -> None:
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 60
    problem = response.json()
    assert problem["status"] == 429
    assert problem["type"].endswith("/too-many-requests")


def test_evidence_requests_answer_429_with_retry_after_over_the_limit(client: Client) -> None:
    answers = [_post(client, "/api/exchange/requests", NODE_A).status_code for _ in range(LIMIT)]
    over = _post(client, "/api/exchange/requests", NODE_A)

    assert 429 not in answers
    assert all(400 <= status < 500 for status in answers)
    _assert_throttled(over)


def test_requests_and_responses_share_one_budget_per_address(client: Client) -> None:
    for _ in range(LIMIT):
        _post(client, "/api/exchange/requests", NODE_A)

    _assert_throttled(_post(client, "/api/exchange/responses", NODE_A))


def test_another_node_is_not_limited_by_a_busy_one(client: Client) -> None:
    for _ in range(LIMIT + 2):
        _post(client, "/api/exchange/responses", NODE_A)

    assert _post(client, "/api/exchange/responses", NODE_A).status_code == 429
    assert _post(client, "/api/exchange/responses", NODE_B).status_code != 429


def test_pings_count_against_the_same_budget(client: Client) -> None:
    answers = [_post(client, "/api/exchange/ping", NODE_A).status_code for _ in range(LIMIT)]

    assert 429 not in answers
    _assert_throttled(_post(client, "/api/exchange/ping", NODE_A))
    _assert_throttled(_post(client, "/api/exchange/requests", NODE_A))
    assert _post(client, "/api/exchange/ping", NODE_B).status_code != 429
