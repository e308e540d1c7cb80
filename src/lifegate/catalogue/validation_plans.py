"""Checks across rows of a catalogue data file, once each row has been checked on its own
(`validation`): the plan of each life event and the evidence broker.

A service's steps in a life event have rules and deadlines the plan engine can evaluate with
the questions of that life event, depend only on services of the same life event, and never
wait for each other in a circle; a form field prefilled from `answers.<key>` belongs to a
service whose life event asks that question. An evidence broker row names only evidence types
its requirement accepts."""

from typing import Any

from lifegate.catalogue import rules
from lifegate.catalogue.columns import step_columns, step_dependencies
from lifegate.catalogue.models import LifeEventQuestion
from lifegate.catalogue.validation_fields import step_problems

# Every section's rows with their path in the file, as `validation.collect_rows` finds them.
Rows = dict[str, list[tuple[str, dict[str, Any]]]]


def plan_problems(rows: Rows) -> list[str]:
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
    return {event: step for event, step in steps.items() if not step_problems(step)}


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


def broker_problems(rows: Rows) -> list[str]:
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
