"""Evidence documents: what a provider node builds from its register, signs and shares.

An evidence document is a compact JWS (ES256, the node's "exchange-node" key, typ
`lifegate-evidence+jwt`) whose payload names the evidence type, the issuing node and country,
the request it answers, the person it is about (the eIDAS minimum data set as the provider's
register knows them) and the evidence's claims. Whoever holds it can check where it came from
with the issuing node's published keys, without asking the provider again."""

import hashlib
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from lifegate.core import json_input
from lifegate.core.keys import SIGNING_ALGORITHM, public_jwks, signing_key
from lifegate.registries.adapters import Person

EVIDENCE_TYPE_HEADER = "lifegate-evidence+jwt"
NODE_KEY = "exchange-node"
# The largest evidence document a node accepts: far above any real one, far below harm.
MAX_EVIDENCE_BYTES = 64 * 1024
# An evidence document's issue time: a whole number of seconds, not before 2000 and not more
# than this far ahead of our clock (clocks of two nodes differ a little).
EARLIEST_ISSUED_AT = 946_684_800
ISSUED_AT_SKEW_SECONDS = 300


class EvidenceInvalid(Exception):
    """An evidence document that is malformed, not signed by the node it claims, or not the
    evidence that was asked for. `code` is stable; the message is English, for logs."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ClaimLabel:
    """How a claim is shown to the person: its key and a translatable label."""

    key: str
    label: Any  # a lazy translation


# The claims of each evidence type in the order a preview shows them. The evidence types are a
# vocabulary every node shares (see docs/architecture.md, "Evidence exchange").
CLAIM_LABELS: dict[str, tuple[ClaimLabel, ...]] = {
    "birth-certificate": (
        ClaimLabel("given_names", _("Given names")),
        ClaimLabel("family_name", _("Family name")),
        ClaimLabel("date_of_birth", _("Date of birth")),
        ClaimLabel("place_of_birth", _("Place of birth")),
        ClaimLabel("country_of_birth", _("Country of birth")),
        ClaimLabel("gender", _("Gender")),
    ),
    "residence-certificate": (
        ClaimLabel("given_names", _("Given names")),
        ClaimLabel("family_name", _("Family name")),
        ClaimLabel("date_of_birth", _("Date of birth")),
        ClaimLabel("address", _("Address")),
        ClaimLabel("country", _("Country")),
        ClaimLabel("registered_since", _("Registered at this address since")),
    ),
}


def provided_types() -> frozenset[str]:
    """The evidence types this node can build from its own registers."""
    return frozenset(_BUILDERS)


def _identity(person: Person) -> dict[str, str]:
    return {
        "given_names": person.given_names,
        "family_name": person.family_name_with_prefix,
        "date_of_birth": person.date_of_birth.isoformat(),
    }


def _birth(person: Person) -> dict[str, str] | None:
    return _identity(person) | {
        "place_of_birth": person.place_of_birth,
        "country_of_birth": person.country_of_birth,
        "gender": person.gender,
    }


def _residence(person: Person) -> dict[str, str] | None:
    address = person.address
    if not person.resident or address is None:
        return None  # a non-resident has no residence here to prove
    return _identity(person) | {
        "address": f"{address.street_line}, {address.postcode} {address.city}",
        "country": settings.NODE_COUNTRY,
        "registered_since": address.since.isoformat() if address.since else "",
    }


_BUILDERS: dict[str, Callable[[Person], dict[str, str] | None]] = {
    "birth-certificate": _birth,
    "residence-certificate": _residence,
}


def claims_for(evidence_type: str, person: Person) -> dict[str, str] | None:
    """The evidence's claims about `person`, or None when this node holds no such evidence
    about them (an unknown type, or a residence proof for someone not living here)."""
    builder = _BUILDERS.get(evidence_type)
    return builder(person) if builder else None


@dataclass(frozen=True)
class EvidenceDocument:
    """A verified evidence document: its payload and where it came from."""

    token: str
    issuer_node: str
    kid: str
    payload: dict[str, Any]

    @property
    def claims(self) -> dict[str, str]:
        """The evidence's claims (names, dates, address)."""
        return dict(self.payload.get("claims", {}))

    @property
    def digest(self) -> str:
        """SHA-256 of the signed document, hex: identifies it in logs without revealing it."""
        return token_digest(self.token)


def token_digest(token: str) -> str:
    """SHA-256 of a signed document, hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def sign_evidence(
    *,
    evidence_type: str,
    claims: dict[str, str],
    request_id: str,
    conversation_id: str,
    issuing_authority: str,
) -> str:
    """The evidence as a compact JWS signed by this node."""
    key = signing_key(NODE_KEY)
    payload = {
        "iss": settings.NODE_ID,
        "iss_country": settings.NODE_COUNTRY,
        "iss_url": settings.BASE_URL,
        "jti": uuid.uuid4().hex,
        "iat": int(time.time()),
        "evidence_type": evidence_type,
        "issuing_authority": issuing_authority,
        "request_id": request_id,
        "conversation_id": conversation_id,
        "claims": claims,
    }
    header = {"alg": SIGNING_ALGORITHM, "kid": key.kid, "typ": EVIDENCE_TYPE_HEADER}
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return jws.serialize_compact(header, body, key, algorithms=[SIGNING_ALGORITHM])


def verify_evidence(
    token: str, *, issuer_node: str, issuer_keys: KeySet | None, evidence_type: str, request_id: str
) -> EvidenceDocument:
    """Check a received evidence document: signed by `issuer_node` with one of its keys (this
    node's own key when `issuer_keys` is None), of the type asked for, answering
    `request_id`. Raises `EvidenceInvalid` with a stable code otherwise."""
    if len(token) > MAX_EVIDENCE_BYTES:
        raise EvidenceInvalid("oversized", "evidence document too large")
    keys = issuer_keys or KeySet.import_key_set(public_jwks(NODE_KEY))
    try:
        signed = jws.deserialize_compact(token, keys, algorithms=[SIGNING_ALGORITHM])
        payload = json_input.loads(signed.payload)
    except (JoseError, ValueError, TypeError) as exc:
        raise EvidenceInvalid(
            "bad-signature", f"evidence signature invalid: {type(exc).__name__}"
        ) from None
    header = signed.headers()
    if header.get("typ") != EVIDENCE_TYPE_HEADER or not isinstance(payload, dict):
        raise EvidenceInvalid("malformed", "not an evidence document")
    expected = {"iss": issuer_node, "evidence_type": evidence_type, "request_id": request_id}
    for claim, value in expected.items():
        if payload.get(claim) != value:
            raise EvidenceInvalid("mismatch", f"evidence {claim} is not the one asked for")
    if not isinstance(payload.get("claims"), dict):
        raise EvidenceInvalid("malformed", "evidence has no claims")
    if not _plausible_time(payload.get("iat")):
        raise EvidenceInvalid("malformed", "evidence has no valid issue time")
    return EvidenceDocument(token, issuer_node, str(header.get("kid", "")), payload)


def _plausible_time(value: Any) -> bool:
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and EARLIEST_ISSUED_AT <= value <= time.time() + ISSUED_AT_SKEW_SECONDS
    )


def issued_at(payload: dict[str, Any]) -> datetime:
    """When the provider issued the evidence document (checked when it was received)."""
    return datetime.fromtimestamp(payload["iat"], tz=UTC)


def read_document(token: str) -> dict[str, Any]:
    """The payload of an evidence document this node verified before (stored sealed)."""
    return json.loads(jws.extract_compact(token.encode()).payload)


def shown_claims(evidence_type: str, claims: dict[str, str]) -> list[tuple[Any, str]]:
    """(label, value) pairs in the preview's order; dates shown as dates."""
    rows = []
    for claim in CLAIM_LABELS.get(evidence_type, ()):
        value = claims.get(claim.key, "")
        if value:
            rows.append((claim.label, _display(claim.key, value)))
    return rows


def _display(key: str, value: str) -> Any:
    if key in ("date_of_birth", "registered_since"):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value
