"""Checks a catalogue data file before anything is written.

`validate_catalogue` returns every problem it finds, each naming where it is
(`services[birth-registration].name.en: English text is missing`): structure, both languages,
unknown or duplicate slugs, references to rows that do not exist, every rule the models
themselves enforce (lengths, choices, URLs, slugs, the OIN format, form-field prefills), and the
plan rules of each life event: rules and deadlines the plan engine can evaluate, dependencies
on services of the same life event and no dependencies in a circle. Evidence broker rows
name only evidence types their requirement accepts, and countries are ISO 3166-1 alpha-2 codes."""

import re
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError

from lifegate.catalogue import rules
from lifegate.catalogue.models import EventService, LifeEventQuestion, StepKind
from lifegate.catalogue.schema import (
    BY_KEY,
    DEADLINE_KEYS,
    DEFAULT_STEP_KIND,
    LANGUAGES,
    SECTIONS,
    STEP_KEYS,
    TOP_LEVEL,
    Children,
    Choices,
    Claims,
    Duration,
    Field,
    Keywords,
    Plain,
    Ref,
    Refs,
    Section,
    Steps,
    Text,
    column_names,
    columns,
    fill_languages,
    known_languages,
    step_columns,
    step_dependencies,
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
    rows = collect_rows(fill_languages(data), problems)
    slugs = {
        s.key: [row.get("slug") for _, row in rows[s.key]]
        for s in SECTIONS
        if not s.ordered and not s.composite
    }
    known = {key: set(values) for key, values in slugs.items()}
    for key, values in slugs.items():
        problems += [f"{key}: slug '{slug}' is used more than once" for slug in _duplicates(values)]
    oins = [row.get("oin") for _, row in rows["organisations"]]
    problems += [f"organisations: OIN '{oin}' is used more than once" for oin in _duplicates(oins)]
    for section in SECTIONS:
        if section.ordered:
            problems += _duplicate_keys(section, rows[section.key])
        if section.composite:
            problems += _duplicate_rows(section, rows[section.key])
        for path, row in rows[section.key]:
            problems += _row_problems(section, path, row, known)
    return problems + _plan_problems(rows) + _broker_problems(rows)


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
        for key in _duplicates(keys)
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
    allowed = section.keys | section.derived
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
    return isinstance(field, Duration | Keywords | Claims)


def _wrong_type(value: Any, expected: type | tuple[type, ...]) -> bool:
    """True unless `value` is of the expected type; yes/no is not a number here."""
    return not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool)


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
    problems += [("", f"'{slug}' is listed more than once") for slug in _duplicates(value)]
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
        problems += [(f".{slug}{where}", message) for where, message in _step_problems(step)]
    return problems


def _is_position(value: Any) -> bool:
    return not _wrong_type(value, int) and value >= 0


def _step_problems(step: Any) -> list[tuple[str, str]]:
    """The shape of one step; rules, deadlines and dependencies are checked by `_plan_problems`."""
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
    return [(".depends_on", f"'{s}' is listed more than once") for s in _duplicates(depends_on)]


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


def _plan_problems(rows: Rows) -> list[str]:
    """Rules and deadlines each life event's plan engine can evaluate, and dependencies on
    services of the same life event that never wait for each other in a circle."""
    questions = _questions_by_event(rows)
    members: dict[str, set[str]] = {}
    for _, row in rows["services"]:
        steps = row.get("life_events")
        for event in steps if isinstance(steps, dict) else {}:
            members.setdefault(event, set()).add(row["slug"])
    problems: list[str] = []
    graphs: dict[str, dict[str, list[str]]] = {}
    for path, row in rows["services"]:
        for event, step in _steps_of(row).items():
            where = f"{path}.life_events.{event}"
            problems += _step_plan_problems(where, step, questions.get(event, []))
            others = members.get(event, set())
            depends_on = step_dependencies(step)
            problems += [
                f"{where}.depends_on: '{slug}' is not a service of life event '{event}'"
                for slug in depends_on
                if slug not in others
            ]
            graphs.setdefault(event, {})[row["slug"]] = [s for s in depends_on if s in others]
    for event, graph in graphs.items():
        problems += [
            f"services[{cycle[0]}].life_events.{event}.depends_on: the steps wait for each "
            f"other in a circle: {' -> '.join(cycle)}"
            for cycle in _cycles(graph)
        ]
    return problems + _answer_prefill_problems(rows, questions)


def _answer_prefill_problems(
    rows: Rows, questions: dict[str, list[LifeEventQuestion]]
) -> list[str]:
    """A form field prefilled from `answers.<key>` needs a life event of its service that asks
    that question (other facts are checked by the model)."""
    events = {row["slug"]: _steps_of(row) for _, row in rows["services"]}
    problems = []
    for path, row in rows["form_fields"]:
        prefill = row.get("prefill")
        if not isinstance(prefill, str) or not prefill.startswith("answers."):
            continue
        asked = {
            q.key for event in events.get(row["service"], {}) for q in questions.get(event, [])
        }
        if prefill.removeprefix("answers.") not in asked:
            problems.append(f"{path}.prefill: no life event of this service asks '{prefill}'")
    return problems


def _steps_of(row: dict[str, Any]) -> dict[str, Any]:
    """A service's well-formed steps by life-event slug (the malformed are reported already)."""
    steps = row.get("life_events")
    if not isinstance(steps, dict):
        return {}
    return {event: step for event, step in steps.items() if not _step_problems(step)}


def _questions_by_event(rows: Rows) -> dict[str, list[LifeEventQuestion]]:
    """The well-formed questions of each life event, for checking the rules that read them."""
    found: dict[str, list[LifeEventQuestion]] = {}
    for _, row in rows["questions"]:
        kind, choices = row.get("kind"), row.get("choices") or []
        if isinstance(kind, str):
            choices = [] if rules.choices_problem(kind, choices) else choices
            question = LifeEventQuestion(key=row["key"], kind=kind, choices=choices)
            found.setdefault(row["life_event"], []).append(question)
    return found


def _step_plan_problems(where: str, step: Any, questions: list[LifeEventQuestion]) -> list[str]:
    if not isinstance(step, dict):
        return []
    columns = step_columns(step)
    problems = []
    problem = rules.rule_problem(columns["rule"], questions)
    if problem:
        problems.append(f"{where}.rule: {problem}")
    problem = rules.deadline_problem(columns["deadline_from"], columns["deadline_days"], questions)
    if problem:
        problems.append(f"{where}.deadline: {problem}")
    return problems


def _cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """Each circle of dependencies in `graph` (service -> services it waits for), once."""
    cycles: list[list[str]] = []
    done: set[str] = set()

    def visit(node: str, trail: list[str]) -> None:
        if node in trail:
            cycles.append([*trail[trail.index(node) :], node])
            return
        if node in done:
            return
        for target in graph.get(node, []):
            visit(target, [*trail, node])
        done.add(node)

    for node in sorted(graph):
        visit(node, [])
    return cycles


def _broker_problems(rows: Rows) -> list[str]:
    """A broker row names one of the evidence types its requirement accepts (the requirement's
    `evidence_types`): the broker narrows them down per country, it adds none."""
    accepted = {
        row["slug"]: set(types)
        for _, row in rows["requirements"]
        if isinstance(types := row.get("evidence_types", []), list)
        and all(isinstance(slug, str) for slug in types)
    }
    known = {row["slug"] for _, row in rows["evidence_types"]}
    return [
        f"{path}.evidence_type: '{row['evidence_type']}' is not one of the evidence types of "
        f"requirement '{row['requirement']}'"
        for path, row in rows["evidence_broker"]
        if row["requirement"] in accepted
        and row["evidence_type"] in known - accepted[row["requirement"]]
    ]
