"""How a row of the catalogue data file becomes model column values, and stored values become
the file's entries again.

The loader and the validator turn rows into columns (`columns`, `field_columns`,
`step_columns`); the exporter writes stored claims, plain values and life-event steps back as
the file has them (`claim_entry`, `plain_value`, `step_entry`), leaving out what the file
leaves out (`is_empty`). Relations (references, children, a step's dependencies) are left to
the loader. The kinds of field are in `fields.py`, the layout of the file in `schema.py`."""

from decimal import Decimal
from typing import Any

from lifegate.catalogue import models as m
from lifegate.catalogue.fields import (
    DEFAULT_STEP_KIND,
    Choices,
    Claims,
    Duration,
    Field,
    Keywords,
    Plain,
    Section,
    Text,
)
from lifegate.catalogue.languages import LANGUAGES

KEYWORD_SEPARATOR = ", "


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
