"""Voluntary mandates: a principal lets a representative act for them within a scope and a
period, and the one-time invitations by which a representative without a known BSN accepts.

Both people are stored as a keyed hash (to find and decide) and sealed (to show them and to
record processing), like journeys and the message box: never as a readable BSN. Legal
representation (parents of minors) is not stored here; it is read from the population register
when a decision needs it."""

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class ScopeKind(models.TextChoices):
    """What a mandate covers."""

    SERVICE = "service", _("one service")
    LIFE_EVENT = "life-event", _("all services of a life event")
    INBOX_READ = "inbox-read", _("reading the message box")
    INBOX_FULL = "inbox-full", _("the whole message box")
    PROCESSING_LOG = "processing-log", _("seeing who used my data")


class MandateInvitation(models.Model):
    """A one-time code the principal hands over; whoever logs in and enters it in time becomes
    the representative of the mandates issued with it. Only a keyed hash of the code is kept."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mandate invitation")

    def __str__(self) -> str:
        return f"invitation {self.id}"


class Mandate(models.Model):
    """One principal → representative relation for one scope and period."""

    class Status(models.TextChoices):
        INVITED = "invited", _("invited")
        ACTIVE = "active", _("active")
        ENDED = "ended", _("ended")

    class Party(models.TextChoices):
        PRINCIPAL = "principal", _("the principal")
        REPRESENTATIVE = "representative", _("the representative")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    principal_hash = models.CharField(max_length=64)
    principal_sealed = models.TextField()
    # Empty while the mandate waits for its invitation to be accepted.
    representative_hash = models.CharField(max_length=64, blank=True, default="")
    representative_sealed = models.TextField(blank=True, default="")
    scope_kind = models.CharField(max_length=20, choices=ScopeKind.choices)
    # The service or life-event slug; empty for the message box and processing log scopes.
    scope_slug = models.CharField(max_length=80, blank=True, default="")
    valid_from = models.DateField()
    valid_until = models.DateField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.INVITED)
    invitation = models.ForeignKey(
        MandateInvitation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mandates",
    )
    created_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    first_used_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.CharField(max_length=16, choices=Party.choices, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("mandate")
        indexes = [
            # The decision point: may this representative act for this principal?
            models.Index(fields=["principal_hash", "representative_hash"], name="mandate_decision"),
            models.Index(fields=["representative_hash"], name="mandate_received"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("valid_from")), name="mandate_period_forward"
            ),
            models.CheckConstraint(
                # An invitation withdrawn before acceptance ends without a representative.
                condition=~Q(status="active") | ~Q(representative_hash=""),
                name="mandate_representative_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope_kind} {self.id}"

    @property
    def agreed(self) -> bool:
        """Whether the representative ever accepted. Until then a BSN the principal typed in
        must not turn into a name, not even after the offer was withdrawn."""
        return self.accepted_at is not None
