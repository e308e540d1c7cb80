"""RFC 9457 problem details: the one error shape of every lifegate API."""

from typing import Any

from django.http import HttpRequest, JsonResponse

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://lifegate.example/problems/"


def problem_response(
    request: HttpRequest | None,
    status: int,
    title: str,
    detail: str = "",
    problem_type: str = "about:blank",
    **extensions: Any,
) -> JsonResponse:
    """A problem-details response; `problem_type` is a short slug or a full URI."""
    body: dict[str, Any] = {
        "type": problem_type
        if problem_type == "about:blank" or "://" in problem_type
        else PROBLEM_TYPE_BASE + problem_type,
        "title": title,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    # No "instance": echoing the request path could repeat personal data into responses.
    body.update(extensions)
    return JsonResponse(body, status=status, content_type=PROBLEM_CONTENT_TYPE)
