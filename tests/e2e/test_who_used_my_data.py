"""The "who used my data" page end to end in a real browser, in Dutch and in English: another
person reads their post first; then the person logs in, sends a step of their plan for retiring
and reads a message from an agency, and finds exactly those accesses on /transparency/,
attributed to themselves, without anything of the other person, also in the CSV download,
which holds no BSN."""

import csv
import io
import re

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from lifegate.core.subject import Subject
from lifegate.registries.personas import DemoPersona
from lifegate.transparency.history import records_of
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_inbox import _agency, _persona, _send
from tests.e2e.test_journeys import log_in, start_life_event

pytestmark = pytest.mark.browser

TEXT = {
    "nl": {
        "start": "Maak mijn persoonlijke plan",
        "make_plan": "Maak mijn plan",
        "fill_in": "Invullen en versturen",
        "send": "Versturen",
        "sent": "Verstuurd",
        "heading": "Wie heeft mijn gegevens gebruikt",
        "you": "U",
        "agency": "De organisatie",
        "csv": "Downloaden als CSV",
        "aow": "AOW toekennen en betalen",
        "aow_purpose": "Uw recht op AOW vaststellen en uw AOW betalen.",
        "inbox": "Uw Berichtenbox aan u tonen",
    },
    "en": {
        "start": "Make my personal plan",
        "make_plan": "Make my plan",
        "fill_in": "Fill in and send",
        "send": "Send",
        "sent": "Sent",
        "heading": "Who used my data",
        "you": "You",
        "agency": "The organisation",
        "csv": "Download as CSV",
        "aow": "Granting and paying the state pension",
        "aow_purpose": "Determining your entitlement to the state pension and paying it.",
        "inbox": "Showing you your message box",
    },
}
# What the person did, as operations in the log: logging in and the start page, the plan (made
# from the registers, then looked at) and the step (prefilled from the registers, then sent),
# the agency's message arriving, and the message box and the message opened. Nothing else may
# be listed.
OPERATIONS = {
    "identity.login",
    "portal.home",
    "journeys.plan",
    "journeys.view",
    "journeys.prefill.aow-application",
    "journeys.submit.aow-application",
    "inbox.send",
    "inbox.list",
    "inbox.read",
}
SUBJECT = "Voorlopige aanslag 2027"
# A BSN has nine digits; nothing else in the download is a free-standing nine-digit number.
NINE_DIGITS = re.compile(r"\b\d{9}\b")


def _read_message(page: Page, site: LiveServer, subject: str) -> None:
    page.goto(f"{site.url}/inbox/")
    page.get_by_role("link", name=subject).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(subject)


def _other_person_reads_their_post(
    chromium: Browser, site: LiveServer, headers: dict[str, str], other: DemoPersona, language: str
) -> None:
    """Someone else, in their own browser, gets a message and reads it: the same kinds of
    operation as the person's own, at the same organisations."""
    _send(site, headers, other, f"e2e-other-{language}", SUBJECT)
    context = chromium.new_context(locale="nl-NL")
    context.set_default_timeout(15_000)
    try:
        other_page = context.new_page()
        log_in(other_page, site, other, "high", language)
        _read_message(other_page, site, SUBJECT)
    finally:
        context.close()


def _send_state_pension_step(page: Page, site: LiveServer, text: dict[str, str]) -> None:
    start_life_event(page, site, "retiring", text["start"])
    page.locator("#id_retirement_date").fill("2027-06-01")
    page.locator("#field-pension_fund input[value=abp]").check()
    page.get_by_role("button", name=text["make_plan"]).click()
    page.locator("#step-aow-application").get_by_role("link", name=text["fill_in"]).click()
    page.locator("#field-lived_abroad input[value=no]").check()
    page.locator("#id_iban").fill("NL91 ABNA 0417 1643 00")
    page.locator("#id_confirm").check()
    page.get_by_role("button", name=text["send"], exact=True).click()
    expect(page.locator("#step-aow-application")).to_contain_text(text["sent"])


def _spans(subject: Subject) -> dict[str, str]:
    """The span ids of the person's records in the log, with their operation."""
    return {record.span_id: record.name for record in records_of(subject)}


def _download_csv(page: Page, text: dict[str, str]) -> str:
    with page.expect_download() as download:
        page.get_by_role("link", name=text["csv"]).click()
    assert download.value.suggested_filename.startswith("who-used-my-data-")
    return download.value.path().read_text(encoding="utf-8")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_person_finds_exactly_their_own_step_and_message_read_on_who_used_my_data(
    page: Page, demo_site: LiveServer, chromium: Browser, language: str
) -> None:
    text = TEXT[language]
    person, other = _persona("resident-substantial"), _persona("resident-high")
    assert person.subject != other.subject
    headers = _agency(demo_site)
    _other_person_reads_their_post(chromium, demo_site, headers, other, language)
    others = _spans(other.subject)
    assert "inbox.read" in others.values()  # their read is in the log, under their name

    _send(demo_site, headers, person, f"e2e-{language}", SUBJECT)
    log_in(page, demo_site, person, "substantial", language)
    _send_state_pension_step(page, demo_site, text)
    _read_message(page, demo_site, SUBJECT)
    own = _spans(person.subject)
    assert set(own.values()) == OPERATIONS
    assert not set(own) & set(others)

    page.goto(f"{demo_site.url}/transparency/")
    expect(page.get_by_role("heading", level=1)).to_have_text(text["heading"])
    rows = page.locator("#records [data-record]")
    # Exactly the person's own records, each once: nothing of the other person.
    expect(rows).to_have_count(len(own))
    for span in own:
        expect(page.locator(f"#record-{span}")).to_have_count(1)
    for span in others:
        expect(page.locator(f"#record-{span}")).to_have_count(0)
    operations = rows.locator("td:nth-of-type(2) code")
    expect(operations).to_have_count(len(own))
    assert set(operations.all_inner_texts()) == OPERATIONS
    assert person.subject.value not in page.url + page.content()

    # Newest first: the message just read, attributed to the person.
    read = rows.first
    expect(read.locator("td:nth-of-type(2) code")).to_have_text("inbox.read")
    expect(read).to_contain_text(text["inbox"])
    expect(read.locator("[data-acted-by]")).to_have_attribute("data-acted-by", "self")
    expect(read.locator("[data-acted-by]")).to_have_text(text["you"])
    expect(rows.filter(has_text="inbox.read")).to_have_count(1)  # the other's read is absent

    step = rows.filter(has_text="journeys.submit.aow-application")
    expect(step).to_have_count(1)
    step.get_by_text(text["aow"], exact=True).click()  # opens the purpose and legal basis
    expect(step.get_by_text(text["aow_purpose"])).to_be_visible()
    expect(step.locator("[data-acted-by]")).to_have_attribute("data-acted-by", "self")
    expect(step.locator("[data-acted-by]")).to_have_text(text["you"])
    sent = rows.filter(has_text="inbox.send")
    expect(sent).to_have_count(1)
    expect(sent.locator("[data-acted-by]")).to_have_text(text["agency"])
    assert_accessible(page)

    content = _download_csv(page, text)
    exported = {row["span_id"]: row for row in csv.DictReader(io.StringIO(content))}
    # The whole log at download time: the actions, this page's view and the download itself.
    assert set(exported) == set(_spans(person.subject))
    assert set(own) <= set(exported)
    assert not set(exported) & set(others)
    submitted = next(
        row for row in exported.values() if row["operation"] == "journeys.submit.aow-application"
    )
    assert submitted["processing_activity"] == "aow-application"
    assert submitted["processing_activity_name"] == text["aow"]
    assert (submitted["acted_by"], submitted["acted_by_description"]) == ("self", text["you"])
    reads = [row for row in exported.values() if row["operation"] == "inbox.read"]
    assert len(reads) == 1
    assert reads[0]["processing_activity_name"] == text["inbox"]
    assert (reads[0]["acted_by"], reads[0]["acted_by_description"]) == ("self", text["you"])
    assert person.subject.value not in content
    assert other.subject.value not in content
    assert not NINE_DIGITS.search(content), "a nine-digit number (a BSN?) in the download"
