"""Everything works without JavaScript and under the real Content-Security-Policy."""

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
