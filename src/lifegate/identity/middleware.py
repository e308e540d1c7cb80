"""Puts the session's `Authentication` (or None) on every request as `request.authentication`."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from lifegate.identity.session import current_authentication


class SubjectSessionMiddleware:
    """Reads the session once per request; with no session cookie this costs no query."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.authentication = current_authentication(request)  # type: ignore[attr-defined]
        return self.get_response(request)
