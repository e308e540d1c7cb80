"""OpenID4VCI 1.0 with a pre-authorised code: a person puts a copy of one of their
credentials into an external wallet.

1. The person asks for an offer in the portal (`make_offer`): a random pre-authorised code,
   stored hashed, valid for CODE_TTL and exchanged at most once, and a transaction code
   (`tx_code`, settings.OID4VCI_TX_CODE_LENGTH digits) that the portal shows beside the QR
   code and the person types into the wallet. The offer (`offer_link`) names this node as
   credential issuer, the credential type's configuration and the length of the code.
2. The wallet exchanges the code, with the transaction code, at the token endpoint
   (`exchange_code`) for an access token, stored hashed, good for one credential within
   TOKEN_TTL; bound to the wallet's key with DPoP (`credentials.dpop`), which the operator
   may make optional. TX_CODE_MAX_FAILURES wrong transaction codes use the offer up.
3. It fetches a c_nonce (`new_nonce`), signs a key proof (typ openid4vci-proof+jwt, ES256,
   its public key in the header, aud this issuer, the nonce, a fresh iat) and sends it with
   the token to the credential endpoint (`redeem`), which issues a copy bound to that key
   (`issuing.issue_copy`).

Refusals raise `OAuthError` with the protocol's error code and status; descriptions name
checks, never codes, tokens, keys or personal data."""

import hashlib
import hmac
import json
import secrets
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from lifegate.credentials import dpop, issuing, key_attestation
from lifegate.credentials.metadata import PRE_AUTHORIZED_GRANT, credential_endpoint, token_endpoint
from lifegate.credentials.models import CredentialNonce, CredentialOffer, IssuedCredential
from lifegate.credentials.proofs import ProofInvalid, checked_proof
from lifegate.transparency.services import Actor, decrypt_subject

CODE_TTL = timedelta(minutes=10)
TOKEN_TTL = timedelta(minutes=5)
NONCE_TTL = timedelta(minutes=5)
PROOF_TYPE = "openid4vci-proof+jwt"
# A key proof older than this (or this far in the future) is refused: it must be fresh.
PROOF_MAX_AGE = 300
PROOF_MAX_SKEW = 60
# Room for a key attestation with its certificate chain in the header.
MAX_PROOF_BYTES = 24 * 1024
OFFER_SCHEME = "openid-credential-offer://"
# Wrong transaction codes an offer takes before it is used up: guessing one of a million
# codes three times succeeds once in 333,000 offers.
TX_CODE_MAX_FAILURES = 3


class OAuthError(Exception):
    """An OAuth 2.0 / OpenID4VCI error response: `error` code, description and HTTP status."""

    def __init__(
        self, error: str, description: str, status: int = 400, *, scheme: str = "Bearer"
    ) -> None:
        self.error = error
        self.description = description
        self.status = status
        # The authorization scheme a 401's challenge names (RFC 6750 or RFC 9449); empty
        # when the request carried no access token: the challenge then names every scheme.
        self.scheme = scheme
        super().__init__(f"{error}: {description}")

    def as_dict(self) -> dict[str, str]:
        """The JSON error body."""
        return {"error": self.error, "error_description": self.description}


def hashed(secret: str) -> str:
    """SHA-256 (hex) of a secret, as codes and tokens are stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class Offer:
    """A new offer with its secrets, which are shown once and stored only hashed: the
    pre-authorised `code` (in the link and QR code) and the `tx_code` the person types into
    the wallet ("" when the operator turned transaction codes off)."""

    row: CredentialOffer
    code: str = field(repr=False)
    tx_code: str = field(repr=False)


def make_offer(credential: IssuedCredential) -> Offer:
    """A new offer of a copy of `credential`."""
    code = secrets.token_urlsafe(32)
    digits = settings.OID4VCI_TX_CODE_LENGTH
    tx_code = "".join(secrets.choice(string.digits) for _ in range(digits))
    row = CredentialOffer.objects.create(
        credential=credential,
        code_hash=hashed(code),
        code_expires_at=timezone.now() + CODE_TTL,
        tx_code_hash=_tx_code_hash(code, tx_code) if tx_code else "",
    )
    return Offer(row, code, tx_code)


def _tx_code_hash(code: str, tx_code: str) -> str:
    # Keyed with the pre-authorised code, which is stored only as a hash: a copy of the
    # database does not let anyone try the million transaction codes offline.
    return hmac.new(code.encode(), tx_code.encode(), hashlib.sha256).hexdigest()


def offer_object(offer: Offer) -> dict[str, Any]:
    """The credential offer (by value): issuer, configuration and pre-authorised grant."""
    grant: dict[str, Any] = {"pre-authorized_code": offer.code}
    if offer.tx_code:
        grant["tx_code"] = {
            "input_mode": "numeric",
            "length": len(offer.tx_code),
            # Shown by the wallet when it asks for the code, in the person's language.
            "description": gettext("The code shown beside the QR code on the government page."),
        }
    return {
        "credential_issuer": settings.BASE_URL,
        # metadata.credential_issuer_metadata keys the configurations by type slug.
        "credential_configuration_ids": [offer.row.credential.credential_type.slug],
        "grants": {PRE_AUTHORIZED_GRANT: grant},
    }


def offer_link(offer: Offer) -> str:
    """The openid-credential-offer:// link a wallet opens (also what the QR code holds)."""
    value = json.dumps(offer_object(offer), separators=(",", ":"), ensure_ascii=False)
    return f"{OFFER_SCHEME}?credential_offer={quote(value, safe='')}"


@dataclass(frozen=True)
class AccessToken:
    """An access token as the token endpoint answers it."""

    value: str
    token_type: str  # "DPoP" (bound to the wallet's key) or "Bearer"
    expires_in: int  # seconds


def exchange_code(
    grant_type: str, code: str, dpop_proof: str | None = None, tx_code: str | None = None
) -> AccessToken:
    """The access token for a pre-authorised code and its transaction code (`tx_code`, None
    when the request has none), once. With a DPoP proof (`dpop_proof`: the request's DPoP
    header), or whenever the operator requires DPoP, the token is bound to the proof's key;
    a refused proof leaves the code unused. A wrong transaction code is counted, and the
    TX_CODE_MAX_FAILURES-th uses the offer up."""
    if not grant_type:
        raise OAuthError("invalid_request", "grant_type is missing")
    if grant_type != PRE_AUTHORIZED_GRANT:
        raise OAuthError("unsupported_grant_type", "pre-authorized_code or authorization_code")
    if not code:
        raise OAuthError("invalid_request", "pre-authorized_code is missing")
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        thumbprint = ""
        if dpop_proof is not None or dpop.required():
            thumbprint = dpop_key(dpop_proof, dpop.ProofRequest("POST", token_endpoint()), 400)
        # An authorization code is no pre-authorised code: it needs its PKCE verifier.
        offer = unused_offer(code, now, authorization_code=False)
        refused = _tx_code_refused(offer, code, tx_code, now)
        if refused is None:
            grant_token(offer, token, thumbprint, now)
    if refused is not None:  # raised after the commit: the count of wrong codes stays
        raise refused
    token_type = "DPoP" if thumbprint else "Bearer"
    return AccessToken(token, token_type, int(TOKEN_TTL.total_seconds()))


def unused_offer(code: str, now: datetime, *, authorization_code: bool) -> CredentialOffer:
    """The (locked) offer whose code is `code`, of the grant asked for, if it is unused and
    not expired; else invalid_grant."""
    offer = (
        # Locks the offer only: PostgreSQL locks no row of an outer join's nullable side.
        CredentialOffer.objects.select_for_update(of=("self",))
        .select_related("authorization")
        .filter(code_hash=hashed(code), authorization__isnull=not authorization_code)
        .first()
    )
    if offer is None or offer.code_used_at is not None or offer.code_expires_at <= now:
        raise OAuthError("invalid_grant", "the code is unknown, used or expired")
    return offer


def grant_token(offer: CredentialOffer, token: str, thumbprint: str, now: datetime) -> None:
    """Use up the offer's code for `token` (stored hashed), bound to `thumbprint` if any."""
    offer.code_used_at = now
    offer.token_hash = hashed(token)
    offer.token_expires_at = now + TOKEN_TTL
    offer.token_key_thumbprint = thumbprint
    offer.save(
        update_fields=["code_used_at", "token_hash", "token_expires_at", "token_key_thumbprint"]
    )


def _tx_code_refused(
    offer: CredentialOffer, code: str, tx_code: str | None, now: datetime
) -> OAuthError | None:
    """Why the request's transaction code does not fit the offer (OpenID4VCI 1.0 section
    6.3), or None; a wrong one is counted on the (locked) offer."""
    if not offer.tx_code_hash:
        if tx_code is not None:
            return OAuthError("invalid_request", "this offer has no transaction code")
        return None
    if tx_code is None:
        return OAuthError("invalid_request", "tx_code is missing")
    if hmac.compare_digest(offer.tx_code_hash, _tx_code_hash(code, tx_code)):
        return None
    offer.tx_code_failures += 1
    if offer.tx_code_failures >= TX_CODE_MAX_FAILURES:
        offer.code_used_at = now  # used up: nobody gets to guess on
    offer.save(update_fields=["tx_code_failures", "code_used_at"])
    return OAuthError("invalid_grant", "the transaction code is wrong")


def dpop_key(proof: str | None, request: "dpop.ProofRequest", status: int) -> str:
    """The thumbprint of the key of a valid DPoP proof of `request`, else an OAuthError."""
    try:
        return dpop.key_thumbprint(proof, request)
    except ProofInvalid as wrong:
        raise OAuthError(dpop.ERROR, str(wrong), status, scheme="DPoP") from None


def new_nonce() -> str:
    """A fresh c_nonce, accepted once within NONCE_TTL."""
    now = timezone.now()
    # Expired nonces are of no use to anyone: cleared as new ones are made.
    CredentialNonce.objects.filter(expires_at__lte=now).delete()
    nonce = secrets.token_urlsafe(32)
    CredentialNonce.objects.create(nonce_hash=hashed(nonce), expires_at=now + NONCE_TTL)
    return nonce


def _use_nonce(nonce: str) -> bool:
    deleted, _ = CredentialNonce.objects.filter(
        nonce_hash=hashed(nonce), expires_at__gt=timezone.now()
    ).delete()
    return deleted > 0


def redeem(
    access_token: str, body: Any, *, scheme: str = "bearer", dpop_proof: str | None = None
) -> str:
    """The credential request: a copy of the offered credential bound to the key of the
    wallet's proof, as an SD-JWT. The token is used up by a successful request. `scheme`:
    the request's authorization scheme ("bearer" or "dpop", lower case); with "dpop" the
    request's DPoP proof (`dpop_proof`) must be made with the key the token is bound to."""
    try:
        with transaction.atomic():
            return _redeem(access_token, body, scheme, dpop_proof)
    except OAuthError as refused:
        if scheme == "dpop" and refused.status == 401:
            refused.scheme = "DPoP"  # RFC 9449 7.1: challenge in the scheme that was used
        raise


def _redeem(access_token: str, body: Any, scheme: str, dpop_proof: str | None) -> str:
    thumbprint = None
    if scheme == "dpop":
        request = dpop.ProofRequest("POST", credential_endpoint(), access_token)
        thumbprint = dpop_key(dpop_proof, request, 401)
    elif dpop.required():
        raise OAuthError(
            "invalid_token", "only DPoP-bound access tokens are accepted", 401, scheme="DPoP"
        )
    offer = _offer_for_token(access_token)
    _check_binding(offer, thumbprint)
    proof = _proof_of(body, offer.credential)
    holder_jwk = verify_proof(proof)
    original = offer.credential
    subject = decrypt_subject(original.subject_sealed)
    try:
        copy = issuing.issue_copy(
            original, holder_jwk=holder_jwk, actor=Actor(kind="person", subject=subject)
        )
    except issuing.IssuingRefused as refused:
        raise OAuthError(
            "credential_request_denied", "the credential cannot be issued now"
        ) from refused
    offer.token_used_at = timezone.now()
    offer.issued_copy = copy
    offer.save(update_fields=["token_used_at", "issued_copy"])
    return issuing.stored_sd_jwt(copy)


def _offer_for_token(access_token: str) -> CredentialOffer:
    offer = (
        CredentialOffer.objects.select_for_update()
        .select_related("credential__credential_type")
        .filter(token_hash=hashed(access_token))
        .first()
        if access_token
        else None
    )
    if offer is None or offer.token_used_at is not None or offer.token_expires_at is None:
        raise OAuthError("invalid_token", "the access token is unknown or used", 401)
    if offer.token_expires_at <= timezone.now():
        raise OAuthError("invalid_token", "the access token has expired", 401)
    return offer


def _check_binding(offer: CredentialOffer, key_thumbprint: str | None) -> None:
    bound_to = offer.token_key_thumbprint
    if not bound_to:
        if key_thumbprint is not None:
            raise OAuthError("invalid_token", "this access token is a Bearer token", 401)
        return
    if key_thumbprint is None:
        raise OAuthError(
            "invalid_token", "this access token needs the DPoP scheme", 401, scheme="DPoP"
        )
    if not hmac.compare_digest(key_thumbprint, bound_to):
        raise OAuthError(
            "invalid_dpop_proof",
            "the DPoP proof is not made with the token's key",
            401,
            scheme="DPoP",
        )


def _proof_of(body: Any, credential: IssuedCredential) -> str:
    """The one key proof JWT of the credential request `body` (JSON object)."""
    if not isinstance(body, Mapping):
        raise OAuthError("invalid_credential_request", "the request is not a JSON object")
    configuration = body.get("credential_configuration_id")
    if not isinstance(configuration, str):
        raise OAuthError("invalid_credential_request", "credential_configuration_id is missing")
    if configuration != credential.credential_type.slug:
        raise OAuthError("unknown_credential_configuration", "not the configuration offered")
    proofs = body.get("proofs")
    if proofs is not None:
        if "proof" in body or not isinstance(proofs, Mapping) or set(proofs) != {"jwt"}:
            raise OAuthError("invalid_credential_request", "proofs must hold jwt proofs only")
        jwts = proofs["jwt"]
        # One offer gives one credential: exactly one proof.
        if not isinstance(jwts, list) or len(jwts) != 1 or not isinstance(jwts[0], str):
            raise OAuthError("invalid_credential_request", "exactly one jwt proof is needed")
        return jwts[0]
    proof = body.get("proof")
    if not isinstance(proof, Mapping):
        raise OAuthError("invalid_proof", "a key proof is needed")
    if proof.get("proof_type") != "jwt" or not isinstance(proof.get("jwt"), str):
        raise OAuthError("invalid_proof", "only jwt key proofs are supported")
    return str(proof["jwt"])


def verify_proof(proof: str) -> dict[str, Any]:
    """Check a wallet's key proof JWT (with the key attestation in its header, when the
    operator requires one) and use up its nonce; its public JWK (P-256)."""
    try:
        claims, key, header = checked_proof(
            proof,
            what="the proof",
            typ=PROOF_TYPE,
            max_bytes=MAX_PROOF_BYTES,
            max_age=PROOF_MAX_AGE,
            max_skew=PROOF_MAX_SKEW,
        )
    except ProofInvalid as wrong:
        raise OAuthError("invalid_proof", str(wrong)) from None
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if settings.BASE_URL not in audiences:
        raise OAuthError("invalid_proof", "the proof is not for this credential issuer")
    nonce = claims.get("nonce")
    if key_attestation.required():
        try:
            key_attestation.check(header.get("key_attestation"), key, nonce)
        except ProofInvalid as wrong:
            raise OAuthError("invalid_proof", str(wrong)) from None
    if not isinstance(nonce, str) or not _use_nonce(nonce):
        raise OAuthError("invalid_nonce", "the proof's nonce is unknown, used or expired")
    return key.as_dict(private=False)
