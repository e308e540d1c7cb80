"""Benchmark settings: production-like settings plus a floor view (bench/urls.py)."""

from lifegate.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
LOGGING = {"version": 1, "disable_existing_loggers": True}
# The load generators come from one address and one agency client: the rate limits that guard
# production would measure themselves, not the platform.
LOGIN_RATE_LIMIT = AGENCY_API_RATE_LIMIT = EVENTS_API_RATE_LIMIT = 1_000_000_000
EXCHANGE_API_RATE_LIMIT = 1_000_000_000
