"""Every way a login can go wrong ends on a clear error page, with no session and no
identifier in the page or the log."""

import logging
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.core.cache import cache
from django.utils import timezone
from joserfc.jwk import ECKey

from lifegate.core.keys import signing_key
from lifegate.identity.dev_idp import server as dev_idp_server
from lifegate.identity.dev_idp.models import DevIdpAuthorizationCode
from lifegate.identity.services import PENDING_KEY
from lifegate.identity.tests.conftest import Browser
from lifegate.transparency.models import ProcessingRecord

pytestmark = pytest.mark.django_db(transaction=True)
UNREACHABLE = "http://127.0.0.1:9/dev-idp/.well-known/openid-configuration"


def assert_refused(response, status, title, persona):
    assert response.status_code == status
    assert title in response.text
    assert persona.subject.value not in response.text
    assert not ProcessingRecord.objects.filter(name="identity.login").exists()


def with_query(url, **changes):
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    query.update(changes)
    return parts._replace(query=urlencode(query)).geturl()


def test_a_callback_with_the_wrong_state_is_refused(browser, resident):
    location = browser.callback_location(resident, "low")

    response = browser.get(with_query(location, state="forged-state"))

    assert_refused(response, 400, "This login attempt is not valid", resident)
    assert browser.authentication() is None


def test_a_callback_without_a_login_in_progress_is_refused(browser, resident):
    location = browser.callback_location(resident, "low")

    response = Browser(browser.base_url).get(location)

    assert_refused(response, 400, "This login attempt is not valid", resident)


def test_a_callback_can_be_used_only_once(browser, resident):
    location = browser.callback_location(resident, "low")
    assert browser.get(location).status_code == 200

    response = browser.get(location)

    assert response.status_code == 400
    assert "This login attempt is not valid" in response.text


def test_a_replayed_code_is_refused(browser, resident):
    location = browser.callback_location(resident, "low")
    stolen = dict(browser.session()[PENDING_KEY])
    assert browser.get(location).status_code == 200
    attacker = Browser(browser.base_url)
    attacker.start_login()
    session = attacker.session()
    session[PENDING_KEY] = stolen
    session.save()

    response = attacker.get(location)

    assert response.status_code == 400
    assert "Your login could not be verified" in response.text
    assert attacker.authentication() is None


def test_an_expired_code_is_refused(browser, resident):
    location = browser.callback_location(resident, "low")
    DevIdpAuthorizationCode.objects.update(created_at=timezone.now() - timedelta(seconds=61))

    response = browser.get(location)

    assert_refused(response, 400, "Your login could not be verified", resident)
    assert browser.authentication() is None


def test_an_id_token_signed_by_another_key_is_refused(browser, resident, monkeypatch):
    published = signing_key("dev-idp")
    other = ECKey.generate_key("P-256", {"alg": "ES256"}, private=True)
    impostor = ECKey.import_key({**other.as_dict(private=True), "kid": published.kid or ""})
    browser.get("/dev-idp/jwks")
    location = browser.callback_location(resident, "low")
    monkeypatch.setattr(dev_idp_server, "signing_key", lambda name: impostor)

    response = browser.get(location)

    assert_refused(response, 400, "Your login could not be verified", resident)
    assert browser.authentication() is None


def test_an_id_token_with_another_nonce_is_refused(browser, resident):
    location = browser.callback_location(resident, "low")
    session = browser.session()
    session[PENDING_KEY] = {**session[PENDING_KEY], "nonce": "nonce-of-another-login"}
    session.save()

    response = browser.get(location)

    assert_refused(response, 400, "Your login could not be verified", resident)
    assert browser.authentication() is None


def test_cancelling_at_the_provider_is_reported(browser, resident):
    picker = browser.start_login()

    response = browser.post_form(picker, picker.url, {"action": "cancel"})

    assert_refused(response, 400, "You did not complete logging in", resident)
    assert browser.authentication() is None


def test_an_error_from_the_provider_is_reported(browser, resident):
    location = browser.callback_location(resident, "low")

    response = browser.get(with_query(location, error="server_error", code=""))

    assert_refused(response, 400, "The identity provider could not log you in", resident)


def test_an_unreachable_provider_is_reported_when_starting(browser, resident, settings):
    settings.OIDC_DISCOVERY_URL = UNREACHABLE
    page = browser.get("/identity/login/")

    response = browser.post_form(page, "/identity/login/", {"scheme": "digid"})

    assert_refused(response, 502, "The identity provider cannot be reached", resident)


def test_an_unreachable_provider_is_reported_on_return(browser, resident, settings):
    location = browser.callback_location(resident, "low")
    settings.OIDC_DISCOVERY_URL = UNREACHABLE
    cache.clear()

    response = browser.get(location)

    assert_refused(response, 502, "The identity provider cannot be reached", resident)
    assert browser.authentication() is None


def test_failures_are_logged_without_identifiers(browser, resident, caplog):
    location = browser.callback_location(resident, "low")
    DevIdpAuthorizationCode.objects.update(created_at=timezone.now() - timedelta(seconds=61))

    with caplog.at_level(logging.WARNING, logger="lifegate.identity"):
        browser.get(location)

    assert "login failed: token" in caplog.text
    assert resident.subject.value not in caplog.text


def test_a_failed_step_up_keeps_the_existing_session_as_it_was(browser, resident):
    browser.log_in(resident, "low")
    location = browser.callback_location(resident, "substantial")

    response = browser.get(with_query(location, state="forged-state"))

    assert response.status_code == 400
    assert browser.authentication()["loa"] == "low"
