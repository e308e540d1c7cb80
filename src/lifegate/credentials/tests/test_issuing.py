"""Issuing credentials: what is signed verifies against the published keys, every claim can
be left out, the digest is in the transparency log, the processing is recorded, issuing is
idempotent per reference, and refusals write nothing."""

import hashlib
import json
import time
from typing import Any

import pytest
from joserfc.jwk import ECKey

from lifegate.core.subject import Subject
from lifegate.credentials import compact, keys, log, merkle, sdjwt
from lifegate.credentials.issuing import (
    IssuingRefused,
    holder_key,
    issue,
    issue_copy,
    issue_once,
    stored_sd_jwt,
    subject_claims,
)
from lifegate.credentials.models import IssuedCredential, LogEntry, StatusList
from lifegate.credentials.status_lists import status_list_uri
from lifegate.credentials.tests.conftest import BASE_URL, DIPLOMA_CLAIMS, RESIDENCE_CLAIMS
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import Actor, subject_hash

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("issuer_settings")]
VERIFIER = "https://employer.example"
NONCE = "n-4f2a"


def diploma(subject: Subject, actor: Actor, reference: str = "dossier-1", **changes: Any):
    return issue(
        "diploma",
        subject,
        DIPLOMA_CLAIMS | changes,
        actor=actor,
        source=IssuedCredential.Source.AGENCY_API,
        source_reference=reference,
    )


def present(credential: IssuedCredential, names: list[str]) -> str:
    """The portal wallet's presentation of `names`, bound for VERIFIER and NONCE."""
    key = holder_key(credential)
    assert key is not None
    selected = sdjwt.select(stored_sd_jwt(credential), names)
    return sdjwt.bind(
        selected, holder_key=key, audience=VERIFIER, nonce=NONCE, issued_at=int(time.time())
    )


def verify(presentation: str) -> sdjwt.VerifiedSdJwt:
    return sdjwt.verify(presentation, issuer_key=keys.issuer_key, audience=VERIFIER, nonce=NONCE)


def payload(credential: IssuedCredential) -> dict[str, Any]:
    segment = stored_sd_jwt(credential).split("~")[0].split(".")[1]
    return json.loads(compact.b64url_decode(segment, "payload"))


def counts() -> tuple[int, int, int]:
    return (
        IssuedCredential.objects.count(),
        LogEntry.objects.count(),
        ProcessingRecord.objects.count(),
    )


def test_an_issued_diploma_verifies_against_the_published_issuer_keys(
    credential_types, person, duo
):
    credential = diploma(person, duo)

    verified = verify(present(credential, list(DIPLOMA_CLAIMS)))

    assert {key: verified.claims[key] for key in DIPLOMA_CLAIMS} == DIPLOMA_CLAIMS
    assert verified.issuer == BASE_URL
    assert verified.vct == f"{BASE_URL}/credentials/types/diploma"
    assert verified.kid == credential.kid == keys.current_issuer_key().kid
    assert verified.key_bound is True
    assert verified.status == sdjwt.StatusReference(
        uri=status_list_uri(credential.status_list_id), index=credential.status_index
    )
    assert verified.expires_at is None and credential.expires_at is None  # diplomas stay


def test_every_claim_is_selectively_disclosable(credential_types, person, duo):
    credential = diploma(person, duo)

    verified = verify(present(credential, ["title", "level_eqf"]))

    signed = json.dumps(payload(credential))
    assert "Sanne" not in signed and "HBO-ICT" not in signed
    assert verified.disclosed == {"title", "level_eqf"}
    assert verified.claims["title"] == "Bachelor of Science HBO-ICT"
    assert verified.claims["level_eqf"] == 6
    assert not set(DIPLOMA_CLAIMS) - {"title", "level_eqf"} & set(verified.claims)


def test_the_digest_is_appended_to_the_log_and_its_inclusion_proof_verifies(
    credential_types, person, duo
):
    credential = diploma(person, duo)
    issuer_jwt = stored_sd_jwt(credential).split("~")[0]

    entry = LogEntry.objects.get(index=credential.log_index)
    checkpoint = log.checkpoint()
    proof = log.prove_entry(credential.log_index)

    assert entry.kind == "credential"
    assert bytes(entry.digest) == hashlib.sha256(issuer_jwt.encode()).digest()
    assert credential.digest == bytes(entry.digest).hex()
    assert merkle.verify_inclusion(
        proof.leaf_hash, proof.index, proof.size, proof.proof, bytes(checkpoint.root)
    )


def test_issuing_is_recorded_in_the_persons_processing_log(credential_types, person, duo):
    diploma(person, duo)

    record = ProcessingRecord.objects.get()
    assert record.data_subject_hash == subject_hash(person)
    assert record.processing_activity_id == "credential-issuing"
    assert record.name == "credentials.issue.diploma"
    assert (record.organisation, record.actor_kind) == ("duo", "agency")
    assert set(record.data_categories) == set(DIPLOMA_CLAIMS)


def test_the_person_is_stored_by_keyed_hash_and_sealed_never_in_clear(
    credential_types, person, duo
):
    credential = diploma(person, duo)

    stored = IssuedCredential.objects.filter(pk=credential.pk).values().get()
    assert stored["subject_hash"] == subject_hash(person)
    text = json.dumps(stored, default=str)
    assert person.value not in text
    assert "Sanne" not in text and "HBO-ICT" not in text


def test_issuing_again_from_the_same_reference_gives_back_the_first_credential(
    credential_types, person, duo
):
    first = diploma(person, duo)
    before = counts()

    again = issue_once(
        "diploma",
        person,
        DIPLOMA_CLAIMS,
        actor=duo,
        source=IssuedCredential.Source.AGENCY_API,
        source_reference="dossier-1",
    )

    assert again.created is False
    assert again.credential.pk == first.pk
    assert counts() == before


def test_the_same_reference_with_other_claims_is_refused(credential_types, person, duo):
    diploma(person, duo)
    before = counts()

    with pytest.raises(IssuingRefused) as refused:
        diploma(person, duo, grade="cum laude")

    assert refused.value.code == "reference-used"
    assert counts() == before


def test_another_reference_issues_another_credential(credential_types, person, duo):
    first = diploma(person, duo, "dossier-1")
    second = diploma(person, duo, "dossier-2", title="Master of Science Computer Science")

    assert first.pk != second.pk
    assert (first.status_list_id, first.status_index) != (
        second.status_list_id,
        second.status_index,
    )
    assert second.log_index == first.log_index + 1


def test_claims_that_do_not_fit_the_type_are_refused_by_name_and_nothing_is_written(
    credential_types, person, duo
):
    claims = {k: v for k, v in DIPLOMA_CLAIMS.items() if k != "grade"}
    claims |= {"shoe_size": 43, "title": ["not", "text"]}

    with pytest.raises(IssuingRefused) as refused:
        issue(
            "diploma",
            person,
            claims,
            actor=duo,
            source=IssuedCredential.Source.AGENCY_API,
            source_reference="dossier-1",
        )

    assert refused.value.code == "invalid-claims"
    assert {(e["location"], e["message"]) for e in refused.value.errors} == {
        ("claims.grade", "missing"),
        ("claims.shoe_size", "not a claim of this type"),
        ("claims.title", "must be a non-empty text, a number or true/false"),
    }
    assert counts() == (0, 0, 0)


def test_an_unknown_credential_type_is_refused(credential_types, person, duo):
    with pytest.raises(IssuingRefused) as refused:
        issue(
            "fishing-licence",
            person,
            {},
            actor=duo,
            source=IssuedCredential.Source.AGENCY_API,
            source_reference="x",
        )
    assert refused.value.code == "unknown-credential-type"
    assert counts() == (0, 0, 0)


def test_a_residence_proof_expires_after_the_types_validity(credential_types, person):
    credential = issue(
        "residence",
        person,
        RESIDENCE_CLAIMS,
        actor=Actor(kind="agency", organisation="gemeente-utrecht"),
        source=IssuedCredential.Source.AGENCY_API,
        source_reference="brp-1",
    )

    claims = payload(credential)
    assert claims["exp"] - claims["iat"] == 90 * 24 * 3600
    assert credential.expires_at is not None
    assert int(credential.expires_at.timestamp()) == claims["exp"]


def test_the_portal_wallet_key_is_kept_sealed_and_names_the_credentials_cnf(
    credential_types, person, duo
):
    credential = diploma(person, duo)

    key = holder_key(credential)

    assert key is not None and key.is_private
    assert payload(credential)["cnf"] == {"jwk": key.as_dict(private=False)}
    assert key.as_dict(private=True)["d"] not in credential.holder_key_sealed


def test_a_wallet_key_given_is_bound_and_no_private_key_is_kept(credential_types, person, duo):
    wallet = ECKey.generate_key("P-256", private=True)

    credential = issue(
        "diploma",
        person,
        DIPLOMA_CLAIMS,
        actor=duo,
        source=IssuedCredential.Source.AGENCY_API,
        source_reference="dossier-1",
        holder_jwk=wallet.as_dict(private=False),
    )

    assert payload(credential)["cnf"]["jwk"]["x"] == wallet.as_dict()["x"]
    assert credential.holder_key_sealed == "" and holder_key(credential) is None


def test_a_private_or_malformed_wallet_key_is_refused(credential_types, person, duo):
    wallet = ECKey.generate_key("P-256", private=True)
    for bad in (wallet.as_dict(private=True), {"kty": "EC", "crv": "P-256"}):
        with pytest.raises(IssuingRefused) as refused:
            issue_copy(diploma(person, duo), holder_jwk=bad, actor=duo)
        assert refused.value.code == "invalid-holder-key"


def test_status_entries_are_drawn_at_random_and_never_given_twice(credential_types, person, duo):
    issued = [diploma(person, duo, f"dossier-{n}") for n in range(25)]

    indices = [credential.status_index for credential in issued]
    assert len(set(indices)) == 25
    assert indices != sorted(indices)  # chance of sorted random draws: 1 in 25!
    assert StatusList.objects.get().allocated == 25


def test_a_copy_for_an_external_wallet_has_the_same_claims_its_own_entry_and_the_wallets_key(
    credential_types, person, duo
):
    original = diploma(person, duo)
    wallet = ECKey.generate_key("P-256", private=True)

    copy = issue_copy(original, holder_jwk=wallet.as_dict(private=False), actor=duo)

    assert copy.copy_of_id == original.pk
    assert subject_claims(copy) == subject_claims(original) == DIPLOMA_CLAIMS
    assert copy.status_index != original.status_index
    assert payload(copy)["cnf"]["jwk"]["x"] == wallet.as_dict()["x"]
    assert copy.expires_at == original.expires_at
    assert LogEntry.objects.filter(index=copy.log_index, kind="credential").exists()
