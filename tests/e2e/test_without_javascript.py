"""Everything works without JavaScript and under the real Content-Security-Policy."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from lifegate.registries.services import demo_personas

pytestmark = pytest.mark.browser


def test_browsing_switching_language_and_logging_in_work_without_javascript(plain_page, demo_site):
    page = plain_page
    blocked = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    page.goto(f"{demo_site.url}/catalogue/life-events/")
    page.get_by_role("link", name="Verhuizen binnen Nederland").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verhuizen binnen Nederland")
    page.get_by_role("navigation", name="Taal").get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Moving house within the Netherlands")

    resident = next(p for p in demo_personas() if p.key == "resident-substantial")
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Log in"
    ).click()
    page.get_by_role("button", name="Log in with DigiD (Dutch residents)").click()
    page.locator(f"input[value='{resident.key}|substantial']").check()
    page.get_by_role("button", name="Log in as this person").click()
    # Back where the person started, now logged in.
    expect(page.get_by_role("heading", level=1)).to_have_text("Moving house within the Netherlands")
    page.get_by_role("link", name="My page").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(resident.family_name)
    assert not blocked, f"the Content-Security-Policy blocked something: {blocked}"


def test_login_works_when_the_provider_is_on_another_origin(plain_page, demo_site, settings):
    """Chrome applies the login form's CSP form-action to every redirect that follows it: the
    portal at 127.0.0.1 must be allowed to reach the provider at localhost, and back."""
    page = plain_page
    portal = demo_site.url.replace("localhost", "127.0.0.1")
    assert portal != demo_site.url, "the live server must answer on localhost for this test"
    settings.OIDC_DISCOVERY_URL = f"{demo_site.url}/dev-idp/.well-known/openid-configuration"
    blocked = []
    page.on(
        "console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None
    )

    resident = next(p for p in demo_personas() if p.key == "resident-high")
    page.goto(f"{portal}/identity/login/?next=/")
    page.get_by_role("button", name="Inloggen met DigiD").click()
    page.wait_for_url(f"{demo_site.url}/dev-idp/authorize**")
    page.locator(f"input[value='{resident.key}|high']").check()
    page.get_by_role("button", name="Inloggen als deze persoon").click()

    page.wait_for_url(f"{portal}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(resident.family_name)

    # Logging out ends the login at the provider too, and comes back to the portal.
    provider_visits = []
    page.on(
        "request",
        lambda r: provider_visits.append(r.url) if "/dev-idp/logout" in r.url else None,
    )
    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url(f"{portal}/identity/logout/")
    expect(page.get_by_role("heading", level=1)).to_have_text("U bent uitgelogd")
    assert [urlsplit(url).netloc for url in provider_visits] == [urlsplit(demo_site.url).netloc]
    assert not blocked, blocked
