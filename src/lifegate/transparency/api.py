"""The person's "who used my data" API (`/api/transparency/`): their processing records page by
page, and all of them as CSV, with the same filters as the page.

Authenticated by the login session cookie at assurance level substantial, like the message box
API. The records are the logged-in person's own, or those of the person they act for when the
mandates decision point allows it (a refusal is a 403 problem with its `reason`). Every call is
itself recorded in the processing log. Errors are problem details; texts meant for the person
are in their language (Accept-Language or the language cookie)."""

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.schema import NinjaGenerateJsonSchema

from lifegate.core.problem_schema import Problem
from lifegate.core.problems import PROBLEM_CONTENT_TYPE, problem_response
from lifegate.core.subject import Subject
from lifegate.identity.api_auth import SubstantialPersonSession
from lifegate.transparency import history, history_export
from lifegate.transparency.views import CURSOR_MAX_LENGTH, csv_download, whose_records

router = Router(tags=["transparency"], auth=SubstantialPersonSession())

_PROBLEMS = {
    400: "Malformed or unknown parameters, an organisation or processing activity that does "
    "not occur in the person's records, a period that ends before it starts, or a paging "
    "cursor that was not handed out.",
    401: "No login session.",
    403: "Login below assurance level substantial, or (`not-permitted`, with a `reason`) "
    "acting for someone whose records this representative may not see.",
}


def _problems(*statuses: int) -> dict[int, Any]:
    schema = Problem.model_json_schema(schema_generator=NinjaGenerateJsonSchema)
    content = {PROBLEM_CONTENT_TYPE: {"schema": schema}}
    return {status: {"description": _PROBLEMS[status], "content": content} for status in statuses}


# Schemas ----------------------------------------------------------------------------------


class ProcessingCodeOut(Schema):
    code: str
    name: str = Field(description="In the request's language.")


class ProcessingActivityOut(Schema):
    id: str = Field(description="The processing activity's id in the register.")
    name: str
    purpose: str = Field(description="Empty when the register does not know the activity.")
    legal_basis: str
    registered: bool = Field(description="Whether the register of processing activities has it.")


class ProcessingActorOut(Schema):
    role: str = Field(
        description="self (the person themselves), representative (someone on the person's "
        "behalf), representative-of-other, person (another person), agency or system.",
        examples=["representative"],
    )
    description: str = Field(description="Who acted, in words, in the request's language.")


class ForeignOperationOut(Schema):
    direction: str = Field(description="asked-by, answered-by or related.")
    entity: str = Field(description="The other node or organisation, usually its base URL.")
    trace_id: str
    span_id: str
    description: str


class ProcessingRecordOut(Schema):
    span_id: str = Field(description="The record's id (Logboek Dataverwerkingen span).")
    trace_id: str
    operation: str = Field(examples=["inbox.read"])
    started_at: datetime
    ended_at: datetime
    organisation: ProcessingCodeOut
    processing_activity: ProcessingActivityOut
    acted_by: ProcessingActorOut
    data_categories: list[ProcessingCodeOut]
    status: ProcessingCodeOut
    foreign_operation: ForeignOperationOut | None = Field(
        None, description="The operation in another node this one belongs to."
    )
    sealed: bool = Field(
        description="Covered by the page's `checkpoint`: linked in the log's hash chain, "
        "unchanged since, and sealed by a checkpoint with a valid signature."
    )


class CheckpointOut(Schema):
    number: int = Field(description="The checkpoint's number (1, 2, 3, ...).")
    issued_at: datetime


class ProcessingRecordPageOut(Schema):
    items: list[ProcessingRecordOut] = Field(description="Newest first.")
    checkpoint: CheckpointOut | None = Field(
        description="The signed checkpoint that covers the page's oldest records (those with "
        "`sealed`), or null when none does yet."
    )
    next_cursor: str | None = Field(None, description="Pass as `after` for older records.")
    previous_cursor: str | None = Field(None, description="Pass as `before` for newer records.")


class ProcessingRecordFilterQuery(Schema):
    """Filters (all combine; empty ones do not filter)."""

    organisation: str = Field(
        "", max_length=200, description="An `organisation.code` from the person's records."
    )
    activity: str = Field(
        "", max_length=120, description="A `processing_activity.id` from the person's records."
    )
    since: date | None = Field(None, description="Started on or after this day.")
    until: date | None = Field(None, description="Started on or before this day.")


class ProcessingRecordQuery(ProcessingRecordFilterQuery):
    """Filters and keyset paging."""

    after: str | None = Field(None, max_length=CURSOR_MAX_LENGTH, description="A `next_cursor`.")
    before: str | None = Field(
        None, max_length=CURSOR_MAX_LENGTH, description="A `previous_cursor`."
    )
    size: int = Field(history.PAGE_SIZE, ge=1, le=settings.API_MAX_PAGE_SIZE)


# Helpers ----------------------------------------------------------------------------------


def _record(entry: history.HistoryEntry, coverage: history.Coverage) -> dict[str, Any]:
    record, activity, foreign = entry.record, entry.activity, entry.foreign
    return {
        "span_id": record.span_id,
        "trace_id": record.trace_id,
        "operation": record.name,
        "started_at": record.start_time,
        "ended_at": record.end_time,
        "organisation": {"code": entry.organisation.code, "name": entry.organisation.label},
        "processing_activity": {
            "id": activity.slug,
            "name": activity.name,
            "purpose": activity.purpose,
            "legal_basis": activity.legal_basis,
            "registered": activity.registered,
        },
        "acted_by": {"role": entry.acted_by.code, "description": entry.acted_by.label},
        "data_categories": [{"code": c.code, "name": c.label} for c in entry.categories],
        "status": {"code": entry.status.code, "name": entry.status.label},
        "foreign_operation": {
            "direction": foreign.direction,
            "entity": foreign.entity,
            "trace_id": foreign.trace_id,
            "span_id": foreign.span_id,
            "description": foreign.label,
        }
        if foreign
        else None,
        "sealed": record.pk in coverage.covered,
    }


def _invalid(request: HttpRequest, location: str, message: str) -> HttpResponse:
    return problem_response(
        request,
        400,
        _("Please correct the errors in the form."),
        problem_type="invalid-request",
        errors=[{"location": location, "message": message}],
    )


def _checked_filter(
    request: HttpRequest,
    params: ProcessingRecordFilterQuery,
    allowed: frozenset[str],
    subject: Subject,
) -> history.HistoryFilter | HttpResponse:
    """The filter, or a 400 problem for unknown parameters (never echoed: a parameter name
    could be anything), a reversed period, or a value not in the person's records."""
    if set(request.GET) - allowed:
        return _invalid(request, "query", _("This parameter is not known."))
    if params.since and params.until and params.since > params.until:
        return _invalid(
            request, "query.until", _("The start date must be on or before the end date.")
        )
    filters = history.HistoryFilter(
        organisation=params.organisation,
        activity=params.activity,
        since=params.since,
        until=params.until,
    )
    if filters.organisation or filters.activity:
        try:
            history.check_filter(filters, history.filter_options(subject))
        except history.UnknownFilter as unknown:
            return _invalid(
                request,
                f"query.{unknown.field}",
                _("This does not occur in the records."),
            )
    return filters


# Endpoints --------------------------------------------------------------------------------


@router.get(
    "/records",
    response=ProcessingRecordPageOut,
    operation_id="listMyProcessingRecords",
    summary="Who used my data",
    openapi_extra={"responses": _problems(400, 401, 403)},
)
def list_records(request: HttpRequest, params: Query[ProcessingRecordQuery]) -> Any:
    """The processing records about the person, newest first, in pages of `size`: when, which
    organisation, which processing activity (purpose and legal basis from the register), who
    acted, which kinds of data, and the related operation in another node. Follow
    `next_cursor` (as `after`) and `previous_cursor` (as `before`) with the same filters."""
    subject, viewer, actor = whose_records(request)
    filters = _checked_filter(
        request, params, frozenset(ProcessingRecordQuery.model_fields), subject
    )
    if isinstance(filters, HttpResponse):
        return filters
    try:
        page = history.history_page(
            subject,
            filters,
            viewer=viewer,
            actor=actor,
            after=params.after,
            before=params.before,
            size=params.size,
        )
    except history.InvalidCursor:
        return problem_response(
            request,
            400,
            _("This paging cursor is not valid."),
            _("Start again from the first page."),
            problem_type="invalid-cursor",
        )
    coverage = page.coverage
    return {
        "items": [_record(entry, coverage) for entry in page.entries],
        "checkpoint": {"number": coverage.checkpoint, "issued_at": coverage.issued_at}
        if coverage.checkpoint is not None
        else None,
        "next_cursor": page.next_cursor,
        "previous_cursor": page.previous_cursor,
    }


@router.get(
    "/records.csv",
    operation_id="downloadMyProcessingRecords",
    summary="Who used my data, as CSV",
    openapi_extra={
        "responses": {
            200: {
                "description": "All matching records, newest first, one per row; the columns "
                "are those of the page's CSV download, lists joined by `; `.",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            },
            **_problems(400, 401, 403),
        }
    },
)
def download_records(
    request: HttpRequest, params: Query[ProcessingRecordFilterQuery]
) -> HttpResponseBase:
    """All processing records about the person that match the filters, as a CSV download (an
    answer to a GDPR access request). The download is recorded before its first row."""
    subject, viewer, actor = whose_records(request)
    allowed = frozenset(ProcessingRecordFilterQuery.model_fields)
    filters = _checked_filter(request, params, allowed, subject)
    if isinstance(filters, HttpResponse):
        return filters
    return csv_download(history_export.export_rows(subject, filters, viewer=viewer, actor=actor))
