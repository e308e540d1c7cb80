"""Wallet attestations: OAuth 2.0 Attestation-Based Client Authentication, as OpenID4VCI 1.0
Appendix E and HAIP 1.0 section 4.4.1 profile it. A wallet admitted with a `provider`
(`credentials.wallets`) authenticates at the pushed authorization request and the token
request with two headers:

- `OAuth-Client-Attestation`: a JWT its wallet provider signed (typ
  `oauth-client-attestation+jwt`, ES256) with the provider's certificate in `x5c` (HAIP),
  whose chain leads to a CA in settings.LIFEGATE_WALLET_PROVIDER_ANCHORS and names the
  provider; `sub` is the wallet's client_id, `exp` when it ends, `cnf.jwk` the public key of
  this wallet instance (P-256).
- `OAuth-Client-Attestation-PoP`: a JWT the instance signed with that key (typ
  `oauth-client-attestation-pop+jwt`, ES256): `aud` this issuer's identifier, a fresh `iat`,
  and a `jti` accepted once.

So an app that copies an admitted wallet's client_id, or claims its redirect scheme on a
phone, gets nothing: it has no attestation with a key it holds. The instance's key also
binds the authorization code: only the instance that pushed the request may exchange it.

Drafts differ: the one OpenID4VCI 1.0 pins (-07) also has `iss` in both JWTs, later ones
drop it. Both are taken; a PoP's `iss`, when given, must be the client_id. The
attestation's `iss` is not compared: its certificate, which must name the provider, says
who made it. Not supported:
the concatenated header form of -07 (dropped later), server challenges (optional; freshness
comes from `iat` and the single use of `jti`), and the combination with DPoP (the PoP header
is always needed). A provider withdraws a wallet instance through the status list its
attestation names in `status` (`attestation_status`), or by letting its short-lived
attestations end; the operator withdraws a whole wallet by taking it off the list."""

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from joserfc.jwk import ECKey, Key

from lifegate.credentials import attestation_status, issuer_anchors
from lifegate.credentials.compact import CompactJws, decode, media_type, signature_valid
from lifegate.credentials.errors import CredentialRejected
from lifegate.credentials.oid4vci import OAuthError
from lifegate.credentials.proofs import ProofInvalid, embedded_key, numeric_date, use_once
from lifegate.credentials.wallets import Wallet

ATTESTATION_HEADER = "OAuth-Client-Attestation"
POP_HEADER = "OAuth-Client-Attestation-PoP"
ATTESTATION_TYPE = "oauth-client-attestation+jwt"
POP_TYPE = "oauth-client-attestation-pop+jwt"
# An attestation carries the provider's certificate chain; a PoP is a few claims.
MAX_ATTESTATION_BYTES = 16 * 1024
MAX_POP_BYTES = 4096
# How old a PoP may be (its jti is kept this long), and how far clocks may differ.
POP_MAX_AGE = 300
MAX_SKEW = 60
MAX_JTI_LENGTH = 256


@dataclass(frozen=True)
class Presented:
    """The two headers of a request, as sent (None: missing)."""

    attestation: str | None
    pop: str | None


def presented(headers: Mapping[str, str]) -> Presented:
    """The attestation headers of a request, from its `request.headers` (which compares
    names case-insensitively)."""
    return Presented(headers.get(ATTESTATION_HEADER), headers.get(POP_HEADER))


def authenticate(wallet: Wallet, sent: Presented) -> str:
    """The thumbprint (RFC 7638) of the wallet instance's key, when `wallet` must
    authenticate and `sent` proves it; "" for a public client, whose headers are not read.
    The PoP's jti is used up in the caller's transaction. Raises OAuthError:
    invalid_client saying what failed, or use_fresh_attestation for an attestation that
    ended."""
    if wallet.provider is None:
        return ""
    if not sent.attestation or not sent.pop:
        raise _refused(f"send {ATTESTATION_HEADER} and {POP_HEADER}: this wallet authenticates")
    attestation = _token(sent.attestation, "the wallet attestation", MAX_ATTESTATION_BYTES)
    instance_key = _check_attestation(attestation, wallet)
    pop = _token(sent.pop, "the attestation PoP", MAX_POP_BYTES)
    _check_pop(pop, instance_key, wallet.client_id)
    # Last: it may ask the provider, which only a complete, fresh attestation deserves.
    try:
        attestation_status.check(attestation.payload, wallet.provider, "the wallet attestation")
    except attestation_status.Withdrawn as withdrawn:
        raise _refused(str(withdrawn)) from None
    return instance_key.thumbprint()


def _token(text: str, what: str, max_bytes: int) -> CompactJws:
    if len(text) > max_bytes:
        raise _refused(f"{what} is too large")
    try:
        return decode(text.strip(), what)
    except CredentialRejected as wrong:
        raise _refused(wrong.detail) from None


def _check_attestation(token: CompactJws, wallet: Wallet) -> ECKey:
    """The instance's public key (cnf.jwk) of an attestation from the wallet's provider."""
    what = "the wallet attestation"
    if media_type(token.header) != ATTESTATION_TYPE:
        raise _refused(f"{what}'s typ must be {ATTESTATION_TYPE}")
    if not signature_valid(token, _provider_key(token, wallet)):
        raise _refused(f"{what}'s signature does not verify")
    claims = token.payload
    if claims.get("sub") != wallet.client_id:
        raise _refused(f"{what} is for another client_id")
    _check_lifetime(claims, what)
    confirmation = claims.get("cnf")
    try:
        return embedded_key(confirmation.get("jwk") if isinstance(confirmation, dict) else None)
    except ValueError as wrong:
        raise _refused(f"{what}'s cnf {wrong}") from None


def _provider_key(token: CompactJws, wallet: Wallet) -> Key:
    """The key of the provider's certificate in x5c, whose chain leads to an anchor."""
    if "x5c" not in token.header:
        raise _refused("the wallet attestation needs its provider's certificate in x5c")
    try:
        key = issuer_anchors.key_certified_by(
            str(settings.LIFEGATE_WALLET_PROVIDER_ANCHORS or ""),
            str(wallet.provider),
            token.header["x5c"],
        )
    except CredentialRejected as untrusted:
        raise _refused(f"the wallet provider is not trusted: {untrusted.detail}") from None
    if key is None:
        raise _refused("this issuer trusts no wallet provider")
    return key


def _check_lifetime(claims: dict[str, Any], what: str) -> None:
    now = time.time()
    ends = _moment(claims, "exp", what)
    if ends is None:
        raise _refused(f"{what} has no exp")
    if now >= ends + MAX_SKEW:
        raise OAuthError("use_fresh_attestation", f"{what} has ended")
    for name in ("nbf", "iat"):
        begins = _moment(claims, name, what)
        if begins is not None and begins > now + MAX_SKEW:
            raise _refused(f"{what}'s {name} lies in the future")


def _check_pop(token: CompactJws, instance_key: ECKey, client_id: str) -> None:
    what = "the attestation PoP"
    if media_type(token.header) != POP_TYPE:
        raise _refused(f"{what}'s typ must be {POP_TYPE}")
    if not signature_valid(token, instance_key):
        raise _refused(f"{what} is not signed with the attested key")
    claims = token.payload
    audience = claims.get("aud")
    if audience != settings.BASE_URL and audience != [settings.BASE_URL]:
        raise _refused(f"{what} is for another audience")
    if "iss" in claims and claims["iss"] != client_id:
        raise _refused(f"{what} is from another client_id")
    issued_at = _moment(claims, "iat", what)
    now = time.time()
    if issued_at is None or not now - POP_MAX_AGE <= issued_at <= now + MAX_SKEW:
        raise _refused(f"{what} is not fresh")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not 0 < len(jti) <= MAX_JTI_LENGTH:
        raise _refused(f"{what} needs a jti")
    # Once at all, not once per endpoint: a PoP names the issuer, not the endpoint.
    if not use_once(f"attestation-pop {client_id} {jti}", POP_MAX_AGE + MAX_SKEW):
        raise _refused(f"{what} was used before")


def _moment(claims: dict[str, Any], name: str, what: str) -> float | None:
    try:
        return numeric_date(claims, name, what)
    except ProofInvalid as wrong:
        raise _refused(str(wrong)) from None


def _refused(description: str) -> OAuthError:
    return OAuthError("invalid_client", description)
