"""The message box: messages agencies send to a person, their attachments, and each person's
mailbox (unread counter, notification address and preferences).

Recipients are stored as a keyed hash (to find a person's messages) and sealed (to notify them
and to record processing); never as a readable BSN. Message texts are stored as written, so the
person can search them; a database dump shows what was sent, but not to whom."""

import uuid

from django.core.files.storage import Storage, storages
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lifegate.catalogue.models import PublicOrganisation


class Category(models.TextChoices):
    """What kind of post a message is. The retention period is set per category."""

    DECISION = "decision", _("decision")
    INFORMATION_REQUEST = "information-request", _("request for information")
    PAYMENT = "payment", _("payment")
    ANNOUNCEMENT = "announcement", _("announcement")
    JOURNEY_UPDATE = "journey-update", _("progress of your request")


class NotificationState(models.TextChoices):
    PENDING = "pending", _("not notified yet")
    SENT = "sent", _("notified")
    SKIPPED = "skipped", _("not notified (no address or not wanted)")


def attachment_storage() -> Storage:
    """The `attachments` storage: a private directory by default, S3-compatible in production.
    It has no public URL; attachments are served by an authorised view only."""
    return storages["attachments"]


class Message(models.Model):
    """One message from an agency to one person."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    recipient_hash = models.CharField(max_length=64)
    recipient_sealed = models.TextField()
    organisation = models.ForeignKey(
        PublicOrganisation, on_delete=models.PROTECT, related_name="messages"
    )
    # The agency system that sent it; empty for messages lifegate itself sends (journey updates).
    sender_client = models.ForeignKey(
        "journeys.AgencyClient",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    # Unique per sending organisation: repeating a send never makes a second message.
    idempotency_key = models.CharField(max_length=200)
    # Fingerprint of what was sent with the key, to tell a repeat from a conflicting reuse.
    request_hash = models.CharField(max_length=64)
    subject = models.CharField(max_length=200)
    body = models.TextField(help_text=_("Markdown; rendered to safe HTML when shown."))
    category = models.CharField(max_length=24, choices=Category.choices)
    language = models.CharField(max_length=2, default="nl")
    action_required_by = models.DateField(null=True, blank=True)
    step = models.ForeignKey(
        "journeys.Step", on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    sent_at = models.DateTimeField()
    unread = models.BooleanField(default=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Who opened it first, sealed: the recipient, or a representative acting for them (a
    # mandate or parental authority). The recipient is the legal subject; this is the actor.
    read_by_sealed = models.TextField(blank=True)
    # Whether that first reader was someone acting on the recipient's behalf; the sender may
    # know this, never who it was.
    read_on_behalf = models.BooleanField(default=False)
    archived = models.BooleanField(default=False)
    notification_state = models.CharField(
        max_length=8, choices=NotificationState.choices, default=NotificationState.PENDING
    )
    notified_at = models.DateTimeField(null=True, blank=True)
    # When the reminder period ended for this unread message; `reminder_sent` says whether a
    # reminder e-mail went out then (not without a confirmed address or with reminders off).
    reminded_at = models.DateTimeField(null=True, blank=True)
    reminder_sent = models.BooleanField(default=False)
    # When the sender was told the message is still unread (so it can use another channel).
    unread_reported_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    expiry_warned_at = models.DateTimeField(null=True, blank=True)
    # While an e-mail about this message (notification, reminder, expiry warning) is being sent:
    # until when the worker sending it holds it. Others skip it until then; if that worker dies,
    # the next run takes it over and sends the e-mail again under the same Message-ID.
    mail_lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-unread", "-sent_at", "-id"]
        verbose_name = _("message")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "idempotency_key"], name="message_once_per_key"
            )
        ]
        indexes = [
            # The inbox page: one person's messages, unread first, newest first.
            models.Index(
                fields=["recipient_hash", "archived", "-unread", "-sent_at", "-id"],
                name="message_inbox",
            ),
            models.Index(
                fields=["sent_at"],
                condition=Q(notification_state="pending"),
                name="message_notify_due",
            ),
            # Reminders and unread reports: important messages that are still unread.
            models.Index(
                fields=["sent_at"],
                condition=Q(unread=True, action_required_by__isnull=False),
                name="message_unread_important",
            ),
            models.Index(fields=["expires_at"], name="message_expiry"),
            models.Index(fields=["organisation", "sent_at", "id"], name="message_sender"),
        ]

    def __str__(self) -> str:
        # Not the subject: this shows up in the admin and in logs, and the subject is post.
        return f"{self.category} {self.id}"

    @property
    def important(self) -> bool:
        """Messages that need action, and decisions, get reminders and expiry warnings."""
        return self.action_required_by is not None or self.category == Category.DECISION


class Attachment(models.Model):
    """A PDF attached to a message, kept in the private `attachments` storage."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100, default="application/pdf")
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    file = models.FileField(storage=attachment_storage, upload_to="inbox/%Y/%m/", max_length=200)

    class Meta:
        ordering = ["filename", "id"]
        verbose_name = _("attachment")

    def __str__(self) -> str:
        return f"attachment {self.id}"


class Mailbox(models.Model):
    """Per person: the message counters (so no page counts a person's messages) and how they
    want to be told about new post."""

    class Notify(models.TextChoices):
        EVERY = "every", _("for every new message")
        IMPORTANT = "important", _("only for messages that need action")
        NEVER = "never", _("never: I look in my message box myself")

    recipient_hash = models.CharField(max_length=64, primary_key=True)
    unread_count = models.IntegerField(default=0)
    message_count = models.IntegerField(default=0)
    # The confirmed address, and one waiting for its confirmation link to be followed; sealed.
    email_sealed = models.TextField(blank=True)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    pending_email_sealed = models.TextField(blank=True)
    notify = models.CharField(max_length=10, choices=Notify.choices, default=Notify.EVERY)
    notify_language = models.CharField(max_length=2, default="nl")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")

    def __str__(self) -> str:
        return f"mailbox {self.recipient_hash[:8]}"
