"""A verifier's request for a presentation (OpenID4VP 1.0, DCQL, response mode
direct_post.jwt), and what the verification of the answer found.

Two identifiers on purpose: `id` is the verifier's own handle (its result page and the API
read the outcome with it), `handle` is what the wallet sees (request_uri and response_uri).
The QR code shown at a counter carries only `handle`, so whoever photographs it can answer
the request but never read the disclosed claims.

The private key the wallet's answer is encrypted to is the request's own, kept sealed and
only until the request is answered or expires (`credentials.response_encryption`).

The result is kept only as long as the verifier needs it: the row, with the sealed claims,
is deleted LIFEGATE_PRESENTATION_RETENTION_MINUTES after the request's window closed
(`credentials.verifying.purge_stale`). Only lifegate.credentials' services write this table."""

import secrets
import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from lifegate.catalogue.models import CredentialType


def _new_handle() -> str:
    return secrets.token_urlsafe(24)


def _new_nonce() -> str:
    return secrets.token_urlsafe(24)


class PresentationRequest(models.Model):
    """One request for claims of one credential type, answered at most once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for an answer")
        ANSWERED = "answered", _("answered")
        EXPIRED = "expired", _("expired")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    handle = models.CharField(max_length=64, unique=True, default=_new_handle, editable=False)
    # The verifier's name as they typed it (free text, shown to the person as stated by them).
    verifier_name = models.CharField(max_length=200)
    credential_type = models.ForeignKey(
        CredentialType, on_delete=models.PROTECT, related_name="presentation_requests"
    )
    dcql_query = models.JSONField()
    client_id = models.CharField(max_length=200)
    response_uri = models.URLField(max_length=500)
    nonce = models.CharField(max_length=64, default=_new_nonce, editable=False)
    state = models.CharField(max_length=64, default=_new_nonce, editable=False)
    # The ephemeral P-256 key answers are encrypted to (direct_post.jwt), private part
    # included, sealed; emptied once the request is answered or expired.
    response_key_sealed = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    answered_at = models.DateTimeField(null=True, blank=True)
    # The outcome: valid or not and why (a rejection code), in the clear; the whole result,
    # with the disclosed claims (personal data), sealed.
    valid = models.BooleanField(null=True)
    reason_code = models.CharField(max_length=40, blank=True)
    result_sealed = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("presentation request")

    def __str__(self) -> str:
        # No claims or names: str() ends up in logs.
        return f"presentation request {self.pk} ({self.status})"
