"""What follows the withdrawal of an issuer key (`keys.withdraw`): whatever it signed no
longer verifies anywhere, so

- the credentials held in the portal wallet that it signed are signed again with the current
  key (`issuing.sign_again`: same claims, holder key, expiry and status entry), each in a
  transaction of its own; and
- the holder of each credential in an external wallet that it signed is told in their
  message box, by the credential's issuer, that their wallet's copy can no longer be checked
  and how to pick up a new one.

Revoked and expired credentials are left as they are: they do not verify anyway. Both steps
are safe to repeat: a credential signed again no longer carries the withdrawn kid, and a
holder's message has an idempotency key per credential and key."""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lifegate.credentials import issuing, keys
from lifegate.credentials.models import IssuedCredential
from lifegate.inbox.models import Category
from lifegate.inbox.services import (
    SYSTEM_KEY_PREFIX,
    NewMessage,
    Outcome,
    notify_language,
    send_message,
)
from lifegate.transparency.services import Actor, decrypt_subject


class NoticeRefused(RuntimeError):
    """The message box refused a holder's notice: a defect, never the person's doing."""


@dataclass(frozen=True)
class Pending:
    """What a withdrawal still leaves to do: credentials to sign again in the portal wallet,
    and credentials in external wallets that no longer verify."""

    portal: int
    in_wallets: int


def _live(kids: frozenset[str] | set[str]) -> "QuerySet[IssuedCredential]":
    now = timezone.now()
    return IssuedCredential.objects.filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now), kid__in=kids
    ).exclude(state=IssuedCredential.State.REVOKED)


def _in_portal(kids: frozenset[str] | set[str]) -> "QuerySet[IssuedCredential]":
    # Only the portal wallet's credentials carry their (sealed) holder key here.
    return _live(kids).exclude(holder_key_sealed="")


def in_wallets(kids: frozenset[str] | set[str]) -> "QuerySet[IssuedCredential]":
    return _live(kids).filter(holder_key_sealed="")


def wallet_copy_withdrawn(credential: IssuedCredential) -> bool:
    """Whether a live copy of `credential` in an external wallet (or the credential itself,
    issued straight to a wallet) was signed by a withdrawn key: its holder should pick up a
    new copy."""
    withdrawn = keys.ring().withdrawn_kids
    if not withdrawn:
        return False
    own_or_copy = Q(pk=credential.pk) | Q(copy_of=credential.pk)
    return in_wallets(withdrawn).filter(own_or_copy).exists()


def pending(kid: str) -> Pending:
    """What the withdrawal of `kid` affects (before or after the follow-up ran)."""
    return Pending(_in_portal({kid}).count(), in_wallets({kid}).count())


def sign_again_pending(limit: int | None = None) -> int:
    """Sign again (up to `limit`) the portal wallet's credentials whose key was withdrawn,
    each in its own transaction with its row locked; returns how many."""
    withdrawn = keys.ring().withdrawn_kids
    done = 0
    while withdrawn and (limit is None or done < limit):
        with transaction.atomic():
            credential = (
                _in_portal(withdrawn)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("credential_type__issuer")
                .first()
            )
            if credential is None:
                break
            issuing.sign_again(credential)
        done += 1
    return done


def tell_wallet_holders(kid: str) -> int:
    """Tell the holder of each live credential in an external wallet signed by `kid` (one
    message per credential of the portal, however many copies) to pick up a new copy;
    returns how many credentials that concerned."""
    told: set[object] = set()
    affected = in_wallets({kid}).select_related("credential_type__issuer").order_by("pk")
    for credential in affected.iterator():
        original_id = credential.copy_of_id or credential.pk
        if original_id in told:
            continue
        told.add(original_id)
        _tell_holder(credential, original_id, kid)
    return len(told)


def _tell_holder(credential: IssuedCredential, original_id: object, kid: str) -> None:
    kind = credential.credential_type
    holder = decrypt_subject(credential.subject_sealed)
    language = notify_language(holder)
    with translation.override(language):
        values = {"type": kind.name, "issuer": kind.issuer.name}
        link = settings.BASE_URL + reverse("credentials:mine_detail", args=[original_id])
        body = (
            _(
                "The %(type)s in your wallet app can no longer be checked: %(issuer)s has "
                "replaced the key it was signed with, for your security. Nothing has changed "
                "about the credential itself. Pick up a new copy in your wallet app from your "
                "credentials on this site."
            )
            % values
        )
        label = _("Your proof")
        message = NewMessage(
            recipient=holder,
            subject=_("Pick up your %(type)s in your wallet app again") % values,
            body=f"{body}\n\n[{label}]({link})",
            category=Category.ANNOUNCEMENT,
            idempotency_key=f"{SYSTEM_KEY_PREFIX}credential-key-withdrawn-{original_id}-{kid}",
            language=language,
        )
    actor = Actor(kind="system", organisation=kind.issuer.slug)
    result = send_message(kind.issuer, message, actor=actor, recipients_known=True)
    slug = result.problem.slug if result.problem else "unknown"
    # A key used before for other words: told already, before the person changed language.
    if result.outcome == Outcome.REJECTED and slug != "idempotency-key-reused":
        raise NoticeRefused(f"key withdrawal notice refused by the message box: {slug}")
