"""Opaque keyset-paging cursors: the sort key of a page's last row, as a JSON list in
unpadded base64url. Nothing personal goes in; a cursor lifegate did not hand out (damaged,
forged, or with a moment outside the years any row can have) is `InvalidCursor`, never a
database error."""

import base64
import binascii
import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db.models import Model, QuerySet
from django.utils import timezone

# Dates a filter or a cursor may name; outside them, time zone arithmetic can overflow.
EARLIEST, LATEST = date(2000, 1, 1), date(9000, 1, 1)


class InvalidCursor(ValueError):
    """A paging cursor that lifegate did not hand out."""


def encode_cursor(*parts: Any) -> str:
    """The cursor for a row whose sort key is `parts` (datetimes as ISO 8601)."""
    values = [part.isoformat() if isinstance(part, datetime) else part for part in parts]
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, parts: int) -> list[Any]:
    """The `parts` values of the sort key `cursor` holds."""
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, TypeError, RecursionError) as exc:
        raise InvalidCursor("damaged cursor") from exc
    if not isinstance(values, list) or len(values) != parts:
        raise InvalidCursor("damaged cursor")
    return values


def cursor_moment(value: Any) -> datetime:
    """A moment from a cursor: ISO 8601 with a time zone, within EARLIEST and LATEST."""
    try:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None or not EARLIEST < moment.astimezone(UTC).date() < LATEST:
            raise ValueError("cursor moment out of range")
    except (ValueError, TypeError, OverflowError) as exc:
        raise InvalidCursor("damaged cursor") from exc
    return moment


def within_days[M: Model](
    queryset: QuerySet[M], field: str, since: date | None, until: date | None
) -> QuerySet[M]:
    """`queryset` narrowed to rows whose `field` (a moment) lies on the days `since` to
    `until` (both included, whole days in the current time zone). A bound past the end of
    the years any row can have leaves nothing; one before their start narrows nothing (time
    zone arithmetic on such dates could overflow)."""
    zone = timezone.get_current_timezone()
    if (since and since >= LATEST) or (until and until < EARLIEST):
        return queryset.none()
    if since and since > EARLIEST:
        queryset = queryset.filter(**{f"{field}__gte": datetime.combine(since, time(), zone)})
    if until and until < LATEST:
        end = datetime.combine(until + timedelta(days=1), time(), zone)
        queryset = queryset.filter(**{f"{field}__lt": end})
    return queryset
