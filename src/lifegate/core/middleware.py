"""Cross-cutting HTTP behaviour."""

from collections.abc import Callable
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from lifegate.core.problems import PROBLEM_CONTENT_TYPE, problem_response

API_PREFIX = "/api/"
JSON_TYPES = (PROBLEM_CONTENT_TYPE, "application/json")
REPLACED_HEADERS = {"content-type", "content-length", "content-language", "content-disposition"}


class ApiProblemMiddleware:
    """Every API error is problem details, also those raised before or outside an endpoint
    (unknown paths, wrong methods, unexpected server errors), which Django would answer in HTML."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX):
            return response
        if _slash_appended(request, response):
            return _missing_slash(request, response)
        if response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith(JSON_TYPES):
            return response
        return _as_problem(request, response)


def _slash_appended(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether this is CommonMiddleware's redirect to the path with a slash (APPEND_SLASH) for
    a request that is not a GET or HEAD: most clients would follow it with a GET, so a POST
    without its slash would end in a 200 from a list, and nothing sent."""
    return (
        request.method not in ("GET", "HEAD")
        and response.status_code == HTTPStatus.MOVED_PERMANENTLY
        and response.get("Location", "").split("?")[0].endswith(request.path + "/")
    )


def _missing_slash(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    response.close()
    return problem_response(
        request,
        404,
        HTTPStatus.NOT_FOUND.phrase,
        # (Without repeating the address: problems never echo the request.)
        _("No operation at this address. Add a slash at the end of the address."),
    )


class ApiHeadMiddleware:
    """HEAD on the API answers like GET without the body (RFC 9110 section 9.3.2); the API
    framework routes GET only."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "HEAD" or not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        request.method = "GET"
        response = self.get_response(request)
        request.method = "HEAD"
        if not response.streaming:
            response["Content-Length"] = str(len(response.content))
            response.content = b""
        return response


def _as_problem(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """The same answer as problem details: status, headers and cookies kept, body replaced."""
    status = response.status_code
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = response.reason_phrase
    problem = problem_response(request, status, title)
    for name, value in response.items():
        if name.lower() not in REPLACED_HEADERS:
            problem[name] = value
    problem.cookies = response.cookies
    # Django logs 4xx/5xx once; without this flag it would log the replacement a second time.
    problem._has_been_logged = getattr(response, "_has_been_logged", False)  # type: ignore[attr-defined]
    response.close()
    return problem


class PrivatePagesMiddleware:
    """Responses to a logged-in person are never stored by browsers or shared caches, so the
    back button after logout on a shared computer shows nothing personal."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "authentication", None) is not None or request.path.startswith(
            "/identity/"
        ):
            add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private
        return response


NUL = "\x00"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class NulCharacterMiddleware:
    """A NUL character (U+0000) in the path, the query string or a posted form is a 400: no
    text anyone types holds one, and PostgreSQL refuses it in text (a 500 otherwise, wherever
    a view passes the value on to a query). JSON bodies of the API are checked by its parser
    (`lifegate.api.ApiParser`); the message API checks each message's text itself."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            return _nul_refused(request)
        return self.get_response(request)


def _has_nul(request: HttpRequest) -> bool:
    if NUL in request.path or _in_query_dict(request.GET):
        return True
    return request.content_type in FORM_TYPES and _in_query_dict(request.POST)


def _in_query_dict(data: QueryDict) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in data.lists())


def nul_problem(request: HttpRequest) -> HttpResponse:
    """The API's answer to text with a NUL character: 400 problem details that say so."""
    return problem_response(
        request,
        400,
        _("Invalid request"),
        _(
            "Text may not contain the NUL character (U+0000) or a lone UTF-16 surrogate "
            "(U+D800 to U+DFFF)."
        ),
        "invalid-request",
    )


def _nul_refused(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return nul_problem(request)
    from lifegate.portal.views import bad_request  # the portal builds on core

    return bad_request(request)
