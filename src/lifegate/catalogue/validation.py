"""Checks a catalogue data file before anything is written.

`validate_catalogue` returns every problem it finds, each naming where it is
(`services[birth-registration].name.en: English text is missing`): structure, both languages,
unknown or duplicate slugs, references to rows that do not exist, every rule the models
themselves enforce (lengths, choices, URLs, slugs, the OIN format, form-field prefills), and the
plan rules of each life event: rules and deadlines the plan engine can evaluate, dependencies
on services of the same life event and no dependencies in a circle. Evidence broker rows
name only evidence types their requirement accepts, and countries are ISO 3166-1 alpha-2 codes.

This module walks the file row by row; the checks of one field's value are in
`validation_fields`, those across rows (life-event plans, the evidence broker) in
`validation_plans`."""

from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError

from lifegate.catalogue.columns import column_names, columns
from lifegate.catalogue.fields import (
    Children,
    Claims,
    Duration,
    Field,
    Keywords,
    Plain,
    Ref,
    Section,
    Text,
)
from lifegate.catalogue.languages import LANGUAGES, fill_languages, known_languages
from lifegate.catalogue.schema import BY_KEY, SECTIONS, TOP_LEVEL
from lifegate.catalogue.validation_fields import duplicates, field_problems
from lifegate.catalogue.validation_plans import Rows, broker_problems, plan_problems


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
    rows = collect_rows(fill_languages(data), problems)
    slugs = {
        s.key: [row.get("slug") for _, row in rows[s.key]]
        for s in SECTIONS
        if not s.ordered and not s.composite
    }
    known = {key: set(values) for key, values in slugs.items()}
    for key, values in slugs.items():
        problems += [f"{key}: slug '{slug}' is used more than once" for slug in duplicates(values)]
    oins = [row.get("oin") for _, row in rows["organisations"]]
    problems += [f"organisations: OIN '{oin}' is used more than once" for oin in duplicates(oins)]
    for section in SECTIONS:
        if section.ordered:
            problems += _duplicate_keys(section, rows[section.key])
        if section.composite:
            problems += _duplicate_rows(section, rows[section.key])
        for path, row in rows[section.key]:
            problems += _row_problems(section, path, row, known)
    return problems + plan_problems(rows) + broker_problems(rows)


def collect_rows(data: dict[str, Any], problems: list[str]) -> Rows:
    """Every section's rows with their path in the file; nested rows get their parent's slug."""
    rows: Rows = {section.key: [] for section in SECTIONS}
    for section in TOP_LEVEL:
        items = data.get(section.key)
        if not isinstance(items, list):
            continue
        for path, row in _rows_at(section.key, items, problems, section.identity):
            rows[section.key].append((path, row))
            for child in _children(section):
                nested = row.get(child.name, [])
                if not isinstance(nested, list):
                    problems.append(f"{path}.{child.name}: must be a list")
                    continue
                child_section = BY_KEY[child.section]
                prefix = f"{path}.{child.name}"
                rows[child.section] += _child_rows(prefix, child_section, nested, row, problems)
    return rows


def _child_rows(
    prefix: str, section: Section, items: list[Any], parent: dict[str, Any], problems: list[str]
) -> list[tuple[str, dict[str, Any]]]:
    """The rows nested in `parent`, each with the parent's slug (and its place in the list)."""
    assert section.parent is not None
    found = []
    for position, (path, row) in enumerate(_rows_at(prefix, items, problems, section.identity)):
        derived = {section.parent.name: parent.get("slug")}
        if section.ordered:
            derived["position"] = position
        found.append((path, row | derived))
    return found


def _top_level_problems(data: dict[str, Any]) -> list[str]:
    problems = []
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        problems.append("version: must be a whole number of 1 or more")
    for key in sorted(set(data) - {"version", "languages"} - {s.key for s in TOP_LEVEL}, key=str):
        problems.append(f"{key}: unknown section")
    if "languages" in data and not known_languages(data["languages"]):
        known = ", ".join(LANGUAGES)
        problems.append(f"languages: must be a list of distinct languages out of {known}")
    for section in TOP_LEVEL:
        if not isinstance(data.get(section.key), list):
            problems.append(f"{section.key}: section is missing or not a list")
    return problems


def _rows_at(
    prefix: str, items: list[Any], problems: list[str], identity: str | tuple[str, ...] = "slug"
) -> Iterator[tuple[str, dict[str, Any]]]:
    """The well-formed rows with their path: `prefix[slug]`, or for rows identified by several
    fields `prefix[first-registration-birth/EE/birth-certificate]`."""
    names = identity if isinstance(identity, tuple) else (identity,)
    for index, row in enumerate(items):
        if not isinstance(row, dict):
            problems.append(f"{prefix}[{index}]: must be a mapping")
            continue
        absent = [name for name in names if not isinstance(row.get(name), str) or not row[name]]
        if absent:
            problems += [f"{prefix}[{index}]: {name} is missing" for name in absent]
            continue
        yield f"{prefix}[{'/'.join(row[name] for name in names)}]", row


def _children(section: Section) -> list[Children]:
    return [field for field in section.fields if isinstance(field, Children)]


def _duplicate_keys(section: Section, rows: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """Keys used twice within one enclosing row, e.g. two questions `move_date` in one event."""
    identity = section.identity_names[0]
    by_parent: dict[str, list[Any]] = {}
    for path, row in rows:
        by_parent.setdefault(path.rsplit("[", 1)[0], []).append(row.get(identity))
    return [
        f"{where}: {identity} '{key}' is used more than once"
        for where, keys in by_parent.items()
        for key in duplicates(keys)
    ]


def _duplicate_rows(section: Section, rows: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """Rows identified by several fields that are in the file more than once."""
    seen: set[str] = set()
    problems = []
    for path, _row in rows:
        if path in seen:
            problems.append(f"{path}: is listed more than once")
        seen.add(path)
    return problems


def _row_problems(
    section: Section, path: str, row: dict[str, Any], known: dict[str, set[Any]]
) -> list[str]:
    allowed = section.keys | section.derived
    problems = [f"{path}.{key}: unknown field" for key in sorted(set(row) - allowed, key=str)]
    unusable = set()
    for field in section.fields:
        value = row.get(field.name)
        found = [] if value is None else field_problems(field, value, known)
        if value is None and _required(field):
            found = [("", "is missing")]
        problems += [f"{path}.{field.name}{where}: {message}" for where, message in found]
        if found or value is None:
            unusable.add(field.name)
    return problems + _model_problems(section, path, row, unusable)


def _required(field: Field) -> bool:
    if isinstance(field, Text | Plain | Ref):
        return field.required
    return isinstance(field, Duration | Keywords | Claims)


def _model_problems(
    section: Section, path: str, row: dict[str, Any], unusable: set[str]
) -> list[str]:
    """The rules the model enforces itself (lengths, choices, URL, slug, OIN format, and its
    `clean()`: options, prefill facts), for the fields that are otherwise well-formed."""
    usable = {key: value for key, value in row.items() if key not in unusable}
    identity = {} if section.composite else {name: row[name] for name in section.identity_names}
    instance = section.model(**identity, **columns(section, usable))
    skipped = [column for f in section.fields if f.name in unusable for column in column_names(f)]
    relations = [f.name for f in section.model._meta.get_fields() if f.is_relation]
    # clean() sees a left-out field as its default; only a malformed one is not its to judge.
    malformed = [
        column
        for f in section.fields
        if f.name in unusable and f.name in row
        for column in column_names(f)
    ]
    messages: dict[str, list[str]] = {}
    for check in (lambda: instance.clean_fields(exclude=relations + skipped), instance.clean):
        try:
            check()
        except ValidationError as error:
            for column, found in error.message_dict.items():
                if column not in malformed:
                    messages.setdefault(column, []).extend(found)
    return [
        f"{path}.{_file_key(section, column)}: {' '.join(map(str, found))}"
        for column, found in messages.items()
    ]


def _file_key(section: Section, column: str) -> str:
    """Where a model column lives in the file, e.g. `name_en` -> `name.en`."""
    for field in section.fields:
        names = column_names(field)
        if column in names and len(names) > 1:
            suffix = column.removeprefix(field.name).lstrip("_") or "duration"
            return f"{field.name}.{suffix}"
    return column
