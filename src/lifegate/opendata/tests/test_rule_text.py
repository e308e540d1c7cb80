"""Plan rules put into words: facts by name, questions by their label, choices by their
label, and nothing guessed for a form the renderer does not know."""

from dataclasses import dataclass, field
from typing import Any

import pytest

from lifegate.catalogue.rules import FACT_SCHEMA, PREFILL_PATHS
from lifegate.opendata.fact_labels import FACT_NAMES, YES_NO_FACTS
from lifegate.opendata.rule_text import rule_text


@dataclass
class Question:
    key: str
    kind: str
    label_nl: str
    label_en: str
    choices: Any = field(default_factory=list)


QUESTIONS = [
    Question(
        "travel_abroad", "yes-no", "Reist u naar het buitenland?", "Are you travelling abroad?"
    ),
    Question("move_date", "date", "Wanneer verhuist u?", "When do you move?"),
    Question(
        "relation",
        "choice",
        "Wie is er overleden?",
        "Who has died?",
        [{"value": "partner", "nl": "Mijn partner", "en": "My partner"}],
    ),
]


@pytest.mark.parametrize(
    ("rule", "english", "dutch"),
    [
        ("person.age >= 18", "Your age is at least 18", "Uw leeftijd is minstens 18"),
        ("18 <= person.age", "Your age is at least 18", "Uw leeftijd is minstens 18"),
        ("!person.is_resident", "You do not live in the Netherlands", "U woont niet in Nederland"),
        ("person.is_dutch == false", "You do not have Dutch nationality", None),
        (
            "answers.travel_abroad",
            "You answered yes to “Are you travelling abroad?”",
            "U hebt “Reist u naar het buitenland?” met ja beantwoord",
        ),
        (
            "answers.relation == 'partner'",
            "The answer to “Who has died?” is “My partner”",
            "Het antwoord op “Wie is er overleden?” is “Mijn partner”",
        ),
        (
            "answers.move_date > today",
            "The date given for “When do you move?” is after today",
            "De datum bij “Wanneer verhuist u?” ligt na vandaag",
        ),
        (
            "minor_children > 0 || (person.state_pension_date != '' && "
            "person.state_pension_date <= today)",
            "The number of your children under 18 is more than 0 or (your state pension date "
            "is known and your state pension date is on or before today)",
            "Het aantal kinderen onder 18 jaar is groter dan 0 of (uw AOW-datum is bekend en "
            "uw AOW-datum ligt op of vóór vandaag)",
        ),
        (
            "!(person.is_dutch || person.is_eu_citizen)",
            "It is not the case that (you have Dutch nationality or you are an EU citizen)",
            None,
        ),
    ],
)
def test_rules_read_as_sentences_in_both_languages(rule, english, dutch):
    text = rule_text(rule, QUESTIONS)

    assert text is not None
    assert text["en"] == english
    if dutch:
        assert text["nl"] == dutch


@pytest.mark.parametrize(
    "rule",
    [
        "",
        "person.age + 1 > 18",
        "person.nationality in ['NL', 'BE']",
        "size(children) > 0",
        "answers.unknown_question",
        "person.no_such_fact == 1",
        "person.age >=",
    ],
)
def test_forms_it_cannot_put_into_words_give_no_text(rule):
    assert rule_text(rule, QUESTIONS) is None


def test_every_fact_a_rule_may_read_has_a_name():
    named = set(FACT_NAMES) | set(YES_NO_FACTS)

    assert named == set(PREFILL_PATHS)
    assert set(YES_NO_FACTS) == {path for path in PREFILL_PATHS if isinstance(_sample(path), bool)}


def _sample(path: str) -> object:
    value: Any = FACT_SCHEMA
    for part in path.split("."):
        value = value[part]
    return value
