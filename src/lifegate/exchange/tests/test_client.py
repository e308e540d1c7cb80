"""Posting a message to a peer: against a real HTTP server on localhost that answers as told
(an answer, a dropped connection, or no answer in time)."""

import json
import logging
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from joserfc.jwk import KeySet

from lifegate.exchange import client
from lifegate.exchange.client import PeerRefused, PeerUnavailable, post_message
from lifegate.exchange.nodes import Peer

JOSE = "application/jose"
ANSWER = "eyJhbGciOiJFUzI1NiJ9.eyJ0eXBlIjoicG9uZyJ9.c2ln"


class FakePeer:
    """A peer's HTTP server: each request takes the next scripted answer, the last one repeats.
    An answer is (status, content type, body), "drop" (close without answering) or "hang" (no
    answer until the test ends)."""

    def __init__(self) -> None:
        self.script: list[Any] = []
        self.requests: list[dict[str, Any]] = []
        self.release = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                fake.requests.append({"headers": dict(self.headers.items()), "body": body})
                answer = fake.script[min(len(fake.requests), len(fake.script)) - 1]
                if answer == "drop":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if answer == "hang":
                    fake.release.wait(10)
                    return
                status, content_type, content = answer
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def peer(self) -> Peer:
        port = self.server.server_address[1]
        return Peer("ee", "EE", "node ee", f"http://127.0.0.1:{port}", KeySet([]))

    def answer(self, *answers: Any) -> None:
        self.script = list(answers)


def ok(body: str = ANSWER) -> tuple[int, str, bytes]:
    return 200, JOSE, body.encode()


def problem(status: int, code: str) -> tuple[int, str, bytes]:
    body = {"type": "about:blank", "title": "Refused", "status": status, "code": code}
    return status, "application/problem+json", json.dumps(body).encode()


def unavailable(status: int) -> tuple[int, str, bytes]:
    return status, "text/plain", b"try later"


@pytest.fixture
def fake_peer(settings) -> Iterator[FakePeer]:
    settings.EXCHANGE_ATTEMPTS = 3
    settings.EXCHANGE_BACKOFF_MILLISECONDS = 1
    settings.EXCHANGE_CONNECT_TIMEOUT_SECONDS = 2
    settings.EXCHANGE_READ_TIMEOUT_SECONDS = 0.3
    fake = FakePeer()
    fake.thread.start()
    yield fake
    fake.release.set()
    fake.server.shutdown()
    fake.server.server_close()


def test_it_posts_the_token_as_application_jose_and_returns_the_signed_answer(fake_peer):
    fake_peer.answer(ok())

    answer = post_message(fake_peer.peer, "/api/exchange/ping", "a.b.c")

    assert answer == ANSWER
    [request] = fake_peer.requests
    assert request["headers"]["Content-Type"] == JOSE
    assert request["body"] == b"a.b.c"


def test_it_retries_on_502_503_504_and_a_dropped_connection_until_the_peer_answers(
    fake_peer, settings
):
    settings.EXCHANGE_ATTEMPTS = 5
    fake_peer.answer(unavailable(503), "drop", unavailable(502), unavailable(504), ok())

    answer = post_message(fake_peer.peer, "/api/exchange/ping", "a.b.c")

    assert answer == ANSWER
    assert [r["body"] for r in fake_peer.requests] == [b"a.b.c"] * 5


def test_a_refusal_is_not_retried_and_carries_the_problem(fake_peer):
    fake_peer.answer(problem(409, "replayed"), ok())

    with pytest.raises(PeerRefused) as refused:
        post_message(fake_peer.peer, "/api/exchange/ping", "a.b.c")

    assert refused.value.status == 409
    assert refused.value.problem["code"] == "replayed"
    assert len(fake_peer.requests) == 1


def test_a_refusal_without_problem_details_still_says_its_status(fake_peer):
    fake_peer.answer((403, "text/html", b"<h1>Forbidden</h1>"))

    with pytest.raises(PeerRefused) as refused:
        post_message(fake_peer.peer, "/api/exchange/ping", "a.b.c")

    assert refused.value.status == 403
    assert refused.value.problem["status"] == 403


def test_a_peer_that_stays_unavailable_is_given_up_after_the_configured_attempts(fake_peer):
    fake_peer.answer(unavailable(503))

    with pytest.raises(PeerUnavailable) as unavailable_error:
        post_message(fake_peer.peer, "/api/exchange/ping", "a.b.c")

    assert "503" in unavailable_error.value.reason
    assert len(fake_peer.requests) == 3


def test_a_peer_that_does_not_answer_in_time_is_unavailable(fake_peer, settings):
    settings.EXCHANGE_ATTEMPTS = 2
    fake_peer.answer("hang")

    with pytest.raises(PeerUnavailable) as unavailable_error:
        post_message(fake_peer.peer, "/api/exchange/ping", "a.b.c")

    assert "in time" in unavailable_error.value.reason
    assert len(fake_peer.requests) == 2


def test_a_peer_nobody_listens_at_is_unavailable(settings):
    settings.EXCHANGE_ATTEMPTS = 2
    settings.EXCHANGE_BACKOFF_MILLISECONDS = 1
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    nowhere = Peer("ee", "EE", "node ee", f"http://127.0.0.1:{port}", KeySet([]))

    with pytest.raises(PeerUnavailable):
        post_message(nowhere, "/api/exchange/ping", "a.b.c")


def test_a_server_error_is_not_retried(fake_peer):
    fake_peer.answer(unavailable(500), ok())

    with pytest.raises(PeerUnavailable) as unavailable_error:
        post_message(fake_peer.peer, "/api/exchange/ping", "a.b.c")

    assert "500" in unavailable_error.value.reason
    assert len(fake_peer.requests) == 1


def test_an_answer_that_is_not_a_signed_message_is_not_accepted(fake_peer):
    fake_peer.answer((200, "application/json", b'{"status": "ok"}'))

    with pytest.raises(PeerUnavailable, match="application/jose"):
        post_message(fake_peer.peer, "/api/exchange/ping", "a.b.c")


def test_a_token_function_signs_every_attempt_afresh(fake_peer):
    fake_peer.answer("hang", ok())
    tokens = iter(["first.attempt.x", "second.attempt.y"])

    answer = post_message(fake_peer.peer, "/api/exchange/ping", lambda: next(tokens))

    assert answer == ANSWER
    assert [r["body"] for r in fake_peer.requests] == [b"first.attempt.x", b"second.attempt.y"]


def test_the_log_names_peer_and_status_but_never_the_message(fake_peer, caplog):
    fake_peer.answer(unavailable(503), ok())

    with caplog.at_level(logging.INFO, logger="lifegate.exchange.client"):
        post_message(fake_peer.peer, "/api/exchange/ping", "secret.token.value")

    lines = [record.getMessage() for record in caplog.records]
    assert any("ee" in line and "503" in line for line in lines)
    assert not any("secret" in line or ANSWER in line for line in lines)


def test_the_wait_doubles_from_the_configured_backoff_with_up_to_half_of_it_as_jitter(settings):
    settings.EXCHANGE_BACKOFF_MILLISECONDS = 100

    waits = [client._backoff_seconds(retry) for retry in (0, 1, 2)]

    assert 0.1 <= waits[0] <= 0.15
    assert 0.2 <= waits[1] <= 0.3
    assert 0.4 <= waits[2] <= 0.6
