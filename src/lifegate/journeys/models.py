"""Journeys: a person's plan for a life event, its steps, the submissions made in them, their
delivery to agencies, agency clients, and the registry events that start journeys.

Subjects are stored as a keyed hash (to find a person's journeys) and sealed (to show them);
never as a readable BSN. Form data is sealed too: a database dump reveals no personal data.
Texts that come from the catalogue are copied onto the step, so a journey stays readable
after the catalogue changes or a service is withdrawn."""

import uuid

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lifegate.catalogue.models import (
    AssuranceLevel,
    LifeEvent,
    PublicOrganisation,
    PublicService,
    StepKind,
)
from lifegate.core.i18n import Localized


class Journey(Localized, models.Model):
    """One person's plan for one life event."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        FINISHED = "finished", _("finished")
        CANCELLED = "cancelled", _("stopped")

    class Origin(models.TextChoices):
        PERSON = "person", _("started by you")
        REGISTRY = "registry", _("started after a registry event")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    life_event = models.ForeignKey(
        LifeEvent, on_delete=models.SET_NULL, null=True, related_name="journeys"
    )
    life_event_slug = models.SlugField(max_length=80)
    name_nl = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    subject_hash = models.CharField(max_length=64)
    subject_sealed = models.TextField()
    # The other person the journey is about (the newborn, the deceased), if any.
    related_hash = models.CharField(max_length=64, blank=True, default="")
    related_sealed = models.TextField(blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.PERSON)
    origin_event = models.ForeignKey(
        "InboundEvent", on_delete=models.SET_NULL, null=True, blank=True, related_name="journeys"
    )
    # {"values": {question key: answer}, "relation": ..., "pending": [unanswered keys]},
    # sealed: answers such as a date of death are personal data. Use `services.answers_of`.
    answers_sealed = models.TextField(blank=True)
    language = models.CharField(max_length=2, default="nl")
    started_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("journey")
        indexes = [models.Index(fields=["subject_hash", "status"], name="journey_subject_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_hash", "life_event_slug", "related_hash"],
                condition=Q(status="active"),
                name="journey_one_active_per_event",
            )
        ]

    def __str__(self) -> str:
        return f"{self.life_event_slug} ({self.status})"


class Step(Localized, models.Model):
    """A service in a journey's plan: applicable or not (and why), its deadline and status."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting for an earlier step")
        TO_CHECK = "to-check", _("answer the questions to see whether this applies")
        TODO = "todo", _("to do")
        SUBMITTED = "submitted", _("sent")
        RECEIVED = "received", _("received by the agency")
        IN_PROGRESS = "in-progress", _("in progress")
        DECIDED = "decided", _("decided")
        REJECTED = "rejected", _("rejected")
        DONE = "done", _("done")
        NOT_APPLICABLE = "not-applicable", _("does not apply")
        WITHDRAWN = "withdrawn", _("no longer offered")

    # Statuses after which the step no longer holds up the steps that depend on it.
    SETTLED = (Status.DECIDED, Status.DONE, Status.WITHDRAWN)

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="steps")
    service = models.ForeignKey(
        PublicService, on_delete=models.SET_NULL, null=True, related_name="journey_steps"
    )
    service_slug = models.SlugField(max_length=80)
    name_nl = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    organisation_nl = models.CharField(max_length=200)
    organisation_en = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=StepKind.choices, default=StepKind.REQUEST)
    position = models.PositiveSmallIntegerField(default=0)
    applicable = models.BooleanField(default=True)
    reason_nl = models.CharField(max_length=300, blank=True)
    reason_en = models.CharField(max_length=300, blank=True)
    depends_on = models.JSONField(default=list, blank=True)
    deadline = models.DateField(null=True, blank=True)
    minimum_assurance_level = models.CharField(
        max_length=12, choices=AssuranceLevel.choices, default=AssuranceLevel.SUBSTANTIAL
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.TODO)
    # The agency's latest message to the person, in the language the agency wrote it.
    status_message = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["journey", "position", "service_slug"]
        verbose_name = _("step")
        constraints = [
            models.UniqueConstraint(fields=["journey", "service_slug"], name="step_once_per_plan")
        ]

    def __str__(self) -> str:
        return f"{self.service_slug} ({self.status})"


class Submission(models.Model):
    """A request a person sent to an agency in a step. Form data and subjects are sealed."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("sent")
        RECEIVED = "received", _("received")
        IN_PROGRESS = "in-progress", _("in progress")
        DECIDED = "decided", _("decided")
        REJECTED = "rejected", _("rejected")

    FINAL = (Status.DECIDED, Status.REJECTED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    step = models.ForeignKey(Step, on_delete=models.PROTECT, related_name="submissions")
    service = models.ForeignKey(
        PublicService, on_delete=models.SET_NULL, null=True, related_name="submissions"
    )
    service_slug = models.SlugField(max_length=80)
    organisation = models.ForeignKey(
        PublicOrganisation, on_delete=models.PROTECT, related_name="submissions"
    )
    # {"fields": {key: value}, "sources": {key: {"source": ..., "as_of": ...}}}, sealed
    form_sealed = models.TextField()
    language = models.CharField(max_length=2)
    subject_hash = models.CharField(max_length=64)
    subject_sealed = models.TextField()
    actor_sealed = models.TextField()
    # Set by the form on first display: submitting the same form twice makes one submission.
    idempotency_key = models.CharField(max_length=64)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    status_reason = models.TextField(blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        verbose_name = _("submission")
        indexes = [
            models.Index(fields=["organisation", "status", "submitted_at"], name="submission_queue")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["step", "idempotency_key"], name="submission_once_per_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service_slug} {self.id} ({self.status})"


def evidence_storage() -> Storage:
    """Where uploaded evidence is kept: the private `attachments` storage (a directory by
    default, S3-compatible object storage with LIFEGATE_ATTACHMENT_STORAGE), under
    `journeys/evidence/`. It has no public URL: only authorised views serve the files."""
    return storages["attachments"]


class SubmittedDocument(models.Model):
    """A document the person uploaded with a submission as evidence for one of the service's
    requirements. Stored under a random name; the original file name can be personal
    ("passport Jan Jansen.pdf") and is sealed. A submission is final, so are its documents."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="documents")
    requirement_slug = models.SlugField(max_length=80)
    # Which of the requirement's evidence types the document is, when known.
    evidence_type_slug = models.SlugField(max_length=80, blank=True)
    file = models.FileField(
        storage=evidence_storage, upload_to="journeys/evidence/%Y/%m/", max_length=200
    )
    # Recognised from the file's first bytes, not taken from the browser or the file name.
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    filename_sealed = models.TextField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "requirement_slug"]
        verbose_name = _("submitted document")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "requirement_slug"], name="document_once_per_requirement"
            )
        ]

    def __str__(self) -> str:
        # Not the file name: it can be personal data.
        return f"{self.requirement_slug} {self.id}"


class StatusChange(models.Model):
    """One status update on a submission, with the agency's message to the person."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="changes")
    status = models.CharField(max_length=12, choices=Submission.Status.choices)
    message = models.TextField(blank=True)
    changed_by = models.CharField(max_length=150)
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_at", "id"]
        verbose_name = _("status change")

    def __str__(self) -> str:
        return f"{self.submission_id} → {self.status}"


class AgencyClient(models.Model):
    """A system of an agency that calls the agency API (and may receive webhook pushes).

    The secret is shown once when created and stored as a keyed hash only."""

    class Scope(models.TextChoices):
        SUBMISSIONS = "submissions", _("read and update its organisation's submissions")
        EVENTS = "events", _("send registry events")
        MESSAGES = "messages", _("send messages to people's message boxes and follow them")
        MANDATES = "mandates", _("check whether a representative may act for a person")
        CREDENTIALS = "credentials", _("issue and revoke its organisation's credentials")

    organisation = models.ForeignKey(
        PublicOrganisation, on_delete=models.CASCADE, related_name="agency_clients"
    )
    name = models.CharField(max_length=120)
    client_id = models.CharField(max_length=40, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    active = models.BooleanField(default=True)
    webhook_url = models.URLField(blank=True)
    webhook_secret_sealed = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "name"]
        verbose_name = _("agency client")

    def __str__(self) -> str:
        return f"{self.name} ({self.client_id})"


class Delivery(models.Model):
    """A push of one submission to one agency webhook. One row per (submission, endpoint):
    the same submission is never pushed twice to the same endpoint once delivered."""

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        RETRYING = "retrying", _("retrying")
        DELIVERED = "delivered", _("delivered")
        DEAD = "dead", _("dead letter")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="deliveries")
    client = models.ForeignKey(AgencyClient, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["submission", "client"], name="delivery_once")
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.submission_id} → {self.client_id} ({self.state})"


class InboundEvent(models.Model):
    """A CloudEvent received from a registry; (source, id) is unique, so a repeat is a no-op.
    The BSN it carried is kept sealed only until the event is processed."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("accepted, journeys not started yet")
        PROCESSED = "processed", _("processed")
        FAILED = "failed", _("failed")

    source = models.CharField(max_length=200)
    event_id = models.CharField(max_length=200)
    type = models.CharField(max_length=200)
    client = models.ForeignKey(AgencyClient, on_delete=models.PROTECT, related_name="events")
    received_at = models.DateTimeField(auto_now_add=True)
    journeys_started = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACCEPTED)
    data_sealed = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    # Failed processing runs; no personal data in the error (class and a masked message).
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("inbound event")
        constraints = [
            models.UniqueConstraint(fields=["source", "event_id"], name="inbound_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class AgencyStaff(models.Model):
    """A back-office user working for one agency: sees only that agency's submissions."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agency_staff"
    )
    organisation = models.ForeignKey(
        PublicOrganisation, on_delete=models.CASCADE, related_name="staff"
    )

    class Meta:
        verbose_name = _("agency staff member")

    def __str__(self) -> str:
        return f"{self.user} ({self.organisation.slug})"
