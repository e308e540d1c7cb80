"""The issuer's well-known metadata: SD-JWT VC issuer metadata with its JWK Set, OpenID4VCI
credential issuer metadata with one configuration per credential type, and the SD-JWT VC Type
Metadata each credential's `vct` resolves to; in Dutch and English."""

import json

import pytest
from django.test import Client

from lifegate.credentials import issuing, keys
from lifegate.credentials.compact import b64url_decode
from lifegate.credentials.tests import presenting
from lifegate.credentials.tests.conftest import BASE_URL

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("issuer_settings")]


def test_the_jwt_vc_issuer_metadata_names_the_issuer_and_its_public_keys(client: Client):
    response = client.get("/.well-known/jwt-vc-issuer")

    assert response.status_code == 200
    document = response.json()
    assert document["issuer"] == BASE_URL
    [key] = document["jwks"]["keys"]
    assert key["kid"] == keys.current_issuer_key().kid
    assert (key["kty"], key["crv"]) == ("EC", "P-256")
    assert "d" not in key
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "max-age=300" in response["Cache-Control"]


def test_after_rotation_the_jwks_holds_the_new_and_the_retired_key(client: Client):
    old = keys.current_issuer_key().kid
    new = keys.rotate().kid

    kids = [key["kid"] for key in client.get("/.well-known/jwt-vc-issuer").json()["jwks"]["keys"]]

    assert kids == [new, old]


def test_the_credential_issuer_metadata_has_the_endpoints(client: Client, credential_types):
    document = client.get("/.well-known/openid-credential-issuer").json()

    assert document["credential_issuer"] == BASE_URL
    assert document["credential_endpoint"] == f"{BASE_URL}/credentials/oid4vci/credential"
    assert document["nonce_endpoint"] == f"{BASE_URL}/credentials/oid4vci/nonce"
    assert "authorization_servers" not in document  # the issuer is its own
    assert {entry["locale"] for entry in document["display"]} == {"nl", "en"}


def test_each_credential_type_has_an_sd_jwt_vc_configuration(client: Client, credential_types):
    configurations = client.get("/.well-known/openid-credential-issuer").json()[
        "credential_configurations_supported"
    ]

    assert set(configurations) == {"diploma", "birth-registration", "residence"}
    diploma = configurations["diploma"]
    assert diploma["format"] == "dc+sd-jwt"
    assert diploma["vct"] == f"{BASE_URL}/credentials/types/diploma"
    assert diploma["cryptographic_binding_methods_supported"] == ["jwk"]
    assert diploma["credential_signing_alg_values_supported"] == ["ES256"]
    assert diploma["proof_types_supported"] == {
        "jwt": {"proof_signing_alg_values_supported": ["ES256"]}
    }


def test_display_names_and_claim_labels_come_in_dutch_and_english(client: Client, credential_types):
    diploma = client.get("/.well-known/openid-credential-issuer").json()[
        "credential_configurations_supported"
    ]["diploma"]["credential_metadata"]

    names = {entry["locale"]: entry["name"] for entry in diploma["display"]}
    assert names == {"nl": "Diploma", "en": "Diploma"}
    assert all(entry.get("description") for entry in diploma["display"])
    claims = {tuple(claim["path"]): claim["display"] for claim in diploma["claims"]}
    assert list(claims) == [(key,) for key in credential_types["diploma"].claim_keys]
    assert claims[("awarding_body",)] == [
        {"name": "Uitgereikt door", "locale": "nl"},
        {"name": "Awarding body", "locale": "en"},
    ]


def test_the_metadata_only_answers_get(client: Client):
    assert client.post("/.well-known/jwt-vc-issuer").status_code == 405


def test_each_vct_resolves_to_its_type_metadata_in_dutch_and_english(
    client: Client, credential_types, person
):
    diploma = credential_types["diploma"]
    issued = issuing.stored_sd_jwt(presenting.diploma(person))
    vct = json.loads(b64url_decode(issued.split(".")[1], "payload"))["vct"]
    assert vct == diploma.vct and vct.startswith(BASE_URL + "/")

    response = client.get(vct.removeprefix(BASE_URL))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "max-age=300" in response["Cache-Control"]
    document = response.json()
    assert document["vct"] == vct  # a consumer must find the same vct
    assert {entry["locale"]: entry["name"] for entry in document["display"]} == {
        "nl": diploma.name_nl,
        "en": diploma.name_en,
    }
    claims = {tuple(claim["path"]): claim for claim in document["claims"]}
    assert list(claims) == [(key,) for key in diploma.claim_keys]
    title = claims[("title",)]
    assert {entry["locale"]: entry["label"] for entry in title["display"]} == {
        "nl": diploma.claim_label("title", "nl"),
        "en": diploma.claim_label("title", "en"),
    }
    assert all(claim["mandatory"] for claim in claims.values())
    disclosable = set(diploma.disclosable_claims)
    assert {key for (key,), claim in claims.items() if claim["sd"] == "always"} == disclosable
    assert {key for (key,), claim in claims.items() if claim["sd"] == "never"} == (
        set(diploma.claim_keys) - disclosable
    )


def test_an_unknown_type_is_a_404_problem_and_the_metadata_is_read_only(
    client: Client, credential_types
):
    unknown = client.get("/credentials/types/no-such-type")
    posted = client.post("/credentials/types/diploma")

    assert unknown.status_code == 404
    assert unknown["Content-Type"] == "application/problem+json"
    assert unknown.json()["status"] == 404
    assert posted.status_code == 405
