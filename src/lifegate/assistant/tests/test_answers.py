"""What the assistant suggests, in Dutch and English: life events and services from the
catalogue, best first, and nothing when nothing fits."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lifegate.assistant import services
from lifegate.catalogue.loader import LoadReport
from lifegate.catalogue.models import LifeEvent, PublicService

pytestmark = pytest.mark.django_db


def slugs(question: str, language: str = "nl") -> list[str]:
    return [s.entry.slug for s in services.ask(question, language).suggestions]


@pytest.mark.parametrize(
    ("question", "language", "first"),
    [
        ("we're expecting a baby", "en", "birth"),
        ("wij verhuizen volgend jaar naar Zweden", "nl", "moving-abroad"),
        ("my father passed away", "en", "death-of-a-relative"),
        ("ik wil een eenmanszaak beginnen", "nl", "starting-a-business"),
        ("kinderbijslag aanvragen", "nl", "child-benefit"),
        ("I want to file my VAT return", "en", "vat-return"),
    ],
)
def test_it_suggests_the_matching_entry_first_in_dutch_and_english(
    catalogue: LoadReport, question: str, language: str, first: str
) -> None:
    assert slugs(question, language)[0] == first


def test_the_question_may_be_in_either_language_whatever_the_page_language(
    catalogue: LoadReport,
) -> None:
    assert slugs("my father passed away", "nl")[0] == "death-of-a-relative"
    assert slugs("mijn vader is overleden", "en")[0] == "death-of-a-relative"


def test_it_ranks_several_suggestions_best_first(catalogue: LoadReport) -> None:
    answer = services.ask("we krijgen een baby, hoe zit het met kinderbijslag", "nl")
    scores = [suggestion.score for suggestion in answer.suggestions]
    assert len(scores) > 1
    assert scores == sorted(scores, reverse=True)
    assert {"birth", "child-benefit"} <= {s.entry.slug for s in answer.suggestions}


def test_suggestions_are_catalogue_entries_with_their_catalogue_names(
    catalogue: LoadReport,
) -> None:
    answer = services.ask("we gaan verhuizen en krijgen huurtoeslag", "nl")
    assert answer.suggestions
    for suggestion in answer.suggestions:
        model = LifeEvent if suggestion.entry.kind == "life-event" else PublicService
        stored = model.objects.get(slug=suggestion.entry.slug)
        assert suggestion.entry.item.name_nl == stored.name_nl


def test_something_the_catalogue_does_not_cover_gets_no_suggestion_but_the_helpdesk(
    catalogue: LoadReport,
) -> None:
    answer = services.ask("recipe for apple pie", "en")
    assert not answer.matched
    assert answer.suggestions == []
    channel_slugs = {c.slug for agency in answer.helpdesk for c in agency.channels}
    assert channel_slugs == {"gemeente-utrecht-phone", "gemeente-utrecht-counter"}


def test_an_empty_catalogue_matches_nothing(db: None) -> None:
    assert not services.ask("we krijgen een baby", "nl").matched


@pytest.mark.parametrize("question", ["", "   ", "x" * (services.MAX_QUESTION_LENGTH + 1)])
def test_empty_and_overlong_questions_are_refused(catalogue: LoadReport, question: str) -> None:
    with pytest.raises(services.InvalidQuestion):
        services.ask(question, "nl")


def test_answering_reads_nothing_from_the_database_once_indexed(catalogue: LoadReport) -> None:
    services.ask("paspoort", "nl")
    with CaptureQueriesContext(connection) as queries:
        services.ask("my passport has expired", "en")
    assert len(queries) == 0


def test_a_catalogue_edit_is_found_after_the_next_revision(
    catalogue: LoadReport, django_capture_on_commit_callbacks
) -> None:
    assert not services.ask("hondenbelasting", "nl").matched
    service = PublicService.objects.get(slug="income-tax-return")
    with django_capture_on_commit_callbacks(execute=True):
        service.keywords_nl += ", hondenbelasting"
        service.save()
    assert slugs("hondenbelasting", "nl")[0] == "income-tax-return"
