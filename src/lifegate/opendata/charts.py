"""Horizontal bar charts drawn on the server as SVG geometry, for pages under a strict content
security policy: no script, no inline style; sizes are SVG attributes, colours CSS classes.

All coordinates are whole numbers, so templates print them the same in every language (Dutch
would otherwise write a decimal comma into an SVG attribute)."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from lifegate.opendata.disclosure import Figure

WIDTH = 640
VALUE_SPACE = 150  # room right of the longest bar for its value
LABEL_HEIGHT = 22
BAR_HEIGHT = 14
BAR_GAP = 6
ROW_GAP = 14
LEGEND_HEIGHT = 28


@dataclass(frozen=True)
class Bar:
    """One bar (absent when its figure is not published) and the text beside it."""

    series: int
    drawn: bool
    y: int
    width: int
    text: str
    text_x: int
    text_y: int


@dataclass(frozen=True)
class ChartRow:
    label: str
    label_y: int
    bars: list[Bar]


@dataclass(frozen=True)
class LegendItem:
    series: int
    label: str
    x: int


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bar_height: int
    rows: list[ChartRow]
    legend: list[LegendItem]


def figure_text(figure: Figure, unit: str) -> str:
    """A figure as people read it in the active language: a number (a percentage with its
    sign), or that it is suppressed."""
    if figure.value is None:
        return _("suppressed")
    places = 1 if isinstance(figure.value, float) else 0
    text = number_format(figure.value, decimal_pos=places)
    return f"{text} %" if unit == "percent" else text


def bar_chart(
    rows: Sequence[tuple[str, Sequence[Figure]]],
    series: Sequence[str],
    unit: str,
) -> BarChart:
    """A chart with one group of bars per row (a label and one figure per series). Bars scale
    to the largest published value, or to 100 for percentages."""
    legend_height = LEGEND_HEIGHT if len(series) > 1 else 0
    legend = [LegendItem(index, label, index * 220) for index, label in enumerate(series)]
    scale = _scale(rows, unit)
    row_height = LABEL_HEIGHT + len(series) * (BAR_HEIGHT + BAR_GAP) + ROW_GAP
    chart_rows = [
        _row(label, figures, unit, scale, legend_height + index * row_height)
        for index, (label, figures) in enumerate(rows)
    ]
    return BarChart(
        width=WIDTH,
        height=legend_height + max(len(rows), 1) * row_height,
        bar_height=BAR_HEIGHT,
        rows=chart_rows,
        legend=legend if legend_height else [],
    )


def _scale(rows: Sequence[tuple[str, Sequence[Figure]]], unit: str) -> float:
    """Pixels per unit of value."""
    published = [
        float(figure.value)
        for _label, figures in rows
        for figure in figures
        if figure.value is not None
    ]
    largest = 100.0 if unit == "percent" else max(published, default=1.0) or 1.0
    return (WIDTH - VALUE_SPACE) / largest


def _row(label: str, figures: Sequence[Figure], unit: str, scale: float, top: int) -> ChartRow:
    bars = []
    for series, figure in enumerate(figures):
        y = top + LABEL_HEIGHT + series * (BAR_HEIGHT + BAR_GAP)
        drawn = figure.value is not None
        width = max(round(float(figure.value or 0) * scale), 1) if drawn else 0
        bars.append(
            Bar(
                series=series,
                drawn=drawn,
                y=y,
                width=width,
                text=figure_text(figure, unit),
                text_x=width + 6 if drawn else 0,
                text_y=y + BAR_HEIGHT - 2,
            )
        )
    return ChartRow(label=label, label_y=top + LABEL_HEIGHT - 6, bars=bars)
