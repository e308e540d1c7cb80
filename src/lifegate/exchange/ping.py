"""Ping: the simplest signed exchange between two nodes. A node sends a signed "ping" with a
random nonce; the peer verifies it and answers a signed "pong" echoing the nonce.

Operators use it (`manage.py exchange_ping <peer>`) to check that two nodes trust each other;
the benchmark uses it as the floor of a signed round trip over HTTP."""

import secrets
import time
import uuid
from dataclasses import dataclass

from lifegate.exchange import messages
from lifegate.exchange.client import post_message
from lifegate.exchange.nodes import peer

PING = "ping"
PONG = "pong"
PING_PATH = "/api/exchange/ping"


@dataclass(frozen=True)
class PingResult:
    """A verified pong."""

    peer: str
    nonce: str
    message_id: str
    round_trip_ms: float


def ping_token(peer_id: str) -> str:
    """A signed ping to `peer_id` with a fresh nonce (raises UnknownNode for a stranger)."""
    return messages.sign(
        {"nonce": secrets.token_hex(16)},
        to=peer(peer_id).id,
        message_type=PING,
        conversation_id=uuid.uuid4().hex,
    )


def send_ping(peer_id: str) -> PingResult:
    """Ping `peer_id` and verify its pong; raises UnknownNode, PeerRefused, PeerUnavailable,
    or MessageRejected when the answer does not verify or does not answer this ping."""
    target = peer(peer_id)
    token = ping_token(peer_id)
    sent = messages.unverified_claims(token)
    started = time.perf_counter()
    answer = post_message(target, PING_PATH, token)
    elapsed = (time.perf_counter() - started) * 1000
    pong = messages.verify(answer, expected_type=PONG)
    if (
        pong.sender.id != target.id
        or pong.correlation_id != sent["jti"]
        or pong.payload.get("nonce") != sent["nonce"]
    ):
        raise messages.Malformed("The pong does not answer this ping.")
    return PingResult(
        peer=target.id, nonce=sent["nonce"], message_id=pong.message_id, round_trip_ms=elapsed
    )


def answer_ping(token: str) -> str:
    """The signed pong to the ping in `token`; raises MessageRejected when it does not verify."""
    ping = messages.verify(token, expected_type=PING)
    nonce = ping.payload.get("nonce")
    if not isinstance(nonce, str) or not 0 < len(nonce) <= 128:
        raise messages.Malformed("A ping carries a nonce of at most 128 characters.")
    return messages.sign(
        {"nonce": nonce},
        to=ping.sender.id,
        message_type=PONG,
        conversation_id=ping.conversation_id,
        correlation_id=ping.message_id,
    )
