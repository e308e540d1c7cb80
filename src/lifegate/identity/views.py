"""Login, the provider's callback and logout."""

import logging
import math

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from lifegate.core.origins import allow_form_targets
from lifegate.core.ratelimit import address_key, count_attempt
from lifegate.identity.assurance import LEVELS, LevelOfAssurance, loa_satisfies
from lifegate.identity.decorators import login_url
from lifegate.identity.oidc import LoginRejected, ProviderUnavailable, provider_metadata
from lifegate.identity.services import (
    LoginScheme,
    begin_login,
    complete_login,
    pending_next_url,
    provider_form_origins,
    provider_logout_url,
)
from lifegate.identity.session import end_session

logger = logging.getLogger(__name__)

FAILURES = {
    "state": (
        _("This login attempt is not valid (any more)"),
        _(
            "A login must be completed in the same browser within ten minutes, and only once. "
            "Please log in again."
        ),
    ),
    "cancelled": (
        _("You did not complete logging in"),
        _("Logging in was cancelled at the identity provider. You have not been logged in."),
    ),
    "provider": (
        _("The identity provider could not log you in"),
        _(
            "The identity provider reported a problem. You have not been logged in. "
            "Please try again."
        ),
    ),
    "token": (
        _("Your login could not be verified"),
        _(
            "The answer from the identity provider could not be trusted, so you have not been "
            "logged in. Please try again."
        ),
    ),
    "level": (
        _("Your login was not at the level this service needs"),
        _(
            "The identity provider confirmed a lower level of assurance than was asked for. "
            "Please log in again with a stronger means of login."
        ),
    ),
    "unreachable": (
        _("The identity provider cannot be reached"),
        _(
            "Logging in is not possible right now. You have not been logged in. "
            "Please try again in a few minutes."
        ),
    ),
}


@never_cache
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponseBase:
    """GET: the choice between DigiD (on another country's node: its national eID) and a
    European eID. POST: send the browser to the identity provider, asking for the level of
    assurance the page behind `next` needs."""
    data = request.POST if request.method == "POST" else request.GET
    level = _requested_level(data.get("level"))
    next_url = _safe_next(request, data.get("next"))
    if request.method == "GET":
        return _login_page(request, level, next_url)
    throttled = _throttled(request, login_url(next_url, level))
    if throttled is not None:
        return throttled
    scheme: LoginScheme = "eidas" if request.POST.get("scheme") == "eidas" else "digid"
    try:
        url = begin_login(request, level=level, scheme=scheme, next_url=next_url)
    except ProviderUnavailable as exc:
        return _failure(request, "unreachable", str(exc), 502, login_url(next_url, level))
    return HttpResponseRedirect(url)


def _login_page(request: HttpRequest, level: LevelOfAssurance, next_url: str) -> HttpResponseBase:
    current = request.authentication  # type: ignore[attr-defined]
    context = {
        "level": level,
        "next_url": next_url,
        "step_up": current is not None and not loa_satisfies(current.loa, level),
        "current_level": current.loa if current else "",
        # Dutch residents log in with DigiD; on another member state's node (the Estonian one
        # of `make demo-federation`) residents use their national eID, an eIDAS identity.
        "digid": settings.NODE_COUNTRY == "NL",
    }
    response = render(request, "identity/login.html", context)
    return allow_form_targets(response, _provider_addresses())


def _provider_addresses() -> list[str]:
    """Where the login form's redirect may lead: the provider's authorization endpoint and any
    origins the operator configured for brokers further down the chain."""
    try:
        endpoint = [provider_metadata().authorization_endpoint]
    except ProviderUnavailable:
        endpoint = []  # the form then fails with a clear page on this site anyway
    return endpoint + provider_form_origins()


@never_cache
@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    """The provider sends the browser back here with a code (or an error) and the state."""
    retry = login_url(pending_next_url(request) or reverse("portal:home"))
    throttled = _throttled(request, retry)
    if throttled is not None:
        return throttled
    try:
        completed = complete_login(request)
    except LoginRejected as exc:
        return _failure(request, exc.kind, exc.reason, 400, retry)
    except ProviderUnavailable as exc:
        return _failure(request, "unreachable", str(exc), 502, retry)
    next_url = _safe_next(request, completed.next_url)
    # Another building block may ask the person something first (mandates: whom to act for).
    if settings.LIFEGATE_AFTER_LOGIN:
        next_url = import_string(settings.LIFEGATE_AFTER_LOGIN)(request, next_url)
    return HttpResponseRedirect(next_url)


@never_cache
@require_http_methods(["GET", "POST"])
def logout(request: HttpRequest) -> HttpResponse:
    """GET: ask to confirm (or, with no session, confirm: the provider sends the browser back
    here). POST (with CSRF token): end the session, then the login at the provider when it
    offers that, and confirm."""
    if request.method == "POST":
        logged_in = request.authentication is not None  # type: ignore[attr-defined]
        end_session(request)
        at_provider = provider_logout_url(request) if logged_in else None
        if at_provider:
            return HttpResponseRedirect(at_provider)
        return render(request, "identity/logout.html", {"logged_out": True})
    logged_in = request.authentication is not None  # type: ignore[attr-defined]
    return render(request, "identity/logout.html", {"logged_out": not logged_in})


def _requested_level(value: str | None) -> LevelOfAssurance:
    return next((level for level in LEVELS if level == value), "low")


def _safe_next(request: HttpRequest, value: str | None) -> str:
    """`value` if it stays on this site, else the home page."""
    allowed = url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    # Never back into the login machinery itself (a stale callback would fail again).
    inside_login = bool(value) and str(value).startswith("/identity/")
    return value if value and allowed and not inside_login else reverse("portal:home")


def _failure(
    request: HttpRequest, kind: str, reason: str, status: int, retry_url: str
) -> HttpResponse:
    """The error page. The log gets the reason (never personal data); no session starts."""
    logger.warning("login failed: %s: %s", kind, reason)
    title, text = FAILURES.get(kind, FAILURES["token"])
    # hide_next: the shell's links must not lead back to a stale callback address.
    context = {"title": title, "text": text, "retry_url": retry_url, "hide_next": True}
    return render(request, "identity/login_failed.html", context, status=status)


def _throttled(request: HttpRequest, retry_url: str) -> HttpResponse | None:
    """Starting a login and the provider's callback count together per calling address; over
    settings.LOGIN_RATE_LIMIT in a window the answer is 429 with Retry-After and a page that
    says when to try again."""
    attempt = count_attempt(
        request,
        "identity.login",
        address_key(request),
        settings.LOGIN_RATE_LIMIT,
        settings.LOGIN_RATE_WINDOW_SECONDS,
    )
    if attempt.allowed:
        return None
    logger.warning("login refused: too many login requests from one address")
    minutes = max(1, math.ceil(attempt.retry_after / 60))
    text = ngettext(
        "There were too many login attempts from your network. "
        "For your safety you can try again in %(minutes)s minute.",
        "There were too many login attempts from your network. "
        "For your safety you can try again in %(minutes)s minutes.",
        minutes,
    ) % {"minutes": minutes}
    context = {
        "title": _("Too many login attempts"),
        "text": text,
        "retry_url": retry_url,
        "hide_next": True,
    }
    response = render(request, "identity/login_failed.html", context, status=429)
    response["Retry-After"] = str(attempt.retry_after)
    return response
