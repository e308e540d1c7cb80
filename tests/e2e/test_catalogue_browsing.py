"""A visitor browses the catalogue without logging in, in Dutch and in English."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.browser


def test_a_visitor_browses_a_life_event_in_dutch_then_switches_to_english(page, demo_site):
    page.goto(f"{demo_site.url}/catalogue/life-events/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", level=1)).to_have_text("Levensgebeurtenissen")
    assert_accessible(page)

    page.get_by_role("link", name="Er is een kind geboren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Er is een kind geboren")
    steps = page.locator("main ol.utrecht-ordered-list > li")
    expect(steps.first).to_contain_text("Geboorteaangifte doen")
    assert_accessible(page)

    steps.first.get_by_role("link", name="Geboorteaangifte doen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Geboorteaangifte doen")
    expect(page.locator("main")).to_contain_text("Binnen 3 dagen na de geboorte")
    assert_accessible(page)

    page.get_by_role("navigation", name="Taal").get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Registering a birth")
    assert_accessible(page)

    # The choice is remembered on the next page.
    page.get_by_role("link", name="Life events").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Life events")
    expect(page.get_by_role("link", name="Moving abroad")).to_be_visible()


def test_a_visitor_searches_services_in_both_languages(page, demo_site):
    page.goto(f"{demo_site.url}/catalogue/search/")
    page.get_by_role("searchbox").fill("kinderbijslag")
    page.get_by_role("searchbox").press("Enter")
    results = page.locator("section[aria-labelledby=results-heading]")
    expect(page.locator("#results-heading")).to_contain_text("gevonden voor")
    expect(results.get_by_role("link", name=re.compile("Kinderbijslag"))).to_be_visible()
    assert_accessible(page)

    page.goto(f"{demo_site.url}/catalogue/search/?q=xyzzy-nothing")
    expect(page.locator("main")).to_contain_text("Geen diensten gevonden")


def test_an_unknown_service_shows_a_readable_not_found_page(page, demo_site):
    response = page.goto(f"{demo_site.url}/catalogue/services/no-such-service/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Pagina niet gevonden")


def test_a_service_page_fits_a_phone_screen(page, demo_site):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{demo_site.url}/catalogue/services/birth-registration/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Geboorteaangifte doen")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px on a phone"
    assert_accessible(page)
