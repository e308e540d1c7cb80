"""The "who used my data" page and its downloads (CSV and JSON), under /transparency/.

The page shows the logged-in person's processing records, or those of the person they act for
when the mandates decision point allows it (a refusal is the 403 page with the reason). The
person is known from the session only: no identifier in the address, the page or the file name
of a download. Every view is itself recorded in the processing log (`history.ACTIVITY`)."""

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from lifegate.core.subject import Subject
from lifegate.identity.assurance import LevelOfAssurance
from lifegate.identity.decorators import login_required
from lifegate.identity.one_commit import commit_once
from lifegate.mandates import acting
from lifegate.mandates.actions import TRANSPARENCY_READ
from lifegate.portal.views import bad_request
from lifegate.transparency import history, history_export
from lifegate.transparency.services import Actor, subject_hash

LEVEL: LevelOfAssurance = "substantial"
# The log tells about all of a person's affairs at once: the decision point allows it to the
# person themselves, their legal representatives (parental authority) and representatives with
# a mandate for the processing log itself, never for a narrower one.
READ_ACTION = TRANSPARENCY_READ
CURSOR_MAX_LENGTH = 300
TEXTBOX = {"class": "utrecht-textbox utrecht-textbox--html-input"}
SELECT = {"class": "utrecht-select utrecht-select--html-select"}
# Cells a spreadsheet would run as a formula (OWASP "CSV injection") start with a quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d", attrs=TEXTBOX)


class HistoryFilterForm(forms.Form):
    """What the person narrows their records to; every field may be left empty."""

    organisation = forms.ChoiceField(
        label=_("Organisation"), required=False, widget=forms.Select(attrs=SELECT)
    )
    activity = forms.ChoiceField(
        label=_("Purpose"), required=False, widget=forms.Select(attrs=SELECT)
    )
    since = forms.DateField(label=_("On or after"), required=False, widget=DateInput())
    until = forms.DateField(label=_("On or before"), required=False, widget=DateInput())

    def __init__(self, *args: Any, options: history.FilterOptions, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [  # type: ignore[attr-defined]
            ("", _("All organisations")),
            *((choice.value, choice.label) for choice in options.organisations),
        ]
        self.fields["activity"].choices = [  # type: ignore[attr-defined]
            ("", _("All purposes")),
            *((choice.value, choice.label) for choice in options.activities),
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", gettext("The start date must be on or before the end date."))
        return cleaned

    def filters(self) -> history.HistoryFilter:
        """The filter for `history` (call after `is_valid()`)."""
        data = self.cleaned_data
        return history.HistoryFilter(
            organisation=data["organisation"],
            activity=data["activity"],
            since=data["since"],
            until=data["until"],
        )


def whose_records(request: HttpRequest) -> tuple[Subject, history.Viewer, Actor]:
    """Whose records this request may read (or `acting.NotPermitted`), who looks, and the
    actor to record."""
    subject = acting.legal_subject(request, READ_ACTION)
    chosen = acting.acting_for(request)
    own = request.authentication.subject  # type: ignore[attr-defined]
    viewer = history.Viewer(subject_hash(own), chosen.name if chosen else "")
    return subject, viewer, acting.actor(request)


@never_cache
@login_required(LEVEL)
@commit_once
@require_GET
def records(request: HttpRequest) -> HttpResponse:
    """The person's records, newest first, filtered, in pages of `history.PAGE_SIZE`."""
    subject, viewer, actor = whose_records(request)
    form = HistoryFilterForm(request.GET, options=history.filter_options(subject))
    context: dict[str, object] = {"form": form}
    if not form.is_valid():
        # The form lists the organisations in the person's log: that too is a read.
        history.record_access(subject, actor, "transparency.history")
        return render(request, "transparency/records.html", context, status=400)
    filters = form.filters()
    after = request.GET.get("after", "")[:CURSOR_MAX_LENGTH] or None
    before = request.GET.get("before", "")[:CURSOR_MAX_LENGTH] or None
    status = 200
    try:
        page = history.history_page(
            subject, filters, viewer=viewer, actor=actor, after=after, before=before
        )
    except history.InvalidCursor:
        # A damaged or edited link: say so, and show the first page instead.
        page = history.history_page(subject, filters, viewer=viewer, actor=actor)
        context["cursor_invalid"] = True
        status = 400
    context |= {"page": page, "filtered": filters.active}
    return render(request, "transparency/records.html", context, status=status)


def _export_filters(request: HttpRequest, subject: Subject) -> history.HistoryFilter | None:
    form = HistoryFilterForm(request.GET, options=history.filter_options(subject))
    return form.filters() if form.is_valid() else None


@never_cache
@login_required(LEVEL)  # type: ignore[arg-type]  # typed for HttpResponse; this one streams
@require_GET
def export_csv(request: HttpRequest) -> HttpResponseBase:
    """All of the person's records that match the filters, as a CSV download."""
    subject, viewer, actor = whose_records(request)
    filters = _export_filters(request, subject)
    if filters is None:
        return bad_request(request)
    return csv_download(history_export.export_rows(subject, filters, viewer=viewer, actor=actor))


@never_cache
@login_required(LEVEL)  # type: ignore[arg-type]  # typed for HttpResponse; this one streams
@require_GET
def export_json(request: HttpRequest) -> HttpResponseBase:
    """All of the person's records that match the filters, as a JSON download."""
    subject, viewer, actor = whose_records(request)
    filters = _export_filters(request, subject)
    if filters is None:
        return bad_request(request)
    rows = history_export.export_rows(subject, filters, viewer=viewer, actor=actor)
    return json_download(rows, viewer, filters)


# Downloads ----------------------------------------------------------------------------------


class _Echo:
    """A file-like object whose `write` hands back what it is given (for streaming CSV)."""

    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> str:
    text = "; ".join(value) if isinstance(value, list) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _localised(chunks: Iterable[str], language: str) -> Iterator[str]:
    # Rows are described while the response streams, after the view has returned: in the
    # language of the request, whatever the thread's language is by then.
    with translation.override(language):
        yield from chunks


def _filename(extension: str) -> str:
    return f"who-used-my-data-{timezone.localdate():%Y-%m-%d}.{extension}"


def _download(chunks: Iterable[str], content_type: str, extension: str) -> StreamingHttpResponse:
    language = translation.get_language() or "nl"
    response = StreamingHttpResponse(_localised(chunks, language), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{_filename(extension)}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def csv_download(rows: Iterator[dict[str, Any]]) -> StreamingHttpResponse:
    """The rows (`history_export.EXPORT_FIELDS`) as a streamed CSV file, lists joined by "; "."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(history_export.EXPORT_FIELDS)
        for row in rows:
            yield writer.writerow([_cell(row[field]) for field in history_export.EXPORT_FIELDS])

    return _download(lines(), "text/csv; charset=utf-8", "csv")


def json_download(
    rows: Iterator[dict[str, Any]], viewer: history.Viewer, filters: history.HistoryFilter
) -> StreamingHttpResponse:
    """The rows as a streamed JSON document: whose records (in words), when, with which
    filters, and the records."""
    head = {
        "data_subject": history_export.data_subject_words(viewer),
        "exported_at": timezone.now().isoformat(),
        "language": (translation.get_language() or "nl")[:2],
        "filters": {key: str(value or "") for key, value in asdict(filters).items()},
    }

    def chunks() -> Iterator[str]:
        yield json.dumps(head, ensure_ascii=False)[:-1] + ', "records": ['
        for number, row in enumerate(rows):
            yield ("," if number else "") + json.dumps(row, ensure_ascii=False)
        yield "]}"

    return _download(chunks(), "application/json", "json")
