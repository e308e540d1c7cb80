"""The portal wallet answering a verifier: it shows exactly what is asked and what would be
sent, sends nothing before "Share", answers only trusted nodes, and records the
presentation in the person's processing log. In Dutch and English."""

from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client, override_settings

from lifegate.core.subject import Subject
from lifegate.credentials import compact, peer_http, verifier_identity, verifying, wallet
from lifegate.credentials.models import PresentationRequest
from lifegate.credentials.revocation import revoke
from lifegate.credentials.tests.conftest import BASE_URL, DIPLOMA_CLAIMS
from lifegate.credentials.tests.presenting import (
    DUO,
    TITLE_AND_LEVEL,
    Nodes,
    diploma,
    log_in,
    response_key,
)
from lifegate.registries import demo_sources
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import subject_hash

pytestmark = pytest.mark.django_db
PEER = "https://be.lifegate.example"


@pytest.fixture(autouse=True)
def node(issuer_settings: None) -> Any:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def browser(person: Any) -> Client:
    client = Client()
    log_in(client, person)
    return client


def ask(**changes: Any) -> PresentationRequest:
    return verifying.create_request(
        changes.get("claims", TITLE_AND_LEVEL),
        verifier_name="Acme Employer",
        credential_type="diploma",
    )


def present_url(made: PresentationRequest) -> str:
    return verifying.wallet_url(made).removeprefix(django_settings.BASE_URL)


def decide(browser: Client, made: PresentationRequest, decision: str, **fields: Any) -> Any:
    data = {
        "request_uri": verifying.request_uri(made),
        "client_id": made.client_id,
        "decision": decision,
        **fields,
    }
    return browser.post("/credentials/present/", data)


def presented(person: Any) -> list[ProcessingRecord]:
    return list(
        ProcessingRecord.objects.filter(
            data_subject_hash=subject_hash(person), name="credentials.present.diploma"
        )
    )


def test_an_anonymous_visitor_is_sent_to_log_in(credential_types):
    made = ask()

    response = Client().get(present_url(made))

    assert response.status_code == 302
    assert response["Location"].startswith("/identity/login/")


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        (
            "nl",
            [
                "Opleiding",
                "EQF-niveau",
                "Delen",
                "Iemand die zich <strong>Acme Employer</strong> noemt",
                "Niemand heeft deze naam gecontroleerd",
            ],
        ),
        (
            "en",
            [
                "Qualification",
                "EQF level",
                "Share",
                "Someone who gives their name as <strong>Acme Employer</strong>",
                "Nobody has checked this name",
            ],
        ),
    ],
)
def test_the_page_shows_who_asks_what_and_exactly_what_would_be_sent(
    credential_types, person, browser, language, labels
):
    diploma(person)
    made = ask()
    browser.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language

    page = browser.get(present_url(made))

    assert page.status_code == 200
    for label in labels:
        assert label in page.text
    # The one thing checked about who asks: the node the request came through.
    warning = page.text.split('id="present-unchecked"', 1)[1].split("</div>", 1)[0]
    assert urlsplit(BASE_URL).netloc in warning
    assert DIPLOMA_CLAIMS["title"] in page.text
    assert DIPLOMA_CLAIMS["grade"] not in page.text
    assert DIPLOMA_CLAIMS["learning_outcomes"] not in page.text
    made.refresh_from_db()
    assert made.status == "pending"  # nothing was sent by looking
    assert presented(person) == []
    # but the values on the page were read from the person's credential
    [shown] = ProcessingRecord.objects.filter(
        data_subject_hash=subject_hash(person), name="credentials.present-preview.diploma"
    )
    assert (shown.actor_kind, shown.data_categories) == ("person", TITLE_AND_LEVEL)


def test_share_sends_only_the_claims_asked_and_the_verifier_sees_them_valid(
    credential_types, person, browser
):
    credential = diploma(person)
    made = ask()

    response = decide(browser, made, "share", credential=str(credential.pk))

    assert response.status_code == 200 and 'data-outcome="shared"' in response.text
    made.refresh_from_db()
    result = verifying.result_of(made)
    assert result is not None and result.valid
    assert result.claims == {"title": DIPLOMA_CLAIMS["title"], "level_eqf": 6}


def test_sharing_is_in_the_persons_processing_log_on_both_sides(credential_types, person, browser):
    credential = diploma(person)
    made = ask()

    decide(browser, made, "share", credential=str(credential.pk))

    [record] = presented(person)
    assert (record.actor_kind, record.status_code) == ("person", "OK")
    assert record.processing_activity_id == verifying.ACTIVITY
    assert record.data_categories == TITLE_AND_LEVEL
    assert ProcessingRecord.objects.filter(
        data_subject_hash=subject_hash(person), name="credentials.verify.diploma"
    ).exists()


def test_do_not_share_sends_nothing_but_the_refusal(credential_types, person, browser):
    diploma(person)
    made = ask()

    response = decide(browser, made, "decline")

    assert 'data-outcome="declined"' in response.text
    made.refresh_from_db()
    assert (made.status, made.reason_code) == ("answered", "declined")
    assert verifying.result_of(made) == verifying.VerificationResult(valid=False, code="declined")
    assert presented(person) == []


def test_a_revoked_diploma_can_be_shown_and_the_verifier_sees_revoked(
    credential_types, person, browser
):
    credential = diploma(person)
    revoke(credential, actor=DUO)
    made = ask()
    browser.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"

    page = browser.get(present_url(made))
    decide(browser, made, "share", credential=str(credential.pk))

    assert "revoked or suspended" in page.text
    made.refresh_from_db()
    assert (made.valid, made.reason_code) == (False, "revoked")


def test_someone_elses_credential_cannot_be_shared(credential_types, person, browser):
    theirs = diploma(Subject("bsn", demo_sources.test_range_bsns()[1]), reference="theirs")
    made = ask()

    response = decide(browser, made, "share", credential=str(theirs.pk))

    assert response.status_code == 409
    made.refresh_from_db()
    assert made.status == "pending"


def test_a_person_without_a_matching_credential_is_told_so(credential_types, browser):
    made = ask()
    browser.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"

    page = browser.get(present_url(made))

    assert 'id="present-none"' in page.text
    assert 'value="share"' not in page.text


def test_a_request_from_an_unknown_host_is_not_even_fetched(credential_types, browser, monkeypatch):
    def no_fetch(url: str, accept: str) -> str:
        raise AssertionError("the wallet fetched an untrusted URL")

    monkeypatch.setattr(peer_http, "fetch", no_fetch)
    query = urlencode({"request_uri": "https://evil.example/credentials/oid4vp/requests/x"})

    response = browser.get(f"/credentials/present/?{query}")

    assert response.status_code == 400
    assert 'data-outcome="untrusted-verifier"' in response.text


def test_an_answered_request_cannot_be_answered_again(credential_types, person, browser):
    credential = diploma(person)
    made = ask()
    decide(browser, made, "share", credential=str(credential.pk))

    again = browser.get(present_url(made))

    assert again.status_code == 400
    assert 'data-outcome="request-closed"' in again.text


def test_a_link_whose_client_id_is_not_the_requests_is_refused(credential_types, browser):
    made = ask()
    query = urlencode(
        {"request_uri": verifying.request_uri(made), "client_id": "x509_hash:someone-else"}
    )

    response = browser.get(f"/credentials/present/?{query}")

    assert response.status_code == 400
    assert 'data-outcome="invalid-request"' in response.text


def test_a_verifier_in_a_trusted_peer_node_gets_a_valid_answer_over_http(
    credential_types, person, browser, settings, monkeypatch
):
    nodes = Nodes(PEER, BASE_URL).install(monkeypatch)
    settings.LIFEGATE_TRUSTED_ISSUERS = [BASE_URL, PEER]
    credential = diploma(person)
    with override_settings(BASE_URL=PEER):
        made = ask()  # made by the peer's verifier page
    query = urlencode({"request_uri": f"{PEER}/credentials/oid4vp/requests/{made.handle}"})

    page = browser.get(f"/credentials/present/?{query}")
    browser.post(
        "/credentials/present/",
        {
            "request_uri": f"{PEER}/credentials/oid4vp/requests/{made.handle}",
            "decision": "share",
            "credential": str(credential.pk),
        },
    )

    assert page.status_code == 200 and DIPLOMA_CLAIMS["title"] in page.text
    made.refresh_from_db()
    assert (made.status, made.valid) == ("answered", True)
    assert f"{PEER}/credentials/oid4vp/responses/{made.handle}" in nodes.calls
    assert len(presented(person)) == 1


def test_the_portal_wallets_answer_is_encrypted_to_the_verifiers_key(
    credential_types, person, browser, settings, monkeypatch
):
    nodes = Nodes(PEER, BASE_URL).install(monkeypatch)
    settings.LIFEGATE_TRUSTED_ISSUERS = [BASE_URL, PEER]
    credential = diploma(person)
    with override_settings(BASE_URL=PEER):
        made = ask()
    browser.post(
        "/credentials/present/",
        {
            "request_uri": f"{PEER}/credentials/oid4vp/requests/{made.handle}",
            "decision": "share",
            "credential": str(credential.pk),
        },
    )

    [posted] = nodes.posted
    assert set(posted) == {"response"}  # no vp_token or state in the clear
    assert posted["response"].count(".") == 4
    assert DIPLOMA_CLAIMS["title"] not in posted["response"]
    made.refresh_from_db()
    assert (made.status, made.valid) == ("answered", True)


def _request_object_with(made: PresentationRequest, **metadata: Any) -> str:
    token = verifying.request_object(made)
    assert token is not None
    claims = compact.decode(token, "request object").payload
    claims["client_metadata"] |= metadata
    return verifier_identity.sign_request_object(claims)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        (
            {"jwks": {"keys": [{"kty": "RSA", "n": "AQAB", "e": "AQAB", "use": "enc"}]}},
            "unsupported-request",
        ),
        ({"jwks": {"keys": []}}, "invalid-request"),
        ({"encrypted_response_enc_values_supported": ["A128CBC-HS256"]}, "unsupported-request"),
    ],
)
def test_a_request_without_a_usable_encryption_key_or_enc_is_refused(
    credential_types, changes, code
):
    made = ask()
    token = _request_object_with(made, **changes)

    with pytest.raises(wallet.WalletRefusal) as refusal:
        wallet.parse_request_object(token, verifying.request_uri(made), made.client_id)

    assert refusal.value.code == code


def test_a_request_in_plain_direct_post_mode_is_refused(credential_types):
    made = ask()
    token = verifying.request_object(made)
    assert token is not None
    claims = compact.decode(token, "request object").payload
    claims["response_mode"] = "direct_post"

    with pytest.raises(wallet.WalletRefusal) as refusal:
        wallet.parse_request_object(
            verifier_identity.sign_request_object(claims), verifying.request_uri(made), None
        )

    assert refusal.value.code == "unsupported-request"


@pytest.mark.parametrize(
    ("supported", "chosen"),
    [(None, "A128GCM"), (["A256GCM"], "A256GCM"), (["A256GCM", "A128GCM"], "A128GCM")],
)
def test_the_wallet_uses_a128gcm_unless_only_a256gcm_is_taken(credential_types, supported, chosen):
    made = ask()
    token = _request_object_with(made, encrypted_response_enc_values_supported=supported)

    parsed = wallet.parse_request_object(token, verifying.request_uri(made), made.client_id)

    assert parsed.response_enc == chosen
    assert parsed.response_key.kid == response_key(made).kid
