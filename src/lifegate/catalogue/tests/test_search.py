"""Searching services in Dutch and English: the service function and the search page."""

import pytest
from django.test import Client
from django.urls import reverse

from lifegate.catalogue import services
from lifegate.catalogue.tests.factories import CatalogueFixture, build_catalogue, make_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue() -> CatalogueFixture:
    return build_catalogue()


def found(query: str, language: str = "nl") -> list[str]:
    return [hit.service.slug for hit in services.search_services(query, language).hits]


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("studiefinanciering", "student-finance"),
        ("Moving", "change-address"),
        ("kinderbijslag", "child-benefit"),
        ("pension", "state-pension"),
        ("KINDERBIJSLAG", "child-benefit"),
        ("student finance", "student-finance"),
        ("handelsregister", "register-business"),
    ],
)
def test_search_finds_services_by_dutch_and_english_words(
    catalogue: CatalogueFixture, query: str, slug: str
) -> None:
    assert found(query)[0] == slug


def test_search_ignores_accents_both_ways(catalogue: CatalogueFixture) -> None:
    assert found("financiele") == ["student-finance"]
    assert found("Financiële") == ["student-finance"]
    catalogue.passport.name_nl = "Paspoort aanvragen (reünie)"
    catalogue.passport.save()
    assert found("reunie") == ["passport"]


def test_search_finds_services_by_organisation_name(catalogue: CatalogueFixture) -> None:
    assert set(found("Sociale Verzekeringsbank")) == {"child-benefit", "state-pension"}
    assert set(found("Social Insurance")) == {"child-benefit", "state-pension"}


def test_search_ranks_name_matches_above_description_matches(catalogue: CatalogueFixture) -> None:
    make_service(
        "about-passports",
        catalogue.svb,
        "Informatie",
        "Information",
        description_nl="Over het paspoort.",
    )
    assert found("paspoort") == ["passport", "about-passports"]


def test_search_needs_every_word_to_match(catalogue: CatalogueFixture) -> None:
    assert found("kinderbijslag pensioen") == []
    assert found("aanvragen pensioen") == ["state-pension"]


def test_search_marks_where_it_matched(catalogue: CatalogueFixture) -> None:
    hit = services.search_services("kinderbijslag", "en").hits[0]
    assert hit.title == [("Applying for child benefit", False)]
    assert ("name", "nl") in [(highlight.field, highlight.language) for highlight in hit.highlights]
    name_nl = next(h for h in hit.highlights if h.field == "name")
    assert name_nl.fragments == [("Kinderbijslag", True), (" aanvragen", False)]


def test_search_ignores_empty_punctuation_and_overlong_queries(catalogue: CatalogueFixture) -> None:
    assert services.search_services("", "nl").hits == []
    assert services.search_services("?!*(", "nl").hits == []
    assert services.search_services("a" * 201, "nl").hits == []


def test_search_survives_regex_characters(catalogue: CatalogueFixture) -> None:
    assert found("kinder[bijslag") == ["child-benefit"]
    assert found("(kinderbijslag)*") == ["child-benefit"]


def test_filter_services_by_text_in_one_language(catalogue: CatalogueFixture) -> None:
    assert list(
        services.filter_services(text="pension", language="en").values_list("slug", flat=True)
    ) == ["state-pension"]
    assert not services.filter_services(text="pension", language="nl").exists()


def test_search_page_shows_results_with_highlights(
    client: Client, catalogue: CatalogueFixture
) -> None:
    client.cookies["django_language"] = "en"
    response = client.get(reverse("catalogue:search"), {"q": "studiefinanciering"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Applying for student finance" in html
    assert (
        '<span lang="nl"><mark class="utrecht-mark">Studiefinanciering</mark> aanvragen</span>'
        in html
    )
    assert reverse("catalogue:service", args=["student-finance"]) in html


def test_search_page_in_dutch_marks_the_match_in_the_title(
    client: Client, catalogue: CatalogueFixture
) -> None:
    html = client.get(reverse("catalogue:search"), {"q": "kinderbijslag"}).content.decode()
    assert '<mark class="utrecht-mark">Kinderbijslag</mark> aanvragen' in html


def test_search_page_says_when_nothing_matches(client: Client, catalogue: CatalogueFixture) -> None:
    client.cookies["django_language"] = "en"
    html = client.get(reverse("catalogue:search"), {"q": "ruimtevaart"}).content.decode()
    assert "No services match “ruimtevaart”" in html
    assert reverse("catalogue:life-events") in html


def test_search_page_without_query_shows_the_labelled_form(
    client: Client, catalogue: CatalogueFixture
) -> None:
    html = client.get(reverse("catalogue:search")).content.decode()
    assert '<label class="utrecht-form-label" for="search-query">' in html
    assert 'id="search-query"' in html
    assert "results-heading" not in html


def test_search_page_explains_an_overlong_query(
    client: Client, catalogue: CatalogueFixture
) -> None:
    client.cookies["django_language"] = "en"
    response = client.get(reverse("catalogue:search"), {"q": "kinderbijslag " * 30})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Your search is too long. Use at most 200 characters." in html
    assert 'aria-invalid="true"' in html
    assert "results-heading" not in html


def test_search_page_escapes_the_query(client: Client, catalogue: CatalogueFixture) -> None:
    response = client.get(reverse("catalogue:search"), {"q": "<script>alert(1)</script>"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)" in html  # shown, as text
