"""The canonical bytes of a processing record: what the chain hashes.

Every field of the record, the id first, joined by NUL characters: times as UTC ISO 8601 with
microseconds ("2026-11-22T17:01:00.123456"), JSON fields as compact JSON with sorted keys,
everything else as stored. The same record gives the same bytes on SQLite and PostgreSQL, and
after a dump and restore. A value that cannot be written that way without ambiguity (one with
a NUL in it, possible on SQLite, or of an unexpected type) makes the whole record fall back to
a JSON array of its raw values after a 0x01 byte, which no ordinary encoding starts with.

Records are read with plain SQL (`record_columns`), not as model instances: the verifier reads
millions of them, and building objects would cost more than hashing them."""

import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import connection

from lifegate.transparency.models import ProcessingRecord

# The fields, in their canonical order. A field added to ProcessingRecord must be added here
# (at the end, as a new version of the encoding); tests/test_chain.py fails until it is.
PLAIN_FIELDS = (
    "trace_id",
    "span_id",
    "parent_span_id",
    "name",
    "status_code",
    "processing_activity_id",
    "data_subject_hash",
    "data_subject_ciphertext",
    "data_subject_id_type",
    "organisation",
    "actor_kind",
    "actor_hash",
    "on_behalf_of_hash",
    "foreign_trace_id",
    "foreign_span_id",
    "foreign_entity",
)
TIME_FIELDS = ("start_time", "end_time")
JSON_FIELDS = ("data_categories", "resource_attributes")
FIELDS = ("id", *PLAIN_FIELDS, *TIME_FIELDS, *JSON_FIELDS)
WIDTH = len(FIELDS)  # a row of record_columns starts with this many values
_SEPARATORS = WIDTH - 1
_TIME_AT = 1 + len(PLAIN_FIELDS)
_JSON_AT = _TIME_AT + len(TIME_FIELDS)
_FALLBACK = b"\x01"
_json_cache: dict[str, str | None] = {}
_JSON_CACHE_SIZE = 4096

Encoder = Callable[[Sequence[Any]], bytes]


def record_columns(alias: str) -> str:
    """The SELECT list of FIELDS of table alias `alias`, in order, as `encoder` expects them."""
    quote = connection.ops.quote_name
    names = {field.attname: str(field.column) for field in ProcessingRecord._meta.concrete_fields}
    columns = []
    for name in FIELDS:
        column = f"{alias}.{quote(names[name])}"
        if name in TIME_FIELDS and connection.vendor == "postgresql":
            # Exact and already canonical, formatted by the database rather than in Python.
            column = f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"
        elif name in TIME_FIELDS or name in JSON_FIELDS:
            # As text: no converter runs (SQLite), and jsonb arrives unparsed (PostgreSQL).
            column = f"CAST({column} AS TEXT)"
        columns.append(column)
    return ", ".join(columns)


def encoder() -> Encoder:
    """A function from a row (starting with the `record_columns` values) to canonical bytes,
    for the current database."""
    if connection.vendor == "postgresql":
        return _encode_postgresql
    return _encode_sqlite


def digest(canonical: bytes) -> bytes:
    """The SHA-256 digest of a record's canonical bytes, as its chain link keeps it."""
    return hashlib.sha256(canonical).digest()


def _encode_postgresql(row: Sequence[Any]) -> bytes:
    try:
        parts: list[Any] = [
            str(row[0]),
            *row[1:_TIME_AT],
            row[_TIME_AT],
            row[_TIME_AT + 1],
            _json(row[_JSON_AT]),
            _json(row[_JSON_AT + 1]),
        ]
        text = "\x00".join(parts)
    except TypeError:  # a NULL where none may be
        return _fallback(row)
    return text.encode() if text.count("\x00") == _SEPARATORS else _fallback(row)


def _encode_sqlite(row: Sequence[Any]) -> bytes:
    try:
        parts: list[Any] = [
            str(row[0]),
            *row[1:_TIME_AT],
            _time(row[_TIME_AT]),
            _time(row[_TIME_AT + 1]),
            _json(row[_JSON_AT]),
            _json(row[_JSON_AT + 1]),
        ]
        text = "\x00".join(parts)
    except TypeError:  # a NULL, a number or a blob where text belongs, an unreadable value
        return _fallback(row)
    return text.encode() if text.count("\x00") == _SEPARATORS else _fallback(row)


def _time(text: str) -> str | None:
    """SQLite keeps times as Django wrote them: "2026-11-22 17:01:00.123456" in UTC, without
    the fraction when it is zero."""
    try:
        value = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds")


def _json(text: str) -> str | None:
    # A log holds few distinct category lists and resource attributes: each is parsed once.
    try:
        return _json_cache[text]
    except KeyError:
        pass
    except TypeError:  # not text
        return None
    try:
        value: str | None = json.dumps(
            json.loads(text), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
    except (TypeError, ValueError):
        value = None
    if len(_json_cache) >= _JSON_CACHE_SIZE:
        _json_cache.clear()
    _json_cache[text] = value
    return value


def _fallback(row: Sequence[Any]) -> bytes:
    values = [_plain(value) for value in row[:WIDTH]]
    return _FALLBACK + json.dumps(values, separators=(",", ":")).encode()


def _plain(value: Any) -> Any:
    if isinstance(value, bytes | memoryview):
        return {"bytes": bytes(value).hex()}
    if value is None or isinstance(value, str | int | float):
        return value
    return {type(value).__name__: str(value)}
