"""The download of a person's processing history (a GDPR access request answered in one
click): every record that matches the filters, newest first, as rows of `EXPORT_FIELDS`, read
in batches while the download streams. Formats (CSV, JSON) are the views' business."""

from collections.abc import Iterator
from itertools import batched
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from lifegate.core.subject import Subject
from lifegate.transparency.history import (
    ORDER,
    HistoryEntry,
    HistoryFilter,
    Viewer,
    describe,
    filtered,
    record_access,
    records_of,
)
from lifegate.transparency.history_register import Register
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import Actor

EXPORT_BATCH = 500

EXPORT_FIELDS = (
    "started_at",
    "ended_at",
    "organisation",
    "organisation_name",
    "processing_activity",
    "processing_activity_name",
    "purpose",
    "legal_basis",
    "acted_by",
    "acted_by_description",
    "data_categories",
    "data_category_names",
    "status",
    "status_description",
    "operation",
    "trace_id",
    "span_id",
    "foreign_direction",
    "foreign_entity",
    "foreign_trace_id",
    "foreign_span_id",
)


def export_row(entry: HistoryEntry) -> dict[str, Any]:
    """One record as a row of the download (`EXPORT_FIELDS`; lists stay lists)."""
    record, foreign = entry.record, entry.foreign
    return {
        "started_at": record.start_time.isoformat(),
        "ended_at": record.end_time.isoformat(),
        "organisation": entry.organisation.code,
        "organisation_name": entry.organisation.label,
        "processing_activity": entry.activity.slug,
        "processing_activity_name": entry.activity.name,
        "purpose": entry.activity.purpose,
        "legal_basis": entry.activity.legal_basis,
        "acted_by": entry.acted_by.code,
        "acted_by_description": entry.acted_by.label,
        "data_categories": [category.code for category in entry.categories],
        "data_category_names": [category.label for category in entry.categories],
        "status": entry.status.code,
        "status_description": entry.status.label,
        "operation": record.name,
        "trace_id": record.trace_id,
        "span_id": record.span_id,
        "foreign_direction": foreign.direction if foreign else "",
        "foreign_entity": foreign.entity if foreign else "",
        "foreign_trace_id": foreign.trace_id if foreign else "",
        "foreign_span_id": foreign.span_id if foreign else "",
    }


def export_rows(
    subject: Subject, filters: HistoryFilter, *, viewer: Viewer, actor: Actor
) -> Iterator[dict[str, Any]]:
    """All of the person's records that match `filters`, newest first, as rows, read in
    batches as they are consumed. The export is recorded when this is called, before the
    first row: the download therefore lists its own record when the filters include it."""
    record_access(subject, actor, "transparency.export")
    queryset = filtered(records_of(subject), filters).order_by(*ORDER)
    return _rows(queryset, viewer)


def _rows(queryset: QuerySet[ProcessingRecord], viewer: Viewer) -> Iterator[dict[str, Any]]:
    register = Register()
    for batch in batched(queryset.iterator(chunk_size=EXPORT_BATCH), EXPORT_BATCH):
        for entry in describe(list(batch), viewer, register):
            yield export_row(entry)


def data_subject_words(viewer: Viewer) -> str:
    """How a download names whose records it holds: "you", or the name of the person acted
    for; never an identifier."""
    return viewer.acting_for_name or _("you")
