"""The plan rule language: when a service applies in a life event, and where form fields and
deadlines take their values from.

Rules are CEL (Common Expression Language) expressions, evaluated by `cel-python`: no loops,
no side effects, no access to Python objects, so a catalogue editor cannot run code. They read
a fixed set of facts about the person (from the registries) and the answers to the life
event's questions. `FACT_SCHEMA` is that set; the journeys building block builds facts of
exactly this shape (a test holds it to that), and the admin rejects a rule that names a fact
that does not exist or does not yield yes or no.
"""

from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache
from typing import Any, Protocol

import celpy
from celpy.celparser import CELParseError
from django.utils.translation import gettext as _

# The shape of the facts, with a sample value per fact. Dates are ISO strings (""
# when unknown), so rules compare them as text: answers.move_date >= today.
PERSON_FACTS: dict[str, Any] = {
    "bsn": "999990019",
    "full_name": "Sanne de Vries",
    "given_names": "Sanne",
    "family_name": "de Vries",
    "date_of_birth": "1990-01-31",
    "age": 36,
    "nationality": "NL",
    "is_dutch": True,
    "is_eu_citizen": True,
    "is_resident": True,
    "has_partner": True,
    "state_pension_date": "2057-04-30",
    "address": {
        "street_line": "Kerkstraat 12A",
        "postcode": "3511 AB",
        "city": "Utrecht",
        "municipality": "Utrecht",
    },
}
RELATIVE_FACTS: dict[str, Any] = {
    "exists": True,
    "bsn": "999990020",
    "full_name": "Daan de Vries",
    "date_of_birth": "2026-11-20",
    "date_of_death": "",
    "age": 0,
}
FACT_SCHEMA: dict[str, Any] = {
    "today": "2026-11-22",
    "person": PERSON_FACTS,
    "partner": {"exists": True, "full_name": "Kees de Vries", "age": 38},
    "children": [{"full_name": "Daan de Vries", "age": 0, "is_minor": True}],
    "minor_children": 1,
    # The person the journey is about besides the person themselves: the newborn child in
    # "a child is born", the deceased in "death of a relative". `relation` says which.
    "related": {**RELATIVE_FACTS, "relation": "child"},
    "journey": {"started_on": "2026-11-22", "started_by_registry": False},
}
QUESTION_SAMPLES: dict[str, Any] = {
    "date": "2026-12-01",
    "country": "DE",
    "yes-no": True,
    "choice": "",
}
UNANSWERED: dict[str, Any] = {"date": "", "country": "", "yes-no": False, "choice": ""}


class Question(Protocol):
    key: str
    kind: str
    choices: Any


def sample_answers(questions: Iterable[Question]) -> dict[str, Any]:
    """An answer of the right type for every question, to check rules against."""
    answers = {}
    for question in questions:
        sample = QUESTION_SAMPLES.get(question.kind, "")
        if question.kind == "choice" and question.choices:
            sample = question.choices[0].get("value", "")
        answers[question.key] = sample
    return answers


def complete_answers(questions: Iterable[Question], answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers with every question present: an unanswered question reads as empty text
    (or no), so a rule about an optional question never fails on a missing key."""
    return {q.key: answers.get(q.key, UNANSWERED.get(q.kind, "")) for q in questions}


def sample_facts(questions: Iterable[Question]) -> dict[str, Any]:
    """Facts of the full shape, for checking a rule when it is saved."""
    return {**FACT_SCHEMA, "answers": sample_answers(questions)}


@lru_cache(maxsize=512)
def _program(rule: str) -> celpy.Runner:
    environment = celpy.Environment()
    return environment.program(environment.compile(rule))


class RuleError(ValueError):
    """A rule could not be evaluated against these facts."""


def evaluate(rule: str, facts: Mapping[str, Any]) -> bool:
    """True when `rule` holds for `facts`; an empty rule always holds.

    Raises RuleError when the rule cannot be parsed or evaluated, or yields no yes/no."""
    if not rule.strip():
        return True
    try:
        result = _program(rule).evaluate({k: celpy.json_to_cel(v) for k, v in facts.items()})
    except (CELParseError, celpy.CELEvalError, KeyError, TypeError, ValueError) as error:
        raise RuleError(_first_line(error)) from error
    if isinstance(result, celpy.CELEvalError):
        raise RuleError(_first_line(result))
    if not isinstance(result, celpy.celtypes.BoolType):
        raise RuleError("the rule does not yield yes or no")
    return bool(result)


def _first_line(error: Exception) -> str:
    """The short message of a CEL error, without the evaluation context it drags along."""
    message = error.args[0] if error.args and isinstance(error.args[0], str) else str(error)
    return message.split(" (in activation", 1)[0].splitlines()[0][:200]


def rule_problem(rule: str, questions: Iterable[Question]) -> str:
    """A readable reason why `rule` is not a valid plan rule, or "" when it is."""
    if not rule.strip():
        return ""
    try:
        _program(rule)
    except CELParseError as error:
        return _("This rule is not valid CEL: %(error)s") % {
            "error": " ".join(str(error).split())[:200]
        }
    try:
        evaluate(rule, sample_facts(questions))
    except RuleError as error:
        message = str(error)
        if "undeclared reference" in message or "no such" in message or "KeyError" in message:
            return _("This rule uses a fact that does not exist: %(error)s") % {"error": message}
        return _("This rule cannot be evaluated: %(error)s") % {"error": message}
    return ""


def fact_value(path: str, facts: Mapping[str, Any]) -> Any:
    """The value at a dotted path such as `person.address.postcode`; KeyError if none."""
    value: Any = facts
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            raise KeyError(path)
        value = value[part]
    return value


def _scalar_paths(facts: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for key, value in facts.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            paths.update(_scalar_paths(value, f"{path}."))
        elif not isinstance(value, list):
            paths[path] = value
    return paths


PREFILL_PATHS = tuple(sorted(_scalar_paths(FACT_SCHEMA)))
DATE_PATHS = tuple(
    path
    for path in PREFILL_PATHS
    if path == "today" or path.endswith(("_date", "date_of_birth", "date_of_death", "_on"))
)


def prefill_problem(path: str) -> str:
    """Why `path` cannot prefill a form field, or "" (also for no prefill)."""
    if not path or path in PREFILL_PATHS or path.startswith("answers."):
        return ""
    return _("Unknown fact %(path)s. Known facts: %(known)s.") % {
        "path": path,
        "known": ", ".join(PREFILL_PATHS),
    }


def deadline_problem(path: str, days: int | None, questions: Iterable[Question]) -> str:
    """Why a deadline of `days` from the date fact `path` cannot be computed, or ""."""
    if not path and days is None:
        return ""
    if not path or days is None:
        return _("A deadline needs both a number of days and the date it counts from.")
    date_questions = {f"answers.{q.key}" for q in questions if q.kind == "date"}
    if path in DATE_PATHS or path in date_questions:
        return ""
    return _("%(path)s is not a date fact. Date facts: %(known)s.") % {
        "path": path,
        "known": ", ".join(sorted({*DATE_PATHS, *date_questions})),
    }


def deadline(path: str, days: int | None, facts: Mapping[str, Any]) -> date | None:
    """The deadline `days` after the date at `path`, or None when that date is unknown."""
    if not path or days is None:
        return None
    try:
        anchor = date.fromisoformat(str(fact_value(path, facts)))
        return date.fromordinal(anchor.toordinal() + days)
    except (KeyError, ValueError, OverflowError):  # unknown, not a date, or beyond year 9999
        return None


def choices_problem(kind: str, choices: Any) -> str:
    """Why `choices` is not a valid list of options for a field of `kind`, or ""."""
    if kind != "choice":
        return "" if not choices else _("Only a choice has options.")
    valid = (
        isinstance(choices, list)
        and choices
        and all(
            isinstance(c, dict) and {"value", "nl", "en"} <= c.keys() and str(c["value"])
            for c in choices
        )
    )
    if not valid:
        return _('A choice needs options like [{"value": "rent", "nl": "Huur", "en": "Rent"}].')
    return ""
