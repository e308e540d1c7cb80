"""The assistant's measured quality on the development part of its test set
(data/test_set.yaml). The held-out part is not read here: bench/assistant.py reports it."""

import pytest

from lifegate.assistant.evaluation import NONE, PARTS, evaluate, phrasings
from lifegate.catalogue.loader import LoadReport
from lifegate.catalogue.models import LifeEvent, PublicService

# The bar for the development part; the figures at the time of writing were about 0.97 top-3
# and 0.92 top-1 (see docs/benchmarks.md for the held-out part).
MIN_TOP3 = 0.9
MIN_TOP1 = 0.8
MIN_NONE_TOLD = 0.9


def test_the_test_set_is_large_varied_and_split_in_two_fixed_parts() -> None:
    development, held_out = (phrasings(part) for part in PARTS)
    everything = development + held_out
    assert len(everything) >= 150
    assert len(held_out) >= 50 and len(development) >= 100
    assert {p.question for p in development}.isdisjoint({p.question for p in held_out})
    assert sum(1 for p in everything if p.expect == NONE) >= 15
    assert {p.language for p in development} == {p.language for p in held_out} == {"nl", "en"}
    assert all(any(p.expect == NONE for p in part) for part in (development, held_out))


@pytest.mark.django_db
def test_every_label_is_an_entry_of_the_catalogue(catalogue: LoadReport) -> None:
    known = set(LifeEvent.objects.values_list("slug", flat=True))
    known |= set(PublicService.objects.values_list("slug", flat=True))
    labels = {slug for part in PARTS for p in phrasings(part) for slug in p.right} - {NONE}
    assert labels - known == set()


@pytest.mark.django_db
def test_development_part_top3_and_top1_accuracy_clear_the_bar(catalogue: LoadReport) -> None:
    evaluation = evaluate("development")
    missed = [(o.phrasing.question, o.suggested[:3]) for o in evaluation.failures(3)]
    assert evaluation.accuracy(3) >= MIN_TOP3, missed
    assert evaluation.accuracy(1) >= MIN_TOP1


@pytest.mark.django_db
def test_development_questions_without_a_match_are_told_so(catalogue: LoadReport) -> None:
    unanswerable = evaluate("development").of(none=True)
    assert len(unanswerable.outcomes) >= 10
    assert unanswerable.accuracy(1) >= MIN_NONE_TOLD, [
        (o.phrasing.question, o.suggested) for o in unanswerable.failures(1)
    ]
