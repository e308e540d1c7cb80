"""OpenID4VCI 1.0, pre-authorised code flow, with a wallet simulated here: it reads the
offer, discovers the endpoints, exchanges the code, fetches a nonce, proves possession of its
own P-256 key and receives a copy of the credential bound to that key. Reused and expired
codes, used tokens and nonces, and bad key proofs are refused with the protocol's errors."""

import json
import time
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import ECKey

from lifegate.core.subject import Subject
from lifegate.credentials import keys, oid4vci, sdjwt
from lifegate.credentials.errors import CredentialRejected
from lifegate.credentials.issuing import ACTIVITY
from lifegate.credentials.models import CredentialNonce, CredentialOffer, IssuedCredential
from lifegate.credentials.revocation import revoke
from lifegate.credentials.tests.conftest import BASE_URL, DIPLOMA_CLAIMS
from lifegate.credentials.tests.oid4vci_wallet import (
    GRANT,
    TOKEN_PATH,
    TYPED,
    WALLET,
    access_token,
    ask_credential,
    code_of,
    dpop_proof,
    fresh_nonce,
    new_wallet_key,
    path,
    portal_offer,
    proof,
    request_body,
    token_for,
)
from lifegate.credentials.tests.presenting import DUO, diploma
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import subject_hash

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def node(issuer_settings: None, credential_types: Any, settings: Any) -> None:
    """This node issues credentials of the demo catalogue's types. Its operator allows Bearer
    tokens, so these tests of the flow itself need no DPoP proofs: DPoP, required by
    default, has its own tests (test_dpop), and the first test here runs with it."""
    settings.OID4VCI_REQUIRE_DPOP = False


@pytest.fixture
def credential(person: Subject) -> IssuedCredential:
    return diploma(person)


@pytest.fixture
def offer(person: Subject, credential: IssuedCredential) -> dict[str, Any]:
    return portal_offer(person, credential)


@pytest.fixture
def wallet_key() -> ECKey:
    return new_wallet_key()


def test_a_wallet_picks_up_a_copy_bound_to_its_own_key(
    settings, person, credential, offer, wallet_key
):
    settings.OID4VCI_REQUIRE_DPOP = True  # the default
    dpop_key = new_wallet_key()
    # Discovery, as a wallet does it from the offer's credential_issuer.
    assert offer["credential_issuer"] == BASE_URL
    tx_code = offer["grants"][GRANT]["tx_code"]
    assert tx_code["input_mode"] == "numeric" and tx_code["length"] == 6
    assert tx_code["description"]
    issuer_metadata = WALLET.get("/.well-known/openid-credential-issuer").json()
    assert (
        offer["credential_configuration_ids"][0]
        in (issuer_metadata["credential_configurations_supported"])
    )
    assert "authorization_servers" not in issuer_metadata
    server = WALLET.get("/.well-known/oauth-authorization-server").json()
    assert server["issuer"] == BASE_URL
    assert GRANT in server["grant_types_supported"]

    token = WALLET.post(
        path(server["token_endpoint"]),
        {
            "grant_type": GRANT,
            "pre-authorized_code": code_of(offer),
            "tx_code": TYPED[code_of(offer)],
        },
        headers={"dpop": dpop_proof(dpop_key, server["token_endpoint"])},
    )
    assert token.status_code == 200, token.content
    assert token["Cache-Control"].find("no-store") >= 0
    assert token.json()["token_type"] == "DPoP" and token.json()["expires_in"] > 0
    access = token.json()["access_token"]
    nonce = WALLET.post(path(issuer_metadata["nonce_endpoint"])).json()["c_nonce"]
    answer = WALLET.post(
        path(issuer_metadata["credential_endpoint"]),
        json.dumps(
            {
                "credential_configuration_id": offer["credential_configuration_ids"][0],
                "proofs": {"jwt": [proof(wallet_key, nonce)]},
            }
        ),
        content_type="application/json",
        headers={
            "authorization": f"DPoP {access}",
            "dpop": dpop_proof(dpop_key, issuer_metadata["credential_endpoint"], access),
        },
    )

    assert answer.status_code == 200, answer.content
    issued = answer.json()["credentials"][0]["credential"]
    presentation = sdjwt.bind(
        issued,
        holder_key=wallet_key,
        audience="https://verifier.example",
        nonce="n-1",
        issued_at=int(time.time()),
    )
    verified = sdjwt.verify(
        presentation, issuer_key=keys.issuer_key, audience="https://verifier.example", nonce="n-1"
    )
    assert verified.key_bound
    assert verified.holder_jwk == wallet_key.as_dict(private=False)
    assert verified.issuer == BASE_URL
    assert {key: verified.claims[key] for key in DIPLOMA_CLAIMS} == DIPLOMA_CLAIMS
    copy = IssuedCredential.objects.get(copy_of=credential)
    assert copy.holder_key_sealed == ""
    assert CredentialOffer.objects.get().issued_copy == copy
    # A key the wallet does not hold cannot present the copy.
    other = ECKey.generate_key("P-256", {"alg": "ES256"}, private=True)
    stolen = sdjwt.bind(
        issued,
        holder_key=other,
        audience="https://verifier.example",
        nonce="n-1",
        issued_at=int(time.time()),
    )
    with pytest.raises(CredentialRejected):
        sdjwt.verify(
            stolen, issuer_key=keys.issuer_key, audience="https://verifier.example", nonce="n-1"
        )


def test_the_pickup_is_in_the_persons_processing_log_and_the_token_exchange_is_not(
    person, offer, wallet_key
):
    records = ProcessingRecord.objects.filter(data_subject_hash=subject_hash(person))
    before = set(records.values_list("pk", flat=True))

    token = access_token(offer)
    assert set(records.values_list("pk", flat=True)) == before  # a token, no personal data
    assert ask_credential(token, request_body(wallet_key)).status_code == 200

    made = records.exclude(pk__in=before).get()
    assert (made.name, made.processing_activity_id) == ("credentials.issue.diploma", ACTIVITY)
    assert (made.actor_kind, made.actor_hash) == ("person", subject_hash(person))
    assert set(made.data_categories) == set(DIPLOMA_CLAIMS)


def test_a_code_is_exchanged_only_once(offer):
    assert token_for(code_of(offer)).status_code == 200

    again = token_for(code_of(offer))

    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


def test_an_expired_code_is_refused(offer):
    CredentialOffer.objects.update(code_expires_at=timezone.now() - timedelta(seconds=1))

    response = token_for(code_of(offer))

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert set(response.json()) == {"error", "error_description"}


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"pre-authorized_code": "x"}, "invalid_request"),
        ({"grant_type": "client_credentials"}, "unsupported_grant_type"),
        ({"grant_type": GRANT}, "invalid_request"),
        ({"grant_type": GRANT, "pre-authorized_code": "made-up"}, "invalid_grant"),
    ],
)
def test_bad_token_requests_are_refused(form, error):
    response = WALLET.post("/credentials/oid4vci/token", form)

    assert response.status_code == 400
    assert response.json()["error"] == error


def test_an_access_token_gives_one_credential(offer, wallet_key):
    token = access_token(offer)
    assert ask_credential(token, request_body(wallet_key)).status_code == 200

    again = ask_credential(token, request_body(wallet_key))

    assert again.status_code == 401
    assert again.json()["error"] == "invalid_token"
    assert 'error="invalid_token"' in again["WWW-Authenticate"]
    assert IssuedCredential.objects.filter(copy_of__isnull=False).count() == 1


@pytest.mark.parametrize("header", [{}, {"authorization": "Bearer made-up"}])
def test_a_missing_or_unknown_token_is_refused(header, wallet_key):
    response = WALLET.post(
        "/credentials/oid4vci/credential",
        json.dumps(request_body(wallet_key)),
        content_type="application/json",
        headers=header,
    )

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"


def test_an_expired_access_token_is_refused(offer, wallet_key):
    token = access_token(offer)
    CredentialOffer.objects.update(token_expires_at=timezone.now() - timedelta(seconds=1))

    response = ask_credential(token, request_body(wallet_key))

    assert response.status_code == 401


def test_a_nonce_is_used_once(offer, wallet_key):
    nonce = fresh_nonce()
    assert ask_credential(access_token(offer), request_body(wallet_key, nonce)).status_code == 200
    # A second offer for the same credential, picked up with the first nonce again.
    browser_offer = _another_offer(CredentialOffer.objects.get().credential)

    response = ask_credential(access_token(browser_offer), request_body(wallet_key, nonce))

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_nonce"


def _another_offer(credential: IssuedCredential) -> dict[str, Any]:
    made = oid4vci.make_offer(credential)
    TYPED[made.code] = made.tx_code
    return {"grants": {GRANT: {"pre-authorized_code": made.code}}}


def test_the_transaction_code_is_needed_to_exchange_the_code(offer):
    code = code_of(offer)
    typed = TYPED[code]
    wrong = f"{(int(typed) + 1) % 1_000_000:06d}"

    missing = WALLET.post(TOKEN_PATH, {"grant_type": GRANT, "pre-authorized_code": code})
    mistyped = token_for(code, tx_code=wrong)
    right = token_for(code)

    assert (missing.status_code, missing.json()["error"]) == (400, "invalid_request")
    assert (mistyped.status_code, mistyped.json()["error"]) == (400, "invalid_grant")
    assert mistyped.json()["error_description"] == "the transaction code is wrong"
    assert right.status_code == 200, right.content
    stored = CredentialOffer.objects.get()
    assert stored.tx_code_failures == 1
    assert typed not in stored.tx_code_hash and len(stored.tx_code_hash) == 64


def test_an_empty_transaction_code_is_a_missing_one_not_a_wrong_guess(offer, credential):
    empty = WALLET.post(
        TOKEN_PATH, {"grant_type": GRANT, "pre-authorized_code": code_of(offer), "tx_code": ""}
    )

    assert (empty.status_code, empty.json()["error"]) == (400, "invalid_request")
    assert CredentialOffer.objects.get().tx_code_failures == 0
    made = oid4vci.make_offer(credential)
    assert "code=" not in repr(made)  # neither code ends up in a traceback


def test_three_wrong_transaction_codes_use_the_offer_up(offer):
    code = code_of(offer)
    wrong = f"{(int(TYPED[code]) + 1) % 1_000_000:06d}"

    answers = [token_for(code, tx_code=wrong) for _ in range(oid4vci.TX_CODE_MAX_FAILURES)]
    right_too_late = token_for(code)

    assert [a.json()["error"] for a in answers] == ["invalid_grant"] * 3
    assert right_too_late.status_code == 400
    assert right_too_late.json()["error"] == "invalid_grant"
    assert CredentialOffer.objects.get().code_used_at is not None


def test_an_offer_without_a_transaction_code_refuses_one(settings, credential):
    settings.OID4VCI_TX_CODE_LENGTH = 0
    made = oid4vci.make_offer(credential)
    grant = oid4vci.offer_object(made)["grants"][GRANT]

    unexpected = token_for(made.code, tx_code="123456")
    plain = token_for(made.code)

    assert "tx_code" not in grant and made.tx_code == ""
    assert (unexpected.status_code, unexpected.json()["error"]) == (400, "invalid_request")
    assert plain.status_code == 200


def _bad_proofs(key: ECKey) -> dict[str, tuple[str, str]]:
    other = ECKey.generate_key("P-256", {"alg": "ES256"}, private=True)
    signed_by_other = jwt.encode(
        {"alg": "ES256", "typ": "openid4vci-proof+jwt", "jwk": key.as_dict(private=False)},
        {"aud": BASE_URL, "iat": int(time.time()), "nonce": fresh_nonce()},
        other,
    )
    return {
        "wrong typ": (proof(key, fresh_nonce(), header={"typ": "JWT"}), "invalid_proof"),
        "wrong audience": (proof(key, fresh_nonce(), aud="https://else.example"), "invalid_proof"),
        "stale": (proof(key, fresh_nonce(), iat=int(time.time()) - 3600), "invalid_proof"),
        "future": (proof(key, fresh_nonce(), iat=int(time.time()) + 3600), "invalid_proof"),
        "NaN iat": (proof(key, fresh_nonce(), iat=float("nan")), "invalid_proof"),
        "unknown nonce": (proof(key, "made-up"), "invalid_nonce"),
        "other signer": (signed_by_other, "invalid_proof"),
        "private jwk": (
            proof(key, fresh_nonce(), header={"jwk": key.as_dict(private=True)}),
            "invalid_proof",
        ),
        "not a jws": ("not.a.jws", "invalid_proof"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "wrong typ",
        "wrong audience",
        "stale",
        "future",
        "NaN iat",
        "unknown nonce",
        "other signer",
        "private jwk",
        "not a jws",
    ],
)
def test_a_bad_key_proof_is_refused(offer, wallet_key, case):
    bad, error = _bad_proofs(wallet_key)[case]
    token = access_token(offer)

    response = ask_credential(
        token, {"credential_configuration_id": "diploma", "proofs": {"jwt": [bad]}}
    )

    assert response.status_code == 400
    assert response.json()["error"] == error
    assert not IssuedCredential.objects.filter(copy_of__isnull=False).exists()
    # The token is not used up by a refused request: a good proof still works.
    assert ask_credential(token, request_body(wallet_key)).status_code == 200


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"credential_configuration_id": "residence"}, "unknown_credential_configuration"),
        ({}, "invalid_credential_request"),
        ({"credential_configuration_id": "diploma"}, "invalid_proof"),
        (
            {"credential_configuration_id": "diploma", "proofs": {"jwt": ["a", "b"]}},
            "invalid_credential_request",
        ),
    ],
)
def test_bad_credential_requests_are_refused(offer, body, error):
    response = ask_credential(access_token(offer), body)

    assert response.status_code == 400
    assert response.json()["error"] == error


def test_a_revoked_credential_is_not_issued_to_a_wallet(credential, offer, wallet_key):
    token = access_token(offer)
    revoke(credential, actor=DUO)

    response = ask_credential(token, request_body(wallet_key))

    assert response.status_code == 400
    assert response.json()["error"] == "credential_request_denied"


def test_codes_tokens_and_nonces_are_stored_hashed(offer, wallet_key):
    code = code_of(offer)
    token = access_token(offer)
    nonce = fresh_nonce()

    stored = CredentialOffer.objects.values_list("code_hash", "token_hash").get()
    nonces = list(CredentialNonce.objects.values_list("nonce_hash", flat=True))
    for secret in (code, token, nonce):
        assert all(secret not in (value or "") for value in [*stored, *nonces])
    assert len(nonces) == 1


def test_no_bsn_in_the_offer_or_the_answers(person, offer, wallet_key):
    token = access_token(offer)
    answer = ask_credential(token, request_body(wallet_key))

    assert answer.status_code == 200
    assert person.value not in json.dumps(offer)
    assert person.value not in answer.content.decode()
    # Inside the credential (base64url): the issuer-signed claims and every disclosure.
    parsed = sdjwt.parse(answer.json()["credentials"][0]["credential"])
    assert len(parsed.disclosures) == len(DIPLOMA_CLAIMS)
    decoded = [json.dumps(parsed.issuer_jwt.payload)]
    decoded += [json.dumps([d.name, d.value]) for d in parsed.disclosures]
    assert all(person.value not in text for text in decoded)


@pytest.mark.parametrize(
    "endpoint",
    ["/credentials/oid4vci/token", "/credentials/oid4vci/nonce", "/credentials/oid4vci/credential"],
)
def test_web_wallets_may_call_the_endpoints_from_their_own_origin(endpoint):
    preflight = WALLET.options(
        endpoint,
        headers={
            "origin": "https://wallet.example",
            "access-control-request-method": "POST",
            "access-control-request-headers": "authorization, content-type",
        },
    )
    called = WALLET.post(endpoint, headers={"origin": "https://wallet.example"})

    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight["Access-Control-Allow-Methods"]
    assert "Authorization" in preflight["Access-Control-Allow-Headers"]
    assert called["Access-Control-Allow-Origin"] == "*"  # also on an error answer
    assert called.status_code in (200, 400, 401)


@pytest.mark.parametrize(("length", "refused"), [(0, False), (6, False), (3, True), (11, True)])
def test_the_check_refuses_a_transaction_code_length_that_does_not_protect(
    settings, length, refused
):
    from lifegate.credentials.apps import tx_code_length_check

    settings.OID4VCI_TX_CODE_LENGTH = length

    assert [m.id for m in tx_code_length_check()] == (["credentials.E003"] if refused else [])
