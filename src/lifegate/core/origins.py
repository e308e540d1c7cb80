"""Web origins, and Content-Security-Policy for pages whose forms lead to another origin."""

import re
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponseBase
from django.utils.csp import CSP  # type: ignore[import-untyped,unused-ignore]

DEFAULT_PORTS = {"http": 80, "https": 443}
# A reverse domain name: letters, digits and hyphens in two or more dot-separated labels.
_PRIVATE_USE_SCHEME = re.compile(r"[a-z][a-z0-9-]*(\.[a-z0-9-]+)+")


def is_private_use_scheme(scheme: str) -> bool:
    """Whether `scheme` is an app's reverse-DNS private-use URI scheme (RFC 8252 7.1); such
    a scheme holds a dot, so "javascript", "data", "intent" and the like never are."""
    return bool(_PRIVATE_USE_SCHEME.fullmatch(scheme))


def origin_of(url: str) -> str | None:
    """`scheme://host[:port]` of an http(s) URL (never its user info), or None."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    explicit = f":{port}" if port and port != DEFAULT_PORTS[parts.scheme] else ""
    return f"{parts.scheme}://{host}{explicit}"


def _form_source(url: str) -> str | None:
    """The CSP source for a form target: its origin, or for an app's reverse-DNS private-use
    scheme (RFC 8252 7.1; never "javascript:" and the like) the scheme itself."""
    scheme = urlsplit(url).scheme
    if is_private_use_scheme(scheme):
        return f"{scheme}:"
    return origin_of(url)


def allow_form_targets(response: HttpResponseBase, urls: list[str]) -> HttpResponseBase:
    """Let this page's forms (and the redirects that follow them, which browsers also check)
    reach the origins of `urls` besides this site and any origins already allowed for this
    response; every other page keeps `form-action 'self'`."""
    config: dict[str, Any] = dict(getattr(response, "_csp_config", None) or settings.SECURE_CSP)
    allowed = {source for source in config.get("form-action", []) if source != CSP.SELF}
    allowed |= {source for url in urls if (source := _form_source(url))}
    config["form-action"] = [CSP.SELF, *sorted(allowed)]
    response._csp_config = config  # type: ignore[attr-defined]  # read by Django's CSP middleware
    return response
