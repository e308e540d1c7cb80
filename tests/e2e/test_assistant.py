"""Finding the way and opening the data, in a real browser, in Dutch and English: a visitor asks
"what do I need to do?" from the header of any page, three times, and follows a suggestion
into a life event; from the footer they open the usage dashboard and download its CSV."""

import csv
import re

import pytest
from playwright.sync_api import expect

from lifegate.catalogue.models import LifeEvent
from lifegate.opendata.tests.factories import day_in_latest_month, make_journey
from lifegate.registries.services import demo_personas
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.browser

# Per language: three questions in a visitor's words and the life event or service each must
# put first. The last one is followed into its life event.
QUESTIONS = {
    "nl": [
        ("ik wil een eenmanszaak beginnen", "Een bedrijf beginnen"),
        ("kinderbijslg", "Kinderbijslag aanvragen"),
        ("mijn vader is overleden", "Overlijden van een naaste"),
    ],
    "en": [
        ("we're expecting a baby", "A child is born"),
        ("I'm moving to Sweden", "Moving abroad"),
        ("my father passed away", "Death of a relative"),
    ],
}
TEXTS = {
    "nl": {
        "question": "Wat wilt u regelen?",
        "ask": "Vraag",
        "start": "Start “{}”: maak mijn persoonlijke plan",
        "login": "Inloggen met DigiD",
        "confirm": "Inloggen als deze persoon",
        "continue": "Verder",
        "make_plan": "Maak mijn plan",
        "dashboard": "Open data en gebruikscijfers",
        "chart": "Staafdiagram. De tabel eronder geeft dezelfde cijfers.",
        "csv": "Gebruikscijfers, alle maanden (CSV)",
        "moving": "Verhuizen binnen Nederland",
    },
    "en": {
        "question": "What do you need to do?",
        "ask": "Ask",
        "start": "Start “{}”: make my personal plan",
        "login": "Log in with DigiD (Dutch residents)",
        "confirm": "Log in as this person",
        "continue": "Continue",
        "make_plan": "Make my plan",
        "dashboard": "Open data and usage figures",
        "chart": "Bar chart. The table below it gives the same figures.",
        "csv": "Usage figures, all months (CSV)",
        "moving": "Moving house within the Netherlands",
    },
}
CSV_HEADER = [
    "month",
    "dimension",
    "id",
    "name_nl",
    "name_en",
    "organisation",
    "measure",
    "unit",
    "value",
    "status",
]
PEOPLE_MOVING = 12


def _choose_language(page, language):
    if language == "en":
        page.get_by_role("navigation", name="Taal").get_by_role("link", name="English").click()


def _ask(page, texts, question):
    page.get_by_role("textbox", name=texts["question"]).fill(question)
    page.get_by_role("button", name=texts["ask"], exact=True).click()


def _log_in_from_the_login_page(page, texts):
    """Logs in where a protected page sent the visitor, so that they come back to it."""
    persona = next(p for p in demo_personas() if p.key == "resident-substantial")
    page.get_by_role("button", name=texts["login"]).click()
    page.locator(f"input[value='{persona.key}|substantial']").check()
    page.get_by_role("button", name=texts["confirm"]).click()
    page.wait_for_load_state()
    if page.locator("#person-self").count():
        page.get_by_role("button", name=texts["continue"]).click()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_visitor_asks_in_their_own_words_and_follows_a_suggestion(page, demo_site, language):
    texts = TEXTS[language]
    page.goto(f"{demo_site.url}/catalogue/life-events/")
    _choose_language(page, language)
    for question, first in QUESTIONS[language]:
        _ask(page, texts, question)
        suggestion = page.locator("#suggestion-1")
        expect(suggestion.get_by_role("heading", level=3)).to_have_text(first)
        expect(suggestion.locator(".lg-reasons li").first).to_be_visible()
        assert page.url == f"{demo_site.url}/assistant/"  # the question stays out of the URL
        assert_accessible(page)

    event = QUESTIONS[language][-1][1]
    page.locator("#suggestion-1").get_by_role("link", name=texts["start"].format(event)).click()
    expect(page).to_have_url(re.compile(r"/identity/login/\?next=%2Fjourneys%2Fstart%2F"))
    _log_in_from_the_login_page(page, texts)
    expect(page).to_have_url(f"{demo_site.url}/journeys/start/death-of-a-relative/")
    expect(page.get_by_role("heading", level=1)).to_have_text(event)
    expect(page.get_by_role("button", name=texts["make_plan"])).to_be_visible()


@pytest.fixture
def people_moved_last_month(demo_site):
    """Enough people started "moving house" in the latest published month to be shown."""
    event = LifeEvent.objects.get(slug="moving-house")
    day = day_in_latest_month()
    for who in range(PEOPLE_MOVING):
        make_journey(event, who, day)
    return event, f"{day:%Y-%m}"


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_visitor_opens_the_dashboard_and_downloads_the_figures(
    page, demo_site, people_moved_last_month, language
):
    event, month = people_moved_last_month
    texts = TEXTS[language]
    page.goto(f"{demo_site.url}/catalogue/life-events/")
    _choose_language(page, language)
    page.locator("#footer-opendata").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(texts["dashboard"])

    charts = page.locator("svg.lg-chart")
    expect(charts.first).to_be_visible()
    for index in range(charts.count()):
        chart = charts.nth(index)
        expect(chart.locator("desc")).to_have_text(texts["chart"])
        section = page.locator("section").filter(has=chart)
        expect(section.locator("table")).to_have_count(1)
    moving = page.locator("#journeys-table tbody tr").filter(has_text=texts["moving"])
    expect(moving.locator("td").first).to_have_text(str(PEOPLE_MOVING))
    assert_accessible(page)

    with page.expect_download() as started:
        page.locator("#downloads").get_by_role("link", name=texts["csv"]).click()
    download = started.value
    assert download.suggested_filename == "lifegate-usage-statistics.csv"
    with open(download.path(), newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    assert rows[0] == CSV_HEADER
    figures = [dict(zip(CSV_HEADER, row, strict=True)) for row in rows[1:]]
    started_moving = next(
        f
        for f in figures
        if (f["month"], f["id"], f["measure"]) == (month, event.slug, "journeys-started")
    )
    assert (started_moving["value"], started_moving["status"]) == (str(PEOPLE_MOVING), "published")
