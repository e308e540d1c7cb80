"""A person's processing history, "who used my data": their processing records, filtered, page
by page newest first, each described for people (organisation and processing activity from the
catalogue's register, who acted, which kinds of data, related operations in other nodes), with
which of them a signed checkpoint covers. The download of all of them is `history_export`.

Callers decide whose records are shown (the logged-in person's, or those of the person they act
for, through `mandates.acting`) and pass who looks as a `Viewer`. Every read is itself recorded
in the processing log, under the processing activity `ACTIVITY`.

Records are found by the keyed subject hash and paged by keyset on (start_time, id), which
the (data_subject_hash, -start_time) index serves: a page costs the same on the first page and
the thousandth, whatever the size of the whole log."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from lifegate.core.cursors import (
    InvalidCursor,
    cursor_moment,
    decode_cursor,
    within_days,
)
from lifegate.core.cursors import (
    encode_cursor as encode_key,
)
from lifegate.core.subject import Subject
from lifegate.transparency.chain import covered_by_checkpoint
from lifegate.transparency.history_labels import (
    acted_by,
    foreign_direction,
    foreign_label,
    status_label,
)
from lifegate.transparency.history_register import ActivityText, Register
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import (
    Actor,
    record_processing,
    subject_hash,
)

ACTIVITY = "transparency-access"
DATA_CATEGORIES = ("processing-log",)
PAGE_SIZE = 25
# Dates at the ends of the calendar overflow in time-zone arithmetic; nothing was processed
# before 2000 or after 9000, so such bounds filter nothing.
ORDER = ("-start_time", "-id")
REVERSED = ("start_time", "id")


class UnknownFilter(ValueError):
    """A filter value that is not one of the person's (`field` names the filter)."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


@dataclass(frozen=True)
class HistoryFilter:
    """What the person narrows their records to. Empty fields do not filter."""

    organisation: str = ""  # organisation code as recorded (a catalogue slug, or "lifegate")
    activity: str = ""  # processing activity slug
    since: date | None = None
    until: date | None = None

    @property
    def active(self) -> bool:
        return bool(self.organisation or self.activity or self.since or self.until)


@dataclass(frozen=True)
class Viewer:
    """Who looks at the records: the logged-in person (`own_hash`, their subject hash) and,
    when they act for someone, that person's name."""

    own_hash: str
    acting_for_name: str = ""


@dataclass(frozen=True)
class Choice:
    """A filter option: the value to send and its name in the active language."""

    value: str
    label: str


@dataclass(frozen=True)
class FilterOptions:
    """The organisations and processing activities that occur in the person's records."""

    organisations: list[Choice]
    activities: list[Choice]


@dataclass(frozen=True)
class Label:
    """A code and its text for people, in the active language."""

    code: str
    label: str


@dataclass(frozen=True)
class ForeignLink:
    """The operation in another node a record belongs to: who asked or answered, and its
    trace and span there (to ask that node about it)."""

    direction: str  # "asked-by", "answered-by" or "related"
    entity: str
    trace_id: str
    span_id: str
    label: str


@dataclass(frozen=True)
class HistoryEntry:
    """One processing record, described for the person."""

    record: ProcessingRecord
    organisation: Label
    activity: ActivityText
    acted_by: Label
    categories: list[Label]
    status: Label
    foreign: ForeignLink | None


@dataclass(frozen=True)
class Coverage:
    """Which records of a page a signed checkpoint covers (`covered`, record ids), that
    checkpoint's number and time (None when it covers none of them), and how many of the
    page's records it does not cover."""

    covered: frozenset[int]
    checkpoint: int | None = None
    issued_at: datetime | None = None
    uncovered: int = 0


@dataclass(frozen=True)
class HistoryPage:
    entries: list[HistoryEntry]
    next_cursor: str | None
    previous_cursor: str | None
    coverage: Coverage


# Querying -----------------------------------------------------------------------------------


def records_of(subject: Subject) -> QuerySet[ProcessingRecord]:
    """All of the person's processing records (through the subject hash index)."""
    return ProcessingRecord.objects.filter(data_subject_hash=subject_hash(subject))


def filter_options(subject: Subject) -> FilterOptions:
    """The organisations and processing activities in the person's records, by name. Reads
    the person's log: the caller records the read (a page shows them with the records)."""
    pairs = set(
        records_of(subject)
        .order_by()  # the model's ordering would otherwise join the DISTINCT
        .values_list("organisation", "processing_activity_id")
        .distinct()
    )
    register = Register()
    register.load((pair[0] for pair in pairs), (pair[1] for pair in pairs))
    organisations = {code: register.organisation(code) for code, _activity in pairs}
    activities = {slug: register.activity(slug).name for _code, slug in pairs}
    return FilterOptions(_choices(organisations), _choices(activities))


def _choices(names: dict[str, str]) -> list[Choice]:
    return sorted(
        (Choice(value, label) for value, label in names.items()), key=lambda c: c.label.casefold()
    )


def check_filter(filters: HistoryFilter, options: FilterOptions) -> None:
    """Raise `UnknownFilter` for an organisation or processing activity that does not occur
    in the person's records (`options`)."""
    if filters.organisation and filters.organisation not in {
        c.value for c in options.organisations
    }:
        raise UnknownFilter("organisation")
    if filters.activity and filters.activity not in {c.value for c in options.activities}:
        raise UnknownFilter("activity")


def filtered(queryset: QuerySet[ProcessingRecord], filters: HistoryFilter) -> QuerySet[Any]:
    """`queryset` narrowed to `filters`; a period is whole days in the current time zone."""
    if filters.organisation:
        queryset = queryset.filter(organisation=filters.organisation)
    if filters.activity:
        queryset = queryset.filter(processing_activity_id=filters.activity)
    return within_days(queryset, "start_time", filters.since, filters.until)


# Keyset paging over (start_time, id), newest first -------------------------------------------


def encode_cursor(record: ProcessingRecord) -> str:
    """An opaque position after or before `record` (no personal data in it)."""
    return encode_key(record.start_time, record.pk)


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    moment_text, row_id = decode_cursor(cursor, 2)
    if not isinstance(row_id, int) or isinstance(row_id, bool) or row_id < 1:
        raise InvalidCursor("damaged cursor")
    return cursor_moment(moment_text), row_id


def _beyond(cursor: str, older: bool) -> Q:
    """Rows after the cursor in page order (`older`), or before it. The plain bound on
    start_time lets the index range start at the cursor."""
    moment, row_id = _decode_cursor(cursor)
    if older:
        return Q(start_time__lte=moment) & (
            Q(start_time__lt=moment) | Q(start_time=moment, id__lt=row_id)
        )
    return Q(start_time__gte=moment) & (
        Q(start_time__gt=moment) | Q(start_time=moment, id__gt=row_id)
    )


def _page_rows(
    queryset: QuerySet[ProcessingRecord], after: str | None, before: str | None, size: int
) -> tuple[list[ProcessingRecord], bool, bool]:
    """The rows of one page, and whether there are newer and older pages."""
    if before:
        rows = list(queryset.filter(_beyond(before, older=False)).order_by(*REVERSED)[: size + 1])
        has_newer = len(rows) > size
        return list(reversed(rows[:size])), has_newer, True
    if after:
        queryset = queryset.filter(_beyond(after, older=True))
    rows = list(queryset.order_by(*ORDER)[: size + 1])
    return rows[:size], bool(after), len(rows) > size


def history_page(
    subject: Subject,
    filters: HistoryFilter,
    *,
    viewer: Viewer,
    actor: Actor,
    after: str | None = None,
    before: str | None = None,
    size: int = PAGE_SIZE,
) -> HistoryPage:
    """One page of the person's records, newest first, described in the active language; the
    read is recorded. Raises `InvalidCursor` for a cursor not handed out."""
    queryset = filtered(records_of(subject), filters)
    rows, has_newer, has_older = _page_rows(queryset, after, before, size)
    register = Register()
    entries = describe(rows, viewer, register)
    coverage = checkpoint_coverage(rows)
    record_access(subject, actor, "transparency.history")
    return HistoryPage(
        entries=entries,
        next_cursor=encode_cursor(rows[-1]) if rows and has_older else None,
        previous_cursor=encode_cursor(rows[0]) if rows and has_newer else None,
        coverage=coverage,
    )


def checkpoint_coverage(records: list[ProcessingRecord]) -> Coverage:
    """The longest run of the page's oldest records (`records` are newest first) that one
    signed checkpoint covers, each record linked in the chain and unchanged since
    (`chain.covered_by_checkpoint`). Records newer than the last seal are not covered yet;
    a changed record is never covered.

    A checkpoint that covers some records covers every part of them, and every run of oldest
    records holds the oldest one: so one check says "all", a second "none", and otherwise a
    bisection finds the run in a few more."""
    ids = [record.pk for record in records]
    found = covered_by_checkpoint(ids) if ids else None
    if found is not None:
        return Coverage(frozenset(ids), found.number, found.issued_at)
    found = covered_by_checkpoint(ids[-1:]) if ids else None
    if found is None:
        return Coverage(frozenset(), uncovered=len(ids))
    start, low, high = len(ids) - 1, 1, len(ids) - 1
    while low < high:
        middle = (low + high) // 2
        covering = covered_by_checkpoint(ids[middle:])
        if covering is None:
            low = middle + 1
        else:
            found, start, high = covering, middle, middle
    return Coverage(frozenset(ids[start:]), found.number, found.issued_at, uncovered=start)


def record_access(subject: Subject, actor: Actor, name: str) -> None:
    """Record that `actor` read `subject`'s processing log (operation `name`)."""
    with transaction.atomic():
        record_processing(
            name=name,
            subject=subject,
            activity=ACTIVITY,
            actor=actor,
            data_categories=DATA_CATEGORIES,
        )


# Describing records ------------------------------------------------------------------------


def describe(
    records: list[ProcessingRecord], viewer: Viewer, register: Register
) -> list[HistoryEntry]:
    """The records as the person reads them, in the active language."""
    register.load(
        (record.organisation for record in records),
        (record.processing_activity_id for record in records),
        (code for record in records for code in record.data_categories),
    )
    return [_entry(record, viewer, register) for record in records]


def _entry(record: ProcessingRecord, viewer: Viewer, register: Register) -> HistoryEntry:
    foreign = None
    if record.foreign_entity or record.foreign_trace_id:
        direction = foreign_direction(record.processing_activity_id)
        foreign = ForeignLink(
            direction,
            record.foreign_entity,
            record.foreign_trace_id,
            record.foreign_span_id,
            foreign_label(direction, record.foreign_entity),
        )
    role, description = acted_by(record, viewer.own_hash, viewer.acting_for_name)
    return HistoryEntry(
        record=record,
        organisation=Label(record.organisation, register.organisation(record.organisation)),
        activity=register.activity(record.processing_activity_id),
        acted_by=Label(role, description),
        categories=[
            Label(code, register.category(code, record.processing_activity_id))
            for code in record.data_categories
        ],
        status=Label(record.status_code, status_label(record.status_code)),
        foreign=foreign,
    )
