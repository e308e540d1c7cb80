"""Proofs a wallet signs with a key of its own and sends along: the key proof of an OpenID4VCI
credential request (`oid4vci`) and the DPoP proof of a token or credential request (`dpop`).
Both are compact JWS, ES256, with the public P-256 key in the header's `jwk`, and must be
fresh. They are read with the credentials' strict decoder (`compact`): no duplicate JSON
members, no NaN or infinite numbers, no `crit`, no other algorithm."""

import hashlib
import math
import time
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, NamedTuple

from django.db import IntegrityError, transaction
from django.utils import timezone
from joserfc.errors import JoseError
from joserfc.jwk import ECKey

from lifegate.credentials.compact import decode, media_type, signature_valid
from lifegate.credentials.errors import CredentialRejected
from lifegate.credentials.models import UsedProof


class ProofInvalid(Exception):
    """A proof that fails a check; the message says which, never what the proof holds."""


class Proven(NamedTuple):
    """A proof that passed `checked_proof`: its claims, the key that signed it, its header."""

    claims: dict[str, Any]
    key: ECKey
    header: dict[str, Any]


def checked_proof(
    proof: str, *, what: str, typ: str, max_bytes: int, max_age: int, max_skew: int
) -> Proven:
    """The claims of a proof (`what`: how messages name it) and the key that signed it: of
    media type `typ`, at most `max_bytes`, signed by the key in its header, with an `iat`
    at most `max_age` seconds old and at most `max_skew` seconds ahead of this clock."""
    if len(proof) > max_bytes:
        raise ProofInvalid(f"{what} is too large")
    try:
        token = decode(proof, what)
    except CredentialRejected as wrong:
        raise ProofInvalid(wrong.detail) from None
    if media_type(token.header) != typ:
        raise ProofInvalid(f"{what}'s typ must be {typ}")
    try:
        key = embedded_key(token.header.get("jwk"))
    except ValueError as wrong:
        raise ProofInvalid(f"{what} {wrong}") from None
    if not signature_valid(token, key):
        raise ProofInvalid(f"{what}'s signature does not verify")
    issued_at = token.payload.get("iat")
    if not isinstance(issued_at, int | float) or isinstance(issued_at, bool):
        raise ProofInvalid(f"{what} has no iat")
    now = time.time()
    if not math.isfinite(issued_at) or not now - max_age <= issued_at <= now + max_skew:
        raise ProofInvalid(f"{what} is not fresh")
    return Proven(token.payload, key, token.header)


def embedded_key(jwk: Any) -> ECKey:
    """The P-256 public key of a proof's `jwk` header; ValueError saying what is wrong."""
    if not isinstance(jwk, Mapping) or "d" in jwk:
        raise ValueError("must carry a public JWK")
    try:
        key = ECKey.import_key(dict(jwk))
    except (JoseError, ValueError, TypeError, KeyError, AttributeError):
        raise ValueError("carries a JWK that is not an EC key") from None
    if key.curve_name != "P-256":
        raise ValueError("must carry a P-256 key")
    return key


def use_once(identity: str, keep_seconds: int) -> bool:
    """Note a proof (`identity`: its kind, endpoint and jti) as used, in the caller's
    transaction, for `keep_seconds` (as long as it could still be accepted); False when it
    was used before."""
    # Expired ones are removed by credentials_housekeeping (`oid4vci_purge`), not here: a
    # delete in every request's transaction would make concurrent requests wait on each other.
    now = timezone.now()
    proof_hash = hashlib.sha256(identity.encode()).hexdigest()
    try:
        with transaction.atomic():
            UsedProof.objects.create(
                proof_hash=proof_hash, expires_at=now + timedelta(seconds=keep_seconds)
            )
    except IntegrityError:
        return False
    return True


def numeric_date(claims: Mapping[str, Any], name: str, what: str) -> float | None:
    """The NumericDate claim `name` of `what` (a proof or attestation), None when absent;
    ProofInvalid when it is not a finite number."""
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ProofInvalid(f"{what}'s {name} is not a NumericDate")
    return float(value)
