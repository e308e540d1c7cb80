"""Plan rules in words, in Dutch and English.

Editors write when a service applies as a CEL expression over facts and answers (see
`catalogue.rules`). This renders the forms such rules take (and, or, not, comparisons of a fact
or answer with a value or another fact, yes/no facts and answers) as a sentence: facts by
their name (`fact_labels`), questions by their label, choices by their label. Anything else
(arithmetic, functions, lists) gives None: the export then has only the expression, never a
guess at its meaning."""

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from celpy.celparser import CELParseError, CELParser
from lark import Token, Tree

from lifegate.catalogue.rules import DATE_PATHS
from lifegate.opendata.fact_labels import FACT_NAMES, YES_NO_FACTS, Labels

LANGUAGES = ("nl", "en")
MIRRORED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
OPERATORS = {
    "relation_lt": "<",
    "relation_le": "<=",
    "relation_gt": ">",
    "relation_ge": ">=",
    "relation_eq": "==",
    "relation_ne": "!=",
}
NUMBER_WORDS = {
    "nl": {"<": "is kleiner dan", "<=": "is hoogstens", ">": "is groter dan", ">=": "is minstens"},
    "en": {"<": "is less than", "<=": "is at most", ">": "is more than", ">=": "is at least"},
}
DATE_WORDS = {
    "nl": {"<": "ligt vóór", "<=": "ligt op of vóór", ">": "ligt na", ">=": "ligt op of na"},
    "en": {"<": "is before", "<=": "is on or before", ">": "is after", ">=": "is on or after"},
}
WORDS = {
    "nl": {
        "==": "is",
        "!=": "is niet",
        "and": "en",
        "or": "of",
        "known": "{noun} is bekend",
        "unknown": "{noun} is onbekend",
        "not": "het is niet zo dat {condition}",
        "yes": "u hebt “{label}” met ja beantwoord",
        "no": "u hebt “{label}” met nee beantwoord",
        "answer": "het antwoord op “{label}”",
        "date-answer": "de datum bij “{label}”",
    },
    "en": {
        "==": "is",
        "!=": "is not",
        "and": "and",
        "or": "or",
        "known": "{noun} is known",
        "unknown": "{noun} is unknown",
        "not": "it is not the case that {condition}",
        "yes": "you answered yes to “{label}”",
        "no": "you answered no to “{label}”",
        "answer": "the answer to “{label}”",
        "date-answer": "the date given for “{label}”",
    },
}


class Unreadable(ValueError):
    """The rule has a form this module does not put into words."""


class Question(Protocol):
    """What a rule needs of a life-event question: its key, kind, labels and choices."""

    key: str
    kind: str
    label_nl: str
    label_en: str
    choices: Any


@dataclass(frozen=True)
class Path:
    dotted: str


@dataclass(frozen=True)
class Value:
    value: Any


@dataclass(frozen=True)
class Not:
    item: object


@dataclass(frozen=True)
class Compare:
    operator: str
    left: object
    right: object


@dataclass(frozen=True)
class Junction:
    operator: str  # "and" or "or"
    items: tuple[object, ...]


def rule_text(rule: str, questions: Iterable[Question]) -> Labels | None:
    """`rule` in words in Dutch and English; None for an empty rule or one that cannot be
    put into words."""
    if not rule.strip():
        return None
    try:
        node = _node(_parser().parse(rule))
        by_key = {question.key: question for question in questions}
        return {
            language: _capitalised(_Words(language, by_key).condition(node))
            for language in LANGUAGES
        }
    except (CELParseError, Unreadable):
        return None


def date_name(path: str, questions: Iterable[Question], language: str) -> str:
    """The name of the date fact or date answer at `path` (a deadline's anchor)."""
    by_key = {question.key: question for question in questions}
    try:
        return _Words(language, by_key).noun(Path(path))
    except Unreadable:
        return path


@lru_cache(maxsize=1)
def _parser() -> CELParser:
    return CELParser()


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _subtrees(tree: Tree) -> list[Tree]:
    return [child for child in tree.children if isinstance(child, Tree)]


def _node(tree: Tree) -> object:  # noqa: C901 - one branch per grammar rule, flat on purpose
    """The parse tree reduced to the few forms rules take; Unreadable for anything else."""
    children = _subtrees(tree)
    kind = tree.data
    if kind == "relation" and len(children) == 2 and children[0].data in OPERATORS:
        # `a < b` parses as relation(relation_lt(a), b).
        (left,) = _subtrees(children[0])
        return Compare(OPERATORS[children[0].data], _node(left), _node(children[1]))
    if kind in ("expr", "relation", "addition", "multiplication", "member", "primary"):
        if len(children) != 1:
            raise Unreadable(kind)
        return _node(children[0])
    if kind in ("conditionalor", "conditionaland"):
        operator = "or" if kind == "conditionalor" else "and"
        parts = [_node(child) for child in children]
        if len(parts) == 1:
            return parts[0]
        first = parts[0]
        if isinstance(first, Junction) and first.operator == operator:
            return Junction(operator, (*first.items, *parts[1:]))
        return Junction(operator, tuple(parts))
    if kind == "unary":
        if len(children) == 2 and children[0].data == "unary_not":
            return Not(_node(children[1]))
        if len(children) == 1:
            return _node(children[0])
        raise Unreadable(kind)
    if kind == "member_dot":
        base = _node(children[0])
        name = next(child for child in tree.children if isinstance(child, Token))
        if not isinstance(base, Path):
            raise Unreadable(kind)
        return Path(f"{base.dotted}.{name}")
    if kind == "ident":
        return Path(str(tree.children[0]))
    if kind == "literal":
        return Value(_literal(tree.children[0]))
    if kind == "paren_expr":
        return _node(children[0])
    raise Unreadable(kind)


def _literal(token: object) -> Any:
    if not isinstance(token, Token):
        raise Unreadable("literal")
    text = str(token)
    if token.type == "BOOL_LIT":
        return text == "true"
    if token.type in ("INT_LIT", "UINT_LIT"):
        return int(text.rstrip("uU"), 0)
    if token.type == "FLOAT_LIT":
        return float(text)
    if (
        token.type == "STRING_LIT"
        and text[:1] in ("'", '"')
        and not text.startswith(("'''", '"""'))
    ):
        try:
            return str(ast.literal_eval(text))
        except (ValueError, SyntaxError) as error:
            raise Unreadable("string") from error
    raise Unreadable(token.type)


class _Words:
    """Puts one rule into words in one language."""

    def __init__(self, language: str, questions: dict[str, Question]) -> None:
        self.language = language
        self.words = WORDS[language]
        self.questions = questions

    def condition(self, node: object, within: str = "") -> str:
        """A condition (something that holds or not) as a clause."""
        if isinstance(node, Junction):
            text = f" {self.words[node.operator]} ".join(
                self.condition(item, node.operator) for item in node.items
            )
            return f"({text})" if within and within != node.operator else text
        if isinstance(node, Not):
            return self.negated(node.item)
        if isinstance(node, Path):
            return self.yes_no(node, holds=True)
        if isinstance(node, Compare):
            return self.comparison(node)
        raise Unreadable("condition")

    def negated(self, node: object) -> str:
        if isinstance(node, Path):
            return self.yes_no(node, holds=False)
        return self.words["not"].format(condition=self.condition(node, "not"))

    def yes_no(self, path: Path, holds: bool) -> str:
        """A yes/no fact or answer that holds (or does not)."""
        if path.dotted in YES_NO_FACTS:
            return YES_NO_FACTS[path.dotted][0 if holds else 1][self.language]
        question = self.question(path)
        if question is None or question.kind != "yes-no":
            raise Unreadable(path.dotted)
        return self.words["yes" if holds else "no"].format(label=self.label(question))

    def comparison(self, node: Compare) -> str:
        left, operator, right = node.left, node.operator, node.right
        if isinstance(left, Value) and isinstance(right, Path):
            left, operator, right = right, MIRRORED[operator], left
        if not isinstance(left, Path):
            raise Unreadable("comparison")
        if isinstance(right, Value) and isinstance(right.value, bool) and operator in ("==", "!="):
            return self.yes_no(left, holds=right.value == (operator == "=="))
        if isinstance(right, Value) and right.value == "" and operator in ("==", "!="):
            return self.words["unknown" if operator == "==" else "known"].format(
                noun=self.noun(left)
            )
        verb = self.verb(operator, self.is_date(left) or self.is_date(right))
        return f"{self.noun(left)} {verb} {self.operand(right, left)}"

    def verb(self, operator: str, dates: bool) -> str:
        if operator in ("==", "!="):
            return self.words[operator]
        return (DATE_WORDS if dates else NUMBER_WORDS)[self.language][operator]

    def operand(self, node: object, compared_with: Path) -> str:
        if isinstance(node, Path):
            return self.noun(node)
        if not isinstance(node, Value) or isinstance(node.value, bool):
            raise Unreadable("operand")
        if isinstance(node.value, str):
            return f"“{self.choice(compared_with, node.value)}”"
        return str(node.value)

    def noun(self, path: Path) -> str:
        """A fact or answer as a noun phrase."""
        if path.dotted in FACT_NAMES:
            return FACT_NAMES[path.dotted][self.language]
        question = self.question(path)
        if question is None:
            raise Unreadable(path.dotted)
        key = "date-answer" if question.kind == "date" else "answer"
        return self.words[key].format(label=self.label(question))

    def choice(self, path: Path, value: str) -> str:
        """The label of a choice answer's option, or the value itself."""
        question = self.question(path)
        for option in (question.choices or []) if question is not None else []:
            if isinstance(option, dict) and option.get("value") == value:
                return str(option.get(self.language) or option.get("nl") or value)
        return value

    def question(self, path: Path) -> Question | None:
        prefix, _, key = path.dotted.partition(".")
        return self.questions.get(key) if prefix == "answers" else None

    def label(self, question: Question) -> str:
        return str(getattr(question, f"label_{self.language}", "") or question.label_nl).strip()

    def is_date(self, node: object) -> bool:
        if not isinstance(node, Path):
            return False
        question = self.question(node)
        return node.dotted in DATE_PATHS or (question is not None and question.kind == "date")
