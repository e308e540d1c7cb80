"""Telling people by e-mail that there is new post.

A person registers an address; it waits (sealed, in `Mailbox.pending_email_sealed`) until they
open the confirmation link sent to it while logged in as themselves. They choose when to be
told (every message, only important ones, never) and in which language, and can remove the
address at any time. Reading or changing the address is recorded in the processing log.

`notify` sends one e-mail per new message, exactly once (see `lifegate.inbox.mail`);
`notify_pending` is the safety net for notification tasks that were lost."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from lifegate.core.sealing import UnsealError, seal, unseal
from lifegate.core.subject import Subject
from lifegate.inbox.mail import (
    ADDRESS_PURPOSE,
    LANGUAGES,
    NOTIFY_ACTIVITY,
    Mailing,
    compose,
    run_mailing,
    send_now,
)
from lifegate.inbox.models import Mailbox, Message, NotificationState
from lifegate.transparency.services import Actor, record_processing, subject_hash

CONFIRM_SALT = "lifegate.inbox.confirm-address"
ADDRESS_CATEGORIES = ("e-mail-address",)
ADDRESS_FIELDS = ("email_sealed", "pending_email_sealed", "email_verified_at")
# Messages per IN-list when notifying (tasks carry up to INBOX_NOTIFY_BATCH ids).
ID_CHUNK = 1000
# The language of notifications until the person chooses one (as the Mailbox default).
DEFAULT_LANGUAGE = "nl"


class NothingPending(ValueError):
    """No address is waiting for confirmation."""


class ConfirmationError(ValueError):
    """A confirmation link that cannot confirm anything; the message says why, in the
    person's language. `code` names the case for the API."""

    code = "invalid-confirmation"


class ConfirmationExpired(ConfirmationError):
    code = "confirmation-expired"


class ConfirmationMismatch(ConfirmationError):
    """The link is genuine but not for this person's waiting address (another person, or an
    address replaced since)."""

    code = "confirmation-mismatch"


@dataclass(frozen=True)
class NotificationSettings:
    """What the person sees on the settings page: addresses in the clear (it is their own)."""

    email: str
    pending_email: str
    notify: str
    language: str


# Settings ---------------------------------------------------------------------------------


def _mailbox(subject: Subject, lock: bool = False) -> Mailbox:
    """The person's mailbox, created when they set notifications before ever having post."""
    recipient = subject_hash(subject)
    Mailbox.objects.get_or_create(recipient_hash=recipient)
    rows = Mailbox.objects.select_for_update() if lock else Mailbox.objects
    return rows.get(recipient_hash=recipient)


def _unsealed(sealed: str) -> str:
    try:
        return unseal(ADDRESS_PURPOSE, sealed) if sealed else ""
    except UnsealError:
        return ""


def _settings_of(mailbox: Mailbox) -> NotificationSettings:
    verified = mailbox.email_verified_at is not None
    return NotificationSettings(
        email=_unsealed(mailbox.email_sealed) if verified else "",
        pending_email=_unsealed(mailbox.pending_email_sealed),
        notify=mailbox.notify,
        language=mailbox.notify_language,
    )


def _record(subject: Subject, actor: Actor, name: str, categories: Iterable[str]) -> None:
    record_processing(
        name=name,
        subject=subject,
        activity=NOTIFY_ACTIVITY,
        actor=actor,
        data_categories=tuple(categories),
    )


def notification_settings(subject: Subject, *, actor: Actor) -> NotificationSettings:
    """The person's addresses and preferences; showing an address is recorded."""
    with transaction.atomic():
        found = Mailbox.objects.filter(recipient_hash=subject_hash(subject)).first()
        if found is None:
            return NotificationSettings("", "", Mailbox.Notify.EVERY, "nl")
        current = _settings_of(found)
        if current.email or current.pending_email:
            _record(subject, actor, "inbox.notification-address.read", ADDRESS_CATEGORIES)
    return current


def notify_language(subject: Subject) -> str:
    """The language the person chose for their notifications: what lifegate writes to them
    in (messages from the platform itself, plans started for them). Dutch until they choose."""
    chosen = (
        Mailbox.objects.filter(recipient_hash=subject_hash(subject))
        .values_list("notify_language", flat=True)
        .first()
    )
    return chosen or DEFAULT_LANGUAGE


def set_preferences(
    subject: Subject, notify: str, language: str, *, actor: Actor
) -> NotificationSettings:
    """When (`Mailbox.Notify`) and in which language (nl, en) the person wants e-mail."""
    if notify not in Mailbox.Notify.values or language not in LANGUAGES:
        raise ValueError("unknown notification preference or language")
    with transaction.atomic():
        mailbox = _mailbox(subject, lock=True)
        mailbox.notify, mailbox.notify_language = notify, language
        # Only these fields: the counters change concurrently with every message sent or read.
        mailbox.save(update_fields=["notify", "notify_language", "updated_at"])
        _record(subject, actor, "inbox.notification-preferences", ("notification-preferences",))
        current = _settings_of(mailbox)
        if current.email or current.pending_email:  # shown with the answer
            _record(subject, actor, "inbox.notification-address.read", ADDRESS_CATEGORIES)
    return current


def normalise_address(address: str) -> str:
    """The address as stored: without surrounding space, the domain in lower case."""
    local, _at, domain = address.strip().rpartition("@")
    return f"{local}@{domain.lower()}"


def register_address(
    subject: Subject, address: str, *, actor: Actor, language: str
) -> tuple[NotificationSettings, bool]:
    """Make `address` (a valid e-mail address) the one waiting for confirmation, and send it
    the confirmation link in `language`. Until confirmed, any earlier confirmed address keeps
    receiving the e-mails. Returns the settings and whether the link could be sent."""
    address = normalise_address(address)
    with transaction.atomic():
        mailbox = _mailbox(subject, lock=True)
        confirmed = _settings_of(mailbox).email
        # The confirmed address again: nothing to confirm, only a waiting change to drop.
        again = confirmed.lower() == address.lower()
        mailbox.pending_email_sealed = "" if again else seal(ADDRESS_PURPOSE, address)
        mailbox.save(update_fields=["pending_email_sealed", "updated_at"])
        _record(subject, actor, "inbox.notification-address.register", ADDRESS_CATEGORIES)
    sent = again or _send_confirmation(mailbox.recipient_hash, address, language)
    return _settings_of(mailbox), sent


def resend_confirmation(
    subject: Subject, *, actor: Actor, language: str
) -> tuple[NotificationSettings, bool]:
    """Send the link again to the address waiting for confirmation (`NothingPending` when
    there is none). Returns the settings and whether the link could be sent."""
    with transaction.atomic():
        mailbox = _mailbox(subject)
        address = _unsealed(mailbox.pending_email_sealed)
        if not address:
            raise NothingPending(_("No e-mail address is waiting for confirmation."))
        _record(subject, actor, "inbox.notification-address.resend", ADDRESS_CATEGORIES)
    return _settings_of(mailbox), _send_confirmation(mailbox.recipient_hash, address, language)


def _fingerprint(recipient_hash: str, address: str) -> str:
    """Ties a link to one person and one address without putting either in the link."""
    value = f"{recipient_hash}\n{address.lower()}"
    return salted_hmac(CONFIRM_SALT, value, algorithm="sha256").hexdigest()[:32]


def confirmation_token(recipient_hash: str, address: str) -> str:
    """The signed, time-stamped token of a confirmation link."""
    return signing.dumps({"a": _fingerprint(recipient_hash, address)}, salt=CONFIRM_SALT)


def _send_confirmation(recipient_hash: str, address: str, language: str) -> bool:
    token = confirmation_token(recipient_hash, address)
    url = settings.BASE_URL + reverse("inbox-settings:confirm", args=[token])
    context = {"confirm_url": url, "hours": settings.INBOX_CONFIRM_EMAIL_HOURS}
    return send_now(compose("confirm-address", address, language, context))


def _fingerprint_in(token: str) -> str:
    try:
        payload = signing.loads(
            token,
            salt=CONFIRM_SALT,
            max_age=timedelta(hours=settings.INBOX_CONFIRM_EMAIL_HOURS),
        )
    except signing.SignatureExpired as exc:
        raise ConfirmationExpired(
            _("This confirmation link has expired. Ask for a new one below.")
        ) from exc
    except signing.BadSignature as exc:
        raise ConfirmationError(_("This confirmation link is not valid.")) from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("a"), str):
        raise ConfirmationError(_("This confirmation link is not valid."))
    return payload["a"]


def confirm_address(subject: Subject, token: str, *, actor: Actor) -> NotificationSettings:
    """Confirm the waiting address with the token from the link sent to it; from now on the
    e-mails go there. Raises `ConfirmationExpired`, `ConfirmationMismatch` (another person's
    link, or an address replaced since) or `ConfirmationError` (not a link of ours). Opening
    the link of the address already confirmed changes nothing."""
    fingerprint = _fingerprint_in(token)
    with transaction.atomic():
        mailbox = _mailbox(subject, lock=True)
        pending = _unsealed(mailbox.pending_email_sealed)
        if pending and constant_time_compare(
            fingerprint, _fingerprint(mailbox.recipient_hash, pending)
        ):
            mailbox.email_sealed = mailbox.pending_email_sealed
            mailbox.pending_email_sealed = ""
            mailbox.email_verified_at = timezone.now()
            mailbox.save(update_fields=[*ADDRESS_FIELDS, "updated_at"])
            _record(subject, actor, "inbox.notification-address.confirm", ADDRESS_CATEGORIES)
            return _settings_of(mailbox)
        current = _settings_of(mailbox)
    if current.email and constant_time_compare(
        fingerprint, _fingerprint(mailbox.recipient_hash, current.email)
    ):
        with transaction.atomic():  # the settings shown with the answer hold the address
            _record(subject, actor, "inbox.notification-address.read", ADDRESS_CATEGORIES)
        return current
    raise ConfirmationMismatch(
        _(
            "This link does not belong to the e-mail address waiting for confirmation in "
            "your account. Are you logged in as the person who asked for it?"
        )
    )


def remove_address(subject: Subject, *, actor: Actor) -> NotificationSettings:
    """Forget the person's addresses, confirmed and waiting: no more e-mail is sent."""
    with transaction.atomic():
        mailbox = _mailbox(subject, lock=True)
        had_address = bool(mailbox.email_sealed or mailbox.pending_email_sealed)
        mailbox.email_sealed = mailbox.pending_email_sealed = ""
        mailbox.email_verified_at = None
        mailbox.save(update_fields=[*ADDRESS_FIELDS, "updated_at"])
        if had_address:
            _record(subject, actor, "inbox.notification-address.remove", ADDRESS_CATEGORIES)
    return _settings_of(mailbox)


# Notifying --------------------------------------------------------------------------------


def _wants_new_message(message: Message, mailbox: Mailbox) -> bool:
    if mailbox.notify == Mailbox.Notify.IMPORTANT:
        return message.important
    return mailbox.notify == Mailbox.Notify.EVERY


def _notified(sent: bool, now: datetime) -> dict[str, object]:
    if sent:
        return {"notification_state": NotificationState.SENT, "notified_at": now}
    return {"notification_state": NotificationState.SKIPPED}


NEW_MESSAGE = Mailing(
    kind="new-message",
    record_name="inbox.notify",
    wanted=_wants_new_message,
    handled=_notified,
)


def notify(message_ids: Iterable[str | UUID], now: datetime | None = None) -> int:
    """E-mail the recipient of each message still waiting for its notification, if they have
    a confirmed address and want to hear about it; mark it sent or skipped. Exactly once per
    message however often, or however concurrently, it runs. Returns the e-mails sent."""
    now = now or timezone.now()
    ids = list(dict.fromkeys(str(message_id) for message_id in message_ids))
    sent = 0
    for start in range(0, len(ids), ID_CHUNK):
        due = Message.objects.filter(
            pk__in=ids[start : start + ID_CHUNK], notification_state=NotificationState.PENDING
        )
        sent += run_mailing(NEW_MESSAGE, due, now)
    return sent


def notify_pending(now: datetime | None = None, older_than_minutes: int | None = None) -> int:
    """The safety net: enqueue notification tasks for messages sent more than
    `older_than_minutes` (INBOX_NOTIFY_SWEEP_MINUTES) ago that are still waiting and not
    being handled; returns how many messages. Does nothing while notification tasks enqueued
    within that time are still queued: those messages are on their way. Tasks waiting longer
    do not hold the sweep back, so a steady stream of sends cannot starve it (a repeat is
    harmless: each message is e-mailed once)."""
    from lifegate.inbox.tasks import notify_messages, queued

    now = now or timezone.now()
    minutes = older_than_minutes
    if minutes is None:
        minutes = settings.INBOX_NOTIFY_SWEEP_MINUTES
    if queued(notify_messages, enqueued_after=now - timedelta(minutes=minutes)):
        return 0
    waiting = (
        Message.objects.filter(
            notification_state=NotificationState.PENDING,
            sent_at__lt=now - timedelta(minutes=minutes),
        )
        .filter(Q(mail_lease_until__isnull=True) | Q(mail_lease_until__lt=now))
        .order_by("sent_at", "id")
        .values_list("pk", flat=True)
    )
    batch: list[str] = []
    count = 0
    for pk in waiting.iterator(chunk_size=settings.INBOX_NOTIFY_BATCH):
        batch.append(str(pk))
        if len(batch) == settings.INBOX_NOTIFY_BATCH:
            notify_messages.enqueue(batch)
            count, batch = count + len(batch), []
    if batch:
        notify_messages.enqueue(batch)
        count += len(batch)
    return count
