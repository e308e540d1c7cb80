"""The shape of the JSON downloads, as pydantic models. Their JSON Schemas are published next
to the downloads (`statistics.schema.json`, `life-events.schema.json`) and referenced from
the DCAT catalogue; the tests hold every download to them."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DimensionKind = Literal["life-event", "service", "organisation"]
FigureStatus = Literal["published", "suppressed"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Texts(Strict):
    """A text in Dutch and English."""

    nl: str
    en: str


class MeasureInfo(Strict):
    id: str
    dimension: DimensionKind
    unit: Literal["journeys", "decisions", "days", "messages", "percent", "evidence"]
    label: Texts
    description: Texts
    # Every measure is counted now; the field stays so that the download keeps its shape.
    available: bool = Field(description="False while lifegate cannot count this yet.")
    note: Texts | None = None


class DimensionInfo(Strict):
    id: str
    name: Texts
    organisation: str | None = Field(
        default=None, description="For a service: the slug of its competent authority."
    )


class StatisticsObservation(Strict):
    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    dimension: DimensionKind
    id: str
    measure: str
    value: int | float | None = Field(description="Empty unless the status is `published`.")
    status: FigureStatus


class StatisticsDownload(Strict):
    """`/opendata/statistics.json`."""

    title: Texts
    licence: str
    catalogue: str
    months: list[str]
    minimum_people: int
    suppression: list[Texts]
    measures: list[MeasureInfo]
    dimensions: dict[DimensionKind, list[DimensionInfo]]
    observations: list[StatisticsObservation]


class Question(Strict):
    key: str
    kind: str
    required: bool
    label: Texts
    help: Texts | None = None
    choices: list[dict[str, str]] = []


class Agency(Strict):
    id: str
    uri: str
    name: Texts


class ServiceRef(Strict):
    id: str
    uri: str
    name: Texts
    competent_authority: Agency


class Rule(Strict):
    always: bool = Field(description="True when the step applies to everyone.")
    expression: str = Field(description="The rule in CEL, as lifegate evaluates it; empty if none.")
    text: Texts | None = Field(description="The rule in words; empty when it cannot be put so.")
    reason: Texts | None = Field(description="Why the step applies, as told to the person.")
    skip_reason: Texts | None = Field(description="Why it does not apply, as told to the person.")


class Deadline(Strict):
    days: int
    counts_from: str
    text: Texts


class JourneyStep(Strict):
    position: int
    service: ServiceRef
    kind: Literal["request", "self-service", "automatic"]
    kind_label: Texts
    applies_when: Rule
    depends_on: list[str] = Field(description="Services (ids) this step waits for.")
    deadline: Deadline | None


class LifeEventDefinition(Strict):
    id: str
    uri: str
    page: str
    kind: Literal["life", "business"]
    name: Texts
    description: Texts
    sdg_life_event: str | None
    questions: list[Question]
    steps: list[JourneyStep]


class LifeEventsDownload(Strict):
    """`/opendata/life-events.json`."""

    title: Texts
    licence: str
    catalogue: str
    facts: dict[str, Texts] = Field(description="What the facts rules read mean, in words.")
    life_events: list[LifeEventDefinition]
