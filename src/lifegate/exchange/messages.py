"""Signed node-to-node messages: compact JWS (ES256) signed with this node's "exchange-node"
key, verified against the sender's keys in the trust list, each accepted at most once.

Every message carries an envelope of claims besides its payload: iss (sender node id), aud
(receiver node id), iat, exp, jti (message id), type, conversation_id and correlation_id (the
message it answers, or ""). `verify` refuses anything else with a `MessageRejected` whose
`code` is stable (peers and logs rely on it) and `problem_for` turns that into an RFC 9457
answer:

| code            | status | meaning                                                          |
|-----------------|--------|------------------------------------------------------------------|
| malformed       | 400    | not a compact JWS of this protocol, or a claim missing/invalid    |
| too-large       | 413    | larger than MAX_MESSAGE_BYTES                                     |
| unsupported-media-type | 415 | the request body is not `application/jose`                  |
| wrong-type      | 400    | a valid message, but not of the type this endpoint takes          |
| bad-signature   | 401    | the signature does not verify with the sender's key               |
| untrusted-key   | 401    | the key id is not among the sender's keys in the trust list       |
| expired         | 401    | exp has passed (beyond the allowed clock skew)                    |
| not-yet-valid   | 401    | iat lies in the future (beyond the allowed clock skew)            |
| untrusted-node  | 403    | the sender is not in the trust list                               |
| wrong-audience  | 403    | the message is addressed to another node                          |
| replayed        | 409    | this (sender, jti) was accepted before                            |

401 means "the proof does not hold (any more)", 403 "a valid proof, but not for this node"."""

import json
import logging
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import Key

from lifegate.core import json_input
from lifegate.core.keys import SIGNING_ALGORITHM, signing_key
from lifegate.core.problems import problem_response
from lifegate.exchange.models import ReceivedMessage
from lifegate.exchange.nodes import NODE_ID, NODE_KEY_NAME, Peer, UnknownNode, peer, this_node

MESSAGE_TYP = "lifegate-exchange+jwt"
CONTENT_TYPE = "application/jose"
MAX_MESSAGE_BYTES = 256 * 1024
# Replay protection keeps every message id until the message expires: a sender cannot make
# that longer than this, whatever exp it signs.
MAX_LIFETIME_SECONDS = 24 * 3600
HEADER_NAMES = {"alg", "kid", "typ"}
ENVELOPE = ("iss", "aud", "iat", "exp", "jti", "type", "conversation_id", "correlation_id")
MAX_ID_LENGTH = 64

security_log = logging.getLogger("lifegate.exchange.security")


class _Registry(jws.JWSRegistry):
    # ES256 only, and room for a message of MAX_MESSAGE_BYTES (the default stops at 128,000).
    max_payload_length = MAX_MESSAGE_BYTES * 4 // 3 + 4


_REGISTRY = _Registry(algorithms=[SIGNING_ALGORITHM])


class MessageRejected(Exception):
    """A node message this node refuses; `code` is stable, `description` is for people."""

    code: ClassVar[str] = "malformed"
    status: ClassVar[int] = 400
    title: ClassVar[str] = "Malformed message"
    description: str

    def __init__(self, description: str = "") -> None:
        self.description = description or self.title + "."
        super().__init__(self.description)


class Malformed(MessageRejected):
    """Not a compact JWS of this protocol, or an envelope claim is missing or invalid."""


class TooLarge(Malformed):
    code = "too-large"
    status = 413
    title = "Message too large"


class WrongMediaType(Malformed):
    code = "unsupported-media-type"
    status = 415
    title = "Unsupported media type"


class WrongType(MessageRejected):
    code = "wrong-type"
    status = 400
    title = "Wrong message type"


class BadSignature(MessageRejected):
    code = "bad-signature"
    status = 401
    title = "Bad signature"


class UntrustedKey(MessageRejected):
    code = "untrusted-key"
    status = 401
    title = "Untrusted key"


class Expired(MessageRejected):
    code = "expired"
    status = 401
    title = "Message expired"


class NotYetValid(MessageRejected):
    code = "not-yet-valid"
    status = 401
    title = "Message not yet valid"


class UntrustedNode(MessageRejected):
    code = "untrusted-node"
    status = 403
    title = "Untrusted node"


class WrongAudience(MessageRejected):
    code = "wrong-audience"
    status = 403
    title = "Message for another node"


class Replayed(MessageRejected):
    code = "replayed"
    status = 409
    title = "Message replayed"


@dataclass(frozen=True)
class Verified:
    """A message that passed every check, and the trusted peer that signed it."""

    sender: Peer
    claims: dict[str, Any]

    @property
    def message_id(self) -> str:
        return str(self.claims["jti"])

    @property
    def type(self) -> str:
        return str(self.claims["type"])

    @property
    def conversation_id(self) -> str:
        return str(self.claims["conversation_id"])

    @property
    def correlation_id(self) -> str:
        return str(self.claims["correlation_id"])

    @property
    def payload(self) -> dict[str, Any]:
        """The claims without the envelope."""
        return {name: value for name, value in self.claims.items() if name not in ENVELOPE}


def sign(
    payload: Mapping[str, Any],
    *,
    to: str,
    message_type: str,
    conversation_id: str,
    correlation_id: str = "",
) -> str:
    """A compact JWS from this node to node `to`: the envelope claims plus `payload` (whose
    keys must not be envelope claims), valid for EXCHANGE_MESSAGE_TTL_SECONDS."""
    clash = sorted(set(payload) & set(ENVELOPE))
    if clash:
        raise ValueError(f"payload must not set envelope claims: {', '.join(clash)}")
    if not NODE_ID.match(to):
        raise ValueError("`to` must be a node id")
    if not message_type or not conversation_id:
        raise ValueError("a message needs a type and a conversation id")
    issued_at = int(time.time())
    claims = {
        "iss": this_node().id,
        "aud": to,
        "iat": issued_at,
        "exp": issued_at + settings.EXCHANGE_MESSAGE_TTL_SECONDS,
        "jti": uuid.uuid4().hex,
        "type": message_type,
        "conversation_id": conversation_id,
        "correlation_id": correlation_id,
        **payload,
    }
    key = signing_key(NODE_KEY_NAME)
    header = {"alg": SIGNING_ALGORITHM, "kid": key.kid, "typ": MESSAGE_TYP}
    body = json.dumps(claims, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False)
    return jws.serialize_compact(header, body, key, registry=_REGISTRY)


def verify(token: str, *, expected_type: str) -> Verified:
    """The verified message in `token`, recorded as received; raises a `MessageRejected`
    (logged as a security event) when anything is wrong. Safe inside a transaction: the
    replay record is one statement that does not fail on a duplicate."""
    claimed_sender = ""
    try:
        obj, claims = _parse(token)
        claimed_sender = claims["iss"]
        sender = _sender(claimed_sender)
        _check_signature(obj, sender)
        _check_envelope(obj.headers(), claims)
        _check_time(claims)
        if claims["type"] != expected_type:
            raise WrongType(f"This endpoint takes {expected_type!r} messages.")
        _remember(sender.id, claims)
    except MessageRejected as rejection:
        _log_rejection(rejection, claimed_sender, expected_type)
        raise
    return Verified(sender=sender, claims=claims)


def problem_for(rejection: MessageRejected, request: HttpRequest | None = None) -> JsonResponse:
    """The RFC 9457 answer to a refused message: its status, title, description and `code`."""
    return problem_response(
        request,
        rejection.status,
        rejection.title,
        rejection.description,
        f"exchange-{rejection.code}",
        code=rejection.code,
    )


def read_token(request: HttpRequest) -> str:
    """The message in a request's body (Content-Type application/jose), unverified; raises
    WrongMediaType, TooLarge or Malformed, which `problem_for` answers."""
    media_type = request.content_type or ""
    if media_type.lower() != CONTENT_TYPE:
        raise WrongMediaType(f"Send the message as {CONTENT_TYPE}.")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise Malformed("Bad Content-Length.") from None
    if length > MAX_MESSAGE_BYTES:
        raise TooLarge(f"A message has at most {MAX_MESSAGE_BYTES} bytes.")
    try:
        return request.body.decode("ascii")
    except UnicodeDecodeError:
        raise Malformed("A compact JWS is ASCII text.") from None


def jose_response(token: str, status: int = 200) -> HttpResponse:
    """An HTTP answer carrying the signed message `token`."""
    return HttpResponse(token, status=status, content_type=CONTENT_TYPE)


def unverified_claims(token: str) -> dict[str, Any]:
    """The claims of a message this node signed itself (to remember its jti, say). Nothing
    here is checked: never use it on a message from elsewhere; that is what `verify` is for."""
    claims = json.loads(jws.extract_compact(token.encode("ascii"), registry=_REGISTRY).payload)
    if not isinstance(claims, dict):
        raise ValueError("not a node message")
    return claims


def forget_expired_messages() -> int:
    """Delete the replay records of messages that have expired (a replay of those is refused
    as expired anyway); returns how many were deleted."""
    deleted, _ = ReceivedMessage.objects.filter(expires_at__lt=timezone.now()).delete()
    return deleted


def _parse(token: str) -> tuple[jws.CompactSignature, dict[str, Any]]:
    if len(token) > MAX_MESSAGE_BYTES:
        raise TooLarge(f"A message has at most {MAX_MESSAGE_BYTES} bytes.")
    try:
        obj = jws.extract_compact(token.strip().encode("ascii"), registry=_REGISTRY)
        claims = json_input.loads(obj.payload)
    except (JoseError, ValueError, UnicodeError) as error:
        raise Malformed("Not a compact JWS with a JSON payload.") from error
    header = obj.headers()
    if header.get("alg") != SIGNING_ALGORITHM:
        raise Malformed(f"Messages are signed with {SIGNING_ALGORITHM}.")
    if set(header) - HEADER_NAMES:
        # No b64, crit, jku, x5u...: nothing that changes how the signature is checked.
        raise Malformed(f"The header has only {', '.join(sorted(HEADER_NAMES))}.")
    if not isinstance(claims, dict):
        raise Malformed("The payload is not a JSON object.")
    issuer = claims.get("iss")
    if not isinstance(issuer, str) or not NODE_ID.match(issuer):
        raise Malformed("The iss claim must be the sending node's id.")
    return obj, claims


def _sender(node_id: str) -> Peer:
    try:
        return peer(node_id)
    except UnknownNode:
        raise UntrustedNode("The sending node is not in this node's trust list.") from None


def _check_signature(obj: jws.CompactSignature, sender: Peer) -> None:
    kid = obj.headers().get("kid")
    key: Key | None = next((k for k in sender.jwks if kid and k.kid == kid), None)
    if key is None:
        raise UntrustedKey("The message is signed with a key the trust list does not name.")
    try:
        valid = jws.validate_compact(obj, key, registry=_REGISTRY)
    except JoseError:
        valid = False
    if not valid:
        raise BadSignature("The signature does not verify with the sender's key.")


def _check_envelope(header: dict[str, Any], claims: dict[str, Any]) -> None:
    if header.get("typ") != MESSAGE_TYP:
        raise Malformed(f"The typ header must be {MESSAGE_TYP!r}.")
    for name in ("iat", "exp"):
        if not isinstance(claims.get(name), int) or isinstance(claims[name], bool):
            raise Malformed(f"The {name} claim must be a whole number of seconds.")
    for name in ("aud", "jti", "type", "conversation_id"):
        value = claims.get(name)
        if not isinstance(value, str) or not value or len(value) > MAX_ID_LENGTH:
            raise Malformed(f"The {name} claim must be a text of 1 to {MAX_ID_LENGTH} characters.")
    correlation = claims.get("correlation_id", "")
    if not isinstance(correlation, str) or len(correlation) > MAX_ID_LENGTH:
        raise Malformed(f"The correlation_id claim must be a text of at most {MAX_ID_LENGTH}.")
    claims.setdefault("correlation_id", "")
    if claims["aud"] != this_node().id:
        raise WrongAudience("The message is addressed to another node.")


def _check_time(claims: dict[str, Any]) -> None:
    now = time.time()
    skew = settings.EXCHANGE_CLOCK_SKEW_SECONDS
    if claims["exp"] - claims["iat"] > MAX_LIFETIME_SECONDS or claims["exp"] < claims["iat"]:
        raise Malformed(f"A message is valid for at most {MAX_LIFETIME_SECONDS} seconds.")
    if claims["iat"] > now + skew:
        raise NotYetValid("The message was issued in the future (check the clocks).")
    if claims["exp"] < now - skew:
        raise Expired("The message has expired.")


def _remember(sender_id: str, claims: dict[str, Any]) -> None:
    expires_at = datetime.fromtimestamp(
        claims["exp"] + settings.EXCHANGE_CLOCK_SKEW_SECONDS, tz=UTC
    )
    if not ReceivedMessage.remember(sender_id, claims["jti"], expires_at):
        raise Replayed("This message was received before.")


def _log_rejection(rejection: MessageRejected, claimed_sender: str, expected_type: str) -> None:
    # Only values this module validated or chose: never token contents or personal data.
    security_log.warning(
        "exchange message refused: code=%s claimed_sender=%s expected_type=%s",
        rejection.code,
        claimed_sender or "-",
        expected_type,
    )
