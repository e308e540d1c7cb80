"""Puts the session's `Authentication` (or None) on every request as `request.authentication`,
and lets a logged-in page's logout form lead on to the provider (its end-session endpoint)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from lifegate.core.origins import allow_form_targets
from lifegate.identity.services import provider_form_origins
from lifegate.identity.session import current_authentication


class SubjectSessionMiddleware:
    """Reads the session once per request; with no session cookie this costs no query."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        authentication = current_authentication(request)
        request.authentication = authentication  # type: ignore[attr-defined]
        response = self.get_response(request)
        if authentication is not None:
            # Every page of a logged-in person has the logout form in its header; logging out
            # redirects to the provider, which the browser checks against form-action.
            allow_form_targets(response, provider_form_origins())
        return response
