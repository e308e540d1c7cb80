"""E-mails through a real SMTP relay (aiosmtpd on loopback, Django's SMTP backend): a relay
that refuses for now (4xx) gets the e-mail again later, one that refuses for good (5xx)
does not, and a relay that fails keeps a run from going round in circles."""

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings

from lifegate.catalogue.models import PublicOrganisation
from lifegate.inbox import mail as inbox_mail
from lifegate.inbox.models import Message
from lifegate.inbox.notifications import notify
from lifegate.inbox.tests.test_notifications import expire_leases, give_address, send
from lifegate.registries.personas import DemoPersona

pytestmark = pytest.mark.django_db
PARENT, STUDENT = "parent@example.nl", "student@example.nl"


class Relay:
    """An SMTP relay's answers: each recipient address gets the replies queued for it in
    `answers` (one per attempt, then "250 OK"). Records every attempt and every delivery."""

    def __init__(self) -> None:
        self.answers: dict[str, list[str]] = {}
        self.attempts: list[str] = []
        self.delivered: list[str] = []

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        self.attempts.append(address)
        queued = self.answers.get(address)
        if queued:
            return queued.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.delivered.extend(envelope.rcpt_tos)
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def relay() -> Iterator[Relay]:
    """The relay, running, as the node's mail server (no TLS on loopback)."""
    handler = Relay()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    options = {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": 5}
    mailer = {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}
    try:
        with override_settings(MAILERS={"default": mailer}):
            yield handler
    finally:
        controller.stop()


def _state(message: Message) -> str:
    message.refresh_from_db()
    return message.notification_state


def test_a_relay_that_refuses_for_now_gets_the_e_mail_again_later(
    relay: Relay, personas: dict[str, DemoPersona], agency: PublicOrganisation
) -> None:
    give_address(personas["parent"], PARENT)
    message = send(agency, personas["parent"])
    relay.answers[PARENT] = ["451 4.7.1 Greylisted, try again later"]

    assert notify([str(message.pk)]) == 0
    assert _state(message) == "pending"
    expire_leases()
    assert notify([str(message.pk)]) == 1

    assert _state(message) == "sent"
    assert relay.attempts == [PARENT, PARENT]
    assert relay.delivered == [PARENT]


def test_a_relay_that_refuses_for_good_is_not_asked_again(
    relay: Relay, personas: dict[str, DemoPersona], agency: PublicOrganisation
) -> None:
    give_address(personas["parent"], PARENT)
    message = send(agency, personas["parent"])
    relay.answers[PARENT] = ["550 5.1.1 No such mailbox"]

    assert notify([str(message.pk)]) == 0
    expire_leases()
    assert notify([str(message.pk)]) == 0

    assert _state(message) == "skipped"
    assert relay.attempts == [PARENT]


def test_a_run_tries_each_message_once_even_when_its_lease_runs_out(
    relay: Relay,
    personas: dict[str, DemoPersona],
    agency: PublicOrganisation,
    settings: Any,
    monkeypatch: Any,
) -> None:
    # Leases that end at once: without care the run would claim its own failure again.
    settings.INBOX_MAIL_LEASE_SECONDS = 0
    monkeypatch.setattr(inbox_mail, "CLAIM_CHUNK", 2)
    give_address(personas["parent"], PARENT)
    give_address(personas["student"], STUDENT)
    first = send(agency, personas["parent"], "a")
    others = [send(agency, personas["student"], key) for key in ("b", "c")]
    relay.answers[PARENT] = ["450 4.2.1 Mailbox busy, try again later"]

    sent = notify([str(m.pk) for m in [first, *others]])

    assert sent == 2
    assert relay.attempts.count(PARENT) == 1
    assert _state(first) == "pending"  # for the next run
    assert [_state(m) for m in others] == ["sent", "sent"]


def test_a_run_stops_when_a_whole_chunk_fails(
    relay: Relay,
    personas: dict[str, DemoPersona],
    agency: PublicOrganisation,
    monkeypatch: Any,
) -> None:
    monkeypatch.setattr(inbox_mail, "CLAIM_CHUNK", 2)
    give_address(personas["parent"], PARENT)
    messages = [send(agency, personas["parent"], key) for key in "abcde"]
    relay.answers[PARENT] = ["452 4.3.1 Insufficient system storage"] * 5

    assert notify([str(m.pk) for m in messages]) == 0

    assert relay.attempts == [PARENT, PARENT]  # the first chunk only
    assert {_state(m) for m in messages} == {"pending"}
