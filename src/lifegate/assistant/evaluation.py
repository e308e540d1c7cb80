"""Measuring the assistant against its test set (data/test_set.yaml): top-1 and top-3 accuracy,
and whether questions the catalogue cannot answer are told so.

The development part is for developing and for the tests; the held-out part is only read by
the benchmark (bench/assistant.py) for the published figures."""

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from lifegate.assistant.services import ask

TEST_SET_FILE = Path(__file__).parent / "data" / "test_set.yaml"
PARTS = ("development", "held_out")
NONE = "none"


@dataclass(frozen=True)
class Phrasing:
    """A labelled phrasing: the expected first entry (a slug, or "none") and equally right
    alternatives."""

    question: str
    language: str
    expect: str
    also: tuple[str, ...] = ()

    @property
    def right(self) -> set[str]:
        return {self.expect, *self.also}


@dataclass
class Outcome:
    """Where the right entry ended up for one phrasing: its rank from 1, 0 when absent."""

    phrasing: Phrasing
    suggested: list[str]
    rank: int


@dataclass
class Evaluation:
    """Accuracy over a part of the test set."""

    outcomes: list[Outcome] = field(default_factory=list)

    def accuracy(self, within: int) -> float:
        """Share of phrasings whose right entry is among the first `within` suggestions (for
        "none": that nothing was suggested)."""
        hits = sum(1 for o in self.outcomes if 0 < o.rank <= within)
        return hits / len(self.outcomes) if self.outcomes else 0.0

    def failures(self, within: int) -> list[Outcome]:
        return [o for o in self.outcomes if not 0 < o.rank <= within]

    def of(self, none: bool) -> "Evaluation":
        """Only the "none" phrasings, or only the others."""
        return Evaluation([o for o in self.outcomes if (o.phrasing.expect == NONE) == none])


@cache
def phrasings(part: str) -> list[Phrasing]:
    """The phrasings of one part (`development` or `held_out`)."""
    if part not in PARTS:
        raise ValueError(f"unknown part {part!r}")
    with TEST_SET_FILE.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return [
        Phrasing(
            question=str(row["q"]),
            language=str(row["lang"]),
            expect=str(row["expect"]),
            also=tuple(str(slug) for slug in row.get("also", [])),
        )
        for row in data[part]
    ]


def outcome(phrasing: Phrasing) -> Outcome:
    """Ask the assistant and rank its answer against the label."""
    answer = ask(phrasing.question, phrasing.language)
    suggested = [suggestion.entry.slug for suggestion in answer.suggestions]
    if phrasing.expect == NONE:
        rank = 0 if suggested else 1
    else:
        ranks = [i for i, slug in enumerate(suggested, 1) if slug in phrasing.right]
        rank = ranks[0] if ranks else 0
    return Outcome(phrasing, suggested, rank)


def evaluate(part: str) -> Evaluation:
    """Every phrasing of the part, asked once."""
    return Evaluation([outcome(phrasing) for phrasing in phrasings(part)])
