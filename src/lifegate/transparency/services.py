"""The one function every building block calls when it reads or changes personal data.

`record_processing` writes the record in the caller's database transaction: if the operation
rolls back, so does its record, and an operation cannot commit without its record."""

import base64
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Literal

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from lifegate.core.subject import Subject
from lifegate.transparency.models import ProcessingRecord

ActorKind = Literal["person", "agency", "system"]
PLATFORM_ORGANISATION = "lifegate"


@dataclass(frozen=True)
class Actor:
    """Who performed the operation: a person (by subject), an agency or a system component."""

    kind: ActorKind
    organisation: str = PLATFORM_ORGANISATION
    subject: Subject | None = None
    on_behalf_of: Subject | None = None


# This scheme predates core.sealing and stays as it is: changing the key derivation would make
# every stored record unfindable (subject_hash) and unreadable (ciphertext). The pinned values
# in tests/test_subject_encoding.py guard against an accidental "unification".
def _key(purpose: bytes) -> bytes:
    return _derived_key(purpose, settings.LIFEGATE_SUBJECT_KEY)


@lru_cache(maxsize=16)
def _derived_key(purpose: bytes, secret: str) -> bytes:
    # Cached per (purpose, secret): a bulk send hashes and encrypts tens of thousands of
    # subjects; a changed secret is simply another cache entry.
    return hashlib.sha256(purpose + secret.encode()).digest()


def subject_hash(subject: Subject) -> str:
    """Keyed hash of a subject, for finding a person's records without storing the identifier."""
    message = f"{subject.scheme}:{subject.value}".encode()
    return hmac.new(_key(b"subject-hash"), message, hashlib.sha256).hexdigest()


def encrypt_subject(subject: Subject) -> str:
    """AES-GCM ciphertext of the subject identifier (nonce prepended, base64)."""
    nonce = os.urandom(12)
    message = f"{subject.scheme}:{subject.value}".encode()
    sealed = AESGCM(_key(b"subject-encryption")).encrypt(
        nonce, message, b"dpl.core.data_subject_id"
    )
    return base64.b64encode(nonce + sealed).decode()


def decrypt_subject(ciphertext: str) -> Subject:
    """Inverse of `encrypt_subject`."""
    raw = base64.b64decode(ciphertext)
    plain = AESGCM(_key(b"subject-encryption")).decrypt(
        raw[:12], raw[12:], b"dpl.core.data_subject_id"
    )
    scheme, value = plain.decode().split(":", 1)
    return Subject.from_dict({"scheme": scheme, "value": value})


def record_processing(
    *,
    name: str,
    subject: Subject,
    activity: str,
    actor: Actor,
    data_categories: Sequence[str],
    started_at: datetime | None = None,
    status: str = ProcessingRecord.Status.OK,
    trace_id: str = "",
    parent_span_id: str = "",
) -> ProcessingRecord:
    """Record one processing operation on `subject`'s data for processing activity `activity`.

    Must be called inside the operation's own transaction (it joins the current one)."""
    now = timezone.now()
    with transaction.atomic():
        return ProcessingRecord.objects.create(
            trace_id=trace_id or secrets.token_hex(16),
            span_id=secrets.token_hex(8),
            parent_span_id=parent_span_id,
            name=name,
            start_time=started_at or now,
            end_time=now,
            status_code=status,
            processing_activity_id=activity,
            data_subject_hash=subject_hash(subject),
            data_subject_ciphertext=encrypt_subject(subject),
            data_subject_id_type="BSN" if subject.scheme == "bsn" else "eIDAS",
            organisation=actor.organisation,
            actor_kind=actor.kind,
            actor_hash=subject_hash(actor.subject) if actor.subject else "",
            on_behalf_of_hash=subject_hash(actor.on_behalf_of) if actor.on_behalf_of else "",
            data_categories=list(data_categories),
        )


def record_processing_many(
    *,
    name: str,
    subjects: Sequence[Subject],
    activity: str,
    actor: Actor,
    data_categories: Sequence[str],
    started_at: datetime | None = None,
) -> None:
    """`record_processing` for one operation on many subjects at once (a bulk send): one record
    per subject, all in one trace, written in one statement in the caller's transaction."""
    now = timezone.now()
    common = {
        "trace_id": secrets.token_hex(16),
        "name": name,
        "start_time": started_at or now,
        "end_time": now,
        "status_code": ProcessingRecord.Status.OK.value,
        "processing_activity_id": activity,
        "organisation": actor.organisation,
        "actor_kind": actor.kind,
        "actor_hash": subject_hash(actor.subject) if actor.subject else "",
        "on_behalf_of_hash": subject_hash(actor.on_behalf_of) if actor.on_behalf_of else "",
        "data_categories": list(data_categories),
    }
    records = [
        common
        | {
            "span_id": secrets.token_hex(8),
            "data_subject_hash": subject_hash(subject),
            "data_subject_ciphertext": encrypt_subject(subject),
            "data_subject_id_type": "BSN" if subject.scheme == "bsn" else "eIDAS",
        }
        for subject in subjects
    ]
    if records and connection.vendor == "postgresql":
        _copy_records(records)
    else:
        ProcessingRecord.objects.bulk_create(
            [ProcessingRecord(**record) for record in records], batch_size=2000
        )


def _copy_records(records: list[dict[str, Any]]) -> None:
    """Write the records with COPY (PostgreSQL): a bulk send writes thousands at once."""
    fields = [field for field in ProcessingRecord._meta.concrete_fields if not field.primary_key]
    defaults = {field.attname: field.get_default() for field in fields}
    as_json = {field.attname for field in fields if isinstance(field, models.JSONField)}
    columns = ", ".join(connection.ops.quote_name(str(field.column)) for field in fields)
    table = ProcessingRecord._meta.db_table
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for record in records:
            values = defaults | record
            copy.write_row([json.dumps(values[n]) if n in as_json else values[n] for n in defaults])


def records_about(subject: Subject) -> list[ProcessingRecord]:
    """All processing records about `subject`, newest first."""
    return list(ProcessingRecord.objects.filter(data_subject_hash=subject_hash(subject)))
