"""The public dashboard: one month of the usage statistics as charts with table alternatives.

It shows exactly the published figures of the downloads, nothing derived from them: no
totals (see `disclosure`, rule 3). Rows whose figures are all suppressed are left out of the
charts and tables and counted instead; the downloads list them."""

from dataclasses import dataclass
from datetime import date

from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from lifegate.opendata.charts import BarChart, bar_chart, figure_text
from lifegate.opendata.disclosure import Figure
from lifegate.opendata.statistics import (
    LIFE_EVENT,
    MEASURES_BY_ID,
    ORGANISATION,
    SERVICE,
    Dimension,
    Measure,
    UsageStatistics,
)


@dataclass(frozen=True)
class Cell:
    text: str
    published: bool


@dataclass(frozen=True)
class TableRow:
    name: str
    organisation: str
    cells: list[Cell]


@dataclass(frozen=True)
class Section:
    """One chart and its table: the measures of one dimension for the month."""

    id: str
    title: Promise
    intro: Promise
    row_heading: Promise
    measures: list[Measure]
    with_organisation: bool
    rows: list[TableRow]
    chart: BarChart
    hidden: int


@dataclass(frozen=True)
class MonthChoice:
    key: str
    name: str
    selected: bool


@dataclass(frozen=True)
class Dashboard:
    month: str
    month_name: str
    months: list[MonthChoice]
    sections: list[Section]


@dataclass(frozen=True)
class SectionDefinition:
    """What a section shows: the measures of one dimension in its table, some in its chart."""

    id: str
    dimension: str
    table: tuple[str, ...]
    chart: tuple[str, ...]
    title: Promise
    intro: Promise
    row_heading: Promise


SECTIONS = (
    SectionDefinition(
        "journeys",
        LIFE_EVENT,
        ("journeys-started", "journeys-completed"),
        ("journeys-started", "journeys-completed"),
        _("Journeys per life event"),
        _("How many plans people started and completed for each life event."),
        _("Life event"),
    ),
    SectionDefinition(
        "decisions",
        SERVICE,
        ("decisions", "median-days-to-decision"),
        ("median-days-to-decision",),
        _("Time to a decision per service"),
        _("The median number of days from sending a request to the agency's decision."),
        _("Service"),
    ),
    SectionDefinition(
        "messages",
        ORGANISATION,
        ("messages-sent", "messages-read-within-7-days"),
        ("messages-read-within-7-days",),
        _("Messages read within 7 days per organisation"),
        _("The share of messages people opened within a week of receiving them."),
        _("Organisation"),
    ),
    SectionDefinition(
        "evidence",
        ORGANISATION,
        ("evidence-once-only", "evidence-uploaded"),
        ("evidence-once-only", "evidence-uploaded"),
        _("Evidence exchanged once-only or uploaded"),
        _(
            "Pieces of evidence sent with requests to each organisation: fetched once-only "
            "from the government source that holds them, or uploaded by people themselves."
        ),
        _("Organisation"),
    ),
)


class UnknownMonth(LookupError):
    """The month asked for is not one of the published months."""


def dashboard(statistics: UsageStatistics, month: str = "") -> Dashboard:
    """The dashboard for `month` (`YYYY-MM`; default the latest published month). Raises
    UnknownMonth for any other month."""
    months = statistics.period.months
    chosen = month or months[-1]
    if chosen not in months:
        raise UnknownMonth(chosen)
    organisations = {o.id: _name(o) for o in statistics.dimensions[ORGANISATION]}
    return Dashboard(
        month=chosen,
        month_name=month_name(chosen),
        months=[MonthChoice(key, month_name(key), key == chosen) for key in reversed(months)],
        sections=[
            _section(statistics, chosen, organisations, definition) for definition in SECTIONS
        ],
    )


def month_name(key: str) -> str:
    """ "oktober 2026" / "October 2026"."""
    year, month = (int(part) for part in key.split("-"))
    return date_format(date(year, month, 1), "F Y")


def _section(
    statistics: UsageStatistics,
    month: str,
    organisations: dict[str, str],
    definition: SectionDefinition,
) -> Section:
    measures = [MEASURES_BY_ID[measure] for measure in definition.table]
    shown = _shown(statistics, month, definition.dimension, measures)
    return Section(
        id=definition.id,
        title=definition.title,
        intro=definition.intro,
        row_heading=definition.row_heading,
        measures=measures,
        with_organisation=definition.dimension == SERVICE,
        rows=[
            TableRow(
                name=_name(dimension),
                organisation=organisations.get(dimension.organisation, ""),
                cells=[
                    Cell(figure_text(figure, measure.unit), figure.published)
                    for measure, figure in zip(measures, figures, strict=True)
                ],
            )
            for dimension, figures in shown
        ],
        chart=_chart(statistics, month, definition, [dimension for dimension, _ in shown]),
        hidden=len(statistics.dimensions[definition.dimension]) - len(shown),
    )


def _shown(
    statistics: UsageStatistics, month: str, kind: str, measures: list[Measure]
) -> list[tuple[Dimension, list[Figure]]]:
    """The dimensions with at least one published figure in the month, with their figures."""
    shown = []
    for dimension in statistics.dimensions[kind]:
        figures = [statistics.figure(m.id, dimension.id, month) for m in measures]
        if any(figure.published for figure in figures):
            shown.append((dimension, figures))
    return shown


def _chart(
    statistics: UsageStatistics,
    month: str,
    definition: SectionDefinition,
    dimensions: list[Dimension],
) -> BarChart:
    rows = [
        (_name(d), [statistics.figure(measure, d.id, month) for measure in definition.chart])
        for d in dimensions
    ]
    series = [str(MEASURES_BY_ID[measure].label) for measure in definition.chart]
    return bar_chart(rows, series, MEASURES_BY_ID[definition.chart[0]].unit)


def _name(dimension: Dimension) -> str:
    language = (get_language() or "nl")[:2]
    return dimension.names.get(language) or dimension.names["nl"]
