"""The message box end to end in a real browser, in Dutch and in English: the person registers
an e-mail address and confirms it, an agency sends through the API, the person is notified by
e-mail (without the content), logs in, finds the unread message first, opens it, downloads the
PDF, and the agency sees that it was read; the same from the agency's back office."""

import base64
import re
from datetime import date, timedelta

import pytest
import requests
from django.core import mail
from playwright.sync_api import expect

from lifegate.catalogue.models import PublicOrganisation
from lifegate.inbox.demo import demo_pdf
from lifegate.journeys.agency import bearer_token, create_client
from lifegate.journeys.models import AgencyClient
from lifegate.registries.services import demo_personas
from tests.e2e.conftest import assert_accessible, staff_page
from tests.e2e.test_journeys import log_in

pytestmark = pytest.mark.browser

TEXT = {
    "nl": {
        "settings": "Instellingen voor meldingen",
        "email": "E-mailadres",
        "save": "E-mailadres opslaan",
        "confirm": "E-mailadres bevestigen",
        "confirmed": "Uw e-mailadres is bevestigd.",
        "inbox": "Berichtenbox",
        "action": "Actie nodig",
    },
    "en": {
        "settings": "Notification settings",
        "email": "E-mail address",
        "save": "Save e-mail address",
        "confirm": "Confirm e-mail address",
        "confirmed": "Your e-mail address is confirmed.",
        "inbox": "Message box",
        "action": "Action required",
    },
}


@pytest.fixture
def immediate_tasks(settings, demo_site):
    """Tasks run as soon as their transaction commits, and links in e-mails point at the
    live server."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.BASE_URL = demo_site.url


def _persona(key):
    return next(p for p in demo_personas() if p.key == key)


def _agency(site):
    organisation = PublicOrganisation.objects.get(slug="belastingdienst")
    client, secret = create_client(organisation, "e2e", [AgencyClient.Scope.MESSAGES])
    return {"Authorization": f"Bearer {bearer_token(client, secret)}"}


def _send(site, headers, persona, key, subject, **fields):
    body = {
        "recipient": persona.subject.as_dict(),
        "subject": subject,
        "body": "Lees de **bijlage** goed.",
        "category": "decision",
    } | fields
    response = requests.post(
        f"{site.url}/api/agency/messages/",
        json=body,
        headers=headers | {"Idempotency-Key": key},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _register_email(page, site, language, address):
    text = TEXT[language]
    page.goto(f"{site.url}/inbox/settings/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(text["settings"])
    page.get_by_role("textbox", name=text["email"]).fill(address)
    page.get_by_role("button", name=text["save"]).click()
    confirmation = next(m for m in mail.outbox if address in m.to)
    link = re.search(r"https?://\S+/inbox/settings/\S+", confirmation.body)
    assert link, confirmation.body
    page.goto(link.group(0))
    page.get_by_role("button", name=text["confirm"]).click()
    expect(page.get_by_text(text["confirmed"])).to_be_visible()


@pytest.mark.parametrize(
    ("persona_key", "level", "language", "address"),
    [
        ("parent", "substantial", "nl", "ouder@example.org"),
        ("eu-de", "high", "en", "buerger@example.de"),
    ],
)
def test_agency_post_reaches_the_person_who_reads_it_and_the_agency_sees_it_read(
    page, demo_site, immediate_tasks, persona_key, level, language, address
):
    text = TEXT[language]
    persona = _persona(persona_key)
    log_in(page, demo_site, persona, level, language)
    _register_email(page, demo_site, language, address)
    mail.outbox.clear()

    headers = _agency(demo_site)
    older = _send(demo_site, headers, persona, f"e2e-{language}-1", "Herinnering betaling")
    due = (date.today() + timedelta(days=14)).isoformat()
    pdf = {
        "filename": "aanslag.pdf",
        "content_type": "application/pdf",
        "content": base64.b64encode(demo_pdf("Aanslag (e2e)")).decode(),
    }
    newer = _send(
        demo_site,
        headers,
        persona,
        f"e2e-{language}-2",
        "Voorlopige aanslag 2027",
        action_required_by=due,
        attachments=[pdf],
    )

    # One notification per message, saying only that there is post.
    notices = [m for m in mail.outbox if address in m.to]
    assert len(notices) == 2
    for notice in notices:
        assert "aanslag" not in (notice.subject + notice.body).lower()
        assert persona.subject.value not in notice.body

    page.goto(f"{demo_site.url}/inbox/")
    expect(page.get_by_role("link", name=re.compile(text["inbox"])).first).to_be_visible()
    rows = page.locator("[data-message]")
    expect(rows.first).to_contain_text("Voorlopige aanslag 2027")
    expect(rows.first).to_contain_text(text["action"])
    assert_accessible(page)

    page.get_by_role("link", name="Voorlopige aanslag 2027").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Voorlopige aanslag 2027")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("aanslag.pdf")).click()
    assert download.value.suggested_filename == "aanslag.pdf"
    assert download.value.path().read_bytes().startswith(b"%PDF-")
    assert_accessible(page)

    # Unread first: the older unread message now comes before the newer read one.
    page.goto(f"{demo_site.url}/inbox/")
    expect(rows.first).to_contain_text("Herinnering betaling")
    expect(rows.nth(1)).to_contain_text("Voorlopige aanslag 2027")

    status = requests.get(
        f"{demo_site.url}/api/agency/messages/{newer}", headers=headers, timeout=10
    ).json()
    assert status["read_at"] and status["notified_at"]
    other = requests.get(
        f"{demo_site.url}/api/agency/messages/{older}", headers=headers, timeout=10
    ).json()
    assert other["read_at"] is None


BACK_OFFICE = {
    "nl": {
        "bad_bsn": "Dit is geen BSN",
        "sent": "Het bericht staat in de Berichtenbox",
        "read": "Gelezen",
    },
    "en": {"bad_bsn": "This is not a BSN", "sent": "The message is in the person", "read": "Read"},
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_staff_send_in_the_back_office_and_see_the_message_read(
    page, chromium, demo_site, immediate_tasks, tmp_path, language
):
    text = BACK_OFFICE[language]
    persona = _persona("resident-high")
    pdf = tmp_path / "aanslag.pdf"
    pdf.write_bytes(demo_pdf("Aanslag (back office)"))
    clerk_context, clerk = staff_page(chromium, demo_site, "belastingdienst", language)
    try:
        clerk.locator("#backoffice-nav-messages").click()
        clerk.locator("#send-message").click()
        clerk.locator("#id_value").fill("123456789")  # a typing error
        clerk.locator("#id_subject").fill("Aanslag uit de backoffice")
        clerk.locator("#id_body").fill("Zie de **bijlage**.")
        clerk.locator("#send-form button[type=submit]").click()
        expect(clerk.locator("#field-value")).to_contain_text(text["bad_bsn"])
        assert_accessible(clerk)

        clerk.locator("#id_value").fill(persona.subject.value)
        clerk.locator("#id_attachment").set_input_files(str(pdf))
        clerk.locator("#send-form button[type=submit]").click()
        expect(clerk.locator("main")).to_contain_text(text["sent"])
        expect(clerk.locator("#message-body strong")).to_have_text("bijlage")
        assert_accessible(clerk)

        log_in(page, demo_site, persona, "high", language)
        page.goto(f"{demo_site.url}/inbox/")
        page.get_by_role("link", name="Aanslag uit de backoffice").click()
        with page.expect_download() as download:
            page.get_by_role("link", name=re.compile("aanslag.pdf")).click()
        assert download.value.path().read_bytes().startswith(b"%PDF-")

        clerk.reload()
        expect(clerk.locator("#message-progress")).to_have_text(text["read"])
    finally:
        clerk_context.close()
