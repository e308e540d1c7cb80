"""When the database cannot be reached (restarting, failing over, refusing connections), a
request is answered 503 with `Retry-After`, not 500: clients know to try again, and nobody sees
a traceback. Django hands every uncaught exception, from a view or a middleware, to the 500
handler (`lifegate.portal.views.server_error`), which asks `database_unavailable` first.

The connection recovers by itself: `CONN_HEALTH_CHECKS` makes Django test a persistent
connection before a request uses it and open a new one when it has gone."""

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from lifegate.core.problems import problem_response

API_PREFIX = "/api/"
# A PostgreSQL restart or fail-over takes seconds; retrying sooner only adds load.
RETRY_AFTER_SECONDS = 5
# How far down __cause__/__context__ to look: code may wrap a driver error in its own.
CHAIN_DEPTH = 5


def database_unavailable(error: BaseException | None) -> bool:
    """Whether `error`, or an error it was raised from, is a lost or refused database
    connection (or another operational failure of the database, such as a restart)."""
    for _depth in range(CHAIN_DEPTH):
        if error is None:
            return False
        if isinstance(error, OperationalError | InterfaceError):
            return True
        error = error.__cause__ or error.__context__
    return False


def unavailable_problem(request: HttpRequest) -> HttpResponse:
    """The API's answer: 503 problem details with `Retry-After`."""
    response = problem_response(
        request,
        503,
        _("Service temporarily unavailable"),
        _("The database cannot be reached at the moment. Try again after Retry-After seconds."),
        "service-unavailable",
    )
    return with_retry_after(response)


def with_retry_after(response: HttpResponse) -> HttpResponse:
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
