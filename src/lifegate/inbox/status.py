"""What a sender may know about its messages: how far each got (delivered, notified, reminded,
read, reported unread). Whether a person read a message is about that person, so every status
read is recorded in their processing log."""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from django.db.models import QuerySet
from django.utils import timezone

from lifegate.catalogue.models import PublicOrganisation
from lifegate.core.cursors import EARLIEST, LATEST
from lifegate.inbox.models import Message
from lifegate.transparency.services import Actor, decrypt_subject, record_processing_many

STATUS_ACTIVITY = "inbox-delivery"
STATUS_READ = "inbox.status"


def sent_messages(
    organisation: PublicOrganisation,
    *,
    unread: bool | None = None,
    unread_reported: bool | None = None,
    since: datetime | None = None,
) -> QuerySet[Message]:
    """The organisation's own messages (without their bodies), narrowed as asked."""
    queryset = Message.objects.filter(organisation=organisation).defer("body")
    if unread is not None:
        queryset = queryset.filter(unread=unread)
    if unread_reported is not None:
        queryset = queryset.filter(unread_reported_at__isnull=not unread_reported)
    if since is not None and since.date() >= LATEST:
        return queryset.none()  # no message is sent that late
    if since is not None and since.date() > EARLIEST:
        # (A bound at the start of the calendar would overflow, and narrows nothing anyway.)
        aware = since if timezone.is_aware(since) else timezone.make_aware(since)
        queryset = queryset.filter(sent_at__gte=aware)
    return queryset


def sent_message(organisation: PublicOrganisation, message_id: UUID) -> Message | None:
    """One of the organisation's own messages; None for any other id."""
    return sent_messages(organisation).filter(pk=message_id).first()


def record_status_reads(actor: Actor, messages: Sequence[Message]) -> None:
    """Record that `actor` (the sender) read the status of each message."""
    record_processing_many(
        name=STATUS_READ,
        subjects=[decrypt_subject(message.recipient_sealed) for message in messages],
        activity=STATUS_ACTIVITY,
        actor=actor,
        data_categories=("read-status",),
    )
