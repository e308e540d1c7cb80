"""Reading the message box: a person's messages page by page (unread first, newest first),
opening one (which marks it read), downloading its attachments, and archiving.

Every function takes the subject whose messages are read and the actor reading them; a message
of anyone else is `Message.DoesNotExist`, exactly like one that does not exist. Every read is
recorded in the processing log. Counters come from the person's `Mailbox` row: no page counts
a person's messages."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from lifegate.core.cursors import (
    InvalidCursor,
    cursor_moment,
    decode_cursor,
    within_days,
)
from lifegate.core.cursors import (
    encode_cursor as encode_key,
)
from lifegate.core.subject import Subject
from lifegate.inbox import send_tasks
from lifegate.inbox.models import Attachment, Mailbox, Message
from lifegate.transparency.services import (
    Actor,
    encrypt_subject,
    record_processing,
    subject_hash,
)

READ_ACTIVITY = "inbox-reading"
PAGE_SIZE = 25


@dataclass(frozen=True)
class InboxFilter:
    """What the person narrows the list to. Empty fields do not filter."""

    text: str = ""
    organisation: str = ""  # slug of the sending organisation
    category: str = ""
    since: date | None = None
    until: date | None = None
    archived: bool = False

    @property
    def active(self) -> bool:
        return bool(self.text or self.organisation or self.category or self.since or self.until)


@dataclass
class InboxPage:
    messages: list[Message]
    next_cursor: str | None
    previous_cursor: str | None
    unread_count: int
    message_count: int


def mailbox_of(subject: Subject) -> Mailbox | None:
    """The person's mailbox row (counters, notification settings), if they ever had post or
    set notifications. Not personal data by itself: no record."""
    return Mailbox.objects.filter(recipient_hash=subject_hash(subject)).first()


def unread_count(subject: Subject) -> int:
    """How many of the person's messages are unread, from the mailbox counter."""
    mailbox = mailbox_of(subject)
    return mailbox.unread_count if mailbox else 0


def messages_of(subject: Subject) -> QuerySet[Message]:
    """The person's messages that are still kept (an expired one is gone for the person even
    before the removal task has run)."""
    return Message.objects.filter(
        recipient_hash=subject_hash(subject), expires_at__gt=timezone.now()
    )


def _filtered(queryset: QuerySet[Message], filters: InboxFilter) -> QuerySet[Message]:
    queryset = queryset.filter(archived=filters.archived)
    if filters.text.strip():
        text = filters.text.strip()
        queryset = queryset.filter(Q(subject__icontains=text) | Q(body__icontains=text))
    if filters.organisation:
        queryset = queryset.filter(organisation__slug=filters.organisation)
    if filters.category:
        queryset = queryset.filter(category=filters.category)
    return within_days(queryset, "sent_at", filters.since, filters.until)


# Keyset paging over (unread, sent_at, id), all descending -----------------------------------


def encode_cursor(message: Message) -> str:
    return encode_key(message.unread, message.sent_at, str(message.id))


def _decode_cursor(cursor: str) -> tuple[bool, datetime, UUID]:
    unread, moment, row_id = decode_cursor(cursor, 3)
    try:
        return bool(unread), cursor_moment(moment), UUID(row_id)
    except (ValueError, TypeError, AttributeError) as exc:
        raise InvalidCursor("damaged cursor") from exc


def _beyond(cursor: str, later: bool) -> Q:
    """Rows after the cursor in page order (`later`), or before it."""
    unread, moment, row_id = _decode_cursor(cursor)
    direction = "lt" if later else "gt"
    same_flag = Q(unread=unread) & (
        Q(**{f"sent_at__{direction}": moment}) | Q(sent_at=moment, **{f"id__{direction}": row_id})
    )
    # Unread (True) sorts first: after an unread row come all read ones; before a read row
    # come all unread ones.
    if later and unread:
        return same_flag | Q(unread=False)
    if not later and not unread:
        return same_flag | Q(unread=True)
    return same_flag


ORDER = ("-unread", "-sent_at", "-id")
REVERSED = ("unread", "sent_at", "id")


def inbox_page(
    subject: Subject,
    filters: InboxFilter,
    *,
    actor: Actor,
    after: str | None = None,
    before: str | None = None,
    size: int = PAGE_SIZE,
) -> InboxPage:
    """One page of the person's messages. Raises `InvalidCursor` for a cursor not handed out."""
    queryset = _filtered(messages_of(subject), filters).select_related("organisation")
    if before:
        rows = list(queryset.filter(_beyond(before, later=False)).order_by(*REVERSED)[: size + 1])
        more_before = len(rows) > size
        rows = list(reversed(rows[:size]))
        has_next, has_previous = True, more_before
    else:
        if after:
            queryset = queryset.filter(_beyond(after, later=True))
        rows = list(queryset.order_by(*ORDER)[: size + 1])
        has_next, has_previous = len(rows) > size, bool(after)
        rows = rows[:size]
    mailbox = mailbox_of(subject)
    with transaction.atomic():
        record_processing(
            name="inbox.list",
            subject=subject,
            activity=READ_ACTIVITY,
            actor=actor,
            data_categories=("message-overview",),
        )
    return InboxPage(
        messages=rows,
        next_cursor=encode_cursor(rows[-1]) if rows and has_next else None,
        previous_cursor=encode_cursor(rows[0]) if rows and has_previous else None,
        unread_count=mailbox.unread_count if mailbox else 0,
        message_count=mailbox.message_count if mailbox else 0,
    )


def open_message(subject: Subject, message_id: UUID, *, actor: Actor) -> Message:
    """The message, marked read (the first time, with the read time and who read it: the
    recipient, or a representative acting for them; the sender is told). Raises
    `Message.DoesNotExist` for anyone else's message."""
    with transaction.atomic():
        message = (
            messages_of(subject)
            .select_related("organisation", "step__journey")
            .prefetch_related("attachments")
            .get(pk=message_id)
        )
        now = timezone.now()
        reader = _reader(subject, actor)
        first_read = Message.objects.filter(pk=message.pk, unread=True).update(
            unread=False, read_at=now, **reader
        )
        if first_read:
            message.unread, message.read_at = False, now
            message.read_by_sealed = reader["read_by_sealed"]
            message.read_on_behalf = reader["read_on_behalf"]
            Mailbox.objects.filter(recipient_hash=message.recipient_hash).update(
                unread_count=F("unread_count") - 1
            )
            send_tasks.with_transaction(lambda: _tell_sender_read(message.pk))
        record_processing(
            name="inbox.read",
            subject=subject,
            activity=READ_ACTIVITY,
            actor=actor,
            data_categories=("message",),
        )
    return message


def _reader(subject: Subject, actor: Actor) -> dict[str, Any]:
    """Who opens the message, for the message row: the acting person sealed, and whether they
    act for the recipient (a representative reads it "like the recipient would")."""
    reader = actor.subject
    return {
        "read_by_sealed": encrypt_subject(reader) if reader else "",
        "read_on_behalf": reader is not None and reader != subject,
    }


def _tell_sender_read(message_id: UUID) -> None:
    from lifegate.inbox.tasks import push_message_event

    push_message_event.enqueue(str(message_id), "read")


def set_archived(subject: Subject, message_id: UUID, archived: bool, *, actor: Actor) -> Message:
    """Move the message to the archive or back. Raises `Message.DoesNotExist` as above."""
    with transaction.atomic():
        message = messages_of(subject).select_for_update().get(pk=message_id)
        message.archived = archived
        message.save(update_fields=["archived"])
        record_processing(
            name="inbox.archive" if archived else "inbox.unarchive",
            subject=subject,
            activity=READ_ACTIVITY,
            actor=actor,
            data_categories=("message-overview",),
        )
    return message


def attachment_of(
    subject: Subject, message_id: UUID, attachment_id: UUID, *, actor: Actor
) -> Attachment:
    """One attachment of the person's message, to stream to them. Raises
    `Attachment.DoesNotExist` for anyone else's."""
    with transaction.atomic():
        attachment = Attachment.objects.get(
            pk=attachment_id,
            message_id=message_id,
            message__in=messages_of(subject),
        )
        if not attachment.file.name or not attachment.file.storage.exists(attachment.file.name):
            # Removed with its expired message a moment ago: gone, like the message.
            raise Attachment.DoesNotExist(attachment_id)
        record_processing(
            name="inbox.attachment",
            subject=subject,
            activity=READ_ACTIVITY,
            actor=actor,
            data_categories=("message-attachment",),
        )
    return attachment
