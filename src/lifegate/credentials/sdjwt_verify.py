"""Verifying an SD-JWT VC presentation (RFC 9901 section 7, SD-JWT VC, HAIP: ES256).

The order of the checks matters: nothing the issuer did not sign is interpreted before the
signature holds, so a tampered credential is reported as such and not as, say, expired.
Use it through `lifegate.credentials.sdjwt.verify`."""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from joserfc.errors import JoseError
from joserfc.jwk import ECKey, Key

from lifegate.credentials.compact import media_type, sha256_b64, signature_valid
from lifegate.credentials.errors import CredentialRejected
from lifegate.credentials.sdjwt_parse import (
    DIGEST_ALGORITHM,
    KEY_BINDING_TYPE,
    NEVER_DISCLOSABLE,
    SD_ALG,
    SD_JWT_VC_TYPE,
    ParsedSdJwt,
    Resolution,
    parse,
    resolve,
)

# Clocks of issuers, holders' devices and verifiers differ a little.
ALLOWED_CLOCK_SKEW_SECONDS = 60
# A KB-JWT answers one request: a few minutes is ample for a person to consent.
KEY_BINDING_MAX_AGE_SECONDS = 300

# (iss, kid) -> the issuer's public key, or None when the issuer (or key) is not trusted.
IssuerKeyLookup = Callable[[str, str | None], Key | None]
# (iss, x5c header, now) -> the key a trusted certificate chain certifies for the issuer at
# `now` (seconds since the epoch), or None to look the key up by kid instead; raises
# CredentialRejected for a chain that fails (`trust.certified_key`).
CertifiedKeyLookup = Callable[[str, Any, float], Key | None]


@dataclass(frozen=True)
class StatusReference:
    """Where the credential's status is published: entry `index` of the list at `uri`."""

    uri: str
    index: int


@dataclass(frozen=True)
class VerifiedSdJwt:
    """A presentation that passed every check.

    `claims` holds the always-visible claims and the disclosed ones (no `_sd`, `_sd_alg`
    or `cnf`); `disclosed` names the disclosed claims as dotted paths."""

    issuer: str
    vct: str
    kid: str | None
    claims: dict[str, Any]
    disclosed: frozenset[str]
    holder_jwk: dict[str, Any] | None
    status: StatusReference | None
    issued_at: int | None
    expires_at: int | None
    key_bound: bool


def verify(
    token: str | bytes,
    *,
    issuer_key: IssuerKeyLookup,
    certified_key: CertifiedKeyLookup | None = None,
    audience: str | None = None,
    nonce: str | None = None,
    now: float | None = None,
    require_key_binding: bool = True,
    key_binding_max_age: int = KEY_BINDING_MAX_AGE_SECONDS,
    vct: str | None = None,
) -> VerifiedSdJwt:
    """Verify an SD-JWT VC (with KB-JWT) and return what it proves.

    Checks, in order: size and structure, typ `dc+sd-jwt`, the issuer's ES256 signature
    (key from `certified_key(iss, x5c)` when the header has `x5c`, else, or when that
    gives None, from `issuer_key(iss, kid)`), `vct` when asked, the disclosures against the
    signed digests, iat/nbf/exp against `now` (seconds since the epoch; default: the
    clock) with ALLOWED_CLOCK_SKEW_SECONDS, and the key binding: signed by the key in
    `cnf`, over exactly this presentation, for `audience` and `nonce`, issued within
    `key_binding_max_age` seconds. With require_key_binding=False a presentation without
    KB-JWT passes; one that has a KB-JWT still gets it checked. The status list is not
    fetched here: `status` says where to look.

    Raises CredentialRejected with a specific code for every failure."""
    if require_key_binding and (audience is None or nonce is None):
        raise ValueError("key binding needs the expected audience and nonce")
    moment = time.time() if now is None else now
    parsed = parse(token)
    issuer, kid = _check_issuer_signature(parsed, issuer_key, certified_key, moment)
    payload = parsed.issuer_jwt.payload
    credential_type = _string_claim(payload, "vct")
    if vct is not None and credential_type != vct:
        raise CredentialRejected("wrong-type", "the credential has another vct")
    resolution = _resolve_disclosures(parsed)
    claims = resolution.claims
    issued_at, expires_at = _check_validity(claims, moment)
    holder_jwk = _holder_jwk(claims)
    key_bound = _check_key_binding(
        parsed, holder_jwk, audience, nonce, moment, key_binding_max_age, require_key_binding
    )
    claims.pop("cnf", None)
    return VerifiedSdJwt(
        issuer=issuer,
        vct=credential_type,
        kid=kid,
        claims=claims,
        disclosed=frozenset(resolution.paths.values()),
        holder_jwk=holder_jwk,
        status=status_reference(claims),
        issued_at=issued_at,
        expires_at=expires_at,
        key_bound=key_bound,
    )


def _check_issuer_signature(
    parsed: ParsedSdJwt,
    issuer_key: IssuerKeyLookup,
    certified_key: CertifiedKeyLookup | None,
    moment: float,
) -> tuple[str, str | None]:
    header = parsed.issuer_jwt.header
    if media_type(header) != SD_JWT_VC_TYPE:
        raise CredentialRejected("wrong-type", f"the header typ is not {SD_JWT_VC_TYPE}")
    issuer = _string_claim(parsed.issuer_jwt.payload, "iss")
    kid = header.get("kid")
    key = None
    if certified_key is not None and "x5c" in header:
        key = certified_key(issuer, header["x5c"], moment)
    if key is None:
        key = issuer_key(issuer, kid)
    if key is None:
        raise CredentialRejected("unknown-issuer", "no trusted key for this issuer and kid")
    if not signature_valid(parsed.issuer_jwt, key):
        raise CredentialRejected("bad-signature", "the issuer's signature does not verify")
    return issuer, kid


def _resolve_disclosures(parsed: ParsedSdJwt) -> Resolution:
    payload = parsed.issuer_jwt.payload
    if payload.get(SD_ALG, DIGEST_ALGORITHM) != DIGEST_ALGORITHM:
        raise CredentialRejected("unsupported-algorithm", "the digest algorithm is not sha-256")
    resolution = resolve(payload, parsed.disclosures)
    unreferenced = sum(1 for d in parsed.disclosures if d.digest not in resolution.paths)
    if unreferenced:
        raise CredentialRejected(
            "disclosure-not-referenced",
            f"{unreferenced} disclosure(s) match no digest the issuer signed",
        )
    # Top-level paths are bare names; a nested path always holds a dot.
    hidden = NEVER_DISCLOSABLE & set(resolution.paths.values())
    if hidden:
        raise CredentialRejected("malformed", f"{sorted(hidden)} must not be disclosures")
    return resolution


def _check_validity(claims: dict[str, Any], now: float) -> tuple[int | None, int | None]:
    issued_at = _numeric_date(claims, "iat")
    not_before = _numeric_date(claims, "nbf")
    expires_at = _numeric_date(claims, "exp")
    if expires_at is not None and now >= expires_at + ALLOWED_CLOCK_SKEW_SECONDS:
        raise CredentialRejected("expired", "exp has passed")
    for name, moment in (("nbf", not_before), ("iat", issued_at)):
        if moment is not None and moment > now + ALLOWED_CLOCK_SKEW_SECONDS:
            raise CredentialRejected("not-yet-valid", f"{name} lies in the future")
    return issued_at, expires_at


def _holder_jwk(claims: dict[str, Any]) -> dict[str, Any] | None:
    confirmation = claims.get("cnf")
    if confirmation is None:
        return None
    if not isinstance(confirmation, dict):
        raise CredentialRejected("malformed", "cnf is not an object")
    jwk = confirmation.get("jwk")
    if jwk is not None and not isinstance(jwk, dict):
        raise CredentialRejected("malformed", "cnf.jwk is not an object")
    return jwk


def _check_key_binding(
    parsed: ParsedSdJwt,
    holder_jwk: dict[str, Any] | None,
    audience: str | None,
    nonce: str | None,
    now: float,
    max_age: int,
    required: bool,
) -> bool:
    kb_jwt = parsed.key_binding_jwt
    if kb_jwt is None:
        if required:
            raise CredentialRejected("key-binding-missing", "the presentation has no KB-JWT")
        return False
    if holder_jwk is None:
        raise CredentialRejected("key-binding-invalid", "the credential names no holder key")
    if media_type(kb_jwt.header) != KEY_BINDING_TYPE:
        raise CredentialRejected("key-binding-invalid", f"the KB-JWT typ is not {KEY_BINDING_TYPE}")
    if not signature_valid(kb_jwt, _holder_key(holder_jwk)):
        raise CredentialRejected("key-binding-invalid", "the KB-JWT is not signed by the holder")
    claims = kb_jwt.payload
    if claims.get("sd_hash") != sha256_b64(parsed.presented):
        raise CredentialRejected("key-binding-mismatch", "sd_hash does not match")
    if audience is not None and claims.get("aud") != audience:
        raise CredentialRejected("wrong-audience", "the KB-JWT is for another audience")
    if nonce is not None and claims.get("nonce") != nonce:
        raise CredentialRejected("wrong-nonce", "the KB-JWT answers another nonce")
    _check_key_binding_age(claims, now, max_age)
    return True


def _holder_key(jwk: dict[str, Any]) -> Key:
    try:
        return ECKey.import_key(jwk)
    except (JoseError, ValueError, TypeError, KeyError, AttributeError):
        # The issuer signed the JWK, but it is still outside data: refuse, don't crash.
        raise CredentialRejected("key-binding-invalid", "cnf.jwk is not an EC key") from None


def _check_key_binding_age(claims: dict[str, Any], now: float, max_age: int) -> None:
    issued_at = _numeric_date(claims, "iat")
    if issued_at is None:
        raise CredentialRejected("key-binding-invalid", "the KB-JWT has no iat")
    if issued_at > now + ALLOWED_CLOCK_SKEW_SECONDS:
        raise CredentialRejected("stale-key-binding", "the KB-JWT is dated in the future")
    if issued_at < now - max_age - ALLOWED_CLOCK_SKEW_SECONDS:
        raise CredentialRejected("stale-key-binding", "the KB-JWT is too old")


def status_reference(claims: dict[str, Any]) -> StatusReference | None:
    """Where the token's status is (its `status.status_list`), or None: no status, or
    another mechanism than a status list. Raises CredentialRejected (malformed)."""
    status = claims.get("status")
    if status is None:
        return None
    if not isinstance(status, dict):
        raise CredentialRejected("malformed", "status is not an object")
    reference = status.get("status_list")
    if reference is None:
        # Another status mechanism: not one this verifier knows, and not an error.
        return None
    index = reference.get("idx") if isinstance(reference, dict) else None
    uri = reference.get("uri") if isinstance(reference, dict) else None
    if not isinstance(index, int) or isinstance(index, bool) or index < 0:
        raise CredentialRejected("malformed", "status.status_list.idx is not an index")
    if not isinstance(uri, str) or not uri:
        raise CredentialRejected("malformed", "status.status_list.uri is not a URI")
    return StatusReference(uri=uri, index=index)


def _string_claim(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name)
    if not isinstance(value, str) or not value:
        raise CredentialRejected("malformed", f"the claim {name} is missing or not a string")
    return value


def _numeric_date(claims: dict[str, Any], name: str) -> int | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise CredentialRejected("malformed", f"the claim {name} is not a NumericDate")
    return int(value)
