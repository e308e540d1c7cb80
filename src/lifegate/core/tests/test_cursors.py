"""Paging cursors: a row's sort key goes out and comes back; anything lifegate did not hand
out is `InvalidCursor`, including moments that would overflow in time zone arithmetic."""

import base64
import json
from datetime import UTC, datetime
from uuid import uuid4

import pytest

from lifegate.core.cursors import InvalidCursor, cursor_moment, decode_cursor, encode_cursor


def _raw(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def test_a_sort_key_comes_back_as_it_went_out() -> None:
    moment, row_id = datetime(2026, 11, 24, 1, 30, tzinfo=UTC), str(uuid4())
    moment_text, id_text = decode_cursor(encode_cursor(moment, row_id), 2)
    assert (cursor_moment(moment_text), id_text) == (moment, row_id)


@pytest.mark.parametrize(
    "cursor",
    ["", "not-a-cursor", "bm9uc2Vuc2U", _raw({"a": 1}), _raw([1]), _raw([1, 2, 3]), "[" * 5000],
)
def test_a_damaged_cursor_is_invalid(cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, 2)


def test_deeply_nested_json_is_invalid_not_a_recursion_error() -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(base64.urlsafe_b64encode(b"[" * 100_000).decode(), 2)


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01T00:00:00+01:00",  # to UTC: before year 1
        "9999-12-31T23:59:59-01:00",  # to UTC: after year 9999
        "1999-12-31T12:00:00+00:00",
        "2026-11-24T01:30:00",  # no time zone
        "yesterday",
        17,
        None,
    ],
)
def test_a_moment_out_of_range_or_without_a_zone_is_invalid(value: object) -> None:
    with pytest.raises(InvalidCursor):
        cursor_moment(value)
