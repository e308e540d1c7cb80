"""Evidence requests on both sides of an exchange.

`EvidenceRequest` lives at the requester: a person in a journey step asked for a piece of
evidence from the government that holds it. `EvidencePreview` lives at the provider: a request
it matched to a person in its register, waiting for that person to look at the evidence and
share it (or not). When one node is both, the two rows are in the same database.

Subjects and evidence are sealed, never stored readable: a database dump shows neither who
asked nor what was shared."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class EvidenceRequest(models.Model):
    """Requester side: evidence asked for one requirement of one journey step."""

    class Status(models.TextChoices):
        AWAITING_CONSENT = "awaiting-consent", _("waiting for you to look and share")
        RECEIVED = "received", _("received")
        DECLINED = "declined", _("you chose not to share")
        NOT_FOUND = "not-found", _("not found")
        UNAVAILABLE = "unavailable", _("the provider could not be reached")
        REFUSED = "refused", _("refused by the provider")
        EXPIRED = "expired", _("expired")
        REJECTED = "rejected", _("rejected: the evidence could not be verified")

    OPEN = (Status.AWAITING_CONSENT,)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    step = models.ForeignKey(
        "journeys.Step", on_delete=models.CASCADE, related_name="evidence_requests"
    )
    requirement_slug = models.SlugField(max_length=80)
    evidence_type_slug = models.SlugField(max_length=80)
    provider_node = models.CharField(max_length=64)
    provider_country = models.CharField(max_length=2)
    provider_name_nl = models.CharField(max_length=200)
    provider_name_en = models.CharField(max_length=200)
    subject_hash = models.CharField(max_length=64)
    subject_sealed = models.TextField()
    conversation_id = models.CharField(max_length=32, default="")
    status = models.CharField(max_length=20, choices=Status.choices)
    # Where the person looks at the evidence before sharing it (at the provider).
    preview_url = models.URLField(max_length=500, blank=True)
    # The evidence as received: the provider's signed document (compact JWS), sealed.
    evidence_sealed = models.TextField(blank=True)
    evidence_digest = models.CharField(max_length=64, blank=True)  # SHA-256 of the JWS
    evidence_kid = models.CharField(max_length=100, blank=True)
    # Our trace, and the provider's operation that answered (Logboek foreign_operation).
    trace_id = models.CharField(max_length=32)
    span_id = models.CharField(max_length=16)
    provider_trace_id = models.CharField(max_length=32, blank=True)
    provider_span_id = models.CharField(max_length=16, blank=True)
    # Why it failed, as a stable code (never personal data).
    problem = models.CharField(max_length=60, blank=True)
    submission = models.ForeignKey(
        "journeys.Submission",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="evidence",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField()
    received_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("evidence request")
        indexes = [models.Index(fields=["step", "requirement_slug"], name="evidence_step_req")]

    def __str__(self) -> str:
        return f"{self.evidence_type_slug} from {self.provider_node} ({self.status})"


class EvidencePreview(models.Model):
    """Provider side: a matched request waiting for the person's decision."""

    class Status(models.TextChoices):
        AWAITING_CONSENT = "awaiting-consent", _("waiting for the person")
        SHARED = "shared", _("shared")
        DECLINED = "declined", _("not shared")
        EXPIRED = "expired", _("expired")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requester_node = models.CharField(max_length=64)
    request_id = models.CharField(max_length=64)
    conversation_id = models.CharField(max_length=32)
    evidence_type_slug = models.SlugField(max_length=80)
    requirement_slug = models.SlugField(max_length=80, blank=True)
    requester_organisation = models.CharField(max_length=200)
    requester_service = models.CharField(max_length=200)
    # The matched person (their register key, sealed) and their subject as known here.
    person_sealed = models.TextField()
    subject_hash = models.CharField(max_length=64)
    subject_sealed = models.TextField()
    return_url = models.URLField(max_length=500)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.AWAITING_CONSENT
    )
    # The signed evidence waiting to be delivered (sealed; emptied once delivered).
    evidence_sealed = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivery_attempts = models.PositiveSmallIntegerField(default=0)
    trace_id = models.CharField(max_length=32)
    span_id = models.CharField(max_length=16)
    requester_trace_id = models.CharField(max_length=32, blank=True)
    requester_span_id = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("evidence preview")
        constraints = [
            models.UniqueConstraint(
                fields=["requester_node", "request_id"], name="evidence_preview_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.evidence_type_slug} for {self.requester_node} ({self.status})"
