"""The node-to-node exchange API under /api/exchange/: peers send signed evidence requests and
signed answers here (compact JWS, `application/jose`), and get signed answers back.

Every message is verified before anything else happens (`messages.verify`: a trusted sender,
its key, this node as audience, fresh, never seen before). A refused message gets an RFC 9457
problem, never a signed answer; nothing is stored for it but the log line. Each calling
address may send settings.EXCHANGE_API_RATE_LIMIT messages per window; then 429 with
Retry-After."""

from collections.abc import Mapping

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from ninja import Router

from lifegate.core.problem_schema import Problem
from lifegate.core.problems import problem_response
from lifegate.core.ratelimit import address_key, limit_api_call
from lifegate.exchange import messages, provider, services
from lifegate.exchange.errors import RequestInvalid

router = Router(tags=["exchange"])
JOSE = "application/jose"
ANSWER_TYPE = "evidence-request-answer"
RECEIPT_TYPE = "evidence-response-received"

_BODY = {
    "requestBody": {
        "required": True,
        "content": {JOSE: {"schema": {"type": "string", "description": "compact JWS"}}},
    }
}
_ANSWER = {200: {"content": {JOSE: {"schema": {"type": "string"}}}}}


def _signed(
    claims: Mapping[str, object], to: str, conversation_id: str, correlation_id: str, kind: str
) -> HttpResponse:
    token = messages.sign(
        claims,
        to=to,
        message_type=kind,
        conversation_id=conversation_id,
        correlation_id=correlation_id,
    )
    response = messages.jose_response(token)
    response["Cache-Control"] = "no-store"
    return response


def _verified(request: HttpRequest, expected_type: str) -> messages.Verified | HttpResponse:
    # Counted per calling address before the signature is checked: verifying is the costly
    # part, and a flood of forged messages must not be able to make this node do it.
    limit_api_call(request, "api.exchange", address_key(request), settings.EXCHANGE_API_RATE_LIMIT)
    try:
        return messages.verify(messages.read_token(request), expected_type=expected_type)
    except messages.MessageRejected as rejected:
        return messages.problem_for(rejected, request)


def _invalid(request: HttpRequest, invalid: RequestInvalid) -> HttpResponse:
    return problem_response(
        request, 400, "Invalid evidence message", str(invalid), "invalid-evidence-message",
        field=invalid.field,
    )  # fmt: skip


def _receive_request(
    request: HttpRequest,
) -> HttpResponse | tuple[messages.Verified, provider.IncomingRequest, provider.Answer]:
    # The message's replay record and the answer commit together: one commit, not two. An
    # authentic message is remembered even when its request is invalid: a replay is a replay.
    with transaction.atomic():
        verified = _verified(request, services.REQUEST_TYPE)
        if isinstance(verified, HttpResponse):
            return verified
        try:
            incoming = provider.parse_request(
                verified.sender.id, verified.sender.base_url, verified.claims
            )
            return verified, incoming, provider.receive_request(incoming)
        except RequestInvalid as invalid:
            return _invalid(request, invalid)


# What a peer node gets back: the signed answer, or problem details (415: not application/jose;
# 429: over the node's rate limit).
NODE_RESPONSES: dict[int, type] = {
    200: str,
    **dict.fromkeys((400, 401, 403, 409, 413, 415, 429), Problem),
}


@router.post(
    "/requests",
    response=NODE_RESPONSES,
    summary="A peer node asks for evidence about a person",
    openapi_extra={"requestBody": _BODY["requestBody"], "responses": _ANSWER},
    operation_id="receiveEvidenceRequest",
)
def evidence_request(request: HttpRequest) -> HttpResponse:
    """The provider side. The answer (signed) is `{"status": "preview", "preview_url": ...}`:
    the person must go there, look at the evidence and share it; or `{"status":
    "not-found"}` when no single person in the register matches, or this node holds no such
    evidence about them. Nothing is shared in this answer."""
    try:
        received = _receive_request(request)
    except IntegrityError:
        # The same request delivered twice at once: the second one's transaction failed on the
        # unique request id and was rolled back whole, replay record included. Once more, it
        # finds the first one's preview and answers the same.
        received = _receive_request(request)
    if isinstance(received, HttpResponse):
        return received
    verified, incoming, answer = received
    return _signed(
        answer.as_claims(),
        verified.sender.id,
        verified.conversation_id,
        incoming.request_id,
        ANSWER_TYPE,
    )


@router.post(
    "/responses",
    response=NODE_RESPONSES,
    summary="A provider node answers after the person decided",
    openapi_extra={"requestBody": _BODY["requestBody"], "responses": _ANSWER},
    operation_id="receiveEvidenceResponse",
)
def evidence_response(request: HttpRequest) -> HttpResponse:
    """The requester side: `{"request_id", "status": "shared" | "declined" | "expired",
    "evidence": <signed evidence document when shared>}`. The evidence is verified against the
    provider's keys before it is kept. The receipt is signed."""
    verified = _verified(request, "evidence-response")
    if isinstance(verified, HttpResponse):
        return verified
    claims = verified.claims
    request_id = str(claims.get("request_id", ""))
    try:
        if claims.get("correlation_id") != request_id:
            raise RequestInvalid("correlation_id", "the answer does not correlate to its request")
        received = services.receive_response(verified.sender.id, request_id, claims)
    except RequestInvalid as invalid:
        return _invalid(request, invalid)
    return _signed(
        {"request_id": request_id, "status": received.status, "node": settings.NODE_ID},
        verified.sender.id,
        verified.conversation_id,
        request_id,
        RECEIPT_TYPE,
    )
