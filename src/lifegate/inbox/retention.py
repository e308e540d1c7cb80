"""Retention: messages are removed with their attachments when their retention period ends
(`expires_at`, set per category when sent), and people are warned by e-mail, once, before an
important message goes.

Attachment files are deleted before their rows, in the same claimed chunk: if anything fails
in between, the expired rows stay and the next run finishes the job (deleting a file that is
already gone is harmless). Files of a send that never committed (its process killed between
writing a file and committing its row) are found by `remove_orphan_files` and removed once
they are old enough that no send can still be committing them."""

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from lifegate.core import orphans
from lifegate.inbox.mail import SYSTEM, Mailing, run_mailing
from lifegate.inbox.models import Attachment, Category, Mailbox, Message, attachment_storage
from lifegate.inbox.sending import SEND_ACTIVITY
from lifegate.transparency.services import decrypt_subject, record_processing_many

PURGE_CHUNK = 200
ATTACHMENT_ROOT = "inbox"
# A file younger than this may belong to a send that is still committing.
ORPHAN_AGE = timedelta(hours=1)


def _wants_warning(message: Message, mailbox: Mailbox) -> bool:
    return mailbox.notify != Mailbox.Notify.NEVER


def warn_expiring(now: datetime | None = None) -> int:
    """E-mail people, once per message, about important messages (see `Message.important`)
    that will be removed within INBOX_EXPIRY_WARNING_DAYS. Returns the e-mails sent."""
    now = now or timezone.now()
    days = settings.INBOX_EXPIRY_WARNING_DAYS
    warning = Mailing(
        kind="expiry-warning",
        record_name="inbox.expiry-warning",
        wanted=_wants_warning,
        handled=lambda sent, when: {"expiry_warned_at": when},
        context={"days": days},
    )
    due = Message.objects.filter(
        Q(action_required_by__isnull=False) | Q(category=Category.DECISION),
        expiry_warned_at__isnull=True,
        expires_at__gt=now,
        expires_at__lte=now + timedelta(days=days),
    )
    return run_mailing(warning, due, now)


def purge_expired(now: datetime | None = None) -> int:
    """Delete the messages whose retention period has ended, with their attachment files,
    and take them off their mailboxes' counters. Returns how many were deleted."""
    now = now or timezone.now()
    deleted = 0
    while True:
        with transaction.atomic():
            rows = list(
                Message.objects.filter(expires_at__lte=now)
                .select_for_update(skip_locked=True)
                .order_by("expires_at", "id")
                .values_list("pk", "recipient_hash", "recipient_sealed", "unread")[:PURGE_CHUNK]
            )
            if not rows:
                return deleted
            ids = [row[0] for row in rows]
            for attachment in Attachment.objects.filter(message_id__in=ids).only("file"):
                if attachment.file.name:
                    attachment.file.storage.delete(attachment.file.name)
            Message.objects.filter(pk__in=ids).delete()
            _uncount(rows)
            record_processing_many(
                name="inbox.purge",
                subjects=[decrypt_subject(row[2]) for row in rows],
                activity=SEND_ACTIVITY,
                actor=SYSTEM,
                data_categories=("message",),
                started_at=now,
            )
        deleted += len(rows)


def _uncount(rows: Sequence[tuple[UUID, str, str, bool]]) -> None:
    """Subtract the deleted messages from their mailboxes, in a fixed order (no deadlocks
    with a concurrent send to the same people)."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for _pk, recipient, _sealed, is_unread in rows:
        totals[recipient][0] += 1
        totals[recipient][1] += int(is_unread)
    for recipient, (messages, unread) in sorted(totals.items()):
        Mailbox.objects.filter(pk=recipient).update(
            message_count=Greatest(F("message_count") - messages, Value(0)),
            unread_count=Greatest(F("unread_count") - unread, Value(0)),
        )


def remove_orphan_files(now: datetime | None = None) -> int:
    """Delete attachment files that no attachment row refers to and that are older than
    ORPHAN_AGE; returns how many."""
    return orphans.remove_orphan_files(
        attachment_storage(), ATTACHMENT_ROOT, _referred, (now or timezone.now()) - ORPHAN_AGE
    )


def _referred(names: list[str]) -> set[str]:
    return set(Attachment.objects.filter(file__in=names).values_list("file", flat=True))
