"""HTTP to other lifegate nodes for presenting and verifying: fetching an issuer's JWKS, a
status list token, a certificate revocation list or a request object, and posting a
wallet's response. Short timeouts, a size limit, no redirects (a redirect could lead
anywhere); callers only pass URLs of nodes they trust (a revocation list's address comes
from a certificate that chains to a trust anchor). Logs name the host and status, never a
URL's path or a body."""

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests

from lifegate.core import json_input

CONNECT_TIMEOUT_SECONDS = 3
READ_TIMEOUT_SECONDS = 5
MAX_BODY_BYTES = 4 * 1024 * 1024

log = logging.getLogger(__name__)


class PeerUnreachable(Exception):
    """The node could not be reached, answered with an error, or sent too much."""


def fetch(url: str, accept: str) -> str:
    """GET `url` and return its body as text; raises PeerUnreachable unless it answers 200."""
    return fetch_bytes(url, accept).decode("utf-8", errors="replace")


def fetch_bytes(url: str, accept: str) -> bytes:
    """GET `url` and return its body; raises PeerUnreachable unless it answers 200."""
    try:
        with requests.get(
            url,
            headers={"Accept": accept},
            timeout=(CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS),
            allow_redirects=False,
            stream=True,
        ) as response:
            if response.status_code != 200:
                log.info("%s answered %s", urlsplit(url).hostname, response.status_code)
                raise PeerUnreachable(f"status {response.status_code}")
            return _limited(response)
    except requests.RequestException as failed:
        log.info("%s unreachable: %s", urlsplit(url).hostname, type(failed).__name__)
        raise PeerUnreachable(type(failed).__name__) from None


def post_form(url: str, data: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
    """POST `data` form-encoded to `url`; returns the status and the JSON answer ({} when the
    answer is not a JSON object). Raises PeerUnreachable when there is no answer."""
    try:
        with requests.post(
            url,
            data=dict(data),
            headers={"Accept": "application/json"},
            timeout=(CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS),
            allow_redirects=False,
            stream=True,
        ) as response:
            body = _limited(response)
            status = response.status_code
    except requests.RequestException as failed:
        log.info("%s unreachable: %s", urlsplit(url).hostname, type(failed).__name__)
        raise PeerUnreachable(type(failed).__name__) from None
    try:
        answer = json_input.loads(body)
    except ValueError:
        answer = {}
    return status, answer if isinstance(answer, dict) else {}


def _limited(response: requests.Response) -> bytes:
    body = b""
    for chunk in response.iter_content(64 * 1024):
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise PeerUnreachable("the answer is too large")
    return body
