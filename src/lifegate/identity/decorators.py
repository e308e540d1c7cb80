"""Page guards: login required, at a minimum level of assurance."""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from lifegate.identity.assurance import LevelOfAssurance, loa_satisfies

View = Callable[..., HttpResponse]


def login_url(next_path: str, level: LevelOfAssurance | None = None) -> str:
    """Where to send someone who must (re-)authenticate, optionally at a higher level."""
    query = {"next": next_path}
    if level:
        query["level"] = level
    return reverse("identity:login") + "?" + urlencode(query)


def login_required(level: LevelOfAssurance = "low") -> Callable[[View], View]:
    """Anonymous visitors log in; sessions below `level` are asked to log in again at `level`."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            authentication = request.authentication  # type: ignore[attr-defined]
            if authentication is None:
                needed = level if level != "low" else None
                return HttpResponseRedirect(login_url(request.get_full_path(), needed))
            if not loa_satisfies(authentication.loa, level):
                return HttpResponseRedirect(login_url(request.get_full_path(), level))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
