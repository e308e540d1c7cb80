"""Node-to-node API of the evidence exchange: this node's identity and keys, and the signed
echo.

- GET /api/exchange/node: what a peer needs to put this node in its trust list (id, country,
  name, base URL and the public keys that sign its messages, as a JWK Set).
- POST /api/exchange/ping: a signed "ping" (application/jose) from a trusted peer is answered
  with a signed "pong" echoing its nonce. Refused messages get problem details with a stable
  `code` (see lifegate.exchange.messages)."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from pydantic import Field

from lifegate.core.problem_schema import Problem
from lifegate.core.problems import PROBLEM_CONTENT_TYPE
from lifegate.core.ratelimit import address_key, limit_api_call
from lifegate.exchange import messages, nodes
from lifegate.exchange.ping import answer_ping

node_router = Router(tags=["exchange"])
ping_router = Router(tags=["exchange"])


class NodeInfo(Schema):
    """A lifegate node as its peers trust it."""

    id: str = Field(description="The node's id: `iss` of its messages, `aud` of those to it.")
    country: str = Field(description="Its member state (ISO 3166-1 alpha-2).", examples=["NL"])
    name: str = Field(examples=["lifegate Netherlands"])
    base_url: str = Field(examples=["http://127.0.0.1:8000"])
    jwks: dict[str, Any] = Field(description="Public keys that sign its messages (JWK Set).")


@node_router.get(
    "",
    response=NodeInfo,
    summary="This node's identity and public keys",
    operation_id="getNodeInfo",
)
def node_metadata(request: HttpRequest) -> dict[str, Any]:
    """This node's id, country, name, base URL and signing keys: the entry a peer adds to its
    trust list (`manage.py exchange_trust <this URL>`)."""
    return nodes.node_info()


_REJECTIONS = {
    400: "Not a message of this protocol (`malformed`) or not a ping (`wrong-type`).",
    401: "`bad-signature`, `untrusted-key`, `expired` or `not-yet-valid`.",
    403: "`untrusted-node` (the sender is not in the trust list) or `wrong-audience`.",
    409: "`replayed`: this message was received before.",
    413: "`too-large`.",
    429: "Too many messages from this address (the exchange's rate limit): see Retry-After.",
    415: "`unsupported-media-type`: the body must be `application/jose`.",
}
_PING_OPENAPI = {
    "requestBody": {
        "required": True,
        "content": {messages.CONTENT_TYPE: {"schema": {"type": "string"}}},
        "description": "A compact JWS (typ `lifegate-exchange+jwt`, type `ping`) with claim "
        "`nonce`.",
    },
    "responses": {
        200: {
            "description": "A compact JWS of type `pong`, `correlation_id` the ping's `jti`, "
            "echoing the `nonce`.",
            "content": {messages.CONTENT_TYPE: {"schema": {"type": "string"}}},
        },
        **{
            status: {
                "description": text,
                "content": {PROBLEM_CONTENT_TYPE: {"schema": Problem.model_json_schema()}},
            }
            for status, text in _REJECTIONS.items()
        },
    },
}


@ping_router.post(
    "", summary="Signed echo between nodes", openapi_extra=_PING_OPENAPI, operation_id="pingNode"
)
def ping(request: HttpRequest) -> HttpResponse:
    """Verify a signed ping from a trusted peer and answer a signed pong with its nonce."""
    # The exchange's budget per calling address, counted before the signature is checked,
    # as for evidence messages: a flood of forged pings must not make this node verify them.
    limit_api_call(request, "api.exchange", address_key(request), settings.EXCHANGE_API_RATE_LIMIT)
    try:
        answer = answer_ping(messages.read_token(request))
    except messages.MessageRejected as rejection:
        return messages.problem_for(rejection, request)
    return messages.jose_response(answer)
