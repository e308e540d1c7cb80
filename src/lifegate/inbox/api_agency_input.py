"""How the agency messages API reads request bodies: from the request stream, with its own size
limit, because bulk sends and streamed uploads are far above Django's
DATA_UPLOAD_MAX_MEMORY_SIZE (which stays small elsewhere); and the problems that refuse a body."""

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from pydantic import ValidationError

from lifegate.core import json_input
from lifegate.core.problems import problem_response
from lifegate.inbox.api_agency_schemas import field_errors
from lifegate.inbox.services import Problem

# A line above the size limit is skipped to its end in reads of this size.
SKIP_CHUNK_BYTES = 1024 * 1024


class RequestRefused(Exception):
    """A request the endpoint does not read further, with the problem to answer."""

    def __init__(self, problem: Problem, **extensions: Any) -> None:
        super().__init__(problem.title)
        self.problem, self.extensions = problem, extensions

    def response(self, request: HttpRequest) -> HttpResponse:
        problem = self.problem
        return problem_response(
            request, problem.status, problem.title, problem.detail, problem.slug, **self.extensions
        )


def too_large() -> Problem:
    """A request body, or a line of a stream, above `LIFEGATE_INBOX_BULK_MAX_BYTES`."""
    return Problem(
        413,
        _("Request too large"),
        _("At most %(max)d bytes are read per request or per line.")
        % {"max": settings.INBOX_BULK_MAX_BYTES},
        "request-too-large",
    )


def invalid_json() -> Problem:
    return Problem(400, _("Invalid JSON"), _("This is not valid JSON."), "invalid-json")


def require_content_type(request: HttpRequest, content_type: str) -> None:
    """Refuse a body of another type than the endpoint reads."""
    if request.content_type != content_type:
        raise RequestRefused(
            Problem(
                415,
                _("Unsupported content type"),
                _("Send the body as %(type)s.") % {"type": content_type},
                "unsupported-content-type",
            )
        )


def invalid_message(exc: ValidationError) -> RequestRefused:
    """A message that is not in the documented shape, with each field's error."""
    problem = Problem(
        400,
        _("Invalid message"),
        _("The message does not have the documented shape; see errors."),
        "invalid-message",
    )
    return RequestRefused(problem, errors=field_errors(exc))


def body_stream(request: HttpRequest) -> Any:
    """Where to read the body from. Under WSGI Django reads a body only up to its
    Content-Length, so an upload of unknown length (`Transfer-Encoding: chunked`) would look
    empty: it is read from the server's own input when the server ends that input itself
    (`wsgi.input_terminated`, as gunicorn does), and refused with 411 otherwise."""
    meta = request.META
    if not isinstance(request, WSGIRequest) or meta.get("CONTENT_LENGTH"):
        return request
    if "chunked" not in meta.get("HTTP_TRANSFER_ENCODING", "").lower():
        return request
    if meta.get("wsgi.input_terminated"):
        return meta["wsgi.input"]
    detail = _("Send a Content-Length header, or upload through a server that accepts chunks.")
    raise RequestRefused(Problem(411, _("Length required"), detail, "length-required"))


def read_json(request: HttpRequest) -> Any:
    """The JSON body, read from the request stream with the messages API's own limit:
    `request.body` refuses anything above Django's DATA_UPLOAD_MAX_MEMORY_SIZE, which stays
    small for every other endpoint."""
    require_content_type(request, "application/json")
    limit = settings.INBOX_BULK_MAX_BYTES
    if int(request.META.get("CONTENT_LENGTH") or 0) > limit:
        raise RequestRefused(too_large())  # refused before reading a byte
    raw = body_stream(request).read(limit + 1)
    if len(raw) > limit:
        raise RequestRefused(too_large())
    try:
        return json_input.loads(raw)
    except ValueError:
        raise RequestRefused(invalid_json()) from None


def body_lines(stream: Any) -> Iterator[tuple[int, bytes | None]]:
    """The body (from `body_stream`) line by line, numbered from 1, read while the response is
    written. A line above the size limit is skipped to its end and comes as None."""
    limit = settings.INBOX_BULK_MAX_BYTES
    number = 0
    while line := stream.readline(limit + 1):
        number += 1
        if len(line) > limit and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = stream.readline(SKIP_CHUNK_BYTES)
            yield number, None
        else:
            yield number, line
