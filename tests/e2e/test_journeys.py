"""Life events end to end in a real browser: log in, get a plan, send prefilled steps, and see
the agency's decision arrive (through the agency API or the back office)."""

import pytest
import requests
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect

from lifegate.catalogue.models import PublicOrganisation
from lifegate.journeys.agency import bearer_token, create_client
from lifegate.journeys.models import AgencyClient, AgencyStaff, Submission
from lifegate.registries.services import demo_personas
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.browser


def _persona(key):
    return next(p for p in demo_personas() if p.key == key)


def log_in(page, site, persona, level, language):
    page.context.add_cookies([{"name": "django_language", "value": language, "url": site.url}])
    page.goto(f"{site.url}/identity/login/")
    eidas = persona.subject.scheme == "eidas"
    buttons = {
        ("nl", False): "Inloggen met DigiD",
        ("en", False): "Log in with DigiD (Dutch residents)",
        ("en", True): "Log in with your European eID (eIDAS)",
    }
    page.get_by_role("button", name=buttons[(language, eidas)]).click()
    page.locator(f"input[value='{persona.key}|{level}']").check()
    confirm = "Inloggen als deze persoon" if language == "nl" else "Log in as this person"
    page.get_by_role("button", name=confirm).click()
    page.wait_for_load_state()
    if page.locator("#person-self").count():
        # Whoever may act for others (a parent of minors) first chooses whom: themselves.
        expect(page.locator("#person-self")).to_be_checked()
        page.get_by_role("button", name="Verder" if language == "nl" else "Continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(persona.given_name.split()[0])


def start_life_event(page, site, slug, start_label):
    page.goto(f"{site.url}/catalogue/life-events/{slug}/")
    page.get_by_role("link", name=start_label).click()


def agency_decides(site, organisation_slug, service_slug, message):
    """The agency's own system pulls the submission from its queue and decides."""
    organisation = PublicOrganisation.objects.get(slug=organisation_slug)
    client, secret = create_client(organisation, "e2e", [AgencyClient.Scope.SUBMISSIONS])
    headers = {"Authorization": f"Bearer {bearer_token(client, secret)}"}
    queue = requests.get(f"{site.url}/api/agency/submissions", headers=headers, timeout=10)
    assert queue.status_code == 200, queue.text
    ids = [s["id"] for s in queue.json()["results"] if s["service"] == service_slug]
    assert len(ids) == 1
    for status, text in (("received", ""), ("decided", message)):
        response = requests.post(
            f"{site.url}/api/agency/submissions/{ids[0]}/status",
            json={"status": status, "message": text},
            headers=headers,
            timeout=10,
        )
        assert response.status_code == 200, response.text


def test_moving_house_in_dutch_with_the_back_office_deciding(page, demo_site, chromium):
    resident = _persona("resident-substantial")
    log_in(page, demo_site, resident, "substantial", "nl")
    start_life_event(page, demo_site, "moving-house", "Maak mijn persoonlijke plan")

    page.locator("#id_move_date").fill("2026-12-15")
    page.locator("#field-rents_new_home input[value=no]").check()
    page.locator("#field-has_vehicle input[value=no]").check()
    assert_accessible(page)
    page.get_by_role("button", name="Maak mijn plan").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Verhuizen binnen Nederland")
    step = page.locator("#step-address-change")
    expect(step).to_contain_text("20 december 2026")  # 5 days after the move
    expect(page.locator("#step-proof-of-residence")).to_contain_text("Wacht op een eerdere stap")
    expect(page.locator("#skipped-housing-benefit")).to_be_visible()
    assert_accessible(page)

    step.get_by_role("link", name="Invullen en versturen").click()
    expect(page.locator("#known-current_address")).to_contain_text("basisregistratie personen")
    page.get_by_role("button", name="Versturen", exact=True).click()  # nothing filled in
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.locator("#field-new_postcode")).to_contain_text("Dit veld is verplicht")
    assert_accessible(page)
    page.locator("#id_new_street_line").fill("Domplein 1")
    page.locator("#id_new_postcode").fill("3512 JE")
    page.locator("#id_new_city").fill("Utrecht")
    page.locator("#field-household input[type=radio]").first.check()
    page.locator("#id_confirm").check()
    page.get_by_role("button", name="Versturen", exact=True).click()
    expect(page.locator("#step-address-change")).to_contain_text("Verstuurd")

    # A clerk of the municipality decides in the back office.
    municipality = Submission.objects.get(service_slug="address-change").organisation
    user = get_user_model().objects.create_user("clerk", password="a long clerk password")
    AgencyStaff.objects.create(user=user, organisation=municipality)
    clerk_context = chromium.new_context(locale="nl-NL")
    clerk = clerk_context.new_page()
    clerk.goto(f"{demo_site.url}/back-office/login/")
    clerk.get_by_label("Gebruikersnaam").fill("clerk")
    clerk.get_by_label("Wachtwoord").fill("a long clerk password")
    clerk.get_by_role("button", name="Inloggen").click()
    clerk.locator("table a").first.click()
    clerk.get_by_label("Besloten").check()
    clerk.get_by_label("Bericht aan de persoon").fill("Uw nieuwe adres is ingeschreven.")
    clerk.get_by_role("button", name="Status opslaan").click()
    expect(clerk.locator("main")).to_contain_text("De status is bijgewerkt.")
    clerk_context.close()

    page.reload()
    expect(page.locator("#step-address-change")).to_contain_text("Uw nieuwe adres is ingeschreven.")
    expect(page.locator("#step-proof-of-residence")).to_contain_text("Invullen en versturen")
    page.goto(demo_site.url)
    expect(page.locator("#journey-moving-house")).to_contain_text("stappen klaar")


def test_eu_citizen_comes_to_live_in_the_netherlands_in_english(page, demo_site):
    citizen = _persona("eu-de")
    log_in(page, demo_site, citizen, "high", "en")
    start_life_event(page, demo_site, "moving-to-the-netherlands", "Make my personal plan")

    page.locator("#id_arrival_date").fill("2026-12-01")
    page.locator("#id_country_of_origin").select_option("DE")
    page.locator("#field-stays_over_four_months input[value=yes]").check()
    page.locator("#field-has_job input[value=yes]").check()
    page.get_by_role("button", name="Make my plan").click()

    step = page.locator("#step-first-registration")
    expect(step).to_contain_text("To do")
    expect(page.locator("#step-digid-application")).to_contain_text("Waiting")
    assert_accessible(page)
    step.get_by_role("link", name="Fill in and send").click()
    expect(page.locator("#known-full_name")).to_contain_text(citizen.family_name)
    expect(page.locator("#known-previous_country")).to_contain_text("your answer")
    page.locator("#id_street_line").fill("Oudegracht 100")
    page.locator("#id_postcode").fill("1234")
    page.locator("#id_confirm").check()
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("#field-postcode")).to_contain_text("like 1234 AB")
    page.locator("#id_postcode").fill("3511 AL")
    page.locator("#id_city").fill("Utrecht")
    page.locator("#id_confirm").check()
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("#step-first-registration")).to_contain_text("Sent")

    agency_decides(
        demo_site, "gemeente-utrecht", "first-registration", "You are registered. Welcome!"
    )
    page.reload()
    expect(page.locator("#step-first-registration")).to_contain_text("You are registered.")
    expect(page.locator("#step-digid-application")).to_contain_text("Fill in and send")
    assert Submission.objects.get(service_slug="first-registration").language == "en"


def test_death_of_a_relative_in_dutch(page, demo_site):
    resident = _persona("resident-high")
    log_in(page, demo_site, resident, "high", "nl")
    start_life_event(page, demo_site, "death-of-a-relative", "Maak mijn persoonlijke plan")
    page.locator("#field-relation input[value=parent]").check()
    page.locator("#id_date_of_death").fill("2026-11-20")
    page.locator("#field-owned_vehicle input[value=no]").check()
    page.get_by_role("button", name="Maak mijn plan").click()

    step = page.locator("#step-death-registration")
    expect(step).to_contain_text("26 november 2026")
    step.get_by_role("link", name="Invullen en versturen").click()
    expect(page.locator("#known-declarant_name")).to_contain_text(resident.family_name)
    page.locator("#id_deceased_name").fill("Overleden Testpersoon")
    page.locator("#id_place_of_death").fill("Utrecht")
    page.locator("#field-has_medical_certificate input[value=yes]").check()
    page.locator("#id_confirm").check()
    page.get_by_role("button", name="Versturen", exact=True).click()
    expect(page.locator("#step-death-registration")).to_contain_text("Verstuurd")

    agency_decides(demo_site, "gemeente-utrecht", "death-registration", "De akte is opgemaakt.")
    page.reload()
    expect(page.locator("#step-death-registration")).to_contain_text("De akte is opgemaakt.")
    expect(page.locator("#step-death-certificate")).to_contain_text("Invullen en versturen")


def test_retiring_in_english(page, demo_site):
    resident = _persona("resident-substantial")
    log_in(page, demo_site, resident, "substantial", "en")
    start_life_event(page, demo_site, "retiring", "Make my personal plan")
    page.locator("#id_retirement_date").fill("2027-06-01")
    page.locator("#field-pension_fund input[value=abp]").check()
    page.get_by_role("button", name="Make my plan").click()

    expect(page.locator("#step-abp-pension-application")).to_be_visible()
    step = page.locator("#step-aow-application")
    step.get_by_role("link", name="Fill in and send").click()
    expect(page.locator("#known-state_pension_date")).to_contain_text("population register")
    page.locator("#field-lived_abroad input[value=no]").check()
    page.locator("#id_iban").fill("NL91 ABNA 0417 1643 01")
    page.locator("#id_confirm").check()
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("#field-iban")).to_be_visible()  # wrong check digits
    page.locator("#id_iban").fill("NL91 ABNA 0417 1643 00")
    page.locator("#id_confirm").check()
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("#step-aow-application")).to_contain_text("Sent")

    agency_decides(demo_site, "svb", "aow-application", "Your state pension starts in June.")
    page.reload()
    expect(page.locator("#step-aow-application")).to_contain_text("Decided")
    expect(page.locator("#step-aow-application")).to_contain_text("Your state pension starts")


def test_a_birth_reported_by_the_register_starts_the_plan_for_the_parent(page, demo_site):
    from lifegate.journeys import events
    from lifegate.journeys.management.commands.emit_birth_event import (
        register_newborn,
        register_source,
    )

    parent = _persona("parent")
    newborn = register_newborn(parent.subject.value)
    register = PublicOrganisation.objects.get(slug="rvig")
    client, secret = create_client(register, "e2e register", [AgencyClient.Scope.EVENTS])
    message = events.structured(
        events.registry_event(events.BIRTH_REGISTERED, newborn.bsn, register_source(register))
    )
    response = requests.post(
        f"{demo_site.url}/api/events/",
        data=message.body,
        headers=message.headers | {"Authorization": f"Bearer {bearer_token(client, secret)}"},
        timeout=10,
    )
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "accepted"
    # The task worker (as `make demo` runs it) starts the journeys.
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    log_in(page, demo_site, parent, "substantial", "nl")
    journey = page.locator("#journey-birth")
    expect(journey).to_contain_text("Er is een kind geboren")
    assert_accessible(page)
    journey.get_by_role("link").click()

    expect(page.locator("#step-birth-registration")).to_contain_text("Klaar")
    # What no register knows is asked on the plan itself; until then those steps wait.
    expect(page.locator("#step-childcare-benefit")).to_contain_text("Beantwoord de vragen")
    page.locator("#field-uses_childcare input[value=yes]").check()
    page.locator("#field-travel_abroad input[value=no]").check()
    page.get_by_role("button", name="Mijn plan bijwerken").click()
    expect(page.locator("#questions")).to_have_count(0)
    expect(page.locator("#step-childcare-benefit")).to_contain_text("Invullen en versturen")
    expect(page.locator("#skipped-passport-id-card")).to_be_visible()
    step = page.locator("#step-child-benefit")
    step.get_by_role("link", name="Invullen en versturen").click()
    expect(page.locator("#known-child_name")).to_contain_text(newborn.full_name)
    expect(page.locator("#known-child_name")).to_contain_text("basisregistratie personen")
    assert_accessible(page)
    page.locator("#field-child_lives_with_you input[value=yes]").check()
    page.locator("#id_iban").fill("NL91ABNA0417164300")
    page.locator("#id_confirm").check()
    page.get_by_role("button", name="Versturen", exact=True).click()
    expect(page.locator("#step-child-benefit")).to_contain_text("Verstuurd")

    agency_decides(demo_site, "svb", "child-benefit", "U krijgt kinderbijslag vanaf dit kwartaal.")
    page.reload()
    expect(page.locator("#step-child-benefit")).to_contain_text("U krijgt kinderbijslag")
