"""Monthly usage statistics per life event, service and organisation, with every figure that
could expose someone suppressed (the rules are in `disclosure`).

A fixed grid: every catalogue life event, every service people request through lifegate and
every organisation, for each of the published months, for each measure of its dimension."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from lifegate.catalogue.models import LifeEvent, PublicOrganisation, PublicService, StepKind
from lifegate.opendata import disclosure, figures
from lifegate.opendata.disclosure import Figure
from lifegate.opendata.periods import Period, published_period

LIFE_EVENT, SERVICE, ORGANISATION = "life-event", "service", "organisation"


@dataclass(frozen=True)
class Measure:
    """What a column of the statistics counts, of which dimension, in which unit."""

    id: str
    dimension: str
    unit: str
    label: Promise
    description: Promise


MEASURES = (
    Measure(
        "journeys-started",
        LIFE_EVENT,
        "journeys",
        _("Journeys started"),
        _("Plans people started for this life event in the month."),
    ),
    Measure(
        "journeys-completed",
        LIFE_EVENT,
        "journeys",
        _("Journeys completed"),
        _("Plans for this life event that were finished in the month."),
    ),
    Measure(
        "decisions",
        SERVICE,
        "decisions",
        _("Decisions"),
        _("Requests for this service the agency decided on (granted or rejected) in the month."),
    ),
    Measure(
        "median-days-to-decision",
        SERVICE,
        "days",
        _("Median days to decision"),
        _("Half of the requests decided in the month took at most this many days from sending."),
    ),
    Measure(
        "messages-sent",
        ORGANISATION,
        "messages",
        _("Messages sent"),
        _("Messages the organisation sent to people's message boxes in the month."),
    ),
    Measure(
        "messages-read-within-7-days",
        ORGANISATION,
        "percent",
        _("Read within 7 days"),
        _("Share of the messages sent in the month that were opened within 7 days."),
    ),
    Measure(
        "evidence-once-only",
        ORGANISATION,
        "evidence",
        _("Evidence exchanged once-only"),
        _(
            "Pieces of evidence the organisation received straight from the government source "
            "that holds them, with the requests people sent it in the month."
        ),
    ),
    Measure(
        "evidence-uploaded",
        ORGANISATION,
        "evidence",
        _("Evidence uploaded"),
        _(
            "Documents people uploaded themselves as evidence with the requests they sent the "
            "organisation in the month."
        ),
    ),
)
MEASURES_BY_ID = {measure.id: measure for measure in MEASURES}


@dataclass(frozen=True)
class Dimension:
    """A life event, service or organisation the figures are about, named in both languages;
    for a service, `organisation` is the slug of its competent authority."""

    id: str
    names: dict[str, str]
    organisation: str = ""


@dataclass(frozen=True)
class Observation:
    """One published or suppressed figure."""

    month: str
    dimension: str
    id: str
    measure: Measure
    figure: Figure


@dataclass(frozen=True)
class UsageStatistics:
    """The whole grid of figures for `period`."""

    period: Period
    dimensions: dict[str, list[Dimension]]
    cells: dict[tuple[str, str, str], Figure]  # (measure id, dimension id, month)

    def figure(self, measure: str, dimension_id: str, month: str) -> Figure:
        """The figure of `measure` for one dimension and month (suppressed when unknown)."""
        return self.cells.get((measure, dimension_id, month), disclosure.SUPPRESSED)

    def observations(self) -> Iterator[Observation]:
        """Every cell, by dimension (in catalogue order), month and measure."""
        for kind, dimensions in self.dimensions.items():
            measures = [measure for measure in MEASURES if measure.dimension == kind]
            for dimension in dimensions:
                for month in self.period.months:
                    for measure in measures:
                        figure = self.figure(measure.id, dimension.id, month)
                        yield Observation(month, kind, dimension.id, measure, figure)


def usage_statistics(today: date | None = None) -> UsageStatistics:
    """The usage statistics of the published months as of `today` (default: today)."""
    period = published_period(today or timezone.localdate())
    dimensions = _dimensions()
    cells: dict[tuple[str, str, str], Figure] = {}
    for measure_id, figure_of in _figure_makers(period).items():
        kind = MEASURES_BY_ID[measure_id].dimension
        for dimension in dimensions[kind]:
            for month in period.months:
                cells[(measure_id, dimension.id, month)] = figure_of((dimension.id, month))
    return UsageStatistics(period=period, dimensions=dimensions, cells=cells)


def _figure_makers(period: Period) -> dict[str, Callable[[figures.Key], Figure]]:
    """Per measure: the figure of a (dimension id, month) key. One query per raw figure."""
    started = figures.journeys_started(period)
    completed = figures.journeys_completed(period)
    decided = figures.decisions(period)
    medians = figures.median_days_to_decision(period)
    sent = figures.messages(period)
    exchanged = figures.evidence_once_only(period)
    uploaded = figures.evidence_uploaded(period)
    return {
        "journeys-started": lambda key: disclosure.count(started.get(key)),
        "journeys-completed": lambda key: disclosure.count(completed.get(key)),
        "decisions": lambda key: disclosure.count(decided.get(key)),
        "median-days-to-decision": lambda key: disclosure.median_days(
            decided.get(key), medians.get(key)
        ),
        "messages-sent": lambda key: disclosure.messages_sent(sent.get(key)),
        "messages-read-within-7-days": lambda key: disclosure.share_read(sent.get(key)),
        "evidence-once-only": lambda key: disclosure.count(exchanged.get(key)),
        "evidence-uploaded": lambda key: disclosure.count(uploaded.get(key)),
    }


def _dimensions() -> dict[str, list[Dimension]]:
    """Every life event, requested service and organisation of the catalogue."""
    requested = (
        PublicService.objects.filter(event_services__step_kind=StepKind.REQUEST)
        .distinct()
        .select_related("competent_authority")
        .order_by("slug")
    )
    return {
        LIFE_EVENT: [Dimension(e.slug, _names(e)) for e in LifeEvent.objects.all()],
        SERVICE: [Dimension(s.slug, _names(s), s.competent_authority.slug) for s in requested],
        ORGANISATION: [
            Dimension(o.slug, _names(o)) for o in PublicOrganisation.objects.order_by("slug")
        ],
    }


def _names(row: Any) -> dict[str, str]:
    return {"nl": row.name_nl or row.slug, "en": row.name_en or row.name_nl or row.slug}
