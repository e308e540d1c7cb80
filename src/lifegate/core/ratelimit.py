"""Attempt limits for what must not be found by trying (invitation codes): at most `limit`
attempts per key in a fixed window, counted in Django's cache.

The counter is django-ratelimit's: it works on any Django cache backend and staggers the
windows per key. With the default per-process memory cache every process counts on its own;
a deployment with several processes configures a shared cache (settings.CACHES)."""

from dataclasses import dataclass

from django.http import HttpRequest
from django_ratelimit.core import get_usage


@dataclass(frozen=True)
class Attempt:
    """Whether an attempt may go ahead; if not, after how many seconds the window ends."""

    allowed: bool
    retry_after: int = 0


def count_attempt(
    request: HttpRequest, group: str, key: str, limit: int, window_seconds: int
) -> Attempt:
    """Count one attempt at `group` (e.g. "mandates.accept") by `key`, and say whether it is
    within `limit` attempts per `window_seconds`. `key` names who tries, e.g. a keyed hash of
    the person: never an identifier in the clear, it ends up in cache keys."""
    usage = get_usage(
        request,
        group=group,
        key=lambda _group, _request: key,
        rate=(limit, window_seconds),
        increment=True,
    )
    if usage is None:  # switched off with settings.RATELIMIT_ENABLE
        return Attempt(allowed=True)
    if not usage["should_limit"]:
        return Attempt(allowed=True)
    # A cache that cannot count refuses (time_left -1): try again after a whole window.
    time_left = usage["time_left"] if usage["limit"] else window_seconds
    return Attempt(allowed=False, retry_after=max(1, time_left))
