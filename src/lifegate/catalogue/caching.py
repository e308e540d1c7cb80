"""Response cache for the public catalogue.

Catalogue pages and API answers are the same for every anonymous visitor, and the catalogue
changes rarely, so their rendered responses are cached per URL, language and **catalogue
revision**. Any save or delete of a catalogue row, and every `load_catalogue`, starts a new
revision, which makes all earlier entries unreachable at once. With a cache shared between
processes (e.g. Redis) that is immediate everywhere; with the default per-process memory cache
other processes catch up within `LIFEGATE_CATALOGUE_CACHE_SECONDS`."""

import hashlib
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.translation import get_language

REVISION_KEY = "catalogue:revision"
KEPT_HEADERS = (
    "Content-Type",
    "Content-Language",
    "Content-Disposition",
    "Cache-Control",
    "ETag",
)

View = Callable[..., HttpResponseBase]


def catalogue_revision() -> str:
    """The current revision token (created when the cache has none)."""
    revision = cache.get(REVISION_KEY)
    if revision is None:
        cache.add(REVISION_KEY, uuid.uuid4().hex, timeout=None)
        revision = cache.get(REVISION_KEY)
    return str(revision)


def start_new_revision() -> None:
    """Make every cached catalogue response stale, once the current transaction commits.
    Until then, this connection's own lookups bypass the cache (`cached_lookup`): they must
    see the change, and must not cache what other connections cannot see yet."""
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        _changing.add(id(connection))
    transaction.on_commit(lambda: cache.set(REVISION_KEY, uuid.uuid4().hex, timeout=None))


# Connections (by id) whose current transaction changed the catalogue.
_changing: set[int] = set()
_MISSING = object()


def forget_pending_changes() -> None:
    """Forget which transactions changed the catalogue: for a test suite that rolls back
    every test's transaction (which commits nothing, so the marks would stay)."""
    _changing.clear()


def cached_lookup[T](kind: str, key: str, compute: Callable[[], T]) -> T:
    """`compute()` (a few catalogue rows, picklable) cached per catalogue revision under
    `kind` and `key`: hot paths such as the evidence broker ask the same question on every
    request. Other processes see a new revision within `LIFEGATE_CATALOGUE_CACHE_SECONDS`."""
    connection = transaction.get_connection()
    if id(connection) in _changing:
        if connection.in_atomic_block:
            return compute()
        _changing.discard(id(connection))  # that transaction has ended, one way or another
    cache_key = f"catalogue:{kind}:{catalogue_revision()}:{key}"
    found = cache.get(cache_key, _MISSING)
    if found is _MISSING:
        found = compute()
        cache.set(cache_key, found, timeout=settings.CATALOGUE_CACHE_SECONDS)
    return cast(T, found)


def _is_anonymous_visit(request: HttpRequest) -> bool:
    # A session or pending flash messages change the page shell; those are never cached.
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def _key(request: HttpRequest, kind: str) -> str:
    # Scheme and host are part of the key: answers contain absolute links (paging, RDF URIs).
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(address.encode()).hexdigest()
    return f"catalogue:{kind}:{catalogue_revision()}:{get_language()}:{digest}"


def _store(key: str, response: HttpResponse) -> None:
    headers = {name: response[name] for name in KEPT_HEADERS if name in response}
    entry = (response.status_code, response.content, headers)
    cache.set(key, entry, timeout=settings.CATALOGUE_CACHE_SECONDS)


def _replay(entry: tuple[int, bytes, dict[str, str]]) -> HttpResponse:
    status, content, headers = entry
    response = HttpResponse(content, status=status)
    for name, value in headers.items():
        response[name] = value
    return response


def _conditional(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """304 Not Modified when the client already holds this version (If-None-Match)."""
    if not isinstance(response, HttpResponse) or response.status_code != 200:
        return response
    if not response.has_header("ETag"):
        return response
    conditional = get_conditional_response(request, etag=response["ETag"], response=response)
    return conditional or response


def _cached(kind: str, cacheable: Callable[[HttpRequest], bool]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method not in ("GET", "HEAD") or not cacheable(request):
                return view(request, *args, **kwargs)
            key = _key(request, kind)
            entry = cache.get(key)
            response: HttpResponseBase
            if entry is not None:
                response = _replay(entry)
            else:
                response = view(request, *args, **kwargs)
                if response.status_code == 200 and isinstance(response, HttpResponse):
                    _store(key, response)
            patch_vary_headers(response, ("Cookie", "Accept-Language"))
            return _conditional(request, response)

        return wrapper

    return decorator


def cached_public_page(view: View) -> View:
    """Cache a public page for anonymous visitors (logged-in people get their own shell)."""
    return _cached("page", _is_anonymous_visit)(view)


def cached_public_export(view: View) -> View:
    """Cache a public catalogue export (RDF): rebuilt once per catalogue revision."""
    return _cached("export", lambda request: True)(view)


def cached_public_api(view: View) -> View:
    """Cache a public API answer: the same for every caller, whatever their session."""
    return _cached("api", lambda request: True)(view)
