"""Revoking, suspending and reinstating: the status list bits flip, the signed token shows
them, each version is in the transparency log, copies follow their original, a revoked
credential stays revoked, and the status endpoint serves the token for caching."""

import hashlib
import json
from typing import Any

import pytest
from django.test import Client
from joserfc.jwk import ECKey

from lifegate.credentials import compact, keys, log, merkle, statuslist
from lifegate.credentials.issuing import IssuingRefused, issue, issue_copy
from lifegate.credentials.models import IssuedCredential, LogEntry, StatusList
from lifegate.credentials.revocation import reinstate, revoke, suspend
from lifegate.credentials.status_lists import status_list_token, status_list_uri
from lifegate.credentials.tests.conftest import DIPLOMA_CLAIMS
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import subject_hash

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("issuer_settings")]


@pytest.fixture
def credential(credential_types, person, duo) -> IssuedCredential:
    return issue(
        "diploma",
        person,
        DIPLOMA_CLAIMS,
        actor=duo,
        source=IssuedCredential.Source.AGENCY_API,
        source_reference="dossier-1",
    )


def published(credential: IssuedCredential) -> statuslist.StatusList:
    """The status list as a verifier sees it: the token, checked against the issuer keys."""
    row = StatusList.objects.get(pk=credential.status_list_id)
    uri = status_list_uri(row.pk)
    return statuslist.verify_status_list(status_list_token(row), uri=uri, key_for=keys.issuer_key)


def claims_of(token: str) -> dict[str, Any]:
    return json.loads(compact.b64url_decode(token.split(".")[1], "payload"))


def test_a_new_credential_is_valid_in_the_published_list(credential):
    assert published(credential).get(credential.status_index) == statuslist.VALID


def test_revoking_flips_the_entry_to_invalid_in_the_signed_token(credential, duo):
    version = StatusList.objects.get().version

    revoked = revoke(credential, actor=duo)

    assert revoked.state == IssuedCredential.State.REVOKED
    assert published(credential).get(credential.status_index) == statuslist.INVALID
    assert StatusList.objects.get().version == version + 1


def test_suspending_and_reinstating_flip_the_entry_to_suspended_and_back(credential, duo):
    suspend(credential, actor=duo)
    assert published(credential).get(credential.status_index) == statuslist.SUSPENDED

    reinstated = reinstate(credential, actor=duo)

    assert reinstated.state == IssuedCredential.State.VALID
    assert published(credential).get(credential.status_index) == statuslist.VALID


def test_every_status_list_version_is_in_the_log_with_a_verifiable_inclusion_proof(credential, duo):
    revoke(credential, actor=duo)
    token = StatusList.objects.get().token

    entry = LogEntry.objects.get(kind="status-list")
    checkpoint = log.checkpoint()
    proof = log.prove_entry(entry.index)

    assert bytes(entry.digest) == hashlib.sha256(token.encode()).digest()
    assert merkle.verify_inclusion(
        proof.leaf_hash, proof.index, proof.size, proof.proof, bytes(checkpoint.root)
    )


def test_a_revoked_credential_cannot_be_suspended_or_reinstated(credential, duo):
    revoke(credential, actor=duo)
    version = StatusList.objects.get().version

    for change in (suspend, reinstate):
        with pytest.raises(IssuingRefused) as refused:
            change(credential, actor=duo)
        assert refused.value.code == "revoked-is-final"

    assert IssuedCredential.objects.get().state == IssuedCredential.State.REVOKED
    assert StatusList.objects.get().version == version
    assert published(credential).get(credential.status_index) == statuslist.INVALID


def test_revoking_twice_changes_nothing_the_second_time(credential, duo):
    revoke(credential, actor=duo)
    before = (StatusList.objects.get().version, LogEntry.objects.count())

    revoke(credential, actor=duo)

    assert (StatusList.objects.get().version, LogEntry.objects.count()) == before


def test_revoking_the_original_revokes_its_copies(credential, duo):
    wallet = ECKey.generate_key("P-256", private=True).as_dict(private=False)
    copy = issue_copy(credential, holder_jwk=wallet, actor=duo)

    revoke(credential, actor=duo)

    copy.refresh_from_db()
    assert copy.state == IssuedCredential.State.REVOKED
    assert published(copy).get(copy.status_index) == statuslist.INVALID


def test_a_revoked_credential_is_not_copied_to_a_wallet(credential, duo):
    revoke(credential, actor=duo)
    wallet = ECKey.generate_key("P-256", private=True).as_dict(private=False)

    with pytest.raises(IssuingRefused) as refused:
        issue_copy(credential, holder_jwk=wallet, actor=duo)

    assert refused.value.code == "not-valid"


def test_each_change_is_recorded_in_the_persons_processing_log(credential, person, duo):
    suspend(credential, actor=duo)
    reinstate(credential, actor=duo)
    revoke(credential, actor=duo)

    records = ProcessingRecord.objects.filter(data_subject_hash=subject_hash(person))
    names = sorted(records.values_list("name", flat=True))
    assert names == sorted(
        [
            "credentials.issue.diploma",
            "credentials.suspend.diploma",
            "credentials.reinstate.diploma",
            "credentials.revoke.diploma",
        ]
    )


def test_the_token_is_kept_until_the_version_changes(credential, duo):
    row = StatusList.objects.get()
    first = status_list_token(row)

    assert status_list_token(StatusList.objects.get()) == first
    revoke(credential, actor=duo)
    assert status_list_token(StatusList.objects.get()) != first


def test_the_token_names_its_list_and_is_cacheable_for_its_ttl(credential):
    row = StatusList.objects.get()

    token = status_list_token(row)

    header = json.loads(compact.b64url_decode(token.split(".")[0], "header"))
    claims = claims_of(token)
    assert header["typ"] == "statuslist+jwt" and header["kid"] == keys.current_issuer_key().kid
    assert claims["sub"] == status_list_uri(row.pk)
    assert claims["ttl"] == 300
    assert claims["exp"] - claims["iat"] == 24 * 3600


def test_after_a_key_rotation_the_token_is_signed_with_the_new_key(credential):
    status_list_token(StatusList.objects.get())

    new = keys.rotate()

    token = status_list_token(StatusList.objects.get())
    assert json.loads(compact.b64url_decode(token.split(".")[0], "header"))["kid"] == new.kid
    assert published(credential).get(credential.status_index) == statuslist.VALID


def test_the_status_endpoint_serves_the_token_for_caching(credential, client: Client):
    response = client.get(f"/credentials/status/{credential.status_list_id}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/statuslist+jwt"
    assert "max-age=300" in response["Cache-Control"]
    assert response["Access-Control-Allow-Origin"] == "*"
    status = statuslist.verify_status_list(
        response.content,
        uri=status_list_uri(credential.status_list_id),
        key_for=keys.issuer_key,
    )
    assert status.get(credential.status_index) == statuslist.VALID


def test_the_status_endpoint_answers_404_for_an_unknown_list(client: Client, db):
    assert client.get("/credentials/status/999").status_code == 404
