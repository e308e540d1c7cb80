"""Residents and EU citizens log in through the development identity provider (real OIDC)."""

import pytest
from playwright.sync_api import expect

from lifegate.registries.services import demo_personas
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.browser


def _persona(key):
    return next(p for p in demo_personas() if p.key == key)


def test_a_resident_logs_in_with_digid_and_sees_their_home_page(page, demo_site):
    resident = _persona("parent")
    page.goto(demo_site.url)
    page.get_by_role("navigation").get_by_role("link", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen")
    assert_accessible(page)
    page.get_by_role("button", name="Inloggen met DigiD").click()

    # The development identity provider's persona page (a separate OIDC provider).
    page.wait_for_url("**/dev-idp/authorize**")
    page.locator(f"input[value='{resident.key}|substantial']").check()
    assert_accessible(page)
    page.get_by_role("button", name="Inloggen als deze persoon").click()

    # A parent of minors may act for them: after login they first choose whom they act for.
    expect(page.get_by_role("heading", level=1)).to_have_text("Namens wie handelt u?")
    expect(page.locator("#person-self")).to_be_checked()
    assert_accessible(page)
    page.get_by_role("button", name="Verder").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(resident.family_name)
    expect(page.locator("#acting-for")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("substantieel")
    expect(page.locator("#section-messages")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_role("navigation").get_by_role("link", name="Inloggen")).to_be_visible()


def test_an_eu_citizen_logs_in_through_eidas_in_english(page, demo_site):
    citizen = _persona("eu-ee")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": demo_site.url}])
    page.goto(f"{demo_site.url}/identity/login/")
    page.get_by_role("button", name="Log in with your European eID (eIDAS)").click()
    page.locator(f"input[value='{citizen.key}|high']").check()
    page.get_by_role("button", name="Log in as this person").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_contain_text(citizen.given_name)
    expect(page.locator("main")).to_contain_text("high")


def test_a_service_needing_substantial_asks_a_low_session_to_log_in_again(page, demo_site):
    low = _persona("elderly")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": demo_site.url}])
    page.goto(f"{demo_site.url}/identity/login/")
    page.get_by_role("button", name="Log in with DigiD (Dutch residents)").click()
    page.locator(f"input[value='{low.key}|low']").check()
    page.get_by_role("button", name="Log in as this person").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")

    page.goto(f"{demo_site.url}/catalogue/services/birth-registration/start/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page.locator("main")).to_contain_text("needs a stronger means of login")
