"""Checks a catalogue data file before anything is written.

`validate_catalogue` returns every problem it finds, each naming where it is
(`services[birth-registration].name.en: English text is missing`): structure, both languages,
unknown or duplicate slugs, references to rows that do not exist, and every rule the models
themselves enforce (lengths, choices, URLs, slugs, the OIN format)."""

import re
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError

from lifegate.catalogue.schema import (
    LANGUAGES,
    SECTIONS,
    TOP_LEVEL,
    Children,
    Duration,
    Field,
    Keywords,
    Plain,
    Positions,
    Ref,
    Refs,
    Section,
    Text,
    column_names,
    columns,
)

LANGUAGE_NAMES = {"nl": "Dutch", "en": "English"}
ISO_DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$")

Rows = dict[str, list[tuple[str, dict[str, Any]]]]


class CatalogueError(Exception):
    """The catalogue file cannot be loaded; `problems` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        listing = "\n".join(f"- {problem}" for problem in problems)
        super().__init__(f"The catalogue was not loaded ({len(problems)} problems):\n{listing}")


def validate_catalogue(data: Any) -> list[str]:
    """Every problem in the parsed catalogue file; an empty list means it can be loaded."""
    if not isinstance(data, dict):
        return ["the file must be a mapping with 'version' and one list per section"]
    problems = _top_level_problems(data)
    rows = collect_rows(data, problems)
    slugs = {
        key: [row.get("slug") for _, row in section_rows] for key, section_rows in rows.items()
    }
    known = {key: set(values) for key, values in slugs.items()}
    for key, values in slugs.items():
        problems += [f"{key}: slug '{slug}' is used more than once" for slug in _duplicates(values)]
    oins = [row.get("oin") for _, row in rows["organisations"]]
    problems += [f"organisations: OIN '{oin}' is used more than once" for oin in _duplicates(oins)]
    for section in SECTIONS:
        for path, row in rows[section.key]:
            problems += _row_problems(section, path, row, known)
    return problems


def collect_rows(data: dict[str, Any], problems: list[str]) -> Rows:
    """Every section's rows with their path in the file; nested rows get their parent's slug."""
    rows: Rows = {section.key: [] for section in SECTIONS}
    for section in TOP_LEVEL:
        items = data.get(section.key)
        if not isinstance(items, list):
            continue
        for path, row in _rows_at(section.key, items, problems):
            rows[section.key].append((path, row))
            for child in _children(section):
                nested = row.get(child.name, [])
                if not isinstance(nested, list):
                    problems.append(f"{path}.{child.name}: must be a list")
                    continue
                for child_path, child_row in _rows_at(f"{path}.{child.name}", nested, problems):
                    rows[child.section].append(
                        (child_path, child_row | {"service": row.get("slug")})
                    )
    return rows


def _top_level_problems(data: dict[str, Any]) -> list[str]:
    problems = []
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        problems.append("version: must be a whole number of 1 or more")
    for key in sorted(set(data) - {"version"} - {s.key for s in TOP_LEVEL}, key=str):
        problems.append(f"{key}: unknown section")
    for section in TOP_LEVEL:
        if not isinstance(data.get(section.key), list):
            problems.append(f"{section.key}: section is missing or not a list")
    return problems


def _rows_at(
    prefix: str, items: list[Any], problems: list[str]
) -> Iterator[tuple[str, dict[str, Any]]]:
    for index, row in enumerate(items):
        if not isinstance(row, dict):
            problems.append(f"{prefix}[{index}]: must be a mapping")
            continue
        slug = row.get("slug")
        if not isinstance(slug, str) or not slug:
            problems.append(f"{prefix}[{index}]: slug is missing")
            continue
        yield f"{prefix}[{slug}]", row


def _children(section: Section) -> list[Children]:
    return [field for field in section.fields if isinstance(field, Children)]


def _duplicates(values: list[Any]) -> list[Any]:
    seen: set[Any] = set()
    repeated = []
    for value in values:
        if not isinstance(value, str | int):
            continue
        if value in seen and value not in repeated:
            repeated.append(value)
        seen.add(value)
    return repeated


def _row_problems(
    section: Section, path: str, row: dict[str, Any], known: dict[str, set[Any]]
) -> list[str]:
    allowed = section.keys | ({section.parent.name} if section.parent else set())
    problems = [f"{path}.{key}: unknown field" for key in sorted(set(row) - allowed, key=str)]
    unusable = set()
    for field in section.fields:
        value = row.get(field.name)
        found = [] if value is None else _field_problems(field, value, known)
        if value is None and _required(field):
            found = [("", "is missing")]
        problems += [f"{path}.{field.name}{where}: {message}" for where, message in found]
        if found or value is None:
            unusable.add(field.name)
    return problems + _model_problems(section, path, row, unusable)


def _required(field: Field) -> bool:
    if isinstance(field, Text | Plain | Ref):
        return field.required
    return isinstance(field, Duration | Keywords)


def _field_problems(field: Field, value: Any, known: dict[str, set[Any]]) -> list[tuple[str, str]]:
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
        case Positions():
            return _positions_problems(field.section, value, known)
        case Duration():
            return _duration_problems(value)
        case Keywords():
            return _keywords_problems(value)
        case Children():
            return []  # checked row by row as their own section
    return []


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
    if isinstance(value, bool) or not isinstance(value, field.type):
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
    problems += [("", f"'{slug}' is listed more than once") for slug in _duplicates(value)]
    return problems


def _positions_problems(
    target: str, value: Any, known: dict[str, set[Any]]
) -> list[tuple[str, str]]:
    if not isinstance(value, dict):
        return [("", "must map life-event slugs to positions")]
    problems = [
        (f".{slug}", f"unknown {target} slug '{slug}'")
        for slug in value
        if slug not in known[target]
    ]
    for slug, position in value.items():
        if isinstance(position, bool) or not isinstance(position, int) or position < 0:
            problems.append((f".{slug}", "position must be a whole number of 0 or more"))
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


def _model_problems(
    section: Section, path: str, row: dict[str, Any], unusable: set[str]
) -> list[str]:
    """The rules the model enforces itself (lengths, choices, URL, slug, OIN format), for the
    fields that are otherwise well-formed."""
    usable = {key: value for key, value in row.items() if key not in unusable}
    instance = section.model(slug=row["slug"], **columns(section, usable))
    skipped = [column for f in section.fields if f.name in unusable for column in column_names(f)]
    relations = [f.name for f in section.model._meta.get_fields() if f.is_relation]
    try:
        instance.clean_fields(exclude=relations + skipped)
    except ValidationError as error:
        return [
            f"{path}.{_file_key(section, column)}: {' '.join(map(str, messages))}"
            for column, messages in error.message_dict.items()
        ]
    return []


def _file_key(section: Section, column: str) -> str:
    """Where a model column lives in the file, e.g. `name_en` -> `name.en`."""
    for field in section.fields:
        names = column_names(field)
        if column in names and len(names) > 1:
            suffix = column.removeprefix(field.name).lstrip("_") or "duration"
            return f"{field.name}.{suffix}"
    return column
