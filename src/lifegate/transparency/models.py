"""The processing log: one `ProcessingRecord` per read or change of personal data, with the
fields of the Logboek Dataverwerkingen standard (draft 0.8, OpenTelemetry span model)."""

from django.db import models

from lifegate.transparency.models_chain import ChainCheckpoint, ChainHead, ChainLink

__all__ = ["ChainCheckpoint", "ChainHead", "ChainLink", "ProcessingRecord"]


class ProcessingRecord(models.Model):
    """One processing operation on one data subject's personal data."""

    class Status(models.TextChoices):
        UNSET = "UNSET"
        OK = "OK"
        ERROR = "ERROR"

    trace_id = models.CharField(max_length=32)  # 16 bytes, hex
    span_id = models.CharField(max_length=16)  # 8 bytes, hex
    parent_span_id = models.CharField(max_length=16, blank=True)
    name = models.CharField(max_length=120)  # operation, e.g. "identity.login"
    start_time = models.DateTimeField()
    end_time = models.DateTimeField()
    status_code = models.CharField(max_length=5, choices=Status.choices, default=Status.OK)
    # dpl.core.processing_activity_id: key into the catalogue's register of processing activities
    processing_activity_id = models.CharField(max_length=120)
    # dpl.core.data_subject_id: never stored in the clear. The keyed hash finds a person's
    # records; the ciphertext lets the person's own export show the identifier.
    data_subject_hash = models.CharField(max_length=64)
    data_subject_ciphertext = models.TextField()
    data_subject_id_type = models.CharField(max_length=10)  # "BSN" or "eIDAS"
    # Who acted: the organisation, the system or person, and on whose behalf.
    organisation = models.CharField(max_length=200)
    actor_kind = models.CharField(max_length=20)  # "person", "agency", "system"
    actor_hash = models.CharField(max_length=64, blank=True)
    on_behalf_of_hash = models.CharField(max_length=64, blank=True)
    data_categories = models.JSONField(default=list)
    # foreign_operation: link to an operation in another organisation or node
    foreign_trace_id = models.CharField(max_length=32, blank=True)
    foreign_span_id = models.CharField(max_length=16, blank=True)
    foreign_entity = models.URLField(blank=True)
    resource_attributes = models.JSONField(default=dict)

    class Meta:
        ordering = ["-start_time", "-id"]
        # Declared here rather than with db_index/unique on the fields: on PostgreSQL those
        # add a second, varchar_pattern_ops index per column for LIKE queries, which nothing
        # asks (ids and hashes are only ever compared whole), yet every record written paid
        # for them. A person's records are found through the composite index, whose first
        # column serves equality on the hash alone.
        indexes = [
            models.Index(fields=["data_subject_hash", "-start_time"]),
            models.Index(fields=["trace_id"], name="processing_record_trace"),
        ]
        constraints = [models.UniqueConstraint(fields=["span_id"], name="processing_record_span")]

    def __str__(self) -> str:
        return f"{self.name} @ {self.start_time:%Y-%m-%d %H:%M}"
