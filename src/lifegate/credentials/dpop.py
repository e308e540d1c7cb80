"""DPoP (RFC 9449): access tokens of the OpenID4VCI endpoints bound to the wallet's key, as
HAIP 1.0 asks of an issuer (sender-constrained tokens, DPoP only).

A wallet that sends a DPoP proof to the token endpoint gets a token of type "DPoP", bound to
the thumbprint (RFC 7638) of the proof's key. Using it at the credential endpoint takes the
`DPoP` authorization scheme and a fresh proof of the same key that names the request (htm,
htu) and the token (ath). A stolen token alone is then of no use. Wallets without DPoP keep
Bearer tokens unless the operator requires DPoP (`LIFEGATE_OID4VCI_REQUIRE_DPOP`).

Each proof is accepted once (its jti per endpoint, within its lifetime) and only while fresh;
server-provided DPoP nonces (RFC 9449 section 8) are not used."""

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jws import extract_compact

from lifegate.core.keys import SIGNING_ALGORITHM
from lifegate.credentials.models import UsedDPoPProof
from lifegate.credentials.oid4vci import OAuthError, public_key_of

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


def challenge(error: str) -> str:
    """The WWW-Authenticate value of a refused DPoP request (RFC 9449 section 7.1)."""
    return f'DPoP error="{error}", algs="{SIGNING_ALGORITHM}"'


def refused(description: str, status: int = 400) -> OAuthError:
    """A refused proof: 400 at the token endpoint, 401 with a DPoP challenge at a resource."""
    return OAuthError(ERROR, description, status, scheme="DPoP")


def key_thumbprint(proof: str | None, request: ProofRequest, status: int = 400) -> str:
    """Check the DPoP proof of `request` and use up its jti; the base64url SHA-256
    thumbprint (RFC 7638) of its key."""
    if not proof:
        raise refused("a DPoP proof is needed", status)
    if len(proof) > MAX_BYTES:
        raise refused("the DPoP proof is too large", status)
    try:
        header = extract_compact(proof.encode()).protected
    except (JoseError, ValueError, TypeError, UnicodeError):
        raise refused("the DPoP proof is not a compact JWS", status) from None
    if header.get("typ") != PROOF_TYPE:
        raise refused(f"the DPoP proof's typ must be {PROOF_TYPE}", status)
    if header.get("alg") != SIGNING_ALGORITHM:
        raise refused(f"the DPoP proof must be signed with {SIGNING_ALGORITHM}", status)
    try:
        key = public_key_of(header.get("jwk"))
    except ValueError as wrong:
        raise refused(f"the DPoP proof {wrong}", status) from None
    try:
        claims = jwt.decode(proof, key, algorithms=[SIGNING_ALGORITHM]).claims
    except (JoseError, ValueError, TypeError):
        raise refused("the DPoP proof's signature does not verify", status) from None
    _check_claims(claims, request, status)
    _use(str(claims["jti"]), request.url, status)
    return key.thumbprint()


def _check_claims(claims: dict[str, object], request: ProofRequest, status: int) -> None:
    if claims.get("htm") != request.method:
        raise refused("the DPoP proof is for another HTTP method", status)
    htu = claims.get("htu")
    if not isinstance(htu, str) or normalised(htu) != normalised(request.url):
        raise refused("the DPoP proof is for another URL", status)
    issued_at = claims.get("iat")
    now = time.time()
    if not isinstance(issued_at, int | float) or isinstance(issued_at, bool):
        raise refused("the DPoP proof has no iat", status)
    if issued_at < now - MAX_AGE or issued_at > now + MAX_SKEW:
        raise refused("the DPoP proof is not fresh", status)
    jti = claims.get("jti")
    if not isinstance(jti, str) or not 0 < len(jti) <= MAX_JTI_LENGTH:
        raise refused("the DPoP proof needs a jti", status)
    if request.access_token is not None:
        ath = claims.get("ath")
        if not isinstance(ath, str) or not hmac.compare_digest(
            ath, token_hash(request.access_token)
        ):
            raise refused("the DPoP proof is not for this access token", status)


def token_hash(access_token: str) -> str:
    """The `ath` of an access token: base64url SHA-256 of its ASCII, unpadded."""
    digest = hashlib.sha256(access_token.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def normalised(url: str) -> str:
    """`url` without query and fragment, scheme and host lower case, default port left out:
    the form in which RFC 9449 section 4.3 compares htu with the request's URL."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return ""
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    netloc = host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", "", ""))


def _use(jti: str, url: str, status: int) -> None:
    """Accept a proof's jti once per endpoint while the proof could still be fresh."""
    now = timezone.now()
    UsedDPoPProof.objects.filter(expires_at__lte=now).delete()  # of no use to anyone now
    proof_hash = hashlib.sha256(f"{normalised(url)} {jti}".encode()).hexdigest()
    expires_at = now + timedelta(seconds=MAX_AGE + MAX_SKEW)
    try:
        with transaction.atomic():
            UsedDPoPProof.objects.create(proof_hash=proof_hash, expires_at=expires_at)
    except IntegrityError:
        raise refused("the DPoP proof was used before", status) from None


def required() -> bool:
    """Whether the token endpoint refuses a request without a DPoP proof."""
    return bool(settings.OID4VCI_REQUIRE_DPOP)
