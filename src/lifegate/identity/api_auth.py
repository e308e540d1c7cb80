"""What every person-facing API router shares: the login session as its authentication, and
the person and language of the request."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import APIKeyCookie

from lifegate.identity.assurance import loa_satisfies
from lifegate.identity.session import Authentication, current_authentication
from lifegate.transparency.services import Actor


class PersonSession(APIKeyCookie):
    """The logged-in person's session cookie (CSRF-checked for unsafe methods)."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None) -> Authentication | None:
        return current_authentication(request)


class SubstantialPersonSession(PersonSession):
    """The session cookie, from a login at assurance level substantial or higher (the message
    box and mandates); a lower login is 403, asking to log in again."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Authentication | None:
        authentication = super().authenticate(request, key)
        if authentication is not None and not loa_satisfies(authentication.loa, "substantial"):
            raise HttpError(403, _("Log in again at a higher level of assurance."))
        return authentication


def session_of(request: HttpRequest) -> Authentication:
    """The authentication of a request the router's `PersonSession` let through."""
    return request.auth  # type: ignore[attr-defined]


def person_actor(request: HttpRequest) -> Actor:
    """The logged-in person as the actor of what the request does."""
    return Actor(kind="person", subject=session_of(request).subject)


def request_language() -> str:
    """The request's language as a two-letter code (nl when none is active)."""
    return (get_language() or "nl")[:2]
