"""Attempt limits for the password logins of staff: the agency back office and the operators'
Django admin. Residents never log in with a password here (OpenID Connect does that); these
two forms are on the public host and guard submissions and the population register, so
guessing is slowed down.

Every posted login counts twice: per username (a keyed hash, so no name is kept in the cache)
and per calling address. Over either limit in the window the answer is 429 with Retry-After
and a page that says when to try again; the password is then not even checked. The window is
fixed, so a locked-out account is free again when it ends."""

import hashlib
import hmac
import logging
import math
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lifegate.core.ratelimit import address_key, count_attempt

logger = logging.getLogger("lifegate.identity")
View = Callable[..., HttpResponseBase]


def username_key(username: str) -> str:
    """The counting key of a username: keyed, so the cache holds no account names."""
    secret = settings.SECRET_KEY.encode()
    normalised = username.strip().casefold().encode()
    return hmac.new(secret, b"lifegate:staff-login:" + normalised, hashlib.sha256).hexdigest()


def wait_seconds(request: HttpRequest) -> int:
    """Count this posted login; the seconds to wait when over a limit, else 0."""
    window = settings.STAFF_LOGIN_WINDOW_SECONDS
    username = str(request.POST.get("username", ""))
    by_account = count_attempt(
        request,
        "identity.staff-login.account",
        username_key(username),
        settings.STAFF_LOGIN_ATTEMPTS,
        window,
    )
    by_address = count_attempt(
        request,
        "identity.staff-login.address",
        address_key(request),
        settings.STAFF_LOGIN_ADDRESS_ATTEMPTS,
        window,
    )
    return max(by_account.retry_after, by_address.retry_after)


def throttled_password_login(view: View) -> View:
    """`view`, a password login form, with its posts counted (see the module)."""

    @wraps(view)
    def login(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        if request.method == "POST":
            wait = wait_seconds(request)
            if wait:
                logger.warning("staff login refused: too many attempts for an account or address")
                return _too_many(request, wait)
        return view(request, *args, **kwargs)

    return login


def _too_many(request: HttpRequest, wait: int) -> HttpResponse:
    minutes = max(1, math.ceil(wait / 60))
    text = ngettext(
        "There were too many attempts to log in. You can try again in %(minutes)s minute.",
        "There were too many attempts to log in. You can try again in %(minutes)s minutes.",
        minutes,
    ) % {"minutes": minutes}
    context = {"title": _("Too many login attempts"), "text": text}
    response = render(request, "portal/error.html", context, status=429)
    response["Retry-After"] = str(wait)
    return response
