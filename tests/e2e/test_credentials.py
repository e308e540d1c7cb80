"""Verifiable credentials end to end in a real browser, in Dutch and in English: the education
agency issues a demo person's diploma through its API, the person opens it under "my
credentials", a verifier asks for the title and the level only, the person shares from the
portal wallet, and the verifier sees "valid" with exactly those two claims; after the agency
revokes the diploma, the next presentation shows "revoked"."""

import pytest
import requests
from playwright.sync_api import expect

from lifegate.catalogue.models import PublicOrganisation
from lifegate.journeys.agency import bearer_token, create_client
from lifegate.journeys.models import AgencyClient
from lifegate.registries.demo_education import load_demo_diplomas
from lifegate.registries.services import demo_personas
from tests.e2e.conftest import assert_accessible, staff_page
from tests.e2e.test_journeys import log_in

pytestmark = pytest.mark.browser

TEXT = {
    "nl": {
        "valid": "Geldig",
        "not_valid": "Niet geldig",
        "share": "Delen",
        "title": "Opleiding",
        "level": "EQF-niveau",
        "credentials": "Bewijzen",
        "suspend": "Schorsen",
        "suspended": "Het bewijs is geschorst.",
        "state": "Geschorst",
        "bad_bsn": "Dit is geen BSN",
    },
    "en": {
        "valid": "Valid",
        "not_valid": "Not valid",
        "share": "Share",
        "title": "Qualification",
        "level": "EQF level",
        "credentials": "Credentials",
        "suspend": "Suspend",
        "suspended": "The credential is suspended.",
        "state": "Suspended",
        "bad_bsn": "This is not a BSN",
    },
}


@pytest.fixture
def issuer_site(demo_site, settings, tmp_path):
    """The live server as credential issuer and verifier: its own URL as issuer identifier,
    keys in a fresh folder, the education register filled."""
    settings.BASE_URL = demo_site.url
    settings.LIFEGATE_KEY_DIR = tmp_path / "keys"
    load_demo_diplomas()
    return demo_site


def _agency(site):
    organisation = PublicOrganisation.objects.get(slug="duo")
    client, secret = create_client(organisation, "e2e", [AgencyClient.Scope.CREDENTIALS])
    return {"Authorization": f"Bearer {bearer_token(client, secret)}"}


def _issue_diploma(site, headers, persona):
    response = requests.post(
        f"{site.url}/api/agency/credentials",
        json={"type": "diploma", "recipient": persona.subject.as_dict(), "from_register": True},
        headers=headers,
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return response.json()["credentials"][0]["id"]


def _ask_title_and_level(verifier, site):
    """The verifier's page asks for the diploma's title and EQF level; the waiting page."""
    verifier.goto(f"{site.url}/credentials/verify/?type=diploma")
    for box in verifier.locator("input[name=claims]").all():
        box.set_checked(box.get_attribute("value") in ("title", "level_eqf"))
    verifier.locator("#verifier-name").fill("Example University")
    verifier.locator("#make-request").click()
    expect(verifier.locator("#verify-waiting")).to_be_visible()
    return verifier.locator("#open-portal-wallet").get_attribute("href")


def _present(page, wallet_url, credential_id, language):
    """The person looks at the request in the portal wallet and shares this diploma."""
    page.goto(wallet_url)
    expect(page.locator("#present-who")).to_contain_text("Example University")
    page.locator(f"#credential-{credential_id}").check()  # a person may hold two diplomas
    page.get_by_role("button", name=TEXT[language]["share"], exact=True).click()
    expect(page.locator("#present-outcome")).to_have_attribute("data-outcome", "shared")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_diploma_is_shown_in_part_verified_and_after_revocation_refused(
    page, chromium, issuer_site, language
):
    persona = next(p for p in demo_personas() if p.key == "resident-substantial")
    headers = _agency(issuer_site)
    credential_id = _issue_diploma(issuer_site, headers, persona)

    log_in(page, issuer_site, persona, "substantial", language)
    page.goto(f"{issuer_site.url}/credentials/")
    page.locator(f"#credentials-list a[href*='{credential_id}']").click()
    claims = page.locator("#credential-claims")
    expect(claims).to_contain_text(TEXT[language]["title"])
    assert claims.locator("dt").count() >= 5  # the whole diploma, for its holder
    assert_accessible(page)

    verifier_context = chromium.new_context(locale=f"{language}-NL", bypass_csp=True)
    verifier_context.add_cookies(
        [{"name": "django_language", "value": language, "url": issuer_site.url}]
    )
    verifier = verifier_context.new_page()
    try:
        _present(page, _ask_title_and_level(verifier, issuer_site), credential_id, language)
        verifier.reload()
        outcome = verifier.locator("#verify-outcome")
        expect(outcome).to_have_attribute("data-outcome", "valid")
        expect(outcome).to_contain_text(TEXT[language]["valid"])
        shown = verifier.locator("#verify-claims dt").all_inner_texts()
        # The title and the level, nothing more.
        assert shown == [TEXT[language]["title"], TEXT[language]["level"]], shown
        assert_accessible(verifier)

        revoked = requests.post(
            f"{issuer_site.url}/api/agency/credentials/{credential_id}/revoke",
            headers=headers,
            timeout=10,
        )
        assert revoked.status_code == 200, revoked.text
        assert revoked.json()["state"] == "revoked"

        # The portal wallet warns before sharing; the verifier's check says "revoked".
        _present(page, _ask_title_and_level(verifier, issuer_site), credential_id, language)
        verifier.reload()
        outcome = verifier.locator("#verify-outcome")
        expect(outcome).to_have_attribute("data-outcome", "revoked")
        expect(outcome).to_contain_text(TEXT[language]["not_valid"])
        expect(verifier.locator("#verify-claims")).to_have_count(0)
    finally:
        verifier_context.close()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_municipal_staff_issue_a_proof_of_residence_and_suspend_it_in_the_back_office(
    page, chromium, issuer_site, language
):
    persona = next(p for p in demo_personas() if p.key == "resident-substantial")
    clerk_context, clerk = staff_page(chromium, issuer_site, "gemeente-utrecht", language)
    try:
        clerk.locator("#backoffice-nav-credentials").click()
        expect(clerk.get_by_role("heading", level=1)).to_have_text(TEXT[language]["credentials"])

        clerk.locator("#id_issue-type").select_option("residence")
        clerk.locator("#id_issue-value").fill("123456789")  # a typing error
        clerk.locator("#issue-form button[type=submit]").click()
        expect(clerk.locator("#field-issue-value")).to_contain_text(TEXT[language]["bad_bsn"])
        assert_accessible(clerk)

        clerk.locator("#id_issue-value").fill(persona.subject.value)
        clerk.locator("#issue-form button[type=submit]").click()
        expect(clerk.locator("#credential-state .lg-state--valid")).to_be_visible()
        clerk.get_by_role("button", name=TEXT[language]["suspend"], exact=True).click()
        expect(clerk.locator("main")).to_contain_text(TEXT[language]["suspended"])
        expect(clerk.locator("#credential-state")).to_contain_text(TEXT[language]["state"])
        assert_accessible(clerk)
    finally:
        clerk_context.close()

    # The person sees the proof, suspended, among their credentials.
    log_in(page, issuer_site, persona, "substantial", language)
    page.goto(f"{issuer_site.url}/credentials/")
    expect(page.locator("#credentials-list")).to_contain_text(TEXT[language]["state"])
