"""The cross-border journey in a real browser across two real nodes: the person asks for
evidence in a step on one node, is sent to the other node's preview, logs in there, looks at
exactly what would be shared, decides, and comes back to the step; the step is then sent with
the evidence attached, which the agency reads through its API.

One browser context holds the sessions at both nodes: they are on the same host (127.0.0.1,
different ports) and share its cookies, so the Estonian node's cookies are prefixed `ee_`.
The language of each node is chosen with its own language cookie."""

import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from lifegate.exchange.federation import Federation, Node

pytestmark = pytest.mark.browser
log = logging.getLogger(__name__)

# A cap for each wait, not a measure: asking and sharing cross both nodes on a busy machine.
WAIT_MILLISECONDS = 30_000
LANGUAGE_COOKIES = {"nl": "django_language", "ee": "ee_django_language"}

LOGIN_BUTTONS = {
    ("en", "eidas"): "Log in with your European eID (eIDAS)",
    ("en", "digid"): "Log in with DigiD (Dutch residents)",
    ("en", "national"): "Log in with your national eID (residents)",  # not on the Dutch node
    ("nl", "digid"): "Inloggen met DigiD",
}
CONFIRM_BUTTONS = {"en": "Log in as this person", "nl": "Inloggen als deze persoon"}
CONTINUE_BUTTONS = {"en": "Continue", "nl": "Verder"}
PREVIEW_HEADINGS = {
    "en": "Look at the evidence before you share it",
    "nl": "Bekijk het bewijs voordat u het deelt",
}
# What the Dutch preview must say (element, text).
DUTCH_PREVIEW_TEXTS = (
    ("h1", PREVIEW_HEADINGS["nl"]),
    ("#share", "Delen"),
    ("#decline", "Niet delen"),
)

PERSONAS = """
import json
from lifegate.registries.personas import demo_personas

print(json.dumps({p.key: {"given_name": p.given_name, "family_name": p.family_name}
                  for p in demo_personas()}))
"""

# Whatever an earlier test on these nodes left running, the person starts the life event anew.
STOP_RUNNING = """
from lifegate.journeys.models import Journey
from lifegate.registries.personas import demo_personas
from lifegate.transparency.services import subject_hash

persona = {{p.key: p for p in demo_personas()}}["{persona}"]
Journey.objects.filter(
    subject_hash=subject_hash(persona.subject), life_event_slug="{event}",
    status=Journey.Status.ACTIVE,
).update(status=Journey.Status.CANCELLED)
"""

# The agency's system: a client of the organisation the step's submission went to.
AGENCY_CLIENT = """
import json
from lifegate.journeys.agency import bearer_token, create_client
from lifegate.journeys.models import AgencyClient, Submission

submission = Submission.objects.get(step__journey_id="{journey_id}", service_slug="{service}")
client, secret = create_client(
    submission.organisation, "browser test", [AgencyClient.Scope.SUBMISSIONS]
)
print(json.dumps({{"id": str(submission.pk), "token": bearer_token(client, secret)}}))
"""


def _json(node: Node, code: str) -> Any:
    return json.loads(node.shell(code).strip().splitlines()[-1])


def _person(node: Node, key: str) -> dict[str, str]:
    return dict(_json(node, PERSONAS)[key])


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies at either node) per test, with the real
    Content-Security-Policy in force: it also governs where a form's redirect may lead."""
    context = chromium.new_context(locale="en-GB")
    context.set_default_timeout(WAIT_MILLISECONDS)
    expect.set_options(timeout=WAIT_MILLISECONDS)
    page = context.new_page()
    # A blocked navigation (a CSP violation, say) only shows in the console: in the report.
    page.on("console", lambda message: log.warning("browser console: %s", message.text))
    yield page
    context.close()
    expect.set_options(timeout=5_000)


def speak(page: Page, node: Node, language: str) -> None:
    """Pages of `node` in `language` from now on."""
    page.context.add_cookies(
        [{"name": LANGUAGE_COOKIES[node.id], "value": language, "url": node.base_url}]
    )


def choose_persona(page: Page, persona: str, level: str, scheme: str, language: str) -> None:
    """On a node's login page: log in through its development identity provider."""
    page.get_by_role("button", name=LOGIN_BUTTONS[(language, scheme)]).click()
    page.locator(f"input[value='{persona}|{level}']").check()
    page.get_by_role("button", name=CONFIRM_BUTTONS[language]).click()
    expect(page).not_to_have_url(re.compile(r"/dev-idp/"))  # back at the node, logged in
    page.wait_for_load_state()
    if page.locator("#person-self").count():
        # Whoever may act for others (a parent of minors) first chooses whom: themselves.
        expect(page.locator("#person-self")).to_be_checked()
        page.get_by_role("button", name=CONTINUE_BUTTONS[language]).click()


def log_in(page: Page, node: Node, persona: str, scheme: str, language: str) -> None:
    speak(page, node, language)
    page.goto(node.url("/identity/login/"))
    choose_persona(page, persona, "high", scheme, language)
    given_name = _person(node, persona)["given_name"]
    expect(page.get_by_role("heading", level=1)).to_contain_text(given_name.split()[0])


def start_life_event(page: Page, node: Node, slug: str, answers: dict[str, str]) -> None:
    page.goto(node.url(f"/catalogue/life-events/{slug}/"))
    page.get_by_role("link", name="Make my personal plan").click()
    page.locator("#id_arrival_date").fill(answers["arrival_date"])
    page.locator("#id_country_of_origin").select_option(answers["country_of_origin"])
    for question in ("stays_over_four_months", "has_job"):
        if question in answers:
            page.locator(f"#field-{question} input[value={answers[question]}]").check()
    page.get_by_role("button", name="Make my plan").click()


def open_step(page: Page, service: str) -> str:
    """Open the step from the plan; the journey's id."""
    page.locator(f"#step-{service}").get_by_role("link", name="Fill in and send").click()
    expect(page).to_have_url(re.compile(rf"/journeys/[0-9a-f-]+/steps/{service}/"))
    found = re.search(r"/journeys/([0-9a-f-]+)/steps/", page.url)
    assert found is not None
    return found.group(1)


def ask(page: Page, requirement: str, provider: Node) -> None:
    """Click “Get it from the government”: on to the provider node."""
    page.locator(f"#exchange-{requirement}-ask").click()
    expect(page).to_have_url(re.compile("^" + re.escape(provider.base_url) + "/"))


def expect_preview(page: Page, person: dict[str, str], language: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(PREVIEW_HEADINGS[language])
    claims = page.locator("#preview-claims")
    expect(claims).to_contain_text(person["given_name"])
    expect(claims).to_contain_text(person["family_name"])


def back_at_step(page: Page, requester: Node, service: str) -> None:
    expect(page).to_have_url(
        re.compile("^" + re.escape(requester.base_url) + rf"/journeys/.+/steps/{service}/")
    )


def send_step(page: Page, service: str, address: tuple[str, str, str]) -> None:
    page.locator("#id_street_line").fill(address[0])
    page.locator("#id_postcode").fill(address[1])
    page.locator("#id_city").fill(address[2])
    page.locator("#id_confirm").check()
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator(f"#step-{service}")).to_contain_text("Sent")


def agency_reads(node: Node, journey_id: str, service: str) -> dict[str, Any]:
    """The submission as the agency's system reads it from the agency API."""
    client = _json(node, AGENCY_CLIENT.format(journey_id=journey_id, service=service))
    response = requests.get(
        node.url(f"/api/agency/submissions/{client['id']}"),
        headers={"Authorization": f"Bearer {client['token']}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def untranslated(page: Page, expected: tuple[tuple[str, str], ...]) -> list[str]:
    """Which of the elements do not say the Dutch text (each "element: what it says")."""
    return [
        f"{selector}: {text!r} instead of {dutch!r}"
        for selector, dutch in expected
        if (text := page.locator(selector).inner_text().strip()) != dutch
    ]


def test_an_estonian_proves_birth_and_residence_to_a_dutch_municipality_in_english(
    federation: Federation, page: Page
) -> None:
    nl, ee = federation.nl, federation.ee
    nl.shell(STOP_RUNNING.format(persona="ee-newcomer", event="moving-to-the-netherlands"))
    person = _person(ee, "ee-resident")
    speak(page, ee, "en")
    log_in(page, nl, "ee-newcomer", "eidas", "en")
    answers = {
        "arrival_date": "2026-12-01",
        "country_of_origin": "EE",
        "stays_over_four_months": "yes",
        "has_job": "yes",
    }
    start_life_event(page, nl, "moving-to-the-netherlands", answers)
    journey_id = open_step(page, "first-registration")

    # What the person types first is there again when they come back from the other node.
    page.locator("#id_street_line").fill("Oudegracht 100")
    # Birth: to the Estonian node, which wants its own login before it shows anything.
    ask(page, "first-registration-birth", ee)
    expect(page).to_have_url(re.compile(r"/identity/login/"))
    choose_persona(page, "ee-resident", "high", "national", "en")
    expect_preview(page, person, "en")
    expect(page.locator("#preview-claims")).to_contain_text("Place of birth")
    page.locator("#share").click()
    back_at_step(page, nl, "first-registration")
    expect(page.locator("#exchange-first-registration-birth-received")).to_be_visible()
    expect(page.locator("#id_street_line")).to_have_value("Oudegracht 100")
    expect(page.locator("#draft-restored")).to_contain_text("What you typed before")

    # Residence: logged in at the Estonian node already, straight to its preview.
    ask(page, "first-registration-residence", ee)
    expect_preview(page, person, "en")
    page.locator("#share").click()
    back_at_step(page, nl, "first-registration")
    expect(page.locator("#exchange-first-registration-residence-received")).to_be_visible()
    expect(page.locator("#exchange-first-registration-birth-received")).to_be_visible()

    received = page.locator("#exchange-first-registration-birth-received")
    received.get_by_role("link", name="See what was received").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Evidence received")
    origin = page.locator("#received-origin")
    expect(origin).to_contain_text("Ministry of the Interior of Estonia")
    expect(origin).to_contain_text("(EE)")
    expect(page.locator("#received-claims")).to_contain_text(person["family_name"])
    page.get_by_role("link", name="Back to the step").click()

    send_step(page, "first-registration", ("Oudegracht 100", "3511 AL", "Utrecht"))
    submission = agency_reads(nl, journey_id, "first-registration")
    evidence = {e["requirement"]: e for e in submission["evidence"]}
    assert sorted(evidence) == ["first-registration-birth", "first-registration-residence"]
    assert {e["provider_node"] for e in evidence.values()} == {"ee"}
    assert evidence["first-registration-birth"]["evidence_type"] == "birth-certificate"
    assert evidence["first-registration-residence"]["evidence_type"] == "residence-certificate"
    assert evidence["first-registration-birth"]["claims"]["family_name"] == person["family_name"]


def test_a_dutch_resident_moving_to_estonia_declines_one_and_shares_the_other_in_dutch(
    federation: Federation, page: Page
) -> None:
    nl, ee = federation.nl, federation.ee
    ee.shell(STOP_RUNNING.format(persona="nl-citizen", event="moving-to-estonia"))
    person = _person(nl, "nl-emigrant")
    speak(page, nl, "nl")  # the Dutch node's preview, in Dutch
    log_in(page, ee, "nl-citizen", "eidas", "en")
    start_life_event(
        page, ee, "moving-to-estonia", {"arrival_date": "2026-12-01", "country_of_origin": "NL"}
    )
    journey_id = open_step(page, "residence-registration")

    # Birth: at the Dutch node, logged in with DigiD in Dutch; looked at and not shared.
    ask(page, "residence-registration-birth", nl)
    expect(page).to_have_url(re.compile(r"/identity/login/"))
    choose_persona(page, "nl-emigrant", "high", "digid", "nl")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    for element in ("#preview-claims", "#share", "#decline"):
        expect(page.locator(element)).to_be_visible()
    expect(page.locator("#preview-claims")).to_contain_text(person["family_name"])
    not_dutch = untranslated(page, DUTCH_PREVIEW_TEXTS)
    page.locator("#decline").click()
    back_at_step(page, ee, "residence-registration")
    status = page.locator("#exchange-residence-registration-birth-status")
    expect(status).to_contain_text("You chose not to share this evidence")
    expect(page.locator("#exchange-residence-registration-birth-ask")).to_be_visible()

    # Residence: straight to the Dutch preview this time; shared.
    ask(page, "residence-registration-residence", nl)
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator("#preview-claims")).to_contain_text(person["family_name"])
    not_dutch += untranslated(page, DUTCH_PREVIEW_TEXTS)
    page.locator("#share").click()
    back_at_step(page, ee, "residence-registration")
    expect(page.locator("#exchange-residence-registration-residence-received")).to_be_visible()
    expect(page.locator("#exchange-residence-registration-birth-status")).to_be_visible()

    send_step(page, "residence-registration", ("Narva mnt 5-12", "10117", "Tallinn"))
    submission = agency_reads(ee, journey_id, "residence-registration")
    assert [(e["requirement"], e["provider_node"]) for e in submission["evidence"]] == [
        ("residence-registration-residence", "nl")
    ]
    # Checked last, so that the journey above is checked whatever the translations say.
    assert not not_dutch, "the Dutch preview is not (all) in Dutch:\n" + "\n".join(not_dutch)
