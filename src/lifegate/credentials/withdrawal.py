"""What follows the withdrawal of an issuer key (`keys.withdraw`): whatever it signed no
longer verifies anywhere, so

- the credentials held in the portal wallet that it signed are signed again with the current
  key (`issuing.sign_again`: the claims as issued, the same holder key, expiry and status
  entry), each in a transaction of its own; and
- the holder of each valid credential in an external wallet that it signed is told in their
  message box, by the credential's issuer, that their wallet's copy can no longer be checked
  and how to pick up a new one. "My credentials" says the same until they have (the newest
  copy in a wallet is then signed by a key still in use).

Revoked and expired credentials are left as they are: they do not verify anyway. A
suspended one is signed again (so that reinstating it is enough), but its holder is told
only once it is valid: a suspended credential cannot be put in a wallet. Both steps are safe
to repeat (a credential signed again no longer carries the withdrawn kid; a holder's message
has an idempotency key per credential and key), and one credential that fails is logged and
passed over, not allowed to hold up the others. The housekeeping repeats both for
RETELL_DAYS after a withdrawal: that covers a lost task and a credential issued with the
withdrawn key while it was being withdrawn."""

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lifegate.credentials import issuing, keys
from lifegate.credentials.models import IssuedCredential
from lifegate.inbox.models import Category
from lifegate.inbox.rendering import as_literal_markdown
from lifegate.inbox.services import (
    SYSTEM_KEY_PREFIX,
    NewMessage,
    Outcome,
    notify_language,
    send_message,
)
from lifegate.transparency.services import Actor, decrypt_subject

logger = logging.getLogger(__name__)
RETELL_DAYS = 7
State = IssuedCredential.State


class NoticeRefused(RuntimeError):
    """The message box refused a holder's notice: a defect, never the person's doing."""


@dataclass(frozen=True)
class Pending:
    """What a withdrawn key signed that still counts: credentials in the portal wallet not
    yet signed again, and valid credentials in external wallets."""

    portal: int
    in_wallets: int


@dataclass(frozen=True)
class Told:
    """Holders told by one run: messages sent now, and those sent before."""

    sent: int
    earlier: int


def _live(kids: frozenset[str] | set[str]) -> "QuerySet[IssuedCredential]":
    now = timezone.now()
    return IssuedCredential.objects.filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now), kid__in=kids
    ).exclude(state=State.REVOKED)


def _in_portal(kids: frozenset[str] | set[str]) -> "QuerySet[IssuedCredential]":
    # Only the portal wallet's credentials carry their (sealed) holder key here.
    return _live(kids).exclude(holder_key_sealed="")


def _in_wallets(kids: frozenset[str] | set[str]) -> "QuerySet[IssuedCredential]":
    return _live(kids).filter(holder_key_sealed="", state=State.VALID)


def wallet_copy_withdrawn(credential: IssuedCredential) -> bool:
    """Whether the holder of valid `credential` should put a new copy in their wallet app:
    its newest copy in an external wallet (or itself, issued straight to a wallet) was
    signed by a withdrawn key."""
    withdrawn = keys.ring().withdrawn_kids
    if not withdrawn or credential.state != State.VALID:
        return False
    newest = (
        IssuedCredential.objects.filter(Q(pk=credential.pk) | Q(copy_of=credential.pk))
        .filter(holder_key_sealed="")
        .order_by("-issued_at")
        .values_list("kid", flat=True)
        .first()
    )
    return newest in withdrawn


def pending(kid: str) -> Pending:
    """What the withdrawal of `kid` affects (before or after the follow-up ran)."""
    return Pending(_in_portal({kid}).count(), _in_wallets({kid}).count())


def sign_again_pending(limit: int | None = None) -> int:
    """Sign again (up to `limit`) the portal wallet's credentials whose key was withdrawn;
    returns how many. One that fails is logged (by id) and passed over in this run."""
    withdrawn = keys.ring().withdrawn_kids
    done = 0
    passed_over: list[Any] = []
    while withdrawn and (limit is None or done < limit):
        found = _in_portal(withdrawn).exclude(pk__in=passed_over).order_by("pk").first()
        if found is None:
            break
        try:
            signed = issuing.sign_again(found)
        except Exception:
            logger.exception("credential %s could not be signed again", found.pk)
            passed_over.append(found.pk)
            continue
        if signed.kid in withdrawn:  # e.g. the ring changed meanwhile: never loop on it
            passed_over.append(found.pk)
            continue
        done += 1
    return done


def tell_wallet_holders(kid: str) -> Told:
    """Tell the holder of each valid credential in an external wallet signed by `kid` (one
    message per credential of the portal, however many copies) to pick up a new copy."""
    originals: dict[Any, IssuedCredential] = {}
    affected = _in_wallets({kid}).select_related("credential_type__issuer").order_by("pk")
    for credential in affected.iterator():
        originals.setdefault(credential.copy_of_id or credential.pk, credential)
    sent = earlier = 0
    for original_id, credential in originals.items():
        try:
            created = _tell_holder(credential, original_id, kid)
        except Exception:
            logger.exception("the holder of credential %s could not be told", original_id)
            continue
        sent += created
        earlier += not created
    return Told(sent, earlier)


def recently_withdrawn() -> list[str]:
    """The kids withdrawn in the last RETELL_DAYS, whose follow-up the housekeeping repeats."""
    since = timezone.now() - timedelta(days=RETELL_DAYS)
    return [key.kid for key in keys.ring().keys if key.withdrawn_at and key.withdrawn_at > since]


def _tell_holder(credential: IssuedCredential, original_id: Any, kid: str) -> bool:
    """Send the notice; True when it is new, False when it was sent before."""
    kind = credential.credential_type
    holder = decrypt_subject(credential.subject_sealed)
    language = notify_language(holder)
    with translation.override(language):
        values = {
            "type": as_literal_markdown(kind.name),
            "issuer": as_literal_markdown(kind.issuer.name),
        }
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
            subject=_("Pick up your %(type)s in your wallet app again") % {"type": kind.name},
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
    return result.outcome == Outcome.CREATED
