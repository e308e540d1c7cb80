"""Benchmark settings: production-like settings plus a floor view (bench/urls.py)."""

from lifegate.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
LOGGING = {"version": 1, "disable_existing_loggers": True}
