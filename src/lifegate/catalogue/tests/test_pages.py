"""The public catalogue pages, in Dutch and English, and starting a service."""

import re
from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from lifegate.catalogue.tests.factories import CatalogueFixture, build_catalogue, make_requirement
from lifegate.core.subject import Subject
from lifegate.identity.assurance import LevelOfAssurance
from lifegate.identity.session import SESSION_KEY, Authentication, session_value

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue() -> CatalogueFixture:
    return build_catalogue()


def get(client: Client, url: str, language: str = "nl") -> str:
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def log_in(client: Client, loa: LevelOfAssurance) -> None:
    session = client.session
    authentication = Authentication(
        subject=Subject("bsn", "999993653"),
        loa=loa,
        authenticated_at=datetime.now(UTC),
        issuer="test",
    )
    session[SESSION_KEY] = session_value(authentication)
    session.save()


def test_life_events_page_lists_life_events_then_business_events(
    client: Client, catalogue: CatalogueFixture
) -> None:
    html = get(client, reverse("catalogue:life-events"))
    positions = [
        html.index(name)
        for name in (
            "Geboorte van een kind",
            "Verhuizen",
            "Met pensioen gaan",
            "Een bedrijf starten",
        )
    ]
    assert positions == sorted(positions)
    assert "Alles over verhuizen." in html
    assert html.count("<h1") == 1


def test_life_events_page_is_in_english_with_the_language_cookie(
    client: Client, catalogue: CatalogueFixture
) -> None:
    html = get(client, reverse("catalogue:life-events"), "en")
    assert 'lang="en"' in html
    assert "A child is born" in html
    assert "Geboorte van een kind" not in html


def test_life_events_page_follows_accept_language(
    client: Client, catalogue: CatalogueFixture
) -> None:
    response = client.get(reverse("catalogue:life-events"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Starting a business" in response.content.decode()


def test_life_event_page_lists_services_in_position_order(
    client: Client, catalogue: CatalogueFixture
) -> None:
    html = get(client, reverse("catalogue:life-event", args=["birth"]))
    assert html.index("Aangifte van geboorte") < html.index("Kinderbijslag aanvragen")
    assert '<ol class="utrecht-ordered-list">' in html
    assert "Gemeente Utrecht" in html and "Sociale Verzekeringsbank" in html
    assert "Binnen 3 dagen na de geboorte" in html
    assert reverse("catalogue:service", args=["child-benefit"]) in html


def test_life_event_page_in_english_shows_english_service_names(
    client: Client, catalogue: CatalogueFixture
) -> None:
    html = get(client, reverse("catalogue:life-event", args=["birth"]), "en")
    assert html.index("Registering a birth") < html.index("Applying for child benefit")
    assert "Within 3 days of the birth" in html
    assert "Kinderbijslag aanvragen" not in html


def test_service_page_shows_cost_channels_requirements_and_law(
    client: Client, catalogue: CatalogueFixture
) -> None:
    html = get(client, reverse("catalogue:service", args=["register-birth"]), "en")
    assert '<h1 class="utrecht-heading-1">Registering a birth</h1>' in html
    assert "Municipality of Utrecht" in html
    assert "Free of charge" in html
    assert "You are a parent" in html and "Birth statement" in html
    assert "14 030" in html and "Mon-Fri 8:00-17:00" in html and "By appointment" in html
    assert "Civil Code Book 1" in html
    assert "Within 3 days of the birth" in html
    assert reverse("catalogue:service-start", args=["register-birth"]) in html


def test_service_page_shows_an_amount_in_euros(client: Client, catalogue: CatalogueFixture) -> None:
    assert "€ 84,50" in get(client, reverse("catalogue:service", args=["passport"]))
    assert "€ 84.50" in get(client, reverse("catalogue:service", args=["passport"]), "en")


def test_service_page_shows_sdg_badge_and_processing_time(
    client: Client, catalogue: CatalogueFixture
) -> None:
    html = get(client, reverse("catalogue:service", args=["change-address"]), "en")
    assert "utrecht-badge-status" in html and "Notifying a change of address" in html
    assert "5 working days" in html


def test_service_without_online_start_has_no_start_button(
    client: Client, catalogue: CatalogueFixture
) -> None:
    html = get(client, reverse("catalogue:service", args=["passport"]), "en")
    assert reverse("catalogue:service-start", args=["passport"]) not in html
    assert "Stadsplateau 1, Utrecht" in html


def test_english_page_marks_dutch_fallback_text(
    client: Client, catalogue: CatalogueFixture
) -> None:
    catalogue.child_benefit.description_en = ""
    catalogue.child_benefit.save()
    html = get(client, reverse("catalogue:service", args=["child-benefit"]), "en")
    assert '<span lang="nl">Zo regelt u: Kinderbijslag aanvragen.</span>' in html


@pytest.mark.parametrize(
    "url",
    [
        "/catalogue/life-events/no-such-event/",
        "/catalogue/services/no-such-service/",
        "/catalogue/services/nope/start/",
    ],
)
def test_unknown_slug_is_a_404_page(client: Client, catalogue: CatalogueFixture, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert "portal/error.html" in [t.name for t in response.templates]


def test_service_page_takes_a_fixed_number_of_queries(
    client: Client, catalogue: CatalogueFixture, django_assert_max_num_queries
) -> None:
    for number in range(5):
        make_requirement(
            catalogue.register_birth, f"extra-{number}", f"Eis {number}", f"Requirement {number}"
        )
    with django_assert_max_num_queries(10):
        get(client, reverse("catalogue:service", args=["register-birth"]))


def test_pages_have_no_inline_style_or_script(client: Client, catalogue: CatalogueFixture) -> None:
    for url in (
        reverse("catalogue:life-events"),
        reverse("catalogue:service", args=["register-birth"]),
    ):
        html = get(client, url)
        assert not re.search(r"<script|style=", html)


def test_start_sends_anonymous_visitors_to_log_in(
    client: Client, catalogue: CatalogueFixture
) -> None:
    start = reverse("catalogue:service-start", args=["child-benefit"])
    response = client.get(start)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("identity:login") + "?")
    assert "next=%2Fcatalogue%2Fservices%2Fchild-benefit%2Fstart%2F" in response["Location"]


def test_start_asks_a_low_session_to_log_in_again_at_substantial(
    client: Client, catalogue: CatalogueFixture
) -> None:
    log_in(client, "low")
    response = client.get(reverse("catalogue:service-start", args=["child-benefit"]))
    assert response.status_code == 302
    assert "level=substantial" in response["Location"]
    assert "next=%2Fcatalogue%2Fservices%2Fchild-benefit%2Fstart%2F" in response["Location"]


def test_start_with_a_sufficient_session_continues_at_the_agency(
    client: Client, catalogue: CatalogueFixture
) -> None:
    log_in(client, "substantial")
    html = get(client, reverse("catalogue:service-start", args=["child-benefit"]), "en")
    assert "Social Insurance Bank" in html
    assert 'href="https://svb.example.nl/child-benefit"' in html


def test_start_of_a_low_service_accepts_a_low_session(
    client: Client, catalogue: CatalogueFixture
) -> None:
    log_in(client, "low")
    html = get(client, reverse("catalogue:service-start", args=["register-birth"]))
    assert 'href="https://gemeente-utrecht.example.nl/register-birth"' in html


def test_start_of_a_high_service_asks_substantial_session_for_high(
    client: Client, catalogue: CatalogueFixture
) -> None:
    log_in(client, "substantial")
    response = client.get(reverse("catalogue:service-start", args=["register-business"]))
    assert response.status_code == 302 and "level=high" in response["Location"]


def test_start_of_a_service_not_online_lists_how_to_reach_the_agency(
    client: Client, catalogue: CatalogueFixture
) -> None:
    log_in(client, "low")
    html = get(client, reverse("catalogue:service-start", args=["passport"]), "en")
    assert "This service cannot be started online" in html
    assert "Stadsplateau 1, Utrecht" in html
