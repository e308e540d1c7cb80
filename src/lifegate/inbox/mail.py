"""E-mail about messages, sent once per message: notifications of new post, reminders and
expiry warnings.

The e-mails never carry a message's subject, body, sender or any identifier: they say there is
post and link to the message box. Each one gets a Message-ID derived from the message (keyed,
so the header does not reveal the message's id): sending it again is recognisably the same
e-mail.

Exactly once, also when a worker is killed at any moment: a message is claimed in a short
transaction (`select_for_update(skip_locked=True)`, a lease in `mail_lease_until`), the e-mail
is sent outside any transaction, and the message is marked handled (with its processing
record) only by the worker holding the lease. A worker that dies leaves the lease to run out;
the next run takes the message over and sends the e-mail again under the same Message-ID. The
embedded mail backend (`MessageFileBackend`) writes one file per Message-ID, so that repeat
replaces the first file: exactly one e-mail. With SMTP the window between "relay accepted" and
"marked handled" is at-least-once: a crash there sends a second copy with the same Message-ID,
which mail clients and many relays treat as a duplicate."""

import contextlib
import logging
import os
import re
import smtplib
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.core.mail.backends import filebased
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac

from lifegate.core.sealing import UnsealError, unseal
from lifegate.inbox.models import Mailbox, Message
from lifegate.transparency.services import Actor, decrypt_subject, record_processing_many

logger = logging.getLogger(__name__)

ADDRESS_PURPOSE = "inbox-notification-address"
NOTIFY_ACTIVITY = "inbox-notification"
SYSTEM = Actor(kind="system")
LANGUAGES = ("nl", "en")
# Temporary files of a killed process are removed after this.
ABANDONED_FILE_SECONDS = 3600
# Messages claimed per transaction: small, so a crash re-sends few e-mails over SMTP.
CLAIM_CHUNK = 25


class MessageFileBackend(filebased.EmailBackend):
    """The embedded setup's mail "server": each e-mail becomes `<dir>/<Message-ID>.eml`,
    written to a temporary file (in `<dir>/.incoming/`) and renamed into place, so a reader
    never sees half an e-mail and sending the same e-mail again replaces it instead of adding
    a copy. A process killed mid-write leaves only a temporary file, removed an hour later."""

    def open(self) -> bool:
        self._remove_abandoned_files()
        return False  # no shared stream: every e-mail is its own file

    @property
    def _incoming(self) -> str:
        return os.path.join(self.file_path, ".incoming")

    def _remove_abandoned_files(self) -> None:
        os.makedirs(self._incoming, exist_ok=True)
        cutoff = time.time() - ABANDONED_FILE_SECONDS
        with os.scandir(self._incoming) as entries:
            for entry in entries:
                if entry.name.endswith(".tmp") and entry.stat().st_mtime < cutoff:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(entry.path)

    def close(self) -> None:
        pass

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        count = 0
        for email in email_messages:
            try:
                self._write(email)
            except OSError:
                if not self.fail_silently:
                    raise
            else:
                count += 1
        return count

    def _write(self, email: EmailMessage) -> None:
        mime = email.message()
        name = safe_file_name(str(mime["Message-ID"])) + ".eml"
        os.makedirs(self._incoming, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self._incoming, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(mime.as_bytes())
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, os.path.join(self.file_path, name))
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise


def safe_file_name(message_id: str) -> str:
    """A Message-ID as a file name: only letters, digits and `.-_@`, no leading dot."""
    cleaned = re.sub(r"[^A-Za-z0-9.@_-]", "_", message_id.strip().strip("<>"))
    return cleaned.lstrip(".")[:200] or "no-message-id"


# Composing ---------------------------------------------------------------------------------


def message_id_header(kind: str, message_id: UUID | str) -> str:
    """The Message-ID of the `kind` e-mail about a message: the same on every attempt, and
    not the message's own id (a keyed digest of it). Keyed with the subject key, which never
    changes, so a resend after a rotation of the secret key is still the same e-mail."""
    digest = salted_hmac(
        "lifegate.inbox.mail",
        f"{kind}:{message_id}",
        secret=settings.LIFEGATE_SUBJECT_KEY,
        algorithm="sha256",
    ).hexdigest()[:40]
    return f"<{kind}.{digest}@lifegate.inbox>"


def compose(
    template: str,
    to: str,
    language: str,
    context: dict[str, Any] | None = None,
    message_id: str | None = None,
) -> EmailMessage:
    """The e-mail `inbox/email/<template>.txt` (subject in `<template>_subject.txt`) in
    `language`, with links to the message box and to the notification settings."""
    language = language if language in LANGUAGES else "nl"
    values = {
        "inbox_url": f"{settings.BASE_URL}/inbox/",
        "settings_url": settings.BASE_URL + reverse("inbox-settings:settings"),
        **(context or {}),
    }
    with translation.override(language):
        subject = render_to_string(f"inbox/email/{template}_subject.txt", values)
        body = render_to_string(f"inbox/email/{template}.txt", values)
    headers = {"Content-Language": language, "Auto-Submitted": "auto-generated"}
    if message_id:
        headers["Message-ID"] = message_id
    return EmailMessage(
        " ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [to], headers=headers
    )


def address_of(mailbox: Mailbox | None) -> str | None:
    """The mailbox's confirmed address, or None (none, not confirmed, or unreadable)."""
    if mailbox is None or not mailbox.email_sealed or mailbox.email_verified_at is None:
        return None
    try:
        return unseal(ADDRESS_PURPOSE, mailbox.email_sealed)
    except UnsealError:
        logger.warning("a notification address could not be unsealed; treated as absent")
        return None


def send_now(email: EmailMessage) -> bool:
    """Send one e-mail at once; False when the mail server could not be reached."""
    return _send_each([email]) == ["sent"]


def _send_each(emails: list[EmailMessage]) -> list[str]:
    """Send each e-mail on one connection: "sent", "refused" (the server will never take
    it) or "failed" (try again later)."""
    if not emails:
        return []
    outcomes: list[str] = []
    try:
        with mailers.default as connection:
            for email in emails:
                try:
                    connection.send_messages([email])
                    outcomes.append("sent")
                except smtplib.SMTPRecipientsRefused as refused:
                    outcomes.append("refused" if _for_good(refused) else "failed")
                except (smtplib.SMTPException, OSError) as exc:
                    logger.warning("e-mail not sent: %s", type(exc).__name__)
                    outcomes.append("failed")
    except (smtplib.SMTPException, OSError) as exc:
        logger.warning("mail server unavailable: %s", type(exc).__name__)
    return outcomes + ["failed"] * (len(emails) - len(outcomes))


def _for_good(refused: smtplib.SMTPRecipientsRefused) -> bool:
    """Whether the server refused every recipient permanently (5xx): a 4xx (greylisting, a
    full mailbox, a relay shutting down) is worth another try."""
    codes = [reply[0] for reply in refused.recipients.values()]
    return bool(codes) and all(isinstance(code, int) and code >= 500 for code in codes)


# Sending once per message ------------------------------------------------------------------


@dataclass(frozen=True)
class Mailing:
    """One kind of e-mail about a message (its template is `inbox/email/<kind>.txt`)."""

    kind: str
    record_name: str
    # Whether the mailbox's owner wants this e-mail about this message.
    wanted: Callable[[Message, Mailbox], bool]
    # The fields that mark a message handled: `sent` tells whether an e-mail went out.
    handled: Callable[[bool, datetime], dict[str, Any]]
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class _Claimed:
    message: Message
    address: str
    language: str


def run_mailing(mailing: Mailing, due: QuerySet[Message], now: datetime) -> int:
    """Send `mailing` about every message in `due` (which must exclude handled messages),
    once each; returns how many e-mails were sent. Messages held by another worker are left
    to it; messages whose e-mail failed stay claimed until the lease ends, then a later run
    tries again. A run stops early when a whole chunk failed (the mail server is down: the
    next run tries again), and never claims a message whose e-mail failed in it again (a run
    longer than the lease would otherwise go round and round)."""
    sent, failed = 0, set[UUID]()
    while True:
        lease, claimed, more = _claim(mailing, due.exclude(pk__in=failed), now)
        if claimed:
            delivered, chunk_failed = _send_and_mark(mailing, lease, claimed, now)
            sent += delivered
            failed |= chunk_failed
            if len(chunk_failed) == len(claimed):
                return sent
        if not more:
            return sent


def _claim(
    mailing: Mailing, due: QuerySet[Message], now: datetime
) -> tuple[datetime, list[_Claimed], bool]:
    """Take up to CLAIM_CHUNK free messages: those nobody wants e-mailed about are marked
    handled at once, the others get our lease. Returns the lease, the claimed messages, and
    whether there may be more."""
    # The clock at this claim, not at the start of the run: a run longer than the lease must
    # neither take over another worker's live claim nor hand out leases that ended already.
    clock = max(now, timezone.now())
    lease = clock + timedelta(seconds=settings.INBOX_MAIL_LEASE_SECONDS)
    free = Q(mail_lease_until__isnull=True) | Q(mail_lease_until__lt=clock)
    with transaction.atomic():
        rows = list(
            due.filter(free)
            .select_for_update(skip_locked=True)
            .order_by("sent_at", "id")[:CLAIM_CHUNK]
        )
        mailboxes = Mailbox.objects.in_bulk({row.recipient_hash for row in rows})
        claimed, unwanted = [], []
        for row in rows:
            mailbox = mailboxes.get(row.recipient_hash)
            address = address_of(mailbox)
            if mailbox is None or address is None or not mailing.wanted(row, mailbox):
                unwanted.append(row.pk)
            else:
                claimed.append(_Claimed(row, address, mailbox.notify_language))
        if unwanted:
            Message.objects.filter(pk__in=unwanted).update(
                mail_lease_until=None, **mailing.handled(False, now)
            )
        if claimed:
            Message.objects.filter(pk__in=[c.message.pk for c in claimed]).update(
                mail_lease_until=lease
            )
    return lease, claimed, len(rows) == CLAIM_CHUNK


def _send_and_mark(
    mailing: Mailing, lease: datetime, claimed: list[_Claimed], now: datetime
) -> tuple[int, set[UUID]]:
    """Send the claimed messages' e-mails and mark what went out; returns how many were
    delivered and the messages whose e-mail failed."""
    emails = [
        compose(
            mailing.kind,
            item.address,
            item.language,
            mailing.context,
            message_id=message_id_header(mailing.kind, item.message.pk),
        )
        for item in claimed
    ]
    outcomes = _send_each(emails)
    sent = [c.message.pk for c, outcome in zip(claimed, outcomes, strict=True) if outcome == "sent"]
    refused = [
        c.message.pk for c, outcome in zip(claimed, outcomes, strict=True) if outcome == "refused"
    ]
    with transaction.atomic():
        # Only while our lease holds: a worker that took over after it ran out marks them.
        mine = dict(
            Message.objects.select_for_update()
            .filter(pk__in=sent + refused, mail_lease_until=lease)
            .values_list("pk", "recipient_sealed")
        )
        delivered = [pk for pk in sent if pk in mine]
        Message.objects.filter(pk__in=delivered).update(
            mail_lease_until=None, **mailing.handled(True, now)
        )
        Message.objects.filter(pk__in=[pk for pk in refused if pk in mine]).update(
            mail_lease_until=None, **mailing.handled(False, now)
        )
        record_processing_many(
            name=mailing.record_name,
            subjects=[decrypt_subject(mine[pk]) for pk in delivered],
            activity=NOTIFY_ACTIVITY,
            actor=SYSTEM,
            data_categories=("e-mail-address",),
            started_at=now,
        )
    failed = {c.message.pk for c, outcome in zip(claimed, outcomes, strict=True)}
    return len(delivered), failed - set(sent) - set(refused)
