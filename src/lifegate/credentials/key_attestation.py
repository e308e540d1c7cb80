"""Key attestations (OpenID4VCI 1.0 Appendix D, HAIP 1.0 section 4.5.1): a wallet provider
vouches that the key a credential is bound to is kept by a certified wallet, not copied into
any app.

When the operator requires them (settings.OID4VCI_REQUIRE_KEY_ATTESTATION), the key proof
of a credential request carries one in its `key_attestation` header: a JWT (typ
`key-attestation+jwt`, ES256) with the provider's certificate in `x5c`, whose chain leads to
a CA in settings.LIFEGATE_WALLET_PROVIDER_ANCHORS (any provider that CA certifies: the
wallet is not known by name in the pre-authorised flow); `attested_keys` holds the proof's
key, `iat` and `exp` say when it was made and ends (Appendix D asks for `exp` with the jwt
proof type), and a `nonce`, when given, is the proof's c_nonce. The issuer metadata says so
(`key_attestations_required`, without constraints). A `status` entry in the provider's
status list must be valid (`attestation_status`; the list signed by any provider a wallet
provider anchor certifies, as the attestation is). Not checked: the `key_storage` and
`user_authentication` levels."""

import time
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from joserfc.jwk import ECKey, Key

from lifegate.credentials import attestation_status, issuer_anchors
from lifegate.credentials.compact import CompactJws, decode, media_type, signature_valid
from lifegate.credentials.errors import CredentialRejected
from lifegate.credentials.proofs import ProofInvalid, embedded_key, numeric_date

KEY_ATTESTATION_TYPE = "key-attestation+jwt"
MAX_BYTES = 16 * 1024
MAX_ATTESTED_KEYS = 16
MAX_SKEW = 60
WHAT = "the key attestation"


def required() -> bool:
    """Whether credential requests need a key attestation of the proof's key."""
    return bool(settings.OID4VCI_REQUIRE_KEY_ATTESTATION)


def check(attestation: Any, proof_key: ECKey, nonce: Any) -> None:
    """Check the key attestation from a key proof's header for `proof_key`, the key that
    signed the proof, whose c_nonce is `nonce`. Raises ProofInvalid saying what is wrong."""
    if not isinstance(attestation, str) or not attestation:
        raise ProofInvalid("the proof needs a key attestation in its key_attestation header")
    if len(attestation) > MAX_BYTES:
        raise ProofInvalid(f"{WHAT} is too large")
    try:
        token = decode(attestation, WHAT)
    except CredentialRejected as wrong:
        raise ProofInvalid(wrong.detail) from None
    if media_type(token.header) != KEY_ATTESTATION_TYPE:
        raise ProofInvalid(f"{WHAT}'s typ must be {KEY_ATTESTATION_TYPE}")
    if not signature_valid(token, _provider_key(token)):
        raise ProofInvalid(f"{WHAT}'s signature does not verify")
    claims = token.payload
    _check_lifetime(claims)
    if "nonce" in claims and claims["nonce"] != nonce:
        raise ProofInvalid(f"{WHAT} is for another nonce")
    if proof_key.thumbprint() not in _attested_thumbprints(claims.get("attested_keys")):
        raise ProofInvalid(f"{WHAT} does not attest the proof's key")
    # Last: it may ask the provider, which only an attestation of this key deserves.
    try:
        attestation_status.check(claims, None, WHAT)
    except attestation_status.Withdrawn as withdrawn:
        raise ProofInvalid(str(withdrawn)) from None


def _provider_key(token: CompactJws) -> Key:
    """The key of the wallet provider's certificate in x5c, whose chain leads to an anchor."""
    if "x5c" not in token.header:
        raise ProofInvalid(f"{WHAT} needs its provider's certificate in x5c")
    try:
        key = issuer_anchors.key_certified_by(
            str(settings.LIFEGATE_WALLET_PROVIDER_ANCHORS or ""), None, token.header["x5c"]
        )
    except CredentialRejected as wrong:
        raise ProofInvalid(f"{WHAT} is not trusted: {wrong.detail}") from None
    if key is None:
        raise ProofInvalid("this issuer trusts no wallet provider")
    return key


def _check_lifetime(claims: Mapping[str, Any]) -> None:
    now = time.time()
    issued_at, ends = numeric_date(claims, "iat", WHAT), numeric_date(claims, "exp", WHAT)
    if issued_at is None or ends is None:
        raise ProofInvalid(f"{WHAT} needs iat and exp")
    if issued_at > now + MAX_SKEW:
        raise ProofInvalid(f"{WHAT}'s iat lies in the future")
    if now >= ends + MAX_SKEW:
        raise ProofInvalid(f"{WHAT} has ended")


def _attested_thumbprints(keys: Any) -> set[str]:
    if not isinstance(keys, list) or not 0 < len(keys) <= MAX_ATTESTED_KEYS:
        raise ProofInvalid(f"{WHAT}'s attested_keys is not a list of 1 to {MAX_ATTESTED_KEYS}")
    try:
        return {embedded_key(jwk).thumbprint() for jwk in keys}
    except ValueError as wrong:
        raise ProofInvalid(f"{WHAT}'s attested_keys {wrong}") from None
