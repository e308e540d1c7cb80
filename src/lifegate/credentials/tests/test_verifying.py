"""Verifying presentations (OpenID4VP with DCQL): only what was asked is accepted and shown,
every failure has its own reason, an answer is taken once, and every verification of a
person's credential is in their processing log. Peers: test_verifying_peers.py."""

import json
import time
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone, translation

from lifegate.credentials import compact, verifier_identity, verifying, wallet
from lifegate.credentials.models import PresentationRequest
from lifegate.credentials.revocation import revoke, suspend
from lifegate.credentials.tests.conftest import BASE_URL, DIPLOMA_CLAIMS
from lifegate.credentials.tests.presenting import (
    DUO,
    TITLE_AND_LEVEL,
    ask,
    bind_for,
    diploma,
    encrypted,
    foreign_diploma,
    form,
    presentation,
    residence,
    vp_token,
)
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import subject_hash

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def node(issuer_settings: None) -> Any:
    """This node's base URL and key folder; no cached peer keys or lists between tests."""
    cache.clear()
    yield
    cache.clear()


def answer(request: PresentationRequest, token: str) -> verifying.VerificationResult:
    return verifying.verify_response(request, vp_token(request, token))


def test_a_request_asks_with_a_dcql_query_for_the_chosen_claims_only(credential_types):
    request = ask()

    assert request.dcql_query == {
        "credentials": [
            {
                "id": "diploma",
                "format": "dc+sd-jwt",
                "meta": {"vct_values": [f"{BASE_URL}/credentials/types/diploma"]},
                "claims": [{"path": ["title"]}, {"path": ["level_eqf"]}],
            }
        ]
    }
    assert request.client_id.startswith("x509_hash:")
    assert request.response_uri == f"{BASE_URL}/credentials/oid4vp/responses/{request.handle}"
    assert str(request.pk) not in verifying.authorization_url(request)


def test_title_and_level_only_is_valid_and_shows_only_those_claims(credential_types, person):
    request = ask()

    result = answer(request, presentation(diploma(person), request, TITLE_AND_LEVEL))

    assert result.valid and result.code == "valid" and result.reason is None
    assert result.claims == {"title": DIPLOMA_CLAIMS["title"], "level_eqf": 6}
    assert result.issuer == BASE_URL


def test_a_revoked_diploma_is_refused_as_revoked(credential_types, person):
    credential = diploma(person)
    revoke(credential, actor=DUO)
    request = ask()

    result = answer(request, presentation(credential, request, TITLE_AND_LEVEL))

    assert (result.valid, result.code, result.claims) == (False, "revoked", {})
    with translation.override("en"):
        assert str(result.reason) == "The issuer has revoked this credential."
    with translation.override("nl"):
        assert str(result.reason) == "De uitgever heeft dit bewijs ingetrokken."


def test_a_suspended_diploma_is_refused_as_suspended(credential_types, person):
    credential = diploma(person)
    suspend(credential, actor=DUO)
    request = ask()

    result = answer(request, presentation(credential, request, TITLE_AND_LEVEL))

    assert (result.valid, result.code) == (False, "suspended")


def test_an_expired_credential_is_refused_as_expired(credential_types):
    token, holder = foreign_diploma(BASE_URL, exp=int(time.time()) - 3600)
    request = ask()

    result = answer(request, bind_for(token, holder, request, TITLE_AND_LEVEL))

    assert (result.valid, result.code) == (False, "expired")


def test_a_tampered_signature_is_refused_as_bad_signature(credential_types, person):
    request = ask()
    token = presentation(diploma(person), request, TITLE_AND_LEVEL)
    issuer_jwt, rest = token.split("~", 1)
    head, payload, signature = issuer_jwt.split(".")
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]

    result = answer(request, f"{head}.{payload}.{flipped}~{rest}")

    assert (result.valid, result.code) == (False, "bad-signature")


def test_an_altered_disclosure_is_refused(credential_types, person):
    request = ask()
    token = presentation(diploma(person), request, TITLE_AND_LEVEL)
    parts = token.split("~")
    salt, name, _value = json.loads(compact.b64url_decode(parts[1], "disclosure"))
    parts[1] = compact.b64url_encode(json.dumps([salt, name, "Doctor of Magic"]).encode())

    result = answer(request, "~".join(parts))

    assert (result.valid, result.code) == (False, "disclosure-not-referenced")


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"nonce": "another-request"}, "wrong-nonce"),
        ({"audience": "x509_hash:other"}, "wrong-audience"),
    ],
)
def test_a_presentation_made_for_another_request_or_verifier_is_refused(
    credential_types, person, change, code
):
    request = ask()

    result = answer(request, presentation(diploma(person), request, TITLE_AND_LEVEL, **change))

    assert (result.valid, result.code) == (False, code)


def test_a_presentation_without_key_binding_is_refused(credential_types, person):
    request = ask()
    bound = presentation(diploma(person), request, TITLE_AND_LEVEL)

    result = answer(request, bound.rsplit("~", 1)[0] + "~")

    assert (result.valid, result.code) == (False, "key-binding-missing")


def test_an_issuer_not_on_the_trust_list_is_refused(credential_types):
    token, holder = foreign_diploma("https://untrusted.example")
    request = ask()

    result = answer(request, bind_for(token, holder, request, TITLE_AND_LEVEL))

    assert (result.valid, result.code, result.issuer) == (False, "unknown-issuer", "")


def test_disclosing_more_than_was_asked_is_refused_as_over_disclosure(credential_types, person):
    request = ask()

    result = answer(request, presentation(diploma(person), request, [*TITLE_AND_LEVEL, "grade"]))

    assert (result.valid, result.code, result.claims) == (False, "over-disclosure", {})
    with translation.override("en"):
        assert "More information was shown" in str(result.reason)


def test_leaving_out_a_claim_that_was_asked_is_refused(credential_types, person):
    request = ask()

    result = answer(request, presentation(diploma(person), request, ["title"]))

    assert (result.valid, result.code) == (False, "missing-claims")


def test_another_kind_of_credential_is_refused_as_the_wrong_type(credential_types, person):
    request = ask(["given_names"])

    result = answer(request, presentation(residence(person), request, ["given_names"]))

    assert (result.valid, result.code) == (False, "wrong-type")


@pytest.mark.parametrize(
    "token",
    [{}, {"diploma": []}, {"diploma": ["a", "b"]}, {"other": ["x"]}, {"diploma": [7]}],
)
def test_a_vp_token_not_shaped_by_the_query_is_malformed(credential_types, token):
    result = verifying.verify_response(ask(), token)

    assert (result.valid, result.code) == (False, "malformed")


def test_receiving_an_answer_stores_the_result_sealed_and_closes_the_request(
    credential_types, person
):
    request = ask()

    verifying.receive_response(
        request.handle, form(request, presentation(diploma(person), request, TITLE_AND_LEVEL))
    )

    request.refresh_from_db()
    assert (request.status, request.valid, request.reason_code) == ("answered", True, "")
    assert DIPLOMA_CLAIMS["title"] not in request.result_sealed
    stored = verifying.result_of(request)
    assert stored is not None and stored.claims["title"] == DIPLOMA_CLAIMS["title"]
    assert verifying.request_object(request) is None


def test_an_answer_is_taken_once_and_only_with_the_requests_state(credential_types, person):
    request = ask()
    credential = diploma(person)
    token = presentation(credential, request, TITLE_AND_LEVEL)
    answer_form = form(request, token)
    guessed = encrypted(request, {"vp_token": vp_token(request, token), "state": "guessed"})

    with pytest.raises(verifying.ResponseRefused):
        verifying.receive_response(request.handle, guessed)
    verifying.receive_response(request.handle, answer_form)
    with pytest.raises(verifying.ResponseRefused):
        verifying.receive_response(request.handle, answer_form)


def test_an_answer_after_the_request_expired_is_refused(credential_types, person):
    request = ask()
    PresentationRequest.objects.filter(pk=request.pk).update(expires_at=timezone.now())

    with pytest.raises(verifying.ResponseRefused):
        verifying.receive_response(
            request.handle, form(request, presentation(diploma(person), request, TITLE_AND_LEVEL))
        )

    request.refresh_from_db()
    assert request.status == "expired"


def test_a_wallet_that_declines_tells_the_verifier_so(credential_types):
    request = ask()

    verifying.receive_response(
        request.handle, encrypted(request, {"error": "access_denied", "state": request.state})
    )

    request.refresh_from_db()
    assert (request.valid, request.reason_code) == (False, "declined")


def test_verifying_a_credential_of_this_node_is_in_the_holders_processing_log(
    credential_types, person
):
    request = ask()
    credential = diploma(person)
    verifying.receive_response(
        request.handle, form(request, presentation(credential, request, TITLE_AND_LEVEL))
    )
    refused = ask()
    revoke(credential, actor=DUO)
    verifying.receive_response(
        refused.handle, form(refused, presentation(credential, refused, TITLE_AND_LEVEL))
    )

    records = ProcessingRecord.objects.filter(
        data_subject_hash=subject_hash(person), name="credentials.verify.diploma"
    ).order_by("start_time", "id")

    assert [record.status_code for record in records] == ["OK", "ERROR"]
    assert records[0].processing_activity_id == verifying.ACTIVITY
    assert records[0].data_categories == TITLE_AND_LEVEL


def test_requests_are_deleted_after_the_retention_period(credential_types, settings):
    settings.LIFEGATE_PRESENTATION_RETENTION_MINUTES = 30
    old = ask()
    PresentationRequest.objects.filter(pk=old.pk).update(
        expires_at=timezone.now() - timedelta(minutes=31)
    )
    recent = ask()

    verifying.purge_stale()

    assert list(PresentationRequest.objects.values_list("pk", flat=True)) == [recent.pk]


def test_the_request_object_is_signed_by_the_certificate_its_client_id_names(credential_types):
    request = ask()
    token = verifying.request_object(request)
    assert token is not None
    header = compact.decode(token, "request object").header

    parsed = wallet.parse_request_object(token, verifying.request_uri(request), request.client_id)

    assert header["typ"] == "oauth-authz-req+jwt"
    assert verifier_identity.client_id_for(verifier_identity.certificate_der()) == request.client_id
    assert (parsed.nonce, parsed.state, parsed.verifier_name) == (
        request.nonce,
        request.state,
        "Acme Employer",
    )
    assert parsed.query.claims == tuple(TITLE_AND_LEVEL)


def test_a_request_object_with_a_changed_payload_or_another_client_id_is_refused(
    credential_types,
):
    request = ask()
    token = verifying.request_object(request)
    assert token is not None
    head, payload, signature = token.split(".")
    claims = json.loads(compact.b64url_decode(payload, "payload"))
    claims["response_uri"] = "https://evil.example/collect"
    forged = f"{head}.{compact.b64url_encode(json.dumps(claims).encode())}.{signature}"
    uri = verifying.request_uri(request)

    with pytest.raises(wallet.WalletRefusal) as forged_refusal:
        wallet.parse_request_object(forged, uri, None)
    with pytest.raises(wallet.WalletRefusal) as other_client:
        wallet.parse_request_object(token, uri, "x509_hash:someone-else")

    assert forged_refusal.value.code == other_client.value.code == "invalid-request"
