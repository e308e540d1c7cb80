"""Refusals by the decision point, as pages: a page that calls `acting.legal_subject` and is
refused shows why, in the person's language, with the way back to acting for themselves.
(The API turns the same refusal into problem details, see `lifegate.api`.)"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lifegate.mandates.acting import NotPermitted, acting_for


class RefusalMiddleware:
    """Renders `NotPermitted` raised by a page as a 403 page with the decision's explanation."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, NotPermitted):
            return None
        context = {
            "explanation": exception.decision.explanation,
            "reason": exception.decision.reason,
            "acting": acting_for(request),
        }
        return render(request, "mandates/refused.html", context, status=403)
