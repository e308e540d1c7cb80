"""The transparency log of issued credentials: an append-only Merkle tree (RFC 9162 style).

`LogEntry` rows are the leaves: a 32-byte digest (of an issued credential's issuer-signed
JWT, salted, or of a status-list token) and what kind of thing it is; never personal data.
`LogSubtree` keeps the hash of every complete aligned subtree so proofs take O(log n) reads.
`LogCheckpoint` is a signed tree head. `LogHead` is the one row appends lock to number
entries without gaps. Only lifegate.credentials.log writes these tables."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LogEntry(models.Model):
    """One leaf of the log: leaf data = a one-byte kind tag followed by the digest."""

    class Kind(models.TextChoices):
        CREDENTIAL = "credential", _("issued credential")
        STATUS_LIST = "status-list", _("status list version")

    # Position in the log: 0, 1, 2, ... without gaps (the log's order is the tree's order).
    index = models.BigIntegerField(unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    digest = models.BinaryField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["index"]
        verbose_name = _("transparency log entry")
        verbose_name_plural = _("transparency log entries")

    def __str__(self) -> str:
        return f"log entry {self.index} ({self.kind})"


class LogSubtree(models.Model):
    """The hash of the complete subtree of 2**level leaves starting at leaf index*2**level
    (level 0: the leaf hashes). Written once, when its last leaf is appended."""

    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField()
    hash = models.BinaryField(max_length=32)

    class Meta:
        verbose_name = _("transparency log subtree")
        constraints = [
            models.UniqueConstraint(fields=["level", "index"], name="credentials_log_subtree")
        ]

    def __str__(self) -> str:
        return f"subtree {self.level}/{self.index}"


class LogCheckpoint(models.Model):
    """A signed tree head: the log's size and root hash at a moment, as a compact JWS
    (ES256, key "credentials-log") that anyone can check against the published key."""

    size = models.BigIntegerField(unique=True)
    root = models.BinaryField(max_length=32)
    created_at = models.DateTimeField()
    token = models.TextField()
    kid = models.CharField(max_length=100)

    class Meta:
        ordering = ["-size"]
        get_latest_by = "size"
        verbose_name = _("transparency log checkpoint")

    def __str__(self) -> str:
        return f"checkpoint at size {self.size}"


class LogHead(models.Model):
    """The log's size: a single row (pk 1) that every append updates first, so concurrent
    appends take turns and their indices follow each other without gaps."""

    SINGLETON = 1

    size = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("transparency log head")

    def __str__(self) -> str:
        return f"log of {self.size} entries"
