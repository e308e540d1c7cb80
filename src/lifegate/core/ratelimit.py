"""Attempt limits for what must not be found by trying (invitation codes) and rate limits of
logins and APIs: at most `limit` attempts per key in a fixed window, counted in Django's cache.

The counter is django-ratelimit's: it works on any Django cache backend and staggers the
windows per key. With the default per-process memory cache every process counts on its own;
a deployment with several processes configures a shared cache (settings.CACHES)."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage
from ninja.errors import Throttled

from lifegate.core.problems import problem_response


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


def address_key(request: HttpRequest) -> str:
    """The counting key of the calling address: hashed, so no address is kept in the cache.
    It is REMOTE_ADDR: behind a proxy, the proxy must pass the client's address on there."""
    address = request.META.get("REMOTE_ADDR", "")
    return hashlib.sha256(f"lifegate:address:{address}".encode()).hexdigest()


def limit_api_call(request: HttpRequest, group: str, key: str, limit: int) -> None:
    """Count one API call at `group` by `key`, in windows of settings.API_RATE_WINDOW_SECONDS;
    over `limit`, raise ninja's Throttled, which the API answers as a 429 problem with
    Retry-After (lifegate.api)."""
    attempt = count_attempt(request, group, key, limit, settings.API_RATE_WINDOW_SECONDS)
    if not attempt.allowed:
        raise Throttled(wait=attempt.retry_after)


def too_many_requests_problem(request: HttpRequest, wait: int | None) -> HttpResponse:
    """429 problem details with Retry-After: the answer of every API to a client over its
    limit."""
    seconds = max(1, wait or settings.API_RATE_WINDOW_SECONDS)
    response = problem_response(
        request,
        429,
        _("Too many requests"),
        _("The rate limit of this client is reached. Try again in %(seconds)d seconds.")
        % {"seconds": seconds},
        "too-many-requests",
        retry_after=seconds,
    )
    response["Retry-After"] = str(seconds)
    return response
