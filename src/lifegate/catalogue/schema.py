"""How the catalogue data file maps onto the catalogue models.

Each top-level section of the file (and each list nested in a service) is a `Section`: a model
and its fields. A field says how one key of a row becomes model columns and back, so the
validator, the loader and the exporter all read the same description:

- `Text`: a `{nl: ..., en: ...}` pair stored in `<name>_nl` / `<name>_en`
- `Plain`: a scalar stored as is; left out of the file when it equals its default
- `Ref` / `Refs`: one slug (foreign key) or a list of slugs (many-to-many)
- `Duration`: `{duration: P8W, nl: ..., en: ...}` for the ISO 8601 period and its wording
- `Keywords`: `{nl: [...], en: [...]}` stored comma-separated
- `Choices`: the options of a choice question or form field, `[{value, nl, en}, ...]`
- `Claims`: the claims of a credential type, `[{key, label: {nl, en}, disclosable}]`
  (`disclosable: true` when left out), stored as a JSON list of
  `{key, label_nl, label_en, disclosable}`
- `Steps`: a service's place in each life event. Either `{life-event-slug: position}`, or for a
  step with a plan rule `{life-event-slug: {position, kind, rule, reason, skip_reason,
  depends_on, deadline: {days, from}}}`, keys with their default value left out (`kind:
  request`, no rule: always applies). `depends_on` names other services of the same life event.
- `Children`: rows of a nested section that point back to this row. Most have a slug of their
  own; questions and form fields have a `key` unique within their row, and their order in the
  file is their order on screen.

Rows of the evidence broker and directory have no slug: they are identified by some of their
own fields together (a requirement, a country and an evidence type), see `Section.identity`.

Languages: a file may declare `languages: [en]` at the top. Its texts are then written in
English only, and each English text is used for Dutch as well (a text that does give Dutch
keeps it). Without the key every text needs both languages. See `fill_languages`.
"""

import copy
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeGuard

from django.db.models import Model

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
class Choices:
    name: str


@dataclass(frozen=True)
class Claims:
    name: str


@dataclass(frozen=True)
class Steps:
    name: str
    section: str


@dataclass(frozen=True)
class Children:
    name: str
    section: str
    # The model's related name, where it differs from the key in the file.
    related_name: str = ""

    @property
    def accessor(self) -> str:
        return self.related_name or self.name


Field = Text | Plain | Ref | Refs | Duration | Keywords | Choices | Claims | Steps | Children


@dataclass(frozen=True)
class Section:
    key: str
    model: type[Model]
    fields: tuple[Field, ...]
    # For sections nested in another section's rows: the foreign key to the enclosing row.
    parent: Ref | None = None
    # What identifies a row: a slug unique in the catalogue, (for `ordered` nested rows) a
    # key unique within the enclosing row, or several of the row's own fields together.
    identity: str | tuple[str, ...] = "slug"
    # Nested rows whose place in the list is stored as their `position`.
    ordered: bool = False

    @property
    def keys(self) -> set[str]:
        """Every key a row of this section may have."""
        return set(self.identity_names) | {f.name for f in self.fields}

    @property
    def composite(self) -> bool:
        """True for rows identified by several of their own fields rather than a slug or key."""
        return isinstance(self.identity, tuple)

    @property
    def identity_names(self) -> tuple[str, ...]:
        """The keys of a row that identify it."""
        return self.identity if isinstance(self.identity, tuple) else (self.identity,)

    @property
    def identity_columns(self) -> tuple[str, ...]:
        """The model columns that identify a stored row (`<name>_id` for a reference)."""
        refs = {f.name for f in self.fields if isinstance(f, Ref)}
        return tuple(f"{name}_id" if name in refs else name for name in self.identity_names)

    @property
    def export_order(self) -> tuple[str, ...]:
        """The order of exported rows: by slug, or by the identifying fields (references by
        the slug they point to)."""
        refs = {f.name for f in self.fields if isinstance(f, Ref)}
        return tuple(f"{name}__slug" if name in refs else name for name in self.identity_names)

    @property
    def derived(self) -> set[str]:
        """Columns the loader fills from where a row is, not from the row itself."""
        return ({self.parent.name} if self.parent else set()) | (
            {"position"} if self.ordered else set()
        )


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
        "credential_types",
        m.CredentialType,
        (
            Text("name"),
            Text("description", required=False),
            Ref("issuer", "organisations"),
            Plain("validity_days", type=int, required=False, default=None),
            Claims("claims"),
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
            Children("questions", "questions"),
        ),
    ),
    Section(
        "questions",
        m.LifeEventQuestion,
        (
            Plain("kind"),
            Plain("required", type=bool, required=False, default=True),
            Text("label"),
            Text("help", required=False),
            Choices("choices"),
        ),
        parent=Ref("life_event", "life_events"),
        identity="key",
        ordered=True,
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
            Steps("life_events", "life_events"),
            Children("requirements", "requirements"),
            Children("costs", "costs"),
            Children("form", "form_fields", related_name="form_fields"),
        ),
    ),
    Section(
        "form_fields",
        m.FormField,
        (
            Plain("kind", required=False, default=m.FieldKind.TEXT.value),
            Plain("required", type=bool, required=False, default=True),
            Plain("prefill", required=False),
            Text("label"),
            Text("help", required=False),
            Choices("choices"),
        ),
        parent=Ref("service", "services"),
        identity="key",
        ordered=True,
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
    Section(
        "evidence_broker",
        m.EvidenceMapping,
        (
            Ref("requirement", "requirements"),
            Plain("country"),
            Ref("evidence_type", "evidence_types"),
        ),
        identity=("requirement", "country", "evidence_type"),
    ),
    Section(
        "evidence_directory",
        m.EvidenceProvider,
        (
            Ref("evidence_type", "evidence_types"),
            Plain("country"),
            Plain("node"),
            Text("organisation_name"),
        ),
        identity=("evidence_type", "country"),
    ),
)

BY_KEY = {section.key: section for section in SECTIONS}
TOP_LEVEL = tuple(section for section in SECTIONS if section.parent is None)


def fill_languages(data: Any) -> Any:
    """The catalogue data with each text completed from the file's first language, for a file
    that declares `languages: [en]` (or another non-empty list of known languages): a text
    mapping that lacks a language gets that language's text copied from the first one. Data
    without a well-formed `languages` is returned as it is (validation reports a bad one)."""
    languages = data.get("languages") if isinstance(data, dict) else None
    if not known_languages(languages):
        return data
    source, missing = languages[0], [lang for lang in LANGUAGES if lang not in languages]
    filled = {key: value for key, value in data.items() if key != "languages"}
    return _filled(filled, source, missing)


def known_languages(languages: Any) -> TypeGuard[list[str]]:
    """True for a well-formed `languages` value: a non-empty list of distinct known languages."""
    return (
        isinstance(languages, list)
        and bool(languages)
        and all(lang in LANGUAGES for lang in languages)
        and len(set(languages)) == len(languages)
    )


def _filled(value: Any, source: str, missing: list[str]) -> Any:
    if isinstance(value, list):
        return [_filled(item, source, missing) for item in value]
    if not isinstance(value, dict):
        return value
    filled = {key: _filled(item, source, missing) for key, item in value.items()}
    if source in filled:
        for lang in missing:
            filled.setdefault(lang, copy.deepcopy(filled[source]))
    return filled


def column_names(field: Field) -> list[str]:
    """The model columns a field of the file is stored in (relations excluded)."""
    match field:
        case Text() | Keywords():
            return [f"{field.name}_{lang}" for lang in LANGUAGES]
        case Duration():
            return [field.name] + [f"{field.name}_{lang}" for lang in LANGUAGES]
        case Plain() | Choices() | Claims():
            return [field.name]
    return []


def is_empty(value: Any) -> bool:
    """True for values the file leaves out: nothing, empty text, an empty list or mapping."""
    return value is None or value == "" or value == [] or value == {}


def columns(section: Section, row: dict[str, Any]) -> dict[str, Any]:
    """The model column values of a (validated) row of the file, relations excluded."""
    values: dict[str, Any] = {}
    for field in section.fields:
        values |= field_columns(field, row.get(field.name))
    if section.ordered:
        values["position"] = row.get("position", 0)
    if section.model is m.Cost and isinstance(values["value"], int | float):
        values["value"] = Decimal(str(values["value"]))
    return values


def field_columns(field: Field, value: Any) -> dict[str, Any]:
    """The model column values of one field of a row, relations excluded."""
    match field:
        case Text():
            return {f"{field.name}_{lang}": (value or {}).get(lang, "") for lang in LANGUAGES}
        case Keywords():
            return {
                f"{field.name}_{lang}": KEYWORD_SEPARATOR.join((value or {}).get(lang, []))
                for lang in LANGUAGES
            }
        case Duration():
            value = value or {}
            texts = {f"{field.name}_{lang}": value.get(lang, "") for lang in LANGUAGES}
            return {field.name: value.get("duration", ""), **texts}
        case Plain():
            return {field.name: field.default if value is None else value}
        case Choices():
            return {field.name: value or []}
        case Claims():
            return {field.name: [claim_columns(claim) for claim in value or []]}
    return {}


def claim_columns(claim: dict[str, Any]) -> dict[str, Any]:
    """How a (well-formed) claim of the file is stored: labels as `label_nl`, `label_en`."""
    labels = claim.get("label") or {}
    return {
        "key": claim.get("key"),
        **{f"label_{lang}": labels.get(lang, "") for lang in LANGUAGES},
        "disclosable": claim.get("disclosable", True),
    }


def claim_entry(claim: dict[str, Any]) -> dict[str, Any]:
    """A stored claim as the file writes it, without `disclosable: true` (the default)."""
    entry: dict[str, Any] = {
        "key": claim["key"],
        "label": {lang: claim.get(f"label_{lang}", "") for lang in LANGUAGES},
    }
    return entry if claim.get("disclosable", True) else entry | {"disclosable": False}


def plain_value(value: Any) -> Any:
    """A column value as the file writes it: decimals as whole numbers where they are."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


# The keys of a step in a service's `life_events`, and the defaults the file leaves out.
STEP_KEYS = ("position", "kind", "rule", "reason", "skip_reason", "depends_on", "deadline")
DEADLINE_KEYS = ("days", "from")
DEFAULT_STEP_KIND = m.StepKind.REQUEST.value


def step_columns(step: Any) -> dict[str, Any]:
    """The EventService columns of one (validated) entry of a service's `life_events`;
    `depends_on` is a relation and left to the caller."""
    if not isinstance(step, dict):
        step = {"position": step}
    deadline = step.get("deadline") or {}
    values = {
        "position": step.get("position"),
        "step_kind": step.get("kind", DEFAULT_STEP_KIND),
        "rule": step.get("rule", ""),
        "deadline_days": deadline.get("days"),
        "deadline_from": deadline.get("from", ""),
    }
    for name in ("reason", "skip_reason"):
        for lang in LANGUAGES:
            values[f"{name}_{lang}"] = (step.get(name) or {}).get(lang, "")
    return values


def step_dependencies(step: Any) -> list[str]:
    """The service slugs a step waits for."""
    return list(step.get("depends_on") or []) if isinstance(step, dict) else []


def step_entry(event_service: m.EventService, depends_on: list[str]) -> int | dict[str, Any]:
    """One entry of a service's `life_events` as the file writes it: the bare position for a
    step that has nothing else, otherwise a mapping without the default values."""
    es = event_service
    texts = {
        name: {lang: getattr(es, f"{name}_{lang}") for lang in LANGUAGES}
        for name in ("reason", "skip_reason")
    }
    deadline = {"days": es.deadline_days, "from": es.deadline_from}
    entry: dict[str, Any] = {
        "position": es.position,
        "kind": "" if es.step_kind == DEFAULT_STEP_KIND else es.step_kind,
        "rule": es.rule,
        **{name: text for name, text in texts.items() if any(text.values())},
        "depends_on": sorted(depends_on),
        "deadline": deadline if es.deadline_days is not None or es.deadline_from else {},
    }
    entry = {key: value for key, value in entry.items() if not is_empty(value)}
    return es.position if list(entry) == ["position"] else entry
