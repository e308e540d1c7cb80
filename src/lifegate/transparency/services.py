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
from operator import itemgetter
from typing import Any, Literal

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import connection, models
from django.utils import timezone

from lifegate.core import statements
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


@lru_cache(maxsize=16)
def _cipher(key: bytes) -> AESGCM:
    # One per key: a bulk send encrypts tens of thousands of subjects with the same key.
    return AESGCM(key)


@dataclass(frozen=True)
class ForeignOperation:
    """The Logboek Dataverwerkingen `foreign_operation`: the operation in another organisation
    or node this one belongs to (its trace and span), and that organisation's URI."""

    trace_id: str
    span_id: str
    entity: str


def subject_hash(subject: Subject) -> str:
    """Keyed hash of a subject, for finding a person's records without storing the identifier."""
    message = f"{subject.scheme}:{subject.value}".encode()
    return hmac.digest(_key(b"subject-hash"), message, "sha256").hex()


def encrypt_subject(subject: Subject) -> str:
    """AES-GCM ciphertext of the subject identifier (nonce prepended, base64)."""
    nonce = os.urandom(12)
    message = f"{subject.scheme}:{subject.value}".encode()
    sealed = _cipher(_key(b"subject-encryption")).encrypt(
        nonce, message, b"dpl.core.data_subject_id"
    )
    return base64.b64encode(nonce + sealed).decode()


@dataclass(frozen=True)
class SealedSubject:
    """A subject with its keyed hash and ciphertext (`subject_hash`, `encrypt_subject`), for
    an operation that stores them beside its processing record: computed once, used for both."""

    subject: Subject
    hash: str
    ciphertext: str


def seal_subject(subject: Subject) -> SealedSubject:
    """`subject` with its hash and a fresh ciphertext."""
    return SealedSubject(subject, subject_hash(subject), encrypt_subject(subject))


def decrypt_subject(ciphertext: str) -> Subject:
    """Inverse of `encrypt_subject`."""
    raw = base64.b64decode(ciphertext)
    plain = _cipher(_key(b"subject-encryption")).decrypt(
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
    foreign: ForeignOperation | None = None,
) -> ProcessingRecord:
    """Record one processing operation on `subject`'s data for processing activity `activity`.
    `foreign` links it to the operation in another node that asked for it or answered it.

    Must be called inside the operation's own transaction (it joins the current one; being
    one INSERT, it needs no savepoint of its own)."""
    now = timezone.now()
    record = ProcessingRecord(
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
        foreign_trace_id=foreign.trace_id if foreign else "",
        foreign_span_id=foreign.span_id if foreign else "",
        foreign_entity=foreign.entity if foreign else "",
    )
    # One INSERT made once (see core.statements): every read of personal data writes one.
    statements.insert(record)
    return record


def record_processing_many(
    *,
    name: str,
    subjects: Sequence[Subject | SealedSubject],
    activity: str,
    actor: Actor,
    data_categories: Sequence[str],
    started_at: datetime | None = None,
) -> None:
    """`record_processing` for one operation on many subjects at once (a bulk send): one record
    per subject, all in one trace, written in one statement in the caller's transaction. A
    subject the caller has already sealed (`seal_subject`) is recorded with that hash and
    ciphertext instead of being hashed and encrypted again."""
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
    if subjects and connection.vendor == "postgresql":
        _copy_records(common, subjects)
    else:
        records = [
            ProcessingRecord(**common, **dict(zip(_VARYING, _varying(subject), strict=True)))
            for subject in subjects
        ]
        ProcessingRecord.objects.bulk_create(records, batch_size=2000)


# What differs between the records of one `record_processing_many`.
_VARYING = ("span_id", "data_subject_hash", "data_subject_ciphertext", "data_subject_id_type")


def _varying(subject: Subject | SealedSubject) -> tuple[str, str, str, str]:
    sealed = subject if isinstance(subject, SealedSubject) else seal_subject(subject)
    id_type = "BSN" if sealed.subject.scheme == "bsn" else "eIDAS"
    return (secrets.token_hex(8), sealed.hash, sealed.ciphertext, id_type)


def _copy_records(common: dict[str, Any], subjects: Sequence[Subject | SealedSubject]) -> None:
    """Write the records with COPY (PostgreSQL): a bulk send writes thousands at once. The
    columns all records share are converted once. The records go in subject hash order: the
    indexes on the hash then take them in order, which costs the database about a fifth less
    than random order."""
    fields = [field for field in ProcessingRecord._meta.concrete_fields if not field.primary_key]
    shared = [field for field in fields if field.attname not in _VARYING]
    values = {field.attname: field.get_default() for field in shared} | common
    tail = tuple(
        json.dumps(values[field.attname])
        if isinstance(field, models.JSONField)
        else values[field.attname]
        for field in shared
    )
    by_name = {field.attname: field for field in fields}
    columns = ", ".join(
        connection.ops.quote_name(str(field.column))
        for field in [by_name[name] for name in _VARYING] + shared
    )
    table = ProcessingRecord._meta.db_table
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        rows = sorted(map(_varying, subjects), key=itemgetter(1))
        # The span ids (random, like every record's) in ascending order too: the unique index
        # on them then also takes the batch in order instead of at random places.
        for row, span_id in zip(rows, sorted(row[0] for row in rows), strict=True):
            copy.write_row((span_id, *row[1:], *tail))


def records_about(subject: Subject) -> list[ProcessingRecord]:
    """All processing records about `subject`, newest first."""
    return list(ProcessingRecord.objects.filter(data_subject_hash=subject_hash(subject)))
