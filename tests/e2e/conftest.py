"""Browser tests: Playwright drives Debian's Chromium (tests/browser_fixtures.py) against the
app served by pytest-django's live server."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from lifegate.catalogue.models import PublicOrganisation
from lifegate.journeys.models import AgencyStaff

AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def page(chromium) -> Iterator:
    """A fresh browser context (no cookies) per test.

    CSP is bypassed only so that axe can be injected."""
    context = chromium.new_context(locale="nl-NL", bypass_csp=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def plain_page(chromium) -> Iterator:
    """A context with JavaScript off and the real Content-Security-Policy in force."""
    context = chromium.new_context(locale="nl-NL", java_script_enabled=False)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def demo_site(live_server, settings, transactional_db):
    """The live server with the demo catalogue and population, logging in through its own
    development identity provider."""
    call_command("load_catalogue", verbosity=0)
    call_command("load_demo_population", verbosity=0)
    settings.OIDC_DISCOVERY_URL = f"{live_server.url}/dev-idp/.well-known/openid-configuration"
    return live_server


def assert_accessible(page) -> None:
    """Runs axe-core's WCAG 2.1 A/AA rules on the current page; any violation fails the test."""
    page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    problems = [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['target']})"
        for v in result["violations"]
    ]
    assert not problems, f"accessibility violations on {page.url}:\n" + "\n".join(problems)


def staff_page(chromium, site, organisation_slug, language):
    """A browser context in `language` with a new staff member of the organisation logged in
    to the back office; returns the context (close it) and its page."""
    organisation = PublicOrganisation.objects.get(slug=organisation_slug)
    user = get_user_model().objects.create_user("clerk", password="a long clerk password")
    AgencyStaff.objects.create(user=user, organisation=organisation)
    context = chromium.new_context(locale=f"{language}-NL", bypass_csp=True)
    context.add_cookies([{"name": "django_language", "value": language, "url": site.url}])
    clerk = context.new_page()
    clerk.goto(f"{site.url}/back-office/login/")
    clerk.locator("#id_username").fill("clerk")
    clerk.locator("#id_password").fill("a long clerk password")
    clerk.locator("main button[type=submit]").click()
    return context, clerk
