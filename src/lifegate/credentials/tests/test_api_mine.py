"""The person's own credentials through the API (`/api/credentials/mine/`), as on the pages:
own credentials only (also while acting for someone), claims with labels in the request's
language, the log entry, every read recorded, and an offer a wallet can pick up with the
transaction code; refusals are problem details in Dutch or English."""

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit
from uuid import uuid4

import pytest
from django.test import Client

from lifegate.core.subject import Subject
from lifegate.credentials.models import CredentialOffer
from lifegate.credentials.revocation import revoke
from lifegate.credentials.tests.conftest import BASE_URL, DIPLOMA_CLAIMS
from lifegate.credentials.tests.oid4vci_wallet import GRANT, token_for
from lifegate.credentials.tests.presenting import DUO, act_for, diploma, log_in
from lifegate.credentials.tests.test_my_credentials import OTHER, browser
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import subject_hash

pytestmark = pytest.mark.django_db
MINE = "/api/credentials/mine/"


@pytest.fixture(autouse=True)
def node(issuer_settings: None, credential_types: Any) -> None:
    """This node issues credentials of the demo catalogue's types."""


api = browser  # a logged-in session: the API's authentication is the page's


def _records(person: Subject, name: str) -> int:
    return ProcessingRecord.objects.filter(
        data_subject_hash=subject_hash(person), name=name
    ).count()


def test_the_list_holds_own_credentials_and_is_recorded(person, api):
    mine = diploma(person)
    diploma(OTHER, reference="other-dossier")

    answer = api.get(MINE, headers={"accept-language": "en"})

    assert answer.status_code == 200
    assert "no-store" in answer["Cache-Control"]
    [listed] = answer.json()
    assert listed["id"] == str(mine.pk)
    assert (listed["type"], listed["state"]) == ("diploma", "valid")
    assert listed["issuer"] == {"slug": "duo", "name": mine.credential_type.issuer.name_en}
    assert listed["log_index"] == mine.log_index
    assert _records(person, "credentials.list") == 1


def test_an_empty_list_is_not_a_read_of_anything(person, api):
    assert api.get(MINE).json() == []
    assert _records(person, "credentials.list") == 0


@pytest.mark.parametrize(
    ("language", "label"), [("nl", "Opleiding"), ("en", "Qualification"), (None, "Opleiding")]
)
def test_one_credential_has_its_claims_with_labels_in_the_language(person, api, language, label):
    mine = diploma(person)
    headers = {"accept-language": language} if language else {}

    answer = api.get(f"{MINE}{mine.pk}", headers=headers)

    assert answer.status_code == 200
    body = answer.json()
    claims = {claim["key"]: claim for claim in body["claims"]}
    assert {key: claims[key]["value"] for key in DIPLOMA_CLAIMS} == DIPLOMA_CLAIMS
    assert claims["title"]["label"] == label
    assert body["log_entry"] == f"/api/credentials/log/entries/{mine.log_index}"
    assert _records(person, "credentials.view.diploma") == 1


def test_someone_elses_or_an_unknown_credential_is_a_404(person, api):
    theirs = diploma(OTHER, reference="other-dossier")

    for credential_id in (theirs.pk, uuid4()):
        answer = api.get(f"{MINE}{credential_id}", headers={"accept-language": "en"})
        offered = api.post(f"{MINE}{credential_id}/offers")
        assert answer.status_code == offered.status_code == 404
        assert answer["Content-Type"] == "application/problem+json"
    assert not CredentialOffer.objects.exists()
    assert _records(OTHER, "credentials.view.diploma") == 0


def test_someone_acting_for_another_person_gets_their_own(person):
    mine = diploma(person)
    theirs = diploma(OTHER, reference="other-dossier")
    client = Client()
    log_in(client, person)
    act_for(client, person, OTHER)

    listed = [each["id"] for each in client.get(MINE).json()]

    assert listed == [str(mine.pk)]
    assert client.get(f"{MINE}{theirs.pk}").status_code == 404


def test_an_offer_is_picked_up_with_its_transaction_code(settings, person, api):
    settings.OID4VCI_REQUIRE_DPOP = False  # DPoP has its own tests (test_dpop)
    mine = diploma(person)

    made = api.post(f"{MINE}{mine.pk}/offers")

    assert made.status_code == 201, made.content
    body = made.json()
    assert "no-store" in made["Cache-Control"]
    link = body["offer_link"]
    offer = json.loads(parse_qs(urlsplit(link).query)["credential_offer"][0])
    assert offer["credential_issuer"] == BASE_URL
    grant = offer["grants"][GRANT]
    assert body["tx_code"].isdigit() and len(body["tx_code"]) == grant["tx_code"]["length"]
    assert body["tx_code"] not in json.dumps(offer)
    assert body["expires_at"]
    code = grant["pre-authorized_code"]
    assert token_for(code, tx_code=body["tx_code"]).status_code == 200
    assert _records(person, "credentials.offer.diploma") == 1


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("nl", "Een ingetrokken of geschorst bewijs kan niet in een andere wallet worden gezet."),
        ("en", "A revoked or suspended proof cannot be put in another wallet."),
    ],
)
def test_a_revoked_credential_is_not_offered(person, api, language, text):
    mine = diploma(person)
    revoke(mine, actor=DUO)

    refused = api.post(f"{MINE}{mine.pk}/offers", headers={"accept-language": language})

    assert refused.status_code == 409
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["title"] == text
    assert refused.json()["type"].endswith("credential-not-valid")
    assert not CredentialOffer.objects.exists()


def test_an_offer_needs_a_csrf_token_and_a_substantial_login(person):
    mine = diploma(person)
    careful = Client(enforce_csrf_checks=True)
    log_in(careful, person)
    low = Client()
    log_in(low, person, loa="low")

    assert careful.post(f"{MINE}{mine.pk}/offers").status_code == 403
    assert low.get(MINE).status_code == 403
    assert Client().get(MINE).status_code == 401
    assert not CredentialOffer.objects.exists()
