"""Sending many messages through the agency messages API: a bulk send's or a streamed
upload's items parsed (one validator call per batch where it can), sent in one call per
chunk, and answered with one result per item, in item order (`inbox.api_agency`'s
`/bulk` and `/stream`)."""

import gc
import json
import logging
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from pydantic import TypeAdapter, ValidationError

from lifegate.core import json_input
from lifegate.inbox.api_agency_input import RequestRefused, invalid_json, invalid_message, too_large
from lifegate.inbox.api_agency_schemas import BulkMessageIn
from lifegate.inbox.services import NewMessage, Outcome, Problem, SendResult, send_messages
from lifegate.journeys.models import AgencyClient
from lifegate.transparency.services import Actor

logger = logging.getLogger(__name__)

# Messages per send_messages call in a streamed upload: large enough for bulk inserts, small
# enough that the agency sees results while it is still uploading.
STREAM_CHUNK = 1000
BULK_ITEMS = TypeAdapter(list[BulkMessageIn])


def agency_actor(client: AgencyClient) -> Actor:
    """Who acts when a client sends or reads: its organisation."""
    return Actor(kind="agency", organisation=client.organisation.slug)


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


def parse_items(items: list[Any]) -> list[Parsed]:
    """`_parse_item` of each item. Validated as one list first: one call into the validator
    instead of one per message; only a batch with an invalid message is validated again
    message by message, to reject just those."""
    try:
        valid = BULK_ITEMS.validate_python(items)
    except ValidationError:
        return [_parse_item(item) for item in items]
    return [item.to_new_message(item.idempotency_key) for item in valid]


@contextmanager
def collector_paused() -> Iterator[None]:
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


def send_parsed(client: AgencyClient, parsed: list[Parsed]) -> list[dict[str, Any]]:
    """Send the well-formed messages in one call; one result per item, in item order."""
    positions = [index for index, item in enumerate(parsed) if isinstance(item, NewMessage)]
    messages = [item for item in parsed if isinstance(item, NewMessage)]
    results = [{} if isinstance(item, NewMessage) else item for item in parsed]
    if not messages:
        return results
    for sent in send_messages(
        client.organisation, messages, actor=agency_actor(client), client=client
    ):
        results[positions[sent.index]] = _result(sent)
    return results


def counts(results: list[dict[str, Any]]) -> dict[str, int]:
    outcomes = Counter(result["outcome"] for result in results)
    return {
        "created": outcomes[Outcome.CREATED],
        "duplicates": outcomes[Outcome.DUPLICATE],
        "rejected": outcomes[Outcome.REJECTED],
    }


def bulk_items(data: Any) -> list[Any]:
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


def streamed_results(
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
    results = send_parsed(client, [parsed for _number, parsed in chunk])
    totals.update(counts(results))
    for (number, _parsed), result in zip(chunk, results, strict=True):
        # As in a bulk send's results: a key the line did not have is left out, not null.
        yield _ndjson({"line": number} | {k: v for k, v in result.items() if v is not None})
