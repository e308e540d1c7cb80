"""Issuing verifiable credentials (SD-JWT VC) of the catalogue's credential types, and
changing their status: the credentials building block's service for agencies, the portal
and the OpenID4VCI endpoint.

An issued credential is signed with the current issuer key (`credentials.keys`), bound to a
holder key (`cnf`: a new portal-wallet key, or an external wallet's), points to its entry in
a status list, and expires after the type's validity. Its digest is appended to the
transparency log and the issuing is recorded in the person's processing log, in the same
transaction as the credential itself: all of it happens, or none. Issuing again from the same
source reference for the same person and type gives back the credential issued before.

Refusals raise `IssuingRefused` with a stable `code` and an English `detail` that names
claims and checks, never values or identifiers."""

import json
import math
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from joserfc.errors import JoseError
from joserfc.jwk import ECKey

from lifegate.catalogue.models import CredentialType
from lifegate.core.sealing import seal, unseal
from lifegate.core.subject import Subject
from lifegate.credentials import log, sdjwt
from lifegate.credentials.issuer_certificates import current_signer
from lifegate.credentials.keys import ring
from lifegate.credentials.models import IssuedCredential
from lifegate.credentials.sdjwt_parse import parse, resolve
from lifegate.credentials.status_lists import allocate, status_list_uri
from lifegate.transparency.services import (
    Actor,
    decrypt_subject,
    encrypt_subject,
    record_processing,
    subject_hash,
)

ACTIVITY = "credential-issuing"
SD_JWT_PURPOSE = "credentials-sd-jwt"
HOLDER_KEY_PURPOSE = "credentials-holder-key"
MAX_TEXT_CLAIM = 2000
ClaimValue = str | int | float | bool


class IssuingRefused(Exception):
    """A credential that cannot be issued, or a status that cannot change.

    `code`: unknown-credential-type, not-own-credential-type (an agency asking for a type
    another organisation issues), unknown-recipient, invalid-claims, reference-used,
    nothing-to-issue, no-register-source, invalid-holder-key, not-valid, revoked-is-final,
    not-in-portal-wallet.
    `errors` lists, for invalid-claims, each claim's `location` and `message`."""

    def __init__(self, code: str, detail: str, errors: list[dict[str, str]] | None = None):
        self.code = code
        self.detail = detail
        self.errors = errors or []
        super().__init__(f"{code}: {detail}")


@dataclass(frozen=True)
class Issued:
    """The credential, and whether this call issued it (False: it was issued before)."""

    credential: IssuedCredential
    created: bool


def credential_type(slug: str) -> CredentialType:
    """The catalogue's credential type `slug`, or IssuingRefused (unknown-credential-type)."""
    found = CredentialType.objects.select_related("issuer").filter(slug=slug).first()
    if found is None:
        raise IssuingRefused("unknown-credential-type", "no credential type with this slug")
    return found


def claim_problems(kind: CredentialType, claims: Mapping[str, Any]) -> list[dict[str, str]]:
    """What is wrong with `claims` for a credential of `kind`: each of its claims exactly
    once, each a text (at most MAX_TEXT_CLAIM characters), a number or true/false."""
    expected = kind.claim_keys
    problems = [_problem(key, "missing") for key in expected if key not in claims]
    for key, value in claims.items():
        if key not in expected:
            problems.append(_problem(key, "not a claim of this type"))
        elif not isinstance(value, ClaimValue) or value == "":
            problems.append(_problem(key, "must be a non-empty text, a number or true/false"))
        elif isinstance(value, float) and not math.isfinite(value):
            # JSON has no NaN or infinity: no verifier (lifegate's included) would read it.
            problems.append(_problem(key, "must be a finite number"))
        elif isinstance(value, str) and len(value) > MAX_TEXT_CLAIM:
            problems.append(_problem(key, f"longer than {MAX_TEXT_CLAIM} characters"))
    return problems


def _problem(key: str, message: str) -> dict[str, str]:
    # An unknown key is the client's input: cut short, it names where, never a value.
    return {"location": f"claims.{key[:60]}", "message": message}


def issue(
    type_slug: str,
    subject: Subject,
    claims: Mapping[str, ClaimValue],
    *,
    actor: Actor,
    source: str,
    source_reference: str,
    holder_jwk: Mapping[str, Any] | None = None,
) -> IssuedCredential:
    """Issue a credential of type `type_slug` with `claims` to `subject` (see the module's
    description), or give back the one issued before from `source_reference`."""
    return issue_once(
        type_slug,
        subject,
        claims,
        actor=actor,
        source=source,
        source_reference=source_reference,
        holder_jwk=holder_jwk,
    ).credential


def issue_once(
    type_slug: str,
    subject: Subject,
    claims: Mapping[str, ClaimValue],
    *,
    actor: Actor,
    source: str,
    source_reference: str,
    holder_jwk: Mapping[str, Any] | None = None,
    trace_id: str = "",
) -> Issued:
    """`issue`, also saying whether this call issued it. The same reference with other claims
    is refused (reference-used): one source record gives one credential."""
    kind = credential_type(type_slug)
    problems = claim_problems(kind, claims)
    if problems:
        raise IssuingRefused(
            "invalid-claims", "the claims do not fit the credential type", problems
        )
    public_holder = _public_holder_jwk(holder_jwk)
    earlier = _issued_before(kind, subject, source_reference)
    if earlier is not None:
        return Issued(_same_claims(earlier, claims), created=False)
    try:
        credential = _issue_new(
            kind,
            subject,
            dict(claims),
            public_holder,
            actor=actor,
            source=source,
            source_reference=source_reference,
            trace_id=trace_id,
        )
    except IntegrityError:
        # Issued from the same reference at the same moment by another request.
        earlier = _issued_before(kind, subject, source_reference)
        if earlier is None:
            raise
        return Issued(_same_claims(earlier, claims), created=False)
    return Issued(credential, created=True)


def issue_copy(
    original: IssuedCredential, *, holder_jwk: Mapping[str, Any], actor: Actor
) -> IssuedCredential:
    """A copy of `original`, with the same claims and expiry, bound to an external wallet's
    key (`holder_jwk`, public), with its own status entry. Revoking or suspending the
    original does the same to its copies. Only a valid original is copied (not-valid)."""
    public_holder = _public_holder_jwk(holder_jwk)
    with transaction.atomic():
        # Locked as it is now: a revocation waits for the copy, or the copy for it.
        original = (
            IssuedCredential.objects.select_for_update()
            .select_related("credential_type")
            .get(pk=original.copy_of_id or original.pk)
        )
        if original.state != IssuedCredential.State.VALID:
            raise IssuingRefused("not-valid", "only a valid credential is copied to a wallet")
        return _issue_new(
            original.credential_type,
            decrypt_subject(original.subject_sealed),
            subject_claims(original),
            public_holder,
            actor=actor,
            source=original.source,
            source_reference=original.source_reference,
            copy_of=original,
        )


def stored_sd_jwt(credential: IssuedCredential) -> str:
    """The issued SD-JWT with all its disclosures (for the portal wallet to show and present)."""
    return unseal(SD_JWT_PURPOSE, credential.sd_jwt_sealed)


def holder_key(credential: IssuedCredential) -> ECKey | None:
    """The portal wallet's private holder key of `credential` (None for a wallet's copy):
    what `sdjwt.bind` signs the key binding with."""
    if not credential.holder_key_sealed:
        return None
    return ECKey.import_key(json.loads(unseal(HOLDER_KEY_PURPOSE, credential.holder_key_sealed)))


def subject_claims(credential: IssuedCredential) -> dict[str, Any]:
    """The claims about the person in `credential`, as issued (all of them disclosed)."""
    parsed = parse(stored_sd_jwt(credential))
    claims = resolve(parsed.issuer_jwt.payload, parsed.disclosures).claims
    return {key: claims[key] for key in credential.credential_type.claim_keys if key in claims}


def credentials_of(subject: Subject) -> Iterable[IssuedCredential]:
    """The person's credentials issued to the portal wallet (not the copies), newest first."""
    return (
        IssuedCredential.objects.filter(subject_hash=subject_hash(subject), copy_of__isnull=True)
        .select_related("credential_type__issuer", "status_list")
        .order_by("-issued_at")
    )


def _public_holder_jwk(holder_jwk: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if holder_jwk is None:
        return None
    try:
        key = ECKey.import_key(dict(holder_jwk))
    except (JoseError, ValueError, TypeError, KeyError, AttributeError):
        raise IssuingRefused("invalid-holder-key", "the holder key is not an EC JWK") from None
    if key.is_private or key.curve_name != "P-256":
        raise IssuingRefused("invalid-holder-key", "the holder key is not a public P-256 key")
    return key.as_dict(private=False)


def _issued_before(
    kind: CredentialType, subject: Subject, reference: str
) -> IssuedCredential | None:
    return (
        IssuedCredential.objects.filter(
            credential_type=kind,
            subject_hash=subject_hash(subject),
            source_reference=reference,
            copy_of__isnull=True,
        )
        .select_related("credential_type", "status_list")
        .first()
    )


def _same_claims(earlier: IssuedCredential, claims: Mapping[str, Any]) -> IssuedCredential:
    if subject_claims(earlier) != dict(claims):
        raise IssuingRefused(
            "reference-used", "a credential with other claims was issued from this reference"
        )
    return earlier


def _expiry(kind: CredentialType, now: datetime) -> datetime | None:
    return None if kind.validity_days is None else now + timedelta(days=kind.validity_days)


def _issue_new(
    kind: CredentialType,
    subject: Subject,
    claims: dict[str, Any],
    public_holder: dict[str, Any] | None,
    *,
    actor: Actor,
    source: str,
    source_reference: str,
    copy_of: IssuedCredential | None = None,
    trace_id: str = "",
) -> IssuedCredential:
    """Sign and store a new credential, log its digest and record the processing."""
    holder_private = None
    if public_holder is None:
        holder_private = ECKey.generate_key("P-256", {"alg": "ES256"}, private=True, auto_kid=True)
        public_holder = holder_private.as_dict(private=False)
    with transaction.atomic():
        status_list, index = allocate()
        now = timezone.now()
        # A copy expires with its original; a new credential after the type's validity.
        expires_at = copy_of.expires_at if copy_of else _expiry(kind, now)
        payload: dict[str, Any] = {
            "iss": settings.BASE_URL,
            "vct": kind.vct,
            "iat": int(now.timestamp()),
            "status": {"status_list": {"idx": index, "uri": status_list_uri(status_list.pk)}},
            **claims,
        }
        if expires_at is not None:
            payload["exp"] = int(expires_at.timestamp())
        disclosable = [name for name in kind.disclosable_claims if name in claims]
        token, key = _signed(payload, disclosable, public_holder)
        digest = sdjwt.digest_of(token)
        credential = IssuedCredential.objects.create(
            credential_type=kind,
            subject_hash=subject_hash(subject),
            subject_sealed=encrypt_subject(subject),
            status_list=status_list,
            status_index=index,
            issued_at=now,
            expires_at=expires_at,
            kid=str(key.kid),
            digest=digest.hex(),
            log_index=log.append("credential", digest),
            sd_jwt_sealed=seal(SD_JWT_PURPOSE, token),
            holder_key_sealed=_sealed_key(holder_private),
            copy_of=copy_of,
            source=source,
            source_reference=source_reference,
        )
        record_processing(
            name=f"credentials.issue.{kind.slug}"[:120],
            subject=subject,
            activity=ACTIVITY,
            actor=actor,
            data_categories=kind.claim_keys,
            trace_id=trace_id or secrets.token_hex(16),
        )
    return credential


def sign_again(credential: IssuedCredential) -> IssuedCredential:
    """`credential`, held in the portal wallet, signed again with the current key when a
    withdrawn key signed it (a no-op otherwise, and for a revoked one): the claims as issued
    (the same `iss`, `vct`, `status`, `exp`, claims and selectively disclosable ones) and the
    same holder key, with a new `iat`, salts and digest, appended to the transparency log.
    The date it was issued stays. Recorded for the person, by the issuer. Raises
    IssuingRefused (not-in-portal-wallet) for a wallet's copy: its holder key is the
    wallet's."""
    with transaction.atomic():
        locked = (
            IssuedCredential.objects.select_for_update(of=("self",))
            .select_related("credential_type__issuer")
            .get(pk=credential.pk)
        )
        holder = holder_key(locked)
        if holder is None:
            raise IssuingRefused("not-in-portal-wallet", "a wallet's copy is not signed here")
        if locked.kid not in ring().withdrawn_kids or locked.state == locked.State.REVOKED:
            return locked
        parsed = parse(stored_sd_jwt(locked))
        resolved = resolve(parsed.issuer_jwt.payload, parsed.disclosures)
        payload = {name: value for name, value in resolved.claims.items() if name != "cnf"}
        payload["iat"] = int(timezone.now().timestamp())
        disclosed = [path for path in resolved.paths.values() if "." not in path]
        token, key = _signed(payload, disclosed, holder.as_dict(private=False))
        digest = sdjwt.digest_of(token)
        locked.kid = str(key.kid)
        locked.digest = digest.hex()
        locked.log_index = log.append("credential", digest)
        locked.sd_jwt_sealed = seal(SD_JWT_PURPOSE, token)
        locked.save(update_fields=["kid", "digest", "log_index", "sd_jwt_sealed"])
        kind = locked.credential_type
        record_processing(
            name=f"credentials.sign-again.{kind.slug}"[:120],
            subject=decrypt_subject(locked.subject_sealed),
            activity=ACTIVITY,
            actor=Actor(kind="system", organisation=kind.issuer.slug),
            data_categories=[name for name in payload if name in kind.claim_keys],
            trace_id=secrets.token_hex(16),
        )
    return locked


def _signed(
    payload: dict[str, Any], disclosable: list[str], public_holder: dict[str, Any]
) -> tuple[str, ECKey]:
    """The SD-JWT VC of `payload`, signed with the current issuer key, and that key."""
    key, x5c = current_signer()
    token = sdjwt.issue(
        payload, disclosable=disclosable, key=key, holder_jwk=public_holder, x5c=x5c
    )
    return token, key


def _sealed_key(key: ECKey | None) -> str:
    if key is None:
        return ""
    return seal(HOLDER_KEY_PURPOSE, json.dumps(key.as_dict(private=True)))
