"""The usage statistics as CSV and JSON: one row (observation) per figure, in both languages,
with suppressed figures marked as such and their value left empty."""

import csv
import io
import json
from typing import cast

from lifegate.opendata import disclosure, schemas
from lifegate.opendata.dcat_vocab import CC0, DATASET_TEXTS
from lifegate.opendata.statistics import MEASURES, Measure, Observation, UsageStatistics
from lifegate.opendata.texts import both_languages

CSV_COLUMNS = (
    "month",
    "dimension",
    "id",
    "name_nl",
    "name_en",
    "organisation",
    "measure",
    "unit",
    "value",
    "status",
)


def statistics_csv(statistics: UsageStatistics) -> str:
    """RFC 4180 CSV with a header row; suppressed figures have no value."""
    names = _names(statistics)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for observation in statistics.observations():
        name, organisation = names[(observation.dimension, observation.id)]
        writer.writerow(
            (
                observation.month,
                observation.dimension,
                observation.id,
                name["nl"],
                name["en"],
                organisation,
                observation.measure.id,
                observation.measure.unit,
                _value(observation),
                observation.figure.status.value,
            )
        )
    return buffer.getvalue()


def statistics_document(statistics: UsageStatistics, base_url: str) -> schemas.StatisticsDownload:
    """The JSON download as its schema's model."""
    return schemas.StatisticsDownload(
        title=schemas.Texts(**DATASET_TEXTS["usage-statistics"]["title"]),
        licence=CC0,
        catalogue=f"{base_url}/opendata/catalog.ttl",
        months=list(statistics.period.months),
        minimum_people=disclosure.MINIMUM_PEOPLE,
        suppression=[both_languages(rule) for rule in disclosure.RULES],
        measures=[_measure(measure) for measure in MEASURES],
        dimensions={
            cast(schemas.DimensionKind, kind): [
                schemas.DimensionInfo(
                    id=dimension.id,
                    name=schemas.Texts(**dimension.names),
                    organisation=dimension.organisation or None,
                )
                for dimension in dimensions
            ]
            for kind, dimensions in statistics.dimensions.items()
        },
        observations=[
            schemas.StatisticsObservation(
                month=observation.month,
                dimension=cast(schemas.DimensionKind, observation.dimension),
                id=observation.id,
                measure=observation.measure.id,
                value=observation.figure.value,
                status=cast(schemas.FigureStatus, observation.figure.status.value),
            )
            for observation in statistics.observations()
        ],
    )


def statistics_json(statistics: UsageStatistics, base_url: str) -> str:
    """The JSON download (see `schemas.StatisticsDownload`)."""
    document = statistics_document(statistics, base_url)
    return json.dumps(document.model_dump(mode="json"), ensure_ascii=False)


def _measure(measure: Measure) -> schemas.MeasureInfo:
    return schemas.MeasureInfo(
        id=measure.id,
        dimension=measure.dimension,  # type: ignore[arg-type]
        unit=measure.unit,  # type: ignore[arg-type]
        label=both_languages(measure.label),
        description=both_languages(measure.description),
        available=True,
    )


def _names(statistics: UsageStatistics) -> dict[tuple[str, str], tuple[dict[str, str], str]]:
    return {
        (kind, dimension.id): (dimension.names, dimension.organisation)
        for kind, dimensions in statistics.dimensions.items()
        for dimension in dimensions
    }


def _value(observation: Observation) -> str:
    value = observation.figure.value
    return "" if value is None else str(value)
