"""Page guards: login required, at a minimum level of assurance."""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode, urlsplit

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from lifegate.identity.assurance import LevelOfAssurance, loa_satisfies

View = Callable[..., HttpResponse]


def login_url(next_path: str, level: LevelOfAssurance | None = None) -> str:
    """Where to send someone who must (re-)authenticate, optionally at a higher level."""
    query = {"next": next_path}
    if level:
        query["level"] = level
    return reverse("identity:login") + "?" + urlencode(query)


def return_path(request: HttpRequest) -> str:
    """Where to come back to after logging in. A GET comes back to itself. A POST (its session
    ran out while the form was open) cannot be repeated as a GET, which would be a 405 on
    most actions: it comes back to the page the form was on, when that page is this site's,
    and to the home page otherwise."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return "/"


def login_required(level: LevelOfAssurance = "low") -> Callable[[View], View]:
    """Anonymous visitors log in; sessions below `level` are asked to log in again at `level`."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            authentication = request.authentication  # type: ignore[attr-defined]
            if authentication is None:
                needed = level if level != "low" else None
                return HttpResponseRedirect(login_url(return_path(request), needed))
            if not loa_satisfies(authentication.loa, level):
                return HttpResponseRedirect(login_url(return_path(request), level))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
