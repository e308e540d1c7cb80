"""How the catalogue data file maps onto the catalogue models.

Each top-level section of the file (and each list nested in a service) is a `Section`: a model
and its fields. A field says how one key of a row becomes model columns and back, so the
validator, the loader and the exporter all read the same description:

- `Text`: a `{nl: ..., en: ...}` pair stored in `<name>_nl` / `<name>_en`
- `Plain`: a scalar stored as is; left out of the file when it equals its default
- `Ref` / `Refs`: one slug (foreign key) or a list of slugs (many-to-many)
- `Duration`: `{duration: P8W, nl: ..., en: ...}` for the ISO 8601 period and its wording
- `Keywords`: `{nl: [...], en: [...]}` stored comma-separated
- `Positions`: `{life-event-slug: position}`, the service's place in each life event
- `Children`: rows of a nested section that point back to this row
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from lifegate.catalogue import models as m

LANGUAGES = ("nl", "en")
KEYWORD_SEPARATOR = ", "


@dataclass(frozen=True)
class Text:
    name: str
    required: bool = True


@dataclass(frozen=True)
class Plain:
    name: str
    type: type | tuple[type, ...] = str
    required: bool = True
    default: Any = ""


@dataclass(frozen=True)
class Ref:
    name: str
    section: str
    required: bool = True


@dataclass(frozen=True)
class Refs:
    name: str
    section: str


@dataclass(frozen=True)
class Duration:
    name: str


@dataclass(frozen=True)
class Keywords:
    name: str


@dataclass(frozen=True)
class Positions:
    name: str
    section: str


@dataclass(frozen=True)
class Children:
    name: str
    section: str


Field = Text | Plain | Ref | Refs | Duration | Keywords | Positions | Children


@dataclass(frozen=True)
class Section:
    key: str
    model: type[m.Bilingual]
    fields: tuple[Field, ...]
    # For sections nested in another section's rows: the foreign key to the enclosing row.
    parent: Ref | None = None

    @property
    def keys(self) -> set[str]:
        """Every key a row of this section may have."""
        return {"slug"} | {f.name for f in self.fields}


SECTIONS: tuple[Section, ...] = (
    Section(
        "organisations",
        m.PublicOrganisation,
        (
            Plain("oin"),
            Plain("kind"),
            Text("name"),
            Text("description", required=False),
            Plain("homepage", required=False),
            Text("spatial"),
        ),
    ),
    Section(
        "channels",
        m.Channel,
        (
            Ref("owner", "organisations"),
            Plain("kind"),
            Text("name"),
            Plain("address", required=False),
            Text("hours", required=False),
        ),
    ),
    Section("legal_resources", m.LegalResource, (Plain("uri"), Text("name"))),
    Section(
        "evidence_types",
        m.EvidenceType,
        (
            Text("name"),
            Text("description", required=False),
            Ref("issuer", "organisations", required=False),
        ),
    ),
    Section(
        "processing_activities",
        m.ProcessingActivity,
        (
            Ref("controller", "organisations"),
            Text("name"),
            Text("purpose"),
            Text("legal_basis"),
            Refs("legal_resources", "legal_resources"),
            Plain("data_categories", type=list),
            Text("retention", required=False),
            Plain("version", type=int, required=False, default=1),
        ),
    ),
    Section(
        "life_events",
        m.LifeEvent,
        (
            Plain("kind", required=False, default="life"),
            Plain("position", type=int),
            Text("name"),
            Text("description"),
            Plain("sdg_life_event", required=False),
        ),
    ),
    Section(
        "services",
        m.PublicService,
        (
            Ref("competent_authority", "organisations"),
            Refs("participants", "organisations"),
            Text("name"),
            Text("description"),
            Text("audience"),
            Text("how_to"),
            Text("output"),
            Duration("processing_time"),
            Text("deadline", required=False),
            Keywords("keywords"),
            Plain("online_url", required=False),
            Plain("minimum_assurance_level", required=False, default="substantial"),
            Refs("channels", "channels"),
            Refs("legal_resources", "legal_resources"),
            Ref("processing_activity", "processing_activities", required=False),
            Positions("life_events", "life_events"),
            Children("requirements", "requirements"),
            Children("costs", "costs"),
        ),
    ),
    Section(
        "requirements",
        m.Requirement,
        (
            Text("name"),
            Text("description", required=False),
            Refs("evidence_types", "evidence_types"),
        ),
        parent=Ref("service", "services"),
    ),
    Section(
        "costs",
        m.Cost,
        (
            Plain("value", type=(int, float)),
            Plain("currency", required=False, default="EUR"),
            Text("description"),
        ),
        parent=Ref("service", "services"),
    ),
    Section(
        "sdg_procedures",
        m.SdgProcedure,
        (
            Text("life_event"),
            Text("name"),
            Text("output"),
            Plain("oots_code", required=False),
            Refs("services", "services"),
        ),
    ),
)

BY_KEY = {section.key: section for section in SECTIONS}
TOP_LEVEL = tuple(section for section in SECTIONS if section.parent is None)


def column_names(field: Field) -> list[str]:
    """The model columns a field of the file is stored in (relations excluded)."""
    match field:
        case Text() | Keywords():
            return [f"{field.name}_{lang}" for lang in LANGUAGES]
        case Duration():
            return [field.name] + [f"{field.name}_{lang}" for lang in LANGUAGES]
        case Plain():
            return [field.name]
    return []


def is_empty(value: Any) -> bool:
    """True for values the file leaves out: nothing, empty text, an empty list or mapping."""
    return value is None or value == "" or value == [] or value == {}


def columns(section: Section, row: dict[str, Any]) -> dict[str, Any]:
    """The model column values of a (validated) row of the file, relations excluded."""
    values: dict[str, Any] = {}
    for field in section.fields:
        value = row.get(field.name)
        match field:
            case Text():
                for lang in LANGUAGES:
                    values[f"{field.name}_{lang}"] = (value or {}).get(lang, "")
            case Keywords():
                for lang in LANGUAGES:
                    values[f"{field.name}_{lang}"] = KEYWORD_SEPARATOR.join(
                        (value or {}).get(lang, [])
                    )
            case Duration():
                value = value or {}
                values[field.name] = value.get("duration", "")
                for lang in LANGUAGES:
                    values[f"{field.name}_{lang}"] = value.get(lang, "")
            case Plain():
                values[field.name] = field.default if value is None else value
    if section.model is m.Cost and isinstance(values["value"], int | float):
        values["value"] = Decimal(str(values["value"]))
    return values


def plain_value(value: Any) -> Any:
    """A column value as the file writes it: decimals as whole numbers where they are."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
