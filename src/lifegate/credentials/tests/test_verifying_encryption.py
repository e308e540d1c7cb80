"""Encrypted answers (OpenID4VP direct_post.jwt, HAIP 1.0): each request asks for a response
encrypted to its own key, only such a response is taken, and every other one is refused with
its own reason while the request keeps waiting."""

import json
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from joserfc import jwe
from joserfc.jwk import ECKey, OctKey, RSAKey

from lifegate.credentials import compact, response_encryption, verifying
from lifegate.credentials.models import PresentationRequest
from lifegate.credentials.tests.presenting import (
    TITLE_AND_LEVEL,
    ask,
    diploma,
    encrypted,
    form,
    plaintext_form,
    presentation,
    response_key,
    vp_token,
)

pytestmark = pytest.mark.django_db
FORM = "application/x-www-form-urlencoded"


@pytest.fixture(autouse=True)
def node(issuer_settings: None) -> Any:
    cache.clear()
    yield
    cache.clear()


def request_object_claims(request: PresentationRequest) -> dict[str, Any]:
    token = verifying.request_object(request)
    assert token is not None
    return compact.decode(token, "request object").payload


def post(request: PresentationRequest, body: dict[str, str]) -> Any:
    return Client().post(
        f"/credentials/oid4vp/responses/{request.handle}", urlencode(body), content_type=FORM
    )


def answer_of(request: PresentationRequest, person: Any) -> dict[str, Any]:
    token = presentation(diploma(person), request, TITLE_AND_LEVEL)
    return {"vp_token": vp_token(request, token), "state": request.state}


def jwe_form(protected: dict[str, Any], plaintext: bytes, key: Any) -> dict[str, str]:
    """A JWE made with joserfc directly, whatever its algorithms (the refusal cases)."""
    algorithms = [protected["alg"], protected["enc"]]
    return {"response": jwe.encrypt_compact(protected, plaintext, key, algorithms=algorithms)}


def flip_ciphertext_byte(response: str) -> str:
    parts = response.split(".")
    ciphertext = bytearray(compact.b64url_decode(parts[3], "ciphertext"))
    ciphertext[0] ^= 0x01
    parts[3] = compact.b64url_encode(bytes(ciphertext))
    return ".".join(parts)


def test_the_request_object_asks_for_a_response_encrypted_to_the_requests_own_key(
    credential_types,
):
    first, second = ask(), ask()

    claims = request_object_claims(first)
    metadata = claims["client_metadata"]
    [jwk] = metadata["jwks"]["keys"]
    other = request_object_claims(second)["client_metadata"]["jwks"]["keys"][0]

    assert claims["response_mode"] == "direct_post.jwt"
    assert metadata["encrypted_response_enc_values_supported"] == ["A128GCM", "A256GCM"]
    assert sorted(jwk) == ["alg", "crv", "kid", "kty", "use", "x", "y"]  # no private "d"
    assert (jwk["kty"], jwk["crv"], jwk["use"], jwk["alg"]) == ("EC", "P-256", "enc", "ECDH-ES")
    assert jwk["kid"] == ECKey.import_key(jwk).thumbprint()
    assert (other["kid"], other["x"]) != (jwk["kid"], jwk["x"])
    assert jwk["x"] not in first.response_key_sealed  # kept sealed only


@pytest.mark.parametrize("enc", ["A128GCM", "A256GCM"])
def test_a_correctly_encrypted_answer_verifies_and_the_key_is_dropped(
    credential_types, person, enc
):
    request = ask()

    response = post(request, encrypted(request, answer_of(request, person), enc))

    assert (response.status_code, response.json()) == (200, {})
    request.refresh_from_db()
    assert (request.status, request.valid) == ("answered", True)
    assert request.response_key_sealed == ""


def test_a_jwe_made_by_joserfc_with_the_key_from_the_request_object_is_accepted(
    credential_types, person
):
    request = ask()
    [jwk] = request_object_claims(request)["client_metadata"]["jwks"]["keys"]
    plaintext = json.dumps(answer_of(request, person)).encode()

    response = post(
        request,
        jwe_form(
            {"alg": "ECDH-ES", "enc": "A256GCM", "kid": jwk["kid"]},
            plaintext,
            ECKey.import_key(jwk),
        ),
    )

    assert response.status_code == 200
    result = verifying.result_of(PresentationRequest.objects.get(pk=request.pk))
    assert result is not None and result.valid
    assert set(result.claims) == set(TITLE_AND_LEVEL)


def test_a_plaintext_answer_is_refused_and_the_request_still_waits(credential_types, person):
    request = ask()
    token = presentation(diploma(person), request, TITLE_AND_LEVEL)

    response = post(request, plaintext_form(request, token))

    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "this request takes only an encrypted response (direct_post.jwt)",
    }
    request.refresh_from_db()
    assert (request.status, request.result_sealed) == ("pending", "")
    assert request.response_key_sealed


def test_a_wallet_that_cannot_encrypt_may_decline_in_the_clear(credential_types):
    request = ask()

    response = post(request, {"error": "access_denied", "state": request.state})

    assert response.status_code == 200
    request.refresh_from_db()
    assert (request.status, request.valid, request.reason_code) == ("answered", False, "declined")
    assert request.response_key_sealed == ""


@pytest.mark.parametrize(
    "form",
    [
        {"error": "access_denied", "state": "not-the-state"},
        {"error": "access_denied"},
        {"error": "access_denied", "state": "{state}", "vp_token": "{}"},
    ],
    ids=["wrong-state", "no-state", "with-vp-token"],
)
def test_a_clear_error_needs_the_requests_state_and_no_vp_token(credential_types, form):
    request = ask()

    filled = {name: value.replace("{state}", request.state) for name, value in form.items()}
    response = post(request, filled)

    assert response.status_code == 400
    request.refresh_from_db()
    assert (request.status, request.result_sealed) == ("pending", "")


def _tampered(request: PresentationRequest, answer: dict[str, Any]) -> dict[str, str]:
    return {"response": flip_ciphertext_byte(encrypted(request, answer)["response"])}


def _wrong_kid(request: PresentationRequest, answer: dict[str, Any]) -> dict[str, str]:
    header = {"alg": "ECDH-ES", "enc": "A128GCM", "kid": "another-key"}
    return jwe_form(header, json.dumps(answer).encode(), response_key(request))


def _another_requests_key(request: PresentationRequest, answer: dict[str, Any]) -> dict[str, str]:
    return encrypted(ask(), answer)


def _another_key_under_this_kid(
    request: PresentationRequest, answer: dict[str, Any]
) -> dict[str, str]:
    header = {"alg": "ECDH-ES", "enc": "A128GCM", "kid": response_key(request).kid}
    other = ECKey.generate_key("P-256", {"use": "enc"})
    return jwe_form(header, json.dumps(answer).encode(), other)


def _rsa_oaep(request: PresentationRequest, answer: dict[str, Any]) -> dict[str, str]:
    header = {"alg": "RSA-OAEP", "enc": "A128GCM", "kid": response_key(request).kid}
    return jwe_form(header, json.dumps(answer).encode(), RSAKey.generate_key(2048))


def _direct(request: PresentationRequest, answer: dict[str, Any]) -> dict[str, str]:
    header = {"alg": "dir", "enc": "A128GCM", "kid": response_key(request).kid}
    return jwe_form(header, json.dumps(answer).encode(), OctKey.generate_key(128))


def _cbc(request: PresentationRequest, answer: dict[str, Any]) -> dict[str, str]:
    header = {"alg": "ECDH-ES", "enc": "A128CBC-HS256", "kid": response_key(request).kid}
    return jwe_form(header, json.dumps(answer).encode(), response_key(request))


def _not_json(request: PresentationRequest, answer: dict[str, Any]) -> dict[str, str]:
    header = {"alg": "ECDH-ES", "enc": "A128GCM", "kid": response_key(request).kid}
    return jwe_form(header, b"vp_token=" + json.dumps(answer).encode(), response_key(request))


def _json_array(request: PresentationRequest, answer: dict[str, Any]) -> dict[str, str]:
    header = {"alg": "ECDH-ES", "enc": "A128GCM", "kid": response_key(request).kid}
    return jwe_form(header, json.dumps([answer]).encode(), response_key(request))


def _oversized(request: PresentationRequest, answer: dict[str, Any]) -> dict[str, str]:
    return encrypted(request, answer | {"padding": "x" * response_encryption.MAX_RESPONSE_CHARS})


def _not_a_jwe(request: PresentationRequest, answer: dict[str, Any]) -> dict[str, str]:
    return {"response": "eyJhbGciOiJFQ0RILUVTIn0.only-two-parts"}


@pytest.mark.parametrize(
    ("make", "description"),
    [
        (_tampered, "response could not be decrypted"),
        (_wrong_kid, "response is not encrypted to this request's key (kid)"),
        (_another_requests_key, "response is not encrypted to this request's key (kid)"),
        (_another_key_under_this_kid, "response could not be decrypted"),
        (_rsa_oaep, "response must be encrypted with alg ECDH-ES"),
        (_direct, "response must be encrypted with alg ECDH-ES"),
        (_cbc, "response must be encrypted with enc A128GCM or A256GCM"),
        (_not_json, "response payload is not JSON"),
        (_json_array, "response payload is not a JSON object"),
        (_oversized, "response is too large"),
        (_not_a_jwe, "response is not a compact JWE"),
    ],
)
def test_a_response_the_requests_key_does_not_open_is_refused_with_its_own_reason(
    credential_types, person, make, description
):
    request = ask()
    body = make(request, answer_of(request, person))

    response = post(request, body)

    assert response.status_code == 400
    assert response.json() == {"error": "invalid_request", "error_description": description}
    request.refresh_from_db()
    assert (request.status, request.result_sealed, request.valid) == ("pending", "", None)
    assert request.response_key_sealed
    # The request still takes the right answer afterwards.
    assert post(request, encrypted(request, answer_of(request, person))).status_code == 200


def test_the_response_key_is_dropped_when_the_request_expires(credential_types, person):
    request = ask()
    token = presentation(diploma(person), request, TITLE_AND_LEVEL)
    late = form(request, token)
    PresentationRequest.objects.filter(pk=request.pk).update(expires_at=timezone.now())
    forgotten = ask()
    PresentationRequest.objects.filter(pk=forgotten.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    response = post(request, late)
    verifying.purge_stale()

    assert response.json()["error_description"] == "the request is no longer open"
    assert list(
        PresentationRequest.objects.filter(pk__in=[request.pk, forgotten.pk]).values_list(
            "status", "response_key_sealed"
        )
    ) == [("expired", ""), ("expired", "")]
