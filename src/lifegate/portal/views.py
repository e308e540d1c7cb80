"""The portal shell: the person's home page and the error pages."""

import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from lifegate.core.problems import problem_response
from lifegate.core.unavailable import (
    API_PREFIX,
    database_unavailable,
    unavailable_problem,
    with_retry_after,
)
from lifegate.identity.decorators import login_required
from lifegate.identity.one_commit import commit_once
from lifegate.portal.services import home_page_for


def home(request: HttpRequest) -> HttpResponse:
    """Logged in: the person's home page. Anonymous: the public front page."""
    if request.authentication is None:  # type: ignore[attr-defined]
        return render(request, "portal/welcome.html")
    return _personal_home(request)


@login_required()
@commit_once
def _personal_home(request: HttpRequest) -> HttpResponse:
    page = home_page_for(request)
    return render(request, "portal/home.html", {"page": page})


@require_GET
def switch_language(request: HttpRequest, code: str) -> HttpResponse:
    """Remember the chosen language in a cookie and go back to the page the person was on.

    A plain link, so it works without JavaScript and anonymous pages need no CSRF token."""
    if code not in dict(settings.LANGUAGES):
        raise Http404("unknown language")
    next_url = request.GET.get("next", "/")
    safe = url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    response = HttpResponseRedirect(next_url if safe else "/")
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    translation.activate(code)
    return response


def _error_page(request: HttpRequest, status: int, title: str, text: str) -> HttpResponse:
    # hide_next: the shell's links must not carry the requested path, which could hold anything.
    context = {"status": status, "title": title, "text": text, "hide_next": True}
    return render(request, "portal/error.html", context, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400 page; a body above DATA_UPLOAD_MAX_MEMORY_SIZE is a 413 that says so (the API's
    as problem details: Django reads the body before any endpoint can answer)."""
    if isinstance(exception, RequestDataTooBig):
        title = _("Request too large")
        text = _("At most %(max)d bytes are read per request.") % {
            "max": settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        }
        if request.path.startswith(API_PREFIX):
            return problem_response(request, 413, title, text, "request-too-large")
        return _error_page(request, 413, title, text)
    return _error_page(
        request,
        400,
        _("Something is wrong with this request"),
        _("Please check the address or the form and try again."),
    )


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403 page (also CSRF failures)."""
    return _error_page(
        request,
        403,
        _("You may not do this"),
        _("You do not have permission for this page or action."),
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form was sent without a valid security token, usually because it was open too long."""
    return _error_page(
        request,
        403,
        _("This form has expired"),
        _("For your safety, forms expire. Go back, reload the page and try again."),
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404 page; never echoes the requested path (it could contain personal data)."""
    return _error_page(
        request,
        404,
        _("Page not found"),
        _("This page does not exist (any more). Check the address or start from the home page."),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """500 page; says nothing about the cause. A lost database connection is a 503 with
    Retry-After instead (problem details on the API), since trying again will work."""
    if database_unavailable(sys.exc_info()[1]):
        if request.path.startswith(API_PREFIX):
            return unavailable_problem(request)
        return with_retry_after(_unavailable_page(request))
    return _error_page(
        request,
        500,
        _("Something went wrong on our side"),
        _("Please try again later."),
    )


def _unavailable_page(request: HttpRequest) -> HttpResponse:
    title = _("Service temporarily unavailable")
    text = _("We cannot reach our data at the moment. Please try again in a few moments.")
    try:
        return _error_page(request, 503, title, text)
    except DatabaseError:
        # The page shell reads the session for the header; without a database, a bare shell.
        context = {"status": 503, "title": title, "text": text, "hide_next": True}
        return HttpResponse(render_to_string("portal/error.html", context), status=503)
