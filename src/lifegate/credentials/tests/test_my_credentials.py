"""The person's "My credentials" pages: own credentials only (also while acting for someone),
every claim with its catalogue label, the transparency-log entry, the processing record of a
view, and "Put in another wallet" (QR code and offer link). In Dutch and English."""

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings as django_settings
from django.test import Client

from lifegate.core.subject import Subject
from lifegate.credentials import log
from lifegate.credentials.models import CredentialOffer
from lifegate.credentials.revocation import revoke
from lifegate.credentials.tests.conftest import BASE_URL, DIPLOMA_CLAIMS
from lifegate.credentials.tests.presenting import DUO, act_for, diploma, log_in
from lifegate.registries import demo_sources
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import subject_hash

pytestmark = pytest.mark.django_db
OTHER = Subject("bsn", demo_sources.test_range_bsns()[1])


@pytest.fixture(autouse=True)
def node(issuer_settings: None, credential_types: Any) -> None:
    """This node issues credentials of the demo catalogue's types."""


@pytest.fixture
def browser(person: Subject) -> Client:
    client = Client()
    log_in(client, person)
    return client


def in_language(client: Client, language: str) -> Client:
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_an_anonymous_visitor_is_sent_to_log_in():
    response = Client().get("/credentials/")

    assert response.status_code == 302
    assert response["Location"].startswith("/identity/login/")


@pytest.mark.parametrize(
    ("language", "type_name", "issuer_name"),
    [("nl", "Diploma", "name_nl"), ("en", "Diploma", "name_en")],
)
def test_the_list_shows_own_credentials_with_issuer_dates_and_state(
    person, browser, language, type_name, issuer_name
):
    mine = diploma(person)
    theirs = diploma(OTHER, reference="other-dossier")

    page = in_language(browser, language).get("/credentials/")

    assert page.status_code == 200
    text = page.content.decode()
    assert f"/credentials/{mine.pk}/" in text
    assert f"/credentials/{theirs.pk}/" not in text
    assert type_name in text
    assert getattr(mine.credential_type.issuer, issuer_name) in text
    assert "lg-state--valid" in text
    assert 'id="nav-credentials"' in text


def test_the_list_shows_a_revoked_credential_as_revoked(person, browser):
    credential = diploma(person)
    _revoke(credential)

    page = in_language(browser, "en").get("/credentials/")

    assert "lg-state--revoked" in page.content.decode()


def _revoke(credential: Any) -> None:
    revoke(credential, actor=DUO)


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        ("nl", ["Opleiding", "EQF-niveau", "Uitgereikt door", "Leerresultaten (samenvatting)"]),
        ("en", ["Qualification", "EQF level", "Awarding body", "Learning outcomes (summary)"]),
    ],
)
def test_the_detail_shows_every_claim_with_its_label_and_the_log_entry(
    person, browser, language, labels
):
    credential = diploma(person)

    page = in_language(browser, language).get(f"/credentials/{credential.pk}/")

    assert page.status_code == 200
    text = page.content.decode()
    for label in labels:
        assert f">{label}</dt>" in text
    for value in ("Bachelor of Science HBO-ICT", "Hogeschool Domstad", "met genoegen"):
        assert value in text
    assert f'href="/api/credentials/log/entries/{credential.log_index}"' in text
    assert 'id="offer"' in text


def test_the_log_link_leads_to_a_public_inclusion_proof(person, browser):
    credential = diploma(person)
    log.checkpoint()

    proof = Client().get(f"/api/credentials/log/entries/{credential.log_index}")

    assert proof.status_code == 200
    assert proof.json()["index"] == credential.log_index


def test_viewing_a_credential_is_recorded_in_the_processing_log(person, browser):
    credential = diploma(person)

    browser.get(f"/credentials/{credential.pk}/")

    records = ProcessingRecord.objects.filter(
        data_subject_hash=subject_hash(person), name="credentials.view.diploma"
    )
    assert records.count() == 1
    assert records.get().processing_activity_id == "credential-issuing"


def test_another_persons_credential_and_an_unknown_one_are_not_found(person, browser):
    theirs = diploma(OTHER, reference="other-dossier")

    assert browser.get(f"/credentials/{theirs.pk}/").status_code == 404
    assert browser.post(f"/credentials/{theirs.pk}/offer").status_code == 404
    assert browser.get("/credentials/00000000-0000-4000-8000-000000000000/").status_code == 404
    assert not CredentialOffer.objects.exists()


def test_someone_acting_for_another_person_sees_only_their_own(person):
    theirs = diploma(OTHER, reference="other-dossier")
    mine = diploma(person)
    client = Client()
    log_in(client, person)
    act_for(client, person, OTHER)

    listing = in_language(client, "en").get("/credentials/").content.decode()

    assert f"/credentials/{mine.pk}/" in listing
    assert f"/credentials/{theirs.pk}/" not in listing
    assert 'id="credentials-own-only"' in listing
    assert client.get(f"/credentials/{theirs.pk}/").status_code == 404
    assert client.post(f"/credentials/{theirs.pk}/offer").status_code == 404


def test_put_in_another_wallet_shows_a_qr_code_and_an_offer_link(person, browser):
    credential = diploma(person)

    page = in_language(browser, "en").post(f"/credentials/{credential.pk}/offer")

    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    text = page.content.decode()
    assert "<svg" in text and 'class="segno"' in text
    link = page.context["offer_link"]
    assert link.startswith("openid-credential-offer://?credential_offer=")
    assert f'href="{link.replace("&", "&amp;")}"' in text or f'href="{link}"' in text
    offer = json.loads(parse_qs(urlsplit(link).query)["credential_offer"][0])
    assert offer["credential_issuer"] == BASE_URL
    assert offer["credential_configuration_ids"] == ["diploma"]
    grant = offer["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]
    assert len(grant["pre-authorized_code"]) >= 32
    stored = CredentialOffer.objects.get()
    # Only a hash of the code is kept.
    assert grant["pre-authorized_code"] not in stored.code_hash
    # The transaction code is on the page, not in the link or QR code.
    tx_code = page.context["offer_tx_code"]
    assert tx_code.isdigit() and len(tx_code) == grant["tx_code"]["length"] == 6
    assert f'id="credential-offer-tx-code">{tx_code}<' in text
    assert tx_code not in link.partition("tx_code")[0] + json.dumps(grant["tx_code"])
    assert "Your wallet app asks for this code" in text


def test_the_transaction_code_is_explained_in_dutch(person, browser):
    page = in_language(browser, "nl").post(f"/credentials/{diploma(person).pk}/offer")

    text = page.content.decode()
    offer = json.loads(parse_qs(urlsplit(page.context["offer_link"]).query)["credential_offer"][0])
    grant = offer["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]
    assert "Uw wallet-app vraagt om deze code" in text
    assert grant["tx_code"]["description"].startswith("De code")


def test_the_offer_needs_a_post_with_a_csrf_token(person):
    credential = diploma(person)
    client = Client(enforce_csrf_checks=True)
    log_in(client, person)

    assert client.get(f"/credentials/{credential.pk}/offer").status_code == 405
    assert client.post(f"/credentials/{credential.pk}/offer").status_code == 403
    assert not CredentialOffer.objects.exists()


def test_a_revoked_credential_is_not_offered(person, browser):
    credential = diploma(person)
    _revoke(credential)

    page = in_language(browser, "en").post(f"/credentials/{credential.pk}/offer")

    assert page.status_code == 409
    assert 'id="offer-refused"' in page.content.decode()
    assert not CredentialOffer.objects.exists()


def test_no_bsn_in_the_pages_or_their_addresses(person, browser):
    credential = diploma(person)
    pages = [
        browser.get("/credentials/"),
        browser.get(f"/credentials/{credential.pk}/"),
        browser.post(f"/credentials/{credential.pk}/offer"),
    ]

    for page in pages:
        assert page.status_code == 200
        assert person.value not in page.content.decode()
        assert person.value not in page.request["PATH_INFO"]
    assert DIPLOMA_CLAIMS["title"] in pages[1].content.decode()
