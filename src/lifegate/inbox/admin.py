"""Admin pages for the message box, to watch sending and notification: messages by
organisation, category and state, their attachments, and mailbox counters.

Nothing here identifies a recipient: the recipient's hash and sealed identifier, the
notification address and the mailbox key (which is the recipient's hash) are never shown. The
message's subject and text and its attachments (names and files) are the person's post and are
not shown or editable either;
the operator sees what was sent when, by whom, and in what state it is."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from lifegate.inbox.models import Attachment, Mailbox, Message
from lifegate.journeys.admin import ReadOnlyAdmin, ReadOnlyInline


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    # Not `file`: its link would lead to the person's document.
    # Nor the file name: "ontslagbesluit.pdf" is already the person's post.
    fields = readonly_fields = ("content_type", "size", "sha256")


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = [
        "sent_at",
        "organisation",
        "category",
        "unread",
        "archived",
        "notification_state",
        "action_required_by",
        "expires_at",
    ]
    list_filter = [
        "organisation",
        "category",
        "unread",
        "archived",
        "notification_state",
        "language",
    ]
    list_select_related = ["organisation"]
    date_hierarchy = "sent_at"
    # Agencies quote their own key when they ask about a message.
    search_fields = ["=idempotency_key"]
    show_full_result_count = False  # counting a large message table on every page is slow
    fields = readonly_fields = (
        "id",
        "organisation",
        "sender_client",
        "idempotency_key",
        "category",
        "language",
        "action_required_by",
        "step",
        "sent_at",
        "unread",
        "read_at",
        "archived",
        "notification_state",
        "notified_at",
        "reminded_at",
        "reminder_sent",
        "unread_reported_at",
        "expires_at",
        "expiry_warned_at",
    )
    inlines = [AttachmentInline]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["id", "size", "message_organisation", "message_sent_at"]
    list_filter = ["message__organisation"]
    list_select_related = ["message__organisation"]
    show_full_result_count = False
    fields = readonly_fields = ("id", "message", "content_type", "size", "sha256")

    @admin.display(description=_("organisation"), ordering="message__organisation")
    def message_organisation(self, attachment: Attachment) -> str:
        return str(attachment.message.organisation)

    @admin.display(description=_("sent at"), ordering="message__sent_at")
    def message_sent_at(self, attachment: Attachment) -> Any:
        return attachment.message.sent_at


@admin.register(Mailbox)
class MailboxAdmin(ReadOnlyAdmin):
    """Counters and preferences in a list only: a mailbox's own page would have the
    recipient's hash (its key) in its address."""

    list_display = [
        "unread_count",
        "message_count",
        "notify",
        "notify_language",
        "has_confirmed_address",
        "updated_at",
    ]
    list_display_links = None
    list_filter = ["notify", "notify_language"]
    ordering = ["-updated_at"]
    show_full_result_count = False

    @admin.display(description=_("confirmed e-mail address"), boolean=True)
    def has_confirmed_address(self, mailbox: Mailbox) -> bool:
        return mailbox.email_verified_at is not None

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_view_permission(request)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Mailbox]:
        # The sealed addresses are never needed here.
        return super().get_queryset(request).defer("email_sealed", "pending_email_sealed")
