"""DPoP (RFC 9449): access tokens of the OpenID4VCI endpoints bound to the wallet's key. HAIP
1.0 asks issuers for sender-constrained tokens and names DPoP as the way.

A wallet that sends a DPoP proof to the token endpoint gets a token of type "DPoP", bound to
the thumbprint (RFC 7638) of the proof's key. Using it at the credential endpoint takes the
`DPoP` authorization scheme and a fresh proof of the same key that names the request (htm,
htu) and the token (ath), so a token alone is of no use to whoever copies it. Wallets that
send no proof get Bearer tokens, unless the operator requires DPoP
(`LIFEGATE_OID4VCI_REQUIRE_DPOP`).

A proof is accepted once per endpoint (its jti, kept while the proof could still be fresh),
recorded in the caller's transaction: a request refused for another reason leaves nothing
behind. Server-provided DPoP nonces (RFC 9449 section 8) are not used."""

import base64
import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings

from lifegate.core.keys import SIGNING_ALGORITHM
from lifegate.credentials.proofs import ProofInvalid, checked_proof, use_once

PROOF_TYPE = "dpop+jwt"
ERROR = "invalid_dpop_proof"
# How old (or how far ahead of this clock) a proof may be; a used jti is kept this long.
MAX_AGE = 300
MAX_SKEW = 60
MAX_BYTES = 8192
MAX_JTI_LENGTH = 256
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class ProofRequest:
    """The request a proof must name: method, URL and (at a resource) the access token."""

    method: str
    url: str
    access_token: str | None = None


def challenge(error: str | None = None) -> str:
    """The DPoP WWW-Authenticate challenge (RFC 9449 section 7.1), with `error` if given."""
    algs = f'algs="{SIGNING_ALGORITHM}"'
    return f'DPoP error="{error}", {algs}' if error else f"DPoP {algs}"


def required() -> bool:
    """Whether the endpoints refuse access tokens that are not DPoP-bound."""
    return bool(settings.OID4VCI_REQUIRE_DPOP)


def key_thumbprint(proof: str | None, request: ProofRequest) -> str:
    """Check the DPoP proof of `request` and use up its jti (in the caller's transaction);
    the base64url SHA-256 thumbprint (RFC 7638) of its key. ProofInvalid says what is wrong."""
    if not proof:
        raise ProofInvalid("a DPoP proof is needed")
    claims, key, _header = checked_proof(
        proof,
        what="the DPoP proof",
        typ=PROOF_TYPE,
        max_bytes=MAX_BYTES,
        max_age=MAX_AGE,
        max_skew=MAX_SKEW,
    )
    if claims.get("htm") != request.method:
        raise ProofInvalid("the DPoP proof is for another HTTP method")
    htu = claims.get("htu")
    expected = normalised(request.url)
    if not isinstance(htu, str) or not expected or normalised(htu) != expected:
        raise ProofInvalid("the DPoP proof is for another URL")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not 0 < len(jti) <= MAX_JTI_LENGTH:
        raise ProofInvalid("the DPoP proof needs a jti")
    if request.access_token is not None:
        ath = claims.get("ath")
        expected_ath = token_hash(request.access_token).encode()
        if not isinstance(ath, str) or not hmac.compare_digest(ath.encode(), expected_ath):
            raise ProofInvalid("the DPoP proof is not for this access token")
    _use(jti, expected)
    return key.thumbprint()


def token_hash(access_token: str) -> str:
    """The `ath` of an access token: base64url SHA-256 of its ASCII, unpadded."""
    digest = hashlib.sha256(access_token.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def normalised(url: str) -> str:
    """`url` without query and fragment, scheme and host in lower case, the default port left
    out: the form in which RFC 9449 section 4.3 compares htu with the request's URL. Empty
    for a URL that cannot be read (which then matches nothing)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    if not scheme or not parts.hostname:
        return ""
    userinfo = parts.netloc.rpartition("@")[0]
    host = (
        parts.hostname if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{parts.hostname}:{port}"
    )
    netloc = f"{userinfo}@{host}" if userinfo else host
    return urlunsplit((scheme, netloc, parts.path or "/", "", ""))


def _use(jti: str, url: str) -> None:
    """Accept a proof's jti once per endpoint while the proof could still be fresh."""
    if not use_once(f"{url} {jti}", MAX_AGE + MAX_SKEW):
        raise ProofInvalid("the DPoP proof was used before")
