"""One commit per page view. A logged-in person's session is saved at every request (its
15-minute idle timeout slides), and a page that reads their data records that read in the
processing log: two commits, each waiting for the disk, where one would do. A view marked
`commit_once` runs in one transaction together with the session's save, so the page's reads,
their processing records and the session's new expiry are written by a single commit, before
the page leaves the server.

Only for views that call no other server while they run: the transaction stays open for the
whole view (on SQLite it holds the database's write lock), so a view that waits for a peer
node, a verifier or the identity provider must not use it."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.db import transaction
from django.http import HttpRequest, HttpResponse

View = Callable[..., HttpResponse]
SAFE_METHODS = frozenset({"GET", "HEAD"})
_SAVED = "_lifegate_session_saved"


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's session middleware, except that it does not save a session a `commit_once`
    view saved already, unless something changed it since."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if getattr(request, _SAVED, False) and not request.session.modified:
            return response
        return super().process_response(request, response)


# Django's own save logic (cookie, expiry, Vary), run inside the view's transaction.
_session_saver = DjangoSessionMiddleware(lambda request: HttpResponse())


def commit_once(view: View) -> View:
    """Run a page view (GET or HEAD) and save the session in one transaction. Other methods
    run as they are: a form's handling decides its own transactions."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in SAFE_METHODS or not hasattr(request, "session"):
            return view(request, *args, **kwargs)
        with transaction.atomic():
            response = view(request, *args, **kwargs)
            response = _session_saver.process_response(request, response)
            request.session.modified = False
            setattr(request, _SAVED, True)
        return response

    return wrapper
