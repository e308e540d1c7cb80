"""Authorisations end to end in two real browsers, in Dutch and in English: a parent
authorises their adult child to read their message box with an invitation code, the child
accepts it, acts for the parent and reads a message, the parent ends the authorisation, the
child's next click is refused and the way back to acting for themselves works, and the parent
sees what the child did on their behalf."""

import re

import pytest
from playwright.sync_api import expect

from lifegate.mandates.acting import acts_for_others
from lifegate.registries.services import demo_personas
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_journeys import log_in as log_in_as_self

pytestmark = pytest.mark.browser

TEXT = {
    "nl": {
        "digid": "Inloggen met DigiD",
        "log_in_as": "Inloggen als deze persoon",
        "authorisations": "Machtigingen",
        "grant": "Iemand machtigen",
        "give": "Machtiging geven",
        "invitation": "Uw uitnodigingscode",
        "scope_given": "Uw Berichtenbox lezen",
        "accept_heading": "Een machtiging aanvaarden",
        "accept": "Aanvaarden",
        "accepted": "U heeft de machtiging aanvaard.",
        "scope_received": "De Berichtenbox lezen",
        "chooser": "Namens wie handelt u?",
        "continue": "Verder",
        "acting_for": "U handelt namens",
        "back_to_inbox": "Terug naar uw Berichtenbox",
        "end": "Beëindigen",
        "ended": "De machtiging is beëindigd.",
        "refused": "U mag dit niet doen",
        "refusal": "Uw machtiging is beëindigd.",
        "myself_again": "Weer voor mijzelf handelen",
        "on_my_behalf": "Namens u gedaan",
    },
    "en": {
        "digid": "Log in with DigiD (Dutch residents)",
        "log_in_as": "Log in as this person",
        "authorisations": "Authorisations",
        "grant": "Authorise someone",
        "give": "Give the authorisation",
        "invitation": "Your invitation code",
        "scope_given": "Reading your message box",
        "accept_heading": "Accept an authorisation",
        "accept": "Accept",
        "accepted": "You have accepted the authorisation.",
        "scope_received": "Reading the message box",
        "chooser": "Whom are you acting for?",
        "continue": "Continue",
        "acting_for": "You are acting for",
        "back_to_inbox": "Back to your message box",
        "end": "End",
        "ended": "The authorisation has ended.",
        "refused": "You may not do this",
        "refusal": "Your authorisation has been ended.",
        "myself_again": "Act for myself again",
        "on_my_behalf": "Done on your behalf",
    },
}


def _persona(key):
    return next(p for p in demo_personas() if p.key == key)


def _full_name(persona):
    return f"{persona.given_name} {persona.family_name}"


def log_in(page, site, persona, text, language):
    """Logs in with DigiD Substantial and acts for oneself. The parent may also act for a minor
    child, so their login may first ask whom they act for (`log_in_as_self` expects the
    home page straight away)."""
    if not acts_for_others(persona.subject):
        log_in_as_self(page, site, persona, "substantial", language)
        return
    page.context.add_cookies([{"name": "django_language", "value": language, "url": site.url}])
    page.goto(f"{site.url}/identity/login/")
    page.get_by_role("button", name=text["digid"]).click()
    page.locator(f"input[value='{persona.key}|substantial']").check()
    page.get_by_role("button", name=text["log_in_as"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(text["chooser"])
    expect(page.locator("#person-self")).to_be_checked()
    page.get_by_role("button", name=text["continue"]).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(persona.given_name.split()[0])
    expect(page.locator("#acting-for")).to_have_count(0)


def _open_authorisations(page, text):
    page.locator("header .lg-nav").get_by_role(
        "link", name=text["authorisations"], exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(text["authorisations"])


def _grant_reading_by_code(page, text):
    """Returns the invitation code, shown once."""
    _open_authorisations(page, text)
    page.locator("#grant-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(text["grant"])
    assert_accessible(page)
    page.locator("input[name=representative][value=code]").check()
    page.locator("input[name=inbox][value=inbox-read]").check()
    # The default period (from today) is already filled in.
    expect(page.locator("#id_valid_from")).not_to_have_value("")
    expect(page.locator("#id_valid_until")).not_to_have_value("")
    page.get_by_role("button", name=text["give"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(text["invitation"])
    expect(page.locator("#invitation-scopes")).to_have_text(text["scope_given"])
    code = page.locator("#invitation-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9-]{16,}", code), code
    return code


def _accept(page, text, code, principal):
    _open_authorisations(page, text)
    page.locator("#accept-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(text["accept_heading"])
    page.locator("#id_code").fill(code)
    page.get_by_role("button", name=text["accept"], exact=True).click()
    expect(page.get_by_role("status").filter(has_text=text["accepted"])).to_be_visible()
    received = page.locator("#received tbody tr")
    expect(received).to_have_count(1)
    expect(received).to_contain_text(_full_name(principal))
    expect(received).to_contain_text(text["scope_received"])
    expect(received).to_have_attribute("data-standing", "active")


def _act_for(page, text, principal):
    page.locator("#choose-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(text["chooser"])
    assert_accessible(page)
    page.get_by_role("radio", name=re.compile(re.escape(_full_name(principal)))).check()
    page.get_by_role("button", name=text["continue"]).click()
    _expect_banner(page, text, principal)


def _expect_banner(page, text, principal):
    banner = page.locator("#acting-for")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text(f"{text['acting_for']} {_full_name(principal)}")


def _read_a_message(page, text, principal):
    """Opens the first message in the principal's box."""
    page.locator("#nav-inbox").click()
    _expect_banner(page, text, principal)
    first = page.locator("[data-message] a").first
    expect(first).to_be_visible()
    subject = first.locator(":scope > :last-child").inner_text().strip()
    first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(subject)
    _expect_banner(page, text, principal)


def _end(page, text, representative):
    _open_authorisations(page, text)
    row = page.locator("#given tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(_full_name(representative))
    expect(row).to_have_attribute("data-standing", "active")
    # Its accessible name says what it ends: "End: <scope>, <name>".
    end = row.get_by_role("button", name=re.compile("^" + re.escape(text["end"]) + r"\s*: "))
    expect(end).to_contain_text(_full_name(representative))
    end.click()
    expect(page.get_by_role("status").filter(has_text=text["ended"])).to_be_visible()
    expect(row).to_have_attribute("data-standing", "ended")


@pytest.fixture
def other_page(chromium):
    """A second person's browser, with its own cookies."""
    context = chromium.new_context(locale="nl-NL", bypass_csp=True)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def _refused_on_next_click(page, text):
    with page.expect_response(re.compile(r"/inbox/$")) as response:
        page.get_by_role("link", name=text["back_to_inbox"]).click()
    assert response.value.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text(text["refused"])
    refusal = page.locator("#refusal")
    expect(refusal).to_have_attribute("data-reason", "ended")
    expect(refusal).to_have_text(text["refusal"])
    assert_accessible(page)


def _back_to_myself(page, text, person):
    page.locator("main").get_by_role("button", name=text["myself_again"]).click()
    expect(page.locator("#acting-for")).to_have_count(0)
    expect(page.get_by_role("heading", level=1)).to_contain_text(person.given_name.split()[0])
    with page.expect_response(re.compile(r"/inbox/$")) as response:
        page.locator("#nav-inbox").click()
    assert response.value.status == 200
    expect(page.locator("#acting-for")).to_have_count(0)


def _sees_what_was_done(page, text, representative):
    # Notices to the principal are in the language of their notification settings: Dutch
    # unless they chose otherwise.
    page.locator("#nav-inbox").click()
    expect(page.locator("[data-message]").first).to_contain_text("Een machtiging is beëindigd")
    _open_authorisations(page, text)
    page.locator("#on-my-behalf-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(text["on_my_behalf"])
    expect(page.locator("#on-my-behalf")).to_contain_text(_full_name(representative))


@pytest.mark.parametrize("language", ["nl", "en"])
def test_parent_authorises_adult_child_for_the_message_box_and_ends_it(
    page, other_page, demo_site, language
):
    text = TEXT[language]
    parent, child = _persona("parent-of-adult"), _persona("student")
    principal, representative = page, other_page

    log_in(principal, demo_site, parent, text, language)
    code = _grant_reading_by_code(principal, text)

    log_in(representative, demo_site, child, text, language)
    _accept(representative, text, code, parent)
    _act_for(representative, text, parent)
    _read_a_message(representative, text, parent)

    _end(principal, text, child)

    _refused_on_next_click(representative, text)
    _back_to_myself(representative, text, child)

    _sees_what_was_done(principal, text, child)
