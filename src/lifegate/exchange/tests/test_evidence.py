"""Evidence documents: built from the register, signed by the node, verified by the receiver;
every kind of tampering or mix-up is refused with its own code."""

import base64
import json
import time
from datetime import date

import pytest
from django.utils import translation
from joserfc import jws
from joserfc.jwk import ECKey, KeySet

from lifegate.core.keys import SIGNING_ALGORITHM, signing_key
from lifegate.exchange import evidence as documents
from lifegate.registries.adapters import Address, Person


def _person(**changes: object) -> Person:
    values: dict[str, object] = {
        "bsn": "999990019",
        "given_names": "Mari Liis",
        "name_prefix": "",
        "family_name": "Tamm",
        "gender": "female",
        "date_of_birth": date(1994, 3, 14),
        "place_of_birth": "Tartu",
        "country_of_birth": "EE",
        "nationality": "EE",
        "resident": True,
        "address": Address("Rüütli", 12, "", "51007", "Tartu", "Tartu", date(2020, 5, 1)),
    }
    return Person(**(values | changes))  # type: ignore[arg-type]


def _signed(**changes: str) -> str:
    values = {
        "evidence_type": "birth-certificate",
        "claims": documents.claims_for("birth-certificate", _person()),
        "request_id": "req-1",
        "conversation_id": "conv-1",
        "issuing_authority": "Population register",
    } | changes
    return documents.sign_evidence(**values)  # type: ignore[arg-type]


def _verify(token: str, **changes: object) -> documents.EvidenceDocument:
    expected: dict[str, object] = {
        "issuer_node": "nl",
        "issuer_keys": None,
        "evidence_type": "birth-certificate",
        "request_id": "req-1",
    } | changes
    return documents.verify_evidence(token, **expected)  # type: ignore[arg-type]


def test_birth_and_residence_claims_come_from_the_register() -> None:
    birth = documents.claims_for("birth-certificate", _person())
    assert birth == {
        "given_names": "Mari Liis",
        "family_name": "Tamm",
        "date_of_birth": "1994-03-14",
        "place_of_birth": "Tartu",
        "country_of_birth": "EE",
        "gender": "female",
    }
    residence = documents.claims_for("residence-certificate", _person())
    assert residence is not None
    assert residence["address"] == "Rüütli 12, 51007 Tartu"
    assert residence["registered_since"] == "2020-05-01"


def test_there_is_no_residence_evidence_for_someone_not_living_here() -> None:
    assert (
        documents.claims_for("residence-certificate", _person(resident=False, address=None)) is None
    )
    assert documents.claims_for("residence-certificate", _person(address=None)) is None
    assert documents.claims_for("diploma", _person()) is None


def test_a_signed_document_verifies_with_the_nodes_own_key() -> None:
    document = _verify(_signed())
    assert document.claims["family_name"] == "Tamm"
    assert document.payload["iss"] == "nl"
    assert document.kid
    assert len(document.digest) == 64


def _tamper_payload(token: str, change: dict[str, object]) -> str:
    header, payload, signature = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data.update(change)
    encoded = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    return f"{header}.{encoded}.{signature}"


def test_a_changed_claim_breaks_the_signature() -> None:
    token = _tamper_payload(_signed(), {"claims": {"family_name": "Kask"}})
    with pytest.raises(documents.EvidenceInvalid) as refused:
        _verify(token)
    assert refused.value.code == "bad-signature"


def test_a_document_signed_by_another_key_is_refused() -> None:
    stranger = ECKey.generate_key("P-256", {"alg": "ES256"}, private=True, auto_kid=True)
    keys = KeySet([ECKey.import_key(stranger.as_dict(private=False))])
    with pytest.raises(documents.EvidenceInvalid) as refused:
        _verify(_signed(), issuer_keys=keys)
    assert refused.value.code == "bad-signature"


@pytest.mark.parametrize(
    ("expected", "value"),
    [
        ("issuer_node", "ee"),
        ("evidence_type", "residence-certificate"),
        ("request_id", "req-2"),
    ],
)
def test_evidence_that_is_not_what_was_asked_for_is_refused(expected: str, value: str) -> None:
    with pytest.raises(documents.EvidenceInvalid) as refused:
        _verify(_signed(), **{expected: value})
    assert refused.value.code == "mismatch"


def _resigned(token: str, change: dict[str, object]) -> str:
    """The document with `change` made to its payload, signed again with the node's key: what a
    trusted peer with a bug (or a bad clock) could send."""
    header, payload, _signature = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))) | change
    protected = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    key = signing_key(documents.NODE_KEY)
    return jws.serialize_compact(protected, json.dumps(data), key, algorithms=[SIGNING_ALGORITHM])


@pytest.mark.parametrize("iat", ["x", 1e20, 10**20, True, None, -1, 2**40])
def test_a_signed_document_without_a_plausible_issue_time_is_malformed(iat: object) -> None:
    # Read later for the person's page and the agency API: stored, it would break both.
    token = _resigned(_signed(), {"iat": iat})
    with pytest.raises(documents.EvidenceInvalid) as refused:
        _verify(token)
    assert refused.value.code == "malformed"


def test_the_issue_time_may_be_a_little_ahead_of_our_clock() -> None:
    ahead = int(time.time()) + 60
    document = _verify(_resigned(_signed(), {"iat": ahead}))
    assert documents.issued_at(document.payload).timestamp() == ahead


@pytest.mark.parametrize("token", ["", "not-a-jws", "a.b.c", "x" * 70_000])
def test_garbage_is_refused_not_crashed_on(token: str) -> None:
    with pytest.raises(documents.EvidenceInvalid):
        _verify(token)


def test_the_preview_rows_follow_the_evidence_type() -> None:
    claims = documents.claims_for("birth-certificate", _person()) or {}
    with translation.override("en"):
        rows = documents.shown_claims("birth-certificate", claims)
        labels = [str(label) for label, _ in rows]
    assert labels[:3] == ["Given names", "Family name", "Date of birth"]
    assert rows[2][1] == date(1994, 3, 14)
