"""A Dutch resident and an EU citizen log in through real OpenID Connect, and log out."""

import dataclasses
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings as django_settings

from lifegate.core.origins import origin_of
from lifegate.core.subject import Subject
from lifegate.identity import services as identity_services
from lifegate.identity.oidc import provider_metadata
from lifegate.transparency.services import records_about

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_resident_logs_in_at_substantial(browser, resident):
    before = datetime.now(UTC)
    response = browser.log_in(resident, "substantial", next_url="/")
    after = datetime.now(UTC)

    assert response.status_code == 200
    assert response.url == browser.base_url + "/"
    stored = browser.authentication()
    assert stored["subject"] == {"scheme": "bsn", "value": resident.subject.value}
    assert stored["loa"] == "substantial"
    assert stored["issuer"] == browser.base_url + "/dev-idp"
    assert stored["given_name"] == resident.given_name
    authenticated_at = datetime.fromisoformat(stored["authenticated_at"])
    assert before - timedelta(seconds=1) <= authenticated_at <= after


def test_the_login_is_recorded_in_the_processing_log(browser, resident):
    browser.log_in(resident, "substantial")

    records = records_about(Subject("bsn", resident.subject.value))
    logins = [record for record in records if record.name == "identity.login"]
    assert len(logins) == 1
    assert logins[0].processing_activity_id == "identity-login"
    assert logins[0].data_categories == ["identifier", "name"]
    assert logins[0].data_subject_id_type == "BSN"


def test_an_eu_citizen_logs_in_with_their_eidas_identifier(browser, eu_citizen):
    response = browser.log_in(eu_citizen, "substantial", scheme="eidas")

    assert response.status_code == 200
    stored = browser.authentication()
    identifier = eu_citizen.eidas_person_identifier or eu_citizen.subject.value
    assert stored["subject"] == {"scheme": "eidas", "value": identifier}
    assert stored["loa"] == "substantial"
    assert stored["family_name"] == eu_citizen.family_name


def test_the_eidas_button_shows_eu_citizens_first(browser, eu_citizen):
    picker = browser.start_login(scheme="eidas")

    assert picker.text.index("EU citizens (eIDAS)") < picker.text.index("Dutch residents (DigiD)")


def test_the_digid_button_shows_residents_first(browser, resident):
    picker = browser.start_login(scheme="digid")

    assert picker.text.index("Dutch residents (DigiD)") < picker.text.index("EU citizens (eIDAS)")


def test_login_returns_to_the_page_that_asked_for_it(browser, resident):
    response = browser.log_in(resident, "low", next_url="/catalogue/life-events/")

    assert response.url == browser.base_url + "/catalogue/life-events/"


def test_login_never_returns_to_another_site(browser, resident):
    response = browser.log_in(resident, "low", next_url="https://evil.example/steal")

    assert response.url == browser.base_url + "/"
    assert browser.authentication() is not None


def test_login_gives_a_fresh_session_id(browser, resident):
    browser.get("/identity/login/")
    picker = browser.start_login()
    before = browser.http.cookies.get("sessionid")

    browser.choose(picker, f"{resident.key}|low")

    assert browser.http.cookies.get("sessionid") not in (None, before)


def test_the_bsn_never_appears_in_an_address(browser, resident):
    response = browser.log_in(resident, "substantial")

    addresses = [step.url for step in response.history] + [
        step.headers.get("Location", "") for step in response.history
    ]
    assert addresses
    assert not any(resident.subject.value in address for address in addresses)


def test_logout_ends_the_session_here_and_at_the_provider(browser, resident):
    home = browser.log_in(resident, "low")
    assert browser.authentication() is not None

    response = browser.post_form(home, "/identity/logout/", {})

    assert response.status_code == 200
    assert "You are logged out" in response.text
    assert browser.authentication() is None
    assert "Log in" in browser.get("/").text
    # Through the provider's end-session endpoint (RP-Initiated Logout) and back.
    out, provider = response.history
    assert out.status_code == provider.status_code == 302
    ended = urlsplit(out.headers["Location"])
    assert ended.path == "/dev-idp/logout"
    assert parse_qs(ended.query) == {
        "client_id": [django_settings.OIDC_CLIENT_ID],
        "post_logout_redirect_uri": [browser.base_url + "/identity/logout/"],
        "ui_locales": ["en"],
    }
    assert provider.headers["Location"] == browser.base_url + "/identity/logout/"
    # The ID token (with the BSN) is never sent along.
    assert resident.subject.value not in out.headers["Location"]


def test_logout_in_dutch_ends_in_dutch(browser, resident):
    browser.http.headers["Accept-Language"] = "nl"
    home = browser.log_in(resident, "low")
    response = browser.post_form(home, "/identity/logout/", {})
    assert "ui_locales=nl" in response.history[0].headers["Location"]
    assert "U bent uitgelogd" in response.text


def test_without_an_end_session_endpoint_logout_stays_here(browser, resident, monkeypatch):
    home = browser.log_in(resident, "low")
    metadata = provider_metadata()
    monkeypatch.setattr(
        identity_services,
        "provider_metadata",
        lambda: dataclasses.replace(metadata, end_session_endpoint=""),
    )
    response = browser.post_form(home, "/identity/logout/", {}, follow=False)
    assert response.status_code == 200
    assert "You are logged out" in response.text
    assert browser.authentication() is None


def test_an_end_session_endpoint_forms_may_not_reach_is_not_used(browser, resident, monkeypatch):
    home = browser.log_in(resident, "low")
    metadata = provider_metadata()
    elsewhere = dataclasses.replace(metadata, end_session_endpoint="https://other.example/out")
    monkeypatch.setattr(identity_services, "provider_metadata", lambda: elsewhere)
    response = browser.post_form(home, "/identity/logout/", {}, follow=False)
    assert response.status_code == 200
    assert browser.authentication() is None


def test_logging_out_without_a_session_does_not_visit_the_provider(browser):
    assert "You are logged out" in browser.get("/identity/logout/").text
    page = browser.get("/identity/login/")  # a page with a CSRF token
    response = browser.post_form(page, "/identity/logout/", {}, follow=False)
    assert response.status_code == 200
    assert "You are logged out" in response.text


def test_a_logged_in_page_lets_the_logout_form_reach_the_provider(browser, resident, settings):
    settings.OIDC_EXTRA_FORM_ORIGINS = ["https://broker.example:8443/start"]
    anonymous = browser.get("/catalogue/life-events/").headers["Content-Security-Policy"]
    assert "form-action 'self';" in anonymous + ";"
    browser.log_in(resident, "low")
    policy = browser.get("/catalogue/life-events/").headers["Content-Security-Policy"]
    form_action = next(part for part in policy.split(";") if "form-action" in part).split()
    assert form_action == [
        "form-action",
        "'self'",
        *sorted(["https://broker.example:8443", str(origin_of(browser.base_url))]),
    ]


def test_logout_by_get_only_asks_for_confirmation(browser, resident):
    browser.log_in(resident, "low")

    response = browser.get("/identity/logout/")

    assert response.status_code == 200
    assert 'action="/identity/logout/"' in response.text
    assert browser.authentication() is not None


def test_the_login_page_offers_digid_and_eidas_in_english_and_dutch(browser):
    english = browser.get("/identity/login/")
    dutch = browser.get("/identity/login/", headers={"Accept-Language": "nl"})

    assert "Log in with DigiD (Dutch residents)" in english.text
    assert "Log in with your European eID (eIDAS)" in english.text
    assert '<html lang="nl"' in dutch.text
    assert dutch.text.count('name="scheme"') == 2


def test_on_another_countrys_node_residents_log_in_with_their_national_eid(browser, settings):
    settings.NODE_COUNTRY = "EE"
    english = browser.get("/identity/login/?level=high")
    dutch = browser.get("/identity/login/?level=high", headers={"Accept-Language": "nl"})

    for page in (english, dutch):
        assert "DigiD" not in page.text and "BSN" not in page.text
        assert page.text.count('name="scheme" value="eidas"') == 2
        assert 'value="digid"' not in page.text
    assert "Log in with your national eID (residents)" in english.text
    assert "This service needs level of assurance high." in english.text
    assert "Inloggen met uw nationale eID (inwoners)" in dutch.text


def test_the_authorization_request_uses_pkce_state_nonce_and_the_level(browser):
    page = browser.get("/identity/login/")
    data = {"next": "/", "level": "substantial", "scheme": "eidas"}

    response = browser.post_form(page, "/identity/login/", data, follow=False)

    assert response.status_code == 302
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    assert query["acr_values"] == ["http://eidas.europa.eu/LoA/substantial"]
    assert query["idp_hint"] == ["eidas"]
    assert query["redirect_uri"] == [browser.base_url + "/identity/callback/"]
    assert "code_verifier" not in query


def test_an_unknown_level_is_read_as_low(browser):
    page = browser.get("/identity/login/", params={"level": "ultra"})

    assert 'name="level" value="low"' in page.text
