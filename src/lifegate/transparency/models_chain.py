"""Tamper evidence of the processing log: hash chains over the records, and signed checkpoints.

Records are chained after they are written, by a background sealer (lifegate.transparency.chain),
so writing a record costs nothing extra. The log is split into partitions (record id modulo
the number of partitions), each its own hash chain, so that sealers can work side by side.

`ChainLink` is a record's place in its partition's chain: the SHA-256 digest of the record's
canonical bytes, and the chain hash SHA-256(previous link's hash || digest). `ChainHead` is
the end of one partition's chain, the row sealers lock. `ChainCheckpoint` is a signed
statement of every partition's length and head hash. Only lifegate.transparency.chain writes
these tables."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChainLink(models.Model):
    """One record's position in its partition's hash chain."""

    # Not a database foreign key, and nothing cascades: a link outlives its record, so that a
    # deleted record is reported by id and position instead of disappearing with its link.
    record = models.OneToOneField(
        "transparency.ProcessingRecord",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="chain_link",
    )
    partition = models.PositiveSmallIntegerField()
    # 0, 1, 2, ... within the partition, in the order the sealer linked the records.
    sequence = models.BigIntegerField()
    digest = models.BinaryField(max_length=32)  # SHA-256 of the record's canonical bytes
    hash = models.BinaryField(max_length=32)  # SHA-256(previous hash || digest)

    class Meta:
        verbose_name = _("processing log chain link")
        constraints = [
            models.UniqueConstraint(
                fields=["partition", "sequence"], name="transparency_chain_position"
            )
        ]

    def __str__(self) -> str:
        return f"link {self.partition}/{self.sequence}"


class ChainHead(models.Model):
    """The end of one partition's chain. Sealers lock this row while they extend the chain."""

    partition = models.PositiveSmallIntegerField(primary_key=True)
    length = models.BigIntegerField(default=0)
    hash = models.BinaryField(max_length=32)
    # Every record of this partition with an id up to here is linked; a later-committed
    # record can only have a higher id (see chain.extend_chain).
    horizon = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("processing log chain head")

    def __str__(self) -> str:
        return f"head {self.partition} at {self.length}"


class ChainCheckpoint(models.Model):
    """A signed checkpoint: a compact JWS (ES256, key "transparency-log") of every partition's
    length and head hash. `lengths` repeats the signed lengths for finding which checkpoint
    covers a record; the verifier checks it against the signature."""

    number = models.BigIntegerField(unique=True)  # 1, 2, 3, ...
    issued_at = models.DateTimeField()
    lengths = models.JSONField(default=list)
    token = models.TextField()

    class Meta:
        ordering = ["-number"]
        verbose_name = _("processing log checkpoint")

    def __str__(self) -> str:
        return f"checkpoint {self.number}"
