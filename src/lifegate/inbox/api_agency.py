"""The agency messages API under /api/agency/messages/: an agency's systems send messages to
people's message boxes (one at a time, in bulk, or as a streamed upload) and follow what became
of them: notified, reminded, read, or reported back as still unread.

Clients authenticate with `Authorization: Bearer <client_id>.<secret>` and need the `messages`
scope. A client sends as its own organisation and sees that organisation's messages only; any
other id is a 404, exactly like an id that does not exist. Every send is idempotent per
organisation and key. Reading a message's status is recorded in the person's processing log.
Errors are RFC 9457 problem details; they never repeat the recipient's identifier."""

import logging
from typing import Any
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from ninja import Header, Query, Router, Status
from ninja.renderers import JSONRenderer
from pydantic import ValidationError

from lifegate.inbox import status
from lifegate.inbox.api_agency_bulk import (
    agency_actor,
    bulk_items,
    collector_paused,
    counts,
    parse_items,
    send_parsed,
    streamed_results,
)
from lifegate.inbox.api_agency_input import (
    RequestRefused,
    body_lines,
    body_stream,
    invalid_message,
    read_json,
    require_content_type,
)
from lifegate.inbox.api_agency_schemas import (
    NDJSON_CONTENT_TYPE,
    BulkMessageIn,
    BulkSendIn,
    BulkSendOut,
    MessageIn,
    MessagePage,
    MessageQuery,
    MessageStatusOut,
    inline_json_schema,
    problem_responses,
)
from lifegate.inbox.models import Message
from lifegate.inbox.services import Outcome, send_messages
from lifegate.journeys.api_agency import AgencyBearer, cursor_page
from lifegate.journeys.models import AgencyClient

logger = logging.getLogger(__name__)

router = Router(tags=["agency"], auth=AgencyBearer(AgencyClient.Scope.MESSAGES))
JSON_RENDERER = JSONRenderer()


def _client(request: HttpRequest) -> AgencyClient:
    return request.auth  # type: ignore[attr-defined]


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
    [sent] = send_messages(client.organisation, [new], actor=agency_actor(client), client=client)
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
    status.record_status_reads(agency_actor(client), [message])
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
    with collector_paused():
        try:
            items = bulk_items(read_json(request))
        except RequestRefused as refused:
            return refused.response(request)
        results = send_parsed(_client(request), parse_items(items))
        body = counts(results) | {
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
    results = streamed_results(_client(request), lines, translation.get_language())
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
    status.record_status_reads(agency_actor(client), page["results"])
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
    status.record_status_reads(agency_actor(client), [message])
    return message
