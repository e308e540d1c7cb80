"""The agency messages API under /api/agency/messages/: an agency's systems send messages to
people's message boxes (one at a time, in bulk, or as a streamed upload) and follow what became
of them: notified, reminded, read, or reported back as still unread.

Clients authenticate with `Authorization: Bearer <client_id>.<secret>` and need the `messages`
scope. A client sends as its own organisation and sees that organisation's messages only; any
other id is a 404, exactly like an id that does not exist. Every send is idempotent per
organisation and key. Reading a message's status is recorded in the person's processing log.
Errors are RFC 9457 problem details; they never repeat the recipient's identifier."""

import gc
import json
import logging
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Status
from ninja.renderers import JSONRenderer
from pydantic import TypeAdapter, ValidationError

from lifegate.core import json_input
from lifegate.inbox import status
from lifegate.inbox.api_agency_schemas import (
    NDJSON_CONTENT_TYPE,
    BulkMessageIn,
    BulkSendIn,
    BulkSendOut,
    MessageIn,
    MessagePage,
    MessageQuery,
    MessageStatusOut,
    RequestRefused,
    body_lines,
    body_stream,
    inline_json_schema,
    invalid_json,
    invalid_message,
    problem_responses,
    read_json,
    require_content_type,
    too_large,
)
from lifegate.inbox.models import Message
from lifegate.inbox.services import (
    NewMessage,
    Outcome,
    Problem,
    SendResult,
    send_messages,
)
from lifegate.journeys.api_agency import AgencyBearer, cursor_page
from lifegate.journeys.models import AgencyClient
from lifegate.transparency.services import Actor

logger = logging.getLogger(__name__)

router = Router(tags=["agency"], auth=AgencyBearer(AgencyClient.Scope.MESSAGES))

# Messages per send_messages call in a streamed upload: large enough for bulk inserts, small
# enough that the agency sees results while it is still uploading.
STREAM_CHUNK = 1000
JSON_RENDERER = JSONRenderer()
BULK_ITEMS = TypeAdapter(list[BulkMessageIn])


def _client(request: HttpRequest) -> AgencyClient:
    return request.auth  # type: ignore[attr-defined]


def _actor(client: AgencyClient) -> Actor:
    return Actor(kind="agency", organisation=client.organisation.slug)


# Sending many -----------------------------------------------------------------------------

# An item of a bulk send or a stream: the message to send, or the result rejecting it unsent.
Parsed = NewMessage | dict[str, Any]


def _rejected(data: Any, refused: RequestRefused) -> dict[str, Any]:
    key = data.get("idempotency_key") if isinstance(data, dict) else None
    # The key is echoed only when it could be one: the result must not repeat arbitrary input.
    echoed = {"idempotency_key": key} if isinstance(key, str) and len(key) <= 200 else {}
    return echoed | {
        "outcome": Outcome.REJECTED.value,
        "problem": refused.problem.as_dict() | refused.extensions,
    }


def _parse_item(data: Any) -> Parsed:
    try:
        item = BulkMessageIn.model_validate(data)
    except ValidationError as exc:
        return _rejected(data, invalid_message(exc))
    return item.to_new_message(item.idempotency_key)


def _parse_items(items: list[Any]) -> list[Parsed]:
    """`_parse_item` of each item. Validated as one list first: one call into the validator
    instead of one per message; only a batch with an invalid message is validated again
    message by message, to reject just those."""
    try:
        valid = BULK_ITEMS.validate_python(items)
    except ValidationError:
        return [_parse_item(item) for item in items]
    return [item.to_new_message(item.idempotency_key) for item in valid]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off for the block. A bulk send makes hundreds of thousands of
    objects that reference counting frees again; on the way the collector would walk every
    live object of the process several times, which costs more than the whole parsing. The
    request's size is bounded (`INBOX_BULK_MAX_BYTES`), so the few cycles it leaves wait
    for the next collection safely."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:  # a concurrent request that paused it first enables it again
            gc.enable()


def _parse_line(line: bytes | None) -> Parsed:
    if line is None:
        return _rejected(None, RequestRefused(too_large()))
    try:
        data = json_input.loads(line)
    except ValueError:
        return _rejected(None, RequestRefused(invalid_json()))
    return _parse_item(data)


def _result(sent: SendResult) -> dict[str, Any]:
    result: dict[str, Any] = {"idempotency_key": sent.idempotency_key, "outcome": sent.outcome}
    if sent.message_id:
        result["message_id"] = str(sent.message_id)
    if sent.problem:
        result["problem"] = sent.problem.as_dict()
    return result


def _send_parsed(client: AgencyClient, parsed: list[Parsed]) -> list[dict[str, Any]]:
    """Send the well-formed messages in one call; one result per item, in item order."""
    positions = [index for index, item in enumerate(parsed) if isinstance(item, NewMessage)]
    messages = [item for item in parsed if isinstance(item, NewMessage)]
    results = [{} if isinstance(item, NewMessage) else item for item in parsed]
    if not messages:
        return results
    for sent in send_messages(client.organisation, messages, actor=_actor(client), client=client):
        results[positions[sent.index]] = _result(sent)
    return results


def _counts(results: list[dict[str, Any]]) -> dict[str, int]:
    outcomes = Counter(result["outcome"] for result in results)
    return {
        "created": outcomes[Outcome.CREATED],
        "duplicates": outcomes[Outcome.DUPLICATE],
        "rejected": outcomes[Outcome.REJECTED],
    }


def _bulk_items(data: Any) -> list[Any]:
    messages = data.get("messages") if isinstance(data, dict) else None
    if not isinstance(messages, list):
        problem = Problem(
            400,
            _("Invalid request"),
            _("The body must be an object with a list of messages."),
            "invalid-request",
        )
        raise RequestRefused(problem, errors=[{"location": "messages", "message": "required"}])
    if len(messages) > settings.INBOX_BULK_MAX_MESSAGES:
        problem = Problem(
            413,
            _("Too many messages"),
            _("A bulk send takes at most %(max)d messages; use the streamed upload for more.")
            % {"max": settings.INBOX_BULK_MAX_MESSAGES},
            "too-many-messages",
        )
        raise RequestRefused(problem)
    return messages


def _ndjson(value: dict[str, Any]) -> bytes:
    return json.dumps(value).encode() + b"\n"


def _streamed_results(
    client: AgencyClient, lines: Iterator[tuple[int, bytes | None]], language: str
) -> Iterator[bytes]:
    """Send the lines in chunks as they arrive; a result line per input line, in input order,
    then a summary. A failure stops the upload with a problem line instead of the summary:
    the chunks before it stay sent."""
    chunk: list[tuple[int, Parsed]] = []
    chunk_bytes, totals, lines_read = 0, Counter[str](), 0
    with translation.override(language):
        try:
            for number, line in lines:
                lines_read = number
                if line is not None and not line.strip():
                    continue
                chunk.append((number, _parse_line(line)))
                chunk_bytes += len(line or b"")
                if len(chunk) >= STREAM_CHUNK or chunk_bytes >= settings.INBOX_BULK_MAX_BYTES:
                    yield from _send_chunk(client, chunk, totals)
                    chunk, chunk_bytes = [], 0
            yield from _send_chunk(client, chunk, totals)
        except Exception:
            logger.exception("streamed message upload of %s failed", client.client_id)
            problem = Problem(
                500,
                _("Upload interrupted"),
                _("Sending stopped after the results above; send the remaining lines again."),
                "upload-interrupted",
            )
            yield _ndjson({"problem": problem.as_dict()})
            return
    yield _ndjson({"summary": {"lines": lines_read} | dict(totals)})


def _send_chunk(
    client: AgencyClient, chunk: list[tuple[int, Parsed]], totals: Counter[str]
) -> Iterator[bytes]:
    results = _send_parsed(client, [parsed for _number, parsed in chunk])
    totals.update(_counts(results))
    for (number, _parsed), result in zip(chunk, results, strict=True):
        # As in a bulk send's results: a key the line did not have is left out, not null.
        yield _ndjson({"line": number} | {k: v for k, v in result.items() if v is not None})


# Sending ----------------------------------------------------------------------------------


def _send_openapi() -> dict[str, Any]:
    """OpenAPI of `POST /`: the body is read by the endpoint itself (see `read_json`)."""
    extra = problem_responses(400, 401, 403, 404, 411, 413, 415, 422, 507)
    body = {"content": {"application/json": {"schema": inline_json_schema(MessageIn)}}}
    return extra | {"requestBody": body | {"required": True}}


def _bulk_openapi() -> dict[str, Any]:
    """OpenAPI of `POST /bulk`."""
    extra = problem_responses(400, 401, 403, 411, 413, 415)
    body = {"content": {"application/json": {"schema": inline_json_schema(BulkSendIn)}}}
    return extra | {"requestBody": body | {"required": True}}


def _stream_openapi() -> dict[str, Any]:
    """OpenAPI of `POST /stream`: NDJSON in, NDJSON out."""
    extra = problem_responses(401, 403, 411, 415)
    line = inline_json_schema(BulkMessageIn)
    body = {"content": {NDJSON_CONTENT_TYPE: {"schema": line}}, "required": True}
    extra["responses"][200] = {
        "description": 'One result line per input line, `{"line", "idempotency_key", '
        '"outcome", "message_id"?, "problem"?}`, in line order, then `{"summary": {"lines", '
        '"created", "duplicates", "rejected"}}`; or, when sending failed half-way, '
        '`{"problem"}` instead of the summary.',
        "content": {NDJSON_CONTENT_TYPE: {"schema": {"type": "object"}}},
    }
    return extra | {"requestBody": body}


@router.post(
    "/",
    response={200: MessageStatusOut, 201: MessageStatusOut},
    operation_id="sendAgencyMessage",
    openapi_extra=_send_openapi(),
)
def send_message(
    request: HttpRequest,
    response: HttpResponse,
    idempotency_key: str = Header(
        ...,
        alias="Idempotency-Key",
        description="Unique per message within your organisation: repeating the request "
        "with the same key never makes a second message.",
    ),
) -> HttpResponse | Status[Message]:
    """Send one message to one person's message box: 201 with its status and a `Location`.
    Repeating the request with the same `Idempotency-Key` and content is a 200 with the same
    message (`Idempotent-Replayed: true`); the same key with other content is a 422. A person
    the register does not know is a 404; an attachment that is too large a 413, one that is
    not a PDF a 415; a body with HTML a 422. When the attachment storage is full the message
    is not stored at all: a 507, to be sent again later."""
    client = _client(request)
    try:
        item = MessageIn.model_validate(read_json(request))
    except ValidationError as exc:
        return invalid_message(exc).response(request)
    except RequestRefused as refused:
        return refused.response(request)
    new = item.to_new_message(idempotency_key)
    [sent] = send_messages(client.organisation, [new], actor=_actor(client), client=client)
    if sent.problem is not None:
        return RequestRefused(sent.problem).response(request)
    message = Message.objects.get(pk=sent.message_id)  # type: ignore[misc]
    response["Location"] = request.build_absolute_uri(
        reverse("api:agency-message", args=[message.pk])
    )
    if sent.outcome == Outcome.CREATED:
        return Status(201, message)
    # A replay shows the message's status as it is now: a read of it, unlike the send.
    response["Idempotent-Replayed"] = "true"
    status.record_status_reads(_actor(client), [message])
    return Status(200, message)


@router.post(
    "/bulk",
    response=BulkSendOut,
    exclude_none=True,
    operation_id="sendAgencyMessagesInBulk",
    openapi_extra=_bulk_openapi(),
)
def send_bulk(request: HttpRequest) -> HttpResponse:
    """Send up to `LIFEGATE_INBOX_BULK_MAX` (10,000) messages, each with its own
    `idempotency_key`, in one request (at most `LIFEGATE_INBOX_BULK_MAX_BYTES`). Each message
    is checked on its own: a malformed or unsendable one is `rejected` with its problem, the
    others are sent. Always 200 with the counts and one result per message, in order."""
    with _collector_paused():
        try:
            items = _bulk_items(read_json(request))
        except RequestRefused as refused:
            return refused.response(request)
        results = _send_parsed(_client(request), _parse_items(items))
        body = _counts(results) | {
            "results": [{"index": index} | result for index, result in enumerate(results)]
        }
        # Rendered as it is, in BulkSendOut's shape (nothing in it is null): checking 10,000
        # results against the schema on the way out would cost more than storing them.
        return HttpResponse(
            JSON_RENDERER.render(request, body, response_status=200),
            content_type=f"{JSON_RENDERER.media_type}; charset={JSON_RENDERER.charset}",
        )


@router.post("/stream", operation_id="streamAgencyMessages", openapi_extra=_stream_openapi())
def send_stream(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Send any number of messages as NDJSON (`application/x-ndjson`): one message object,
    with its `idempotency_key`, per line. Lines are read and sent in chunks of 1,000 while
    the upload goes on, and the results stream back as NDJSON in line order. A malformed line
    gets a problem result; the rest continues. Upload again after a failure: lines already
    sent are duplicates."""
    try:
        require_content_type(request, NDJSON_CONTENT_TYPE)
        lines = body_lines(body_stream(request))
    except RequestRefused as refused:
        return refused.response(request)
    results = _streamed_results(_client(request), lines, translation.get_language())
    return StreamingHttpResponse(results, content_type=NDJSON_CONTENT_TYPE)


# Status -----------------------------------------------------------------------------------


@router.get(
    "/",
    response=MessagePage,
    operation_id="listAgencyMessages",
    openapi_extra=problem_responses(400, 401, 403),
)
def list_messages(
    request: HttpRequest, response: HttpResponse, params: Query[MessageQuery]
) -> dict[str, Any]:
    """The organisation's sent messages, oldest first, with how far each got; walk the list
    with `after=<next_cursor>`. `state=unread&unread_reported=true` gives the messages
    lifegate reported as still unread after the reminder: send those on paper. Each status
    read is recorded in the person's processing log."""
    add_never_cache_headers(response)
    client = _client(request)
    queryset = status.sent_messages(
        client.organisation,
        unread=None if params.state is None else params.state == "unread",
        unread_reported=params.unread_reported,
        since=params.since,
    )
    page = cursor_page(request, queryset, "sent_at", params.after, params.limit)
    status.record_status_reads(_actor(client), page["results"])
    return page


@router.get(
    "/{message_id}",
    response=MessageStatusOut,
    url_name="agency-message",
    operation_id="getAgencyMessage",
    openapi_extra=problem_responses(400, 401, 403, 404),
)
def get_message(request: HttpRequest, response: HttpResponse, message_id: UUID) -> Message:
    """One sent message and how far it got: delivered, notified, reminded, read, reported
    unread. The read is recorded in the person's processing log."""
    add_never_cache_headers(response)
    client = _client(request)
    message = status.sent_message(client.organisation, message_id)
    if message is None:
        raise Http404("No such message.")
    status.record_status_reads(_actor(client), [message])
    return message
