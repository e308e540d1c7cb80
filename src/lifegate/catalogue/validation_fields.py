"""Checks one value of a catalogue row against the shape of its field: texts in both
languages, slugs of rows that exist, lists, ISO 8601 durations, keywords, a credential type's
claims, and the steps a service takes in life events (position, kind, reasons, rule and
deadline shape, dependencies as a list, and what the `EventService` model says of them).

Each check returns `(where, message)` pairs, `where` relative to the field
(`.en`, `.birth.deadline.days`); `validation` puts the row's path and field name in front.
Whether a step's rule, deadline and dependencies make sense in its life event is checked
across rows, in `validation_plans`."""

import re
from typing import Any

from django.core.exceptions import ValidationError

from lifegate.catalogue.columns import step_columns
from lifegate.catalogue.fields import (
    DEADLINE_KEYS,
    DEFAULT_STEP_KIND,
    STEP_KEYS,
    Choices,
    Claims,
    Duration,
    Field,
    Keywords,
    Plain,
    Ref,
    Refs,
    Steps,
    Text,
)
from lifegate.catalogue.languages import LANGUAGES
from lifegate.catalogue.models import EventService, StepKind

LANGUAGE_NAMES = {"nl": "Dutch", "en": "English"}
ISO_DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$")


def duplicates(values: list[Any]) -> list[Any]:
    """The texts and numbers that are in `values` more than once, each once."""
    seen: set[Any] = set()
    repeated = []
    for value in values:
        if not isinstance(value, str | int):
            continue
        if value in seen and value not in repeated:
            repeated.append(value)
        seen.add(value)
    return repeated


def _wrong_type(value: Any, expected: type | tuple[type, ...]) -> bool:
    """True unless `value` is of the expected type; yes/no is not a number here."""
    return not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool)


def field_problems(field: Field, value: Any, known: dict[str, set[Any]]) -> list[tuple[str, str]]:
    """What is wrong with one field's value; `known` holds the slugs of each section."""
    match field:
        case Text():
            return _text_problems(value)
        case Plain():
            return _plain_problems(field, value)
        case Ref():
            if isinstance(value, str) and value in known[field.section]:
                return []
            return [("", f"unknown {field.section} slug '{value}'")]
        case Refs():
            return _refs_problems(field.section, value, known)
        case Steps():
            return _steps_problems(field.section, value, known)
        case Choices() | Claims():
            return _list_problems(field, value)
        case Duration():
            return _duration_problems(value)
        case Keywords():
            return _keywords_problems(value)
    return []  # Children: checked row by row as their own section


def _text_problems(value: Any) -> list[tuple[str, str]]:
    if not isinstance(value, dict):
        return [("", "must be a mapping with 'nl' and 'en' text")]
    problems = [(f".{key}", "unknown language") for key in value if key not in LANGUAGES]
    for lang in LANGUAGES:
        text = value.get(lang)
        if not isinstance(text, str) or not text.strip():
            problems.append((f".{lang}", f"{LANGUAGE_NAMES[lang]} text is missing"))
    return problems


def _plain_problems(field: Plain, value: Any) -> list[tuple[str, str]]:
    if _wrong_type(value, field.type):
        return [("", f"has the wrong type ({type(value).__name__})")]
    if isinstance(value, list) and not all(isinstance(item, str) and item for item in value):
        return [("", "must be a list of non-empty texts")]
    return []


def _refs_problems(target: str, value: Any, known: dict[str, set[Any]]) -> list[tuple[str, str]]:
    if not isinstance(value, list) or not all(isinstance(slug, str) for slug in value):
        return [("", "must be a list of slugs")]
    problems = [
        ("", f"unknown {target} slug '{slug}'") for slug in value if slug not in known[target]
    ]
    problems += [("", f"'{slug}' is listed more than once") for slug in duplicates(value)]
    return problems


def _steps_problems(target: str, value: Any, known: dict[str, set[Any]]) -> list[tuple[str, str]]:
    if not isinstance(value, dict):
        return [("", "must map life-event slugs to positions or steps")]
    problems = [
        (f".{slug}", f"unknown {target} slug '{slug}'")
        for slug in value
        if slug not in known[target]
    ]
    for slug, step in value.items():
        problems += [(f".{slug}{where}", message) for where, message in step_problems(step)]
    return problems


def _is_position(value: Any) -> bool:
    return not _wrong_type(value, int) and value >= 0


def step_problems(step: Any) -> list[tuple[str, str]]:
    """The shape of one step; whether its rule, deadline and dependencies hold in its life
    event is checked by `validation_plans.plan_problems`."""
    if not isinstance(step, dict):
        return [] if _is_position(step) else [("", "position must be a whole number of 0 or more")]
    problems = [(f".{key}", "unknown key") for key in step if key not in STEP_KEYS]
    if not _is_position(step.get("position")):
        problems.append((".position", "must be a whole number of 0 or more"))
    if step.get("kind", DEFAULT_STEP_KIND) not in StepKind.values:
        problems.append((".kind", f"must be one of {', '.join(StepKind.values)}"))
    for name in ("reason", "skip_reason"):
        if name in step:
            problems += [(f".{name}{where}", msg) for where, msg in _text_problems(step[name])]
    if not isinstance(step.get("rule", ""), str):
        problems.append((".rule", "must be text"))
    problems += _depends_on_shape(step.get("depends_on", []))
    problems += [(f".deadline{where}", msg) for where, msg in _deadline_shape(step)]
    return problems or _step_model_problems(step)


def _depends_on_shape(depends_on: Any) -> list[tuple[str, str]]:
    if not isinstance(depends_on, list) or not all(isinstance(s, str) for s in depends_on):
        return [(".depends_on", "must be a list of service slugs")]
    return [(".depends_on", f"'{s}' is listed more than once") for s in duplicates(depends_on)]


def _deadline_shape(step: dict[str, Any]) -> list[tuple[str, str]]:
    deadline = step.get("deadline", {})
    if not isinstance(deadline, dict):
        return [("", "must be a mapping with 'days' and 'from'")]
    problems = [(f".{key}", "unknown key") for key in deadline if key not in DEADLINE_KEYS]
    if "days" in deadline and _wrong_type(deadline["days"], int):
        problems.append((".days", "must be a whole number (negative: before the date)"))
    if not isinstance(deadline.get("from", ""), str):
        problems.append((".from", "must be a date fact such as related.date_of_birth"))
    return problems


STEP_COLUMNS = {
    "step_kind": "kind",
    "deadline_days": "deadline.days",
    "deadline_from": "deadline.from",
}


def _step_model_problems(step: dict[str, Any]) -> list[tuple[str, str]]:
    """What the EventService model says of the step's columns (lengths, the step kind)."""
    instance = EventService(**step_columns(step))
    try:
        instance.clean_fields(exclude=["life_event", "service"])
    except ValidationError as error:
        return [
            (f".{STEP_COLUMNS.get(column, _text_key(column))}", " ".join(map(str, messages)))
            for column, messages in error.message_dict.items()
        ]
    return []


def _text_key(column: str) -> str:
    """`reason_nl` -> `reason.nl`; other columns as they are."""
    name, _, lang = column.rpartition("_")
    return f"{name}.{lang}" if lang in LANGUAGES else column


CLAIM_KEYS = ("key", "label", "disclosable")


def _list_problems(field: Choices | Claims, value: Any) -> list[tuple[str, str]]:
    """A question's or form field's options (checked by the model), or a type's claims."""
    if isinstance(field, Claims):
        return _claims_problems(value)
    return [] if isinstance(value, list) else [("", "must be a list of options")]


def _claims_problems(value: Any) -> list[tuple[str, str]]:
    """The shape of a credential type's claims; keys and labels are checked by the model."""
    if not isinstance(value, list) or not value:
        return [("", "must be a list of claims, each with a key and a label")]
    problems: list[tuple[str, str]] = []
    for index, claim in enumerate(value):
        if not isinstance(claim, dict):
            problems.append((f"[{index}]", "must be a mapping with a key and a label"))
            continue
        key = claim.get("key")
        where = f"[{key}]" if isinstance(key, str) and key else f"[{index}]"
        problems += [(f"{where}.{name}", "unknown key") for name in claim if name not in CLAIM_KEYS]
        if not isinstance(key, str) or not key:
            problems.append((f"{where}.key", "is missing"))
        label = claim.get("label")
        problems += [(f"{where}.label{at}", message) for at, message in _text_problems(label)]
        if not isinstance(claim.get("disclosable", True), bool):
            problems.append((f"{where}.disclosable", "must be true or false"))
    return problems


def _duration_problems(value: Any) -> list[tuple[str, str]]:
    if not isinstance(value, dict):
        return [("", "must be a mapping with 'duration', 'nl' and 'en'")]
    problems = [(f".{key}", "unknown key") for key in value if key not in ("duration", *LANGUAGES)]
    duration = value.get("duration")
    if not isinstance(duration, str) or not ISO_DURATION.match(duration):
        problems.append((".duration", "must be an ISO 8601 duration such as P8W or P3D"))
    return problems + _text_problems({lang: value.get(lang) for lang in LANGUAGES})


def _keywords_problems(value: Any) -> list[tuple[str, str]]:
    if not isinstance(value, dict):
        return [("", "must be a mapping with 'nl' and 'en' lists")]
    problems = [(f".{key}", "unknown language") for key in value if key not in LANGUAGES]
    for lang in LANGUAGES:
        words = value.get(lang)
        if not isinstance(words, list) or not words:
            problems.append((f".{lang}", f"{LANGUAGE_NAMES[lang]} keywords are missing"))
        elif not all(isinstance(word, str) and word.strip() and "," not in word for word in words):
            problems.append((f".{lang}", "each keyword must be a non-empty text without commas"))
    return problems
