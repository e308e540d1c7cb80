"""Template context every portal page needs."""

from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, object]:
    """The logged-in person's authentication (or None) for the page shell."""
    return {"authentication": getattr(request, "authentication", None)}
