"""Issued credentials and the status lists that say whether each is still valid.

`StatusList` keeps the packed IETF Token Status List (2 bits per credential: 0 valid,
1 revoked, 2 suspended) and its version, raised on every change; the signed list token is
made from it (`credentials.status_lists`). `IssuedCredential` records one issued SD-JWT VC:
whose it is (by keyed hash, and sealed), where its status lives, the key that signed it, the
digest appended to the transparency log, and, sealed, the SD-JWT itself and the portal
wallet's holder key. Only lifegate.credentials' services write these tables."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifegate.catalogue.models import CredentialType

DEFAULT_BITS = 2
# 2^17 entries of 2 bits: a 32 KiB list, a few hundred bytes compressed while mostly valid.
DEFAULT_SIZE = 131072


class StatusList(models.Model):
    """One published status list (`/credentials/status/<id>`)."""

    bits = models.PositiveSmallIntegerField(default=DEFAULT_BITS)
    size = models.PositiveIntegerField(default=DEFAULT_SIZE)
    # The uncompressed list: `size` entries of `bits` bits, as statuslist.StatusList packs it.
    packed = models.BinaryField()
    # How many entries are handed out; entries are never reused.
    allocated = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)
    # The signed token of the latest version: what the status endpoint serves until the
    # version changes, the signing key rotates or it nears expiry.
    token = models.TextField(blank=True)
    token_version = models.PositiveIntegerField(default=0)
    token_kid = models.CharField(max_length=100, blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("status list")

    def __str__(self) -> str:
        return f"status list {self.pk} (version {self.version})"


class IssuedCredential(models.Model):
    """A credential this node issued: an SD-JWT VC of a catalogue credential type."""

    class State(models.TextChoices):
        VALID = "valid", _("valid")
        REVOKED = "revoked", _("revoked")
        SUSPENDED = "suspended", _("suspended")

    class Source(models.TextChoices):
        REGISTER = "register", _("from a register")
        AGENCY_API = "agency-api", _("through the agency API")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    credential_type = models.ForeignKey(
        CredentialType, on_delete=models.PROTECT, related_name="issued_credentials"
    )
    # Whose it is: a keyed hash to find a person's credentials, and the identifier sealed.
    subject_hash = models.CharField(max_length=64, db_index=True)
    subject_sealed = models.TextField()
    status_list = models.ForeignKey(
        StatusList, on_delete=models.PROTECT, related_name="credentials"
    )
    status_index = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.VALID)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    kid = models.CharField(max_length=100, db_index=True)
    # SHA-256 of the issuer-signed JWT (hex): the transparency log's leaf, at `log_index`.
    digest = models.CharField(max_length=64, unique=True)
    log_index = models.BigIntegerField(unique=True)
    # The issued SD-JWT with all disclosures, and the portal wallet's private holder key
    # (JWK): sealed, for the portal to show and present it. A copy in an external wallet has
    # no holder key here: the wallet keeps it.
    sd_jwt_sealed = models.TextField()
    holder_key_sealed = models.TextField(blank=True)
    copy_of = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="copies"
    )
    source = models.CharField(max_length=12, choices=Source.choices)
    # What the credential was made from, e.g. the register's diploma: issuing the same type
    # for the same person from the same reference again gives back this credential.
    source_reference = models.CharField(max_length=200)

    class Meta:
        ordering = ["issued_at", "id"]
        verbose_name = _("issued credential")
        constraints = [
            models.UniqueConstraint(
                fields=["status_list", "status_index"], name="credentials_one_status_entry"
            ),
            models.UniqueConstraint(
                fields=["credential_type", "subject_hash", "source_reference"],
                condition=models.Q(copy_of__isnull=True),
                name="credentials_issued_once_per_reference",
            ),
        ]

    def __str__(self) -> str:
        # No subject: str() ends up in logs and the admin's history.
        return f"credential {self.pk} ({self.state})"
