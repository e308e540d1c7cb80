"""Sending a signed message to a peer node over HTTP, with timeouts and retries.

A peer that cannot be reached, times out, or answers 502/503/504 is tried again after a
growing wait (EXCHANGE_BACKOFF_MILLISECONDS * 2^n, plus up to half of that at random, so that
many nodes do not retry in step), EXCHANGE_ATTEMPTS times in all. A peer that answers 4xx has
refused the message: that is not retried. Logs name the peer, path, status and attempt only:
never a message or anything in it."""

import logging
import random
import time
from collections.abc import Callable
from typing import Any

import requests
from django.conf import settings
from requests.exceptions import ChunkedEncodingError

from lifegate.core import json_input
from lifegate.exchange.messages import CONTENT_TYPE, MAX_MESSAGE_BYTES
from lifegate.exchange.nodes import Peer

RETRY_STATUSES = frozenset({502, 503, 504})

log = logging.getLogger(__name__)


class PeerUnavailable(Exception):
    """The peer could not be reached or gave no usable answer, also after retrying."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class PeerRefused(Exception):
    """The peer answered 4xx (or another error it will give again): the message was refused.
    `problem` is its RFC 9457 problem details (or what could be made of its answer)."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        self.status = status
        self.problem = problem
        super().__init__(f"{status} {problem.get('code') or problem.get('title', '')}".strip())


class _Retry(Exception):
    """An attempt that may succeed when tried again."""


def post_message(peer: Peer, path: str, token: str | Callable[[], str]) -> str:
    """POST the signed message `token` (application/jose) to `path` on `peer`; returns the
    peer's signed answer, unverified (the caller verifies it). Pass a function instead of a
    token to sign each attempt afresh: a retry after a timeout is then a new message, not a
    replay of one the peer may have accepted already. Raises PeerRefused or PeerUnavailable."""
    attempts = max(1, settings.EXCHANGE_ATTEMPTS)
    reason = ""
    for attempt in range(attempts):
        if attempt:
            time.sleep(_backoff_seconds(attempt - 1))
        body = token() if callable(token) else token
        try:
            return _attempt(peer, path, body, attempt + 1)
        except _Retry as retry:
            reason = str(retry)
    log.warning("peer %s unavailable for %s after %d attempts", peer.id, path, attempts)
    raise PeerUnavailable(reason)


def _backoff_seconds(retry: int) -> float:
    wait = settings.EXCHANGE_BACKOFF_MILLISECONDS * (2**retry) / 1000
    return wait + random.uniform(0, wait / 2)  # noqa: S311 (jitter, not a secret)


def _attempt(peer: Peer, path: str, token: str, attempt: int) -> str:
    timeout = (settings.EXCHANGE_CONNECT_TIMEOUT_SECONDS, settings.EXCHANGE_READ_TIMEOUT_SECONDS)
    try:
        with requests.post(
            peer.url(path),
            data=token.encode("ascii"),
            headers={"Content-Type": CONTENT_TYPE, "Accept": CONTENT_TYPE},
            timeout=timeout,
            allow_redirects=False,
            stream=True,
        ) as response:
            status = response.status_code
            log.info("peer %s %s attempt %d: %d", peer.id, path, attempt, status)
            if status in RETRY_STATUSES:
                raise _Retry(f"the peer answered {status}")
            content = _read_limited(response)
    except (requests.ConnectionError, requests.Timeout, ChunkedEncodingError) as error:
        log.info("peer %s %s attempt %d: %s", peer.id, path, attempt, type(error).__name__)
        raise _Retry(f"the peer did not answer in time ({type(error).__name__})") from error
    return _answer(status, response.headers.get("Content-Type", ""), content)


def _read_limited(response: requests.Response) -> bytes:
    content = bytearray()
    for chunk in response.iter_content(chunk_size=16 * 1024):
        content += chunk
        if len(content) > MAX_MESSAGE_BYTES:
            raise PeerUnavailable("the peer's answer is too large")
    return bytes(content)


def _answer(status: int, content_type: str, content: bytes) -> str:
    if 200 <= status < 300:
        if content_type.split(";")[0].strip().lower() != CONTENT_TYPE:
            raise PeerUnavailable(f"the peer's answer is not {CONTENT_TYPE}")
        try:
            return content.decode("ascii").strip()
        except UnicodeDecodeError:
            raise PeerUnavailable("the peer's answer is not a compact JWS") from None
    if 400 <= status < 500:
        raise PeerRefused(status, _problem(status, content))
    raise PeerUnavailable(f"the peer answered {status}")


def _problem(status: int, content: bytes) -> dict[str, Any]:
    try:
        problem = json_input.loads(content)
    except ValueError:
        problem = None
    if not isinstance(problem, dict):
        return {"status": status, "title": "Refused"}
    return problem
