"""The months the usage statistics cover.

Only settled months are published: a month appears once it has ended and a further week has
passed, the longest any of its figures keeps changing (a message sent on its last day may still
be read within 7 days). A published figure therefore does not change from one download to the
next (apart from messages removed at the end of their retention period), so comparing
downloads over time cannot isolate one late arrival. The window is a fixed
number of months whatever the data, so the list of months reveals nothing about when anyone
was active."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

PUBLISHED_MONTHS = 24
SETTLING_DAYS = 7


def add_months(month: date, count: int) -> date:
    """The first day of the month `count` months after the month of `month` (may be negative)."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_key(day: date) -> str:
    """`YYYY-MM`, the key of a month in every figure and download."""
    return f"{day.year:04d}-{day.month:02d}"


@dataclass(frozen=True)
class Period:
    """Consecutive whole months, oldest first; `end_day` is the first day after them."""

    months: tuple[str, ...]
    first_day: date
    end_day: date

    @property
    def start(self) -> datetime:
        """The first moment of the period, in the platform's time zone."""
        return _local_midnight(self.first_day)

    @property
    def end(self) -> datetime:
        """The first moment after the period."""
        return _local_midnight(self.end_day)


def published_period(today: date, count: int = PUBLISHED_MONTHS) -> Period:
    """The last `count` settled months as of `today`."""
    end_day = add_months(today - timedelta(days=SETTLING_DAYS), 0)
    first_day = add_months(end_day, -count)
    months = tuple(month_key(add_months(first_day, n)) for n in range(count))
    return Period(months=months, first_day=first_day, end_day=end_day)


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
