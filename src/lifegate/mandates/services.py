"""The mandates building block's interface: grant, accept and end voluntary mandates, and list
a person's mandates. The authorisation decision itself is in `lifegate.mandates.decision`.

Every operation runs in one transaction and records processing for both people involved; a
refused operation raises `MandateRefused` and leaves nothing behind."""

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from lifegate.core.subject import Subject
from lifegate.mandates import notices
from lifegate.mandates.errors import MandateRefused
from lifegate.mandates.models import Mandate, MandateInvitation
from lifegate.mandates.scopes import Scope, validate_scope
from lifegate.registries.services import registered_subjects
from lifegate.transparency.services import (
    Actor,
    decrypt_subject,
    encrypt_subject,
    record_processing,
    subject_hash,
)

__all__ = [
    "Granted",
    "MandateRefused",
    "MandatesOf",
    "Scope",
    "accept",
    "accept_offer",
    "end",
    "grant",
    "mandates_for",
    "principal_of",
    "representative_of",
]

ACTIVITY = "mandates"
DATA_CATEGORIES = ("bsn", "mandate")
# Easy to read aloud and type: no 0/O, 1/I/L. 16 characters of 31: about 79 bits.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16


@dataclass(frozen=True)
class Granted:
    """The mandates a grant made, and the invitation code to hand over (empty when the
    representative was named by BSN). The code is not stored and cannot be shown again."""

    mandates: list[Mandate]
    invitation_code: str = ""


@dataclass(frozen=True)
class MandatesOf:
    """A person's mandates: those they gave and those they received, newest first."""

    given: list[Mandate]
    received: list[Mandate]


def hash_code(code: str) -> str:
    """Keyed hash of an invitation code, after removing spaces and hyphens and upper-casing."""
    normalised = "".join(code.split()).replace("-", "").upper()
    key = hmac.new(
        settings.LIFEGATE_SUBJECT_KEY.encode(), b"lifegate:mandate-invitation", hashlib.sha256
    ).digest()
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()


def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def principal_of(mandate: Mandate) -> Subject:
    """The person who gave the mandate."""
    return decrypt_subject(mandate.principal_sealed)


def representative_of(mandate: Mandate) -> Subject | None:
    """The person who may act under the mandate; None while it is only an invitation."""
    return decrypt_subject(mandate.representative_sealed) if mandate.representative_sealed else None


def _check_period(valid_from: date, valid_until: date) -> None:
    if valid_until < valid_from:
        raise MandateRefused("period-reversed")
    today = timezone.localdate()
    if valid_from < today:
        raise MandateRefused("period-start-past")
    if (valid_from - today).days > settings.MANDATES_MAX_DAYS:
        raise MandateRefused("period-start-far", days=settings.MANDATES_MAX_DAYS)
    if (valid_until - valid_from).days > settings.MANDATES_MAX_DAYS:
        raise MandateRefused("period-too-long", days=settings.MANDATES_MAX_DAYS)


def _check_representative(principal: Subject, representative: Subject) -> None:
    if representative == principal:
        raise MandateRefused("self-mandate")
    if not registered_subjects({representative}):
        raise MandateRefused("unknown-person")


def _overlapping(
    mandate: Mandate, representative_hash: str, *, pending: bool = False
) -> QuerySet[Mandate]:
    """Mandates that would duplicate `mandate` for this representative: active ones, and with
    `pending` also offers still waiting for them."""
    statuses = [Mandate.Status.ACTIVE] + ([Mandate.Status.INVITED] if pending else [])
    return Mandate.objects.filter(
        principal_hash=mandate.principal_hash,
        representative_hash=representative_hash,
        scope_kind=mandate.scope_kind,
        scope_slug=mandate.scope_slug,
        status__in=statuses,
        valid_from__lte=mandate.valid_until,
        valid_until__gte=mandate.valid_from,
    ).exclude(pk=mandate.pk)


def _record(name: str, mandate: Mandate, actor: Actor) -> None:
    parties = [principal_of(mandate), representative_of(mandate)]
    for subject in parties:
        if subject is not None:
            record_processing(
                name=name,
                subject=subject,
                activity=ACTIVITY,
                actor=actor,
                data_categories=DATA_CATEGORIES,
            )


def grant(
    principal: Subject,
    representative: Subject | None,
    scopes: Sequence[Scope],
    valid_from: date,
    valid_until: date,
    actor: Actor,
) -> Granted:
    """Offer `representative` to act for `principal` in each of `scopes` from `valid_from` to
    `valid_until` (inclusive): one mandate per scope, all waiting for acceptance.

    A representative named by BSN accepts the offer after logging in (`accept_offer`); until
    then the principal does not see their name, so a typed-in number does not turn into a
    name. Without a representative the mandates wait for an invitation code, returned once in
    `Granted.invitation_code`; whoever accepts it in time becomes the representative."""
    if not scopes:
        raise MandateRefused("no-scope")
    _check_period(valid_from, valid_until)
    for scope in scopes:
        validate_scope(scope)
    if representative is not None:
        _check_representative(principal, representative)
    now = timezone.now()
    # A named offer is an invitation too (it groups the scopes and expires), but its code is
    # never handed out: only the named representative can accept it.
    code = _new_code()
    with transaction.atomic():
        invitation = MandateInvitation.objects.create(
            code_hash=hash_code(code),
            created_at=now,
            expires_at=now + timedelta(days=settings.MANDATES_INVITATION_DAYS),
        )
        mandates = [
            _create(principal, representative, scope, valid_from, valid_until, invitation, now)
            for scope in dict.fromkeys(scopes)
        ]
        for mandate in mandates:
            _record("mandate granted", mandate, actor)
            notices.tell_principal("created", mandate)
    return Granted(mandates=mandates, invitation_code="" if representative else code)


def _create(
    principal: Subject,
    representative: Subject | None,
    scope: Scope,
    valid_from: date,
    valid_until: date,
    invitation: MandateInvitation | None,
    now: datetime,
) -> Mandate:
    mandate = Mandate(
        principal_hash=subject_hash(principal),
        principal_sealed=encrypt_subject(principal),
        scope_kind=scope.kind,
        scope_slug=scope.slug,
        valid_from=valid_from,
        valid_until=valid_until,
        invitation=invitation,
        created_at=now,
    )
    if representative is not None:
        # Bound to this representative, waiting for them to accept.
        representative_hash = subject_hash(representative)
        _lock_pair(mandate.principal_hash, representative_hash)
        if _overlapping(mandate, representative_hash, pending=True).exists():
            raise MandateRefused("duplicate")
        mandate.representative_hash = representative_hash
        mandate.representative_sealed = encrypt_subject(representative)
    mandate.save()
    return mandate


def _lock_pair(principal_hash: str, representative_hash: str) -> None:
    """Serialise grants and acceptances between the same two people until the transaction
    ends, so two at once cannot both pass the duplicate check. PostgreSQL: a transaction-level
    advisory lock; SQLite already lets one writer at a time in."""
    if connection.vendor != "postgresql":
        return
    digest = hashlib.sha256(f"{principal_hash}:{representative_hash}".encode()).digest()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest[:8], "big", signed=True)]
        )


def _activate(mandate: Mandate, representative: Subject, now: datetime) -> None:
    """Make `representative` the mandate's representative, unless that duplicates a mandate
    they already hold (raises `MandateRefused("duplicate")`)."""
    representative_hash = subject_hash(representative)
    _lock_pair(mandate.principal_hash, representative_hash)
    if _overlapping(mandate, representative_hash).exists():
        raise MandateRefused("duplicate")
    mandate.representative_hash = representative_hash
    mandate.representative_sealed = encrypt_subject(representative)
    mandate.status = Mandate.Status.ACTIVE
    mandate.accepted_at = now


def accept(code: str, representative: Subject, actor: Actor) -> list[Mandate]:
    """Accept the invitation with `code` as `representative` (the person logged in): its
    mandates become active. A code works once, until it expires."""
    now = timezone.now()
    with transaction.atomic():
        invitation = (
            MandateInvitation.objects.select_for_update().filter(code_hash=hash_code(code)).first()
        )
        if invitation is None:
            raise MandateRefused("code-unknown")
        if invitation.used_at is not None:
            raise MandateRefused("code-used")
        if invitation.expires_at <= now:
            raise MandateRefused("code-expired")
        # Offers to a named representative have a code nobody was given; never accept them.
        # Locked, and their status read again under the lock: a withdrawal committing
        # meanwhile (`end` locks the mandate, not the invitation) must not be undone.
        pending = invitation.mandates.select_for_update().filter(
            status=Mandate.Status.INVITED, representative_hash=""
        )
        mandates = list(pending)
        if not mandates:  # the principal withdrew every mandate of the invitation
            raise MandateRefused("code-unknown")
        if all(mandate.valid_until < timezone.localdate(now) for mandate in mandates):
            raise MandateRefused("period-past")
        _check_representative(principal_of(mandates[0]), representative)
        for mandate in mandates:
            _activate(mandate, representative, now)
            mandate.save()
            _record("mandate accepted", mandate, actor)
            notices.tell_principal("accepted", mandate)
        invitation.used_at = now
        invitation.save(update_fields=["used_at"])
    return mandates


def accept_offer(mandate_id: UUID | str, representative: Subject, actor: Actor) -> list[Mandate]:
    """Accept, as the `representative` it names, the offer that `mandate_id` belongs to: every
    scope of it becomes active. Refuses anyone else's and anything not waiting."""
    now = timezone.now()
    key = subject_hash(representative)
    with transaction.atomic():
        mandate = Mandate.objects.select_for_update().filter(pk=mandate_id).first()
        if (
            mandate is None
            or mandate.representative_hash != key
            or mandate.status != Mandate.Status.INVITED
        ):
            raise MandateRefused("unknown-mandate")
        offer = Mandate.objects.select_for_update().filter(
            invitation_id=mandate.invitation_id,
            representative_hash=key,
            status=Mandate.Status.INVITED,
        )
        mandates = list(offer) if mandate.invitation_id else [mandate]
        if mandate.invitation is not None and mandate.invitation.expires_at <= now:
            raise MandateRefused("offer-expired")
        if all(m.valid_until < timezone.localdate(now) for m in mandates):
            raise MandateRefused("period-past")
        for pending in mandates:
            _activate(pending, representative, now)
            pending.save()
            _record("mandate accepted", pending, actor)
            notices.tell_principal("accepted", pending)
        if mandate.invitation is not None:
            mandate.invitation.used_at = now
            mandate.invitation.save(update_fields=["used_at"])
    return mandates


def end(mandate_id: UUID | str, by_subject: Subject, actor: Actor) -> Mandate:
    """End the mandate at once, by its principal or its representative (or withdraw an
    invitation not accepted yet). Decisions from now on refuse it."""
    party = subject_hash(by_subject)
    with transaction.atomic():
        mandate = Mandate.objects.select_for_update().filter(pk=mandate_id).first()
        if mandate is None or party not in (mandate.principal_hash, mandate.representative_hash):
            raise MandateRefused("unknown-mandate")
        if mandate.status == Mandate.Status.ENDED:
            raise MandateRefused("already-ended")
        mandate.status = Mandate.Status.ENDED
        mandate.ended_at = timezone.now()
        is_principal = party == mandate.principal_hash
        mandate.ended_by = Mandate.Party.PRINCIPAL if is_principal else Mandate.Party.REPRESENTATIVE
        mandate.save(update_fields=["status", "ended_at", "ended_by"])
        _record("mandate ended", mandate, actor)
        notices.tell_principal("ended", mandate)
    return mandate


def mandates_for(subject: Subject) -> MandatesOf:
    """The mandates `subject` gave and received, in any status, newest first."""
    key = subject_hash(subject)
    return MandatesOf(
        given=list(Mandate.objects.filter(principal_hash=key)),
        received=list(Mandate.objects.filter(representative_hash=key)),
    )
