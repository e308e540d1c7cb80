"""Sending messages: each message is checked on its own, the valid ones are stored once per
idempotency key, counted in the recipient's mailbox, recorded in the processing log, and
handed to the notification tasks (`send_tasks`: with the database task backend, in the same
transaction).

A batch never fails as a whole for one bad message: every message gets its own outcome
(created, duplicate, or rejected with RFC 9457 problem details)."""

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import cached_property
from json.encoder import encode_basestring_ascii as _json_string
from uuid import UUID

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from lifegate.catalogue.models import PublicOrganisation
from lifegate.core.storage import StorageFull, save_new_file
from lifegate.core.subject import Subject
from lifegate.inbox import send_checks, send_rows, send_tasks
from lifegate.inbox.models import Attachment, Mailbox, Message, attachment_storage
from lifegate.inbox.send_checks import SYSTEM_KEY_PREFIX, Problem
from lifegate.journeys.models import AgencyClient, Submission
from lifegate.registries.services import registered_subjects
from lifegate.transparency.services import (
    Actor,
    SealedSubject,
    record_processing_many,
    seal_subject,
)

SEND_ACTIVITY = "inbox-delivery"
# Messages per transaction: a whole bulk request, so that it is stored completely or not at all.
INSERT_BATCH = 10_000


@dataclass(frozen=True)
class NewAttachment:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class NewMessage:
    """One message as an agency hands it over, before any check."""

    recipient: Subject
    subject: str
    body: str
    category: str
    idempotency_key: str
    language: str = "nl"
    action_required_by: date | None = None
    # A submission of the sending organisation: the message links to its journey step.
    submission_id: UUID | None = None
    attachments: tuple[NewAttachment, ...] = ()

    def fingerprint(self) -> str:
        """What was sent under the idempotency key, to tell a repeat from a conflicting reuse.

        The SHA-256 of `json.dumps(content, sort_keys=True)` of the message's fields, as stored
        with every message sent so far; written out by hand because a bulk send takes it of
        every message, and json.dumps costs several times more."""
        attachments = ", ".join(
            f"[{_json_string(a.filename)}, {_json_string(a.content_type)}, "
            f'"{hashlib.sha256(a.content).hexdigest()}"]'
            for a in self.attachments
        )
        recipient = self.recipient
        content = (
            f'{{"action_required_by": {_json_string(str(self.action_required_by or ""))}, '
            f'"attachments": [{attachments}], "body": {_json_string(self.body)}, '
            f'"category": {_json_string(self.category)}, '
            f'"language": {_json_string(self.language)}, '
            f'"recipient": {{"scheme": {_json_string(recipient.scheme)}, '
            f'"value": {_json_string(recipient.value)}}}, '
            f'"subject": {_json_string(self.subject)}, '
            f'"submission_id": {_json_string(str(self.submission_id or ""))}}}'
        )
        return hashlib.sha256(content.encode()).hexdigest()


class Outcome(StrEnum):
    CREATED = "created"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


@dataclass
class SendResult:
    index: int
    idempotency_key: str
    outcome: Outcome
    message_id: UUID | None = None
    problem: Problem | None = None


@dataclass
class _Candidate:
    """A message that passed the checks. Its id, fingerprint and sealed recipient are made
    when first needed: for most messages that is while they are written to the database,
    which then works on the rows before them in the meantime."""

    index: int
    new: NewMessage
    step_id: int | None = None

    @cached_property
    def row_id(self) -> UUID:
        return uuid.uuid4()

    @cached_property
    def fingerprint(self) -> str:
        return self.new.fingerprint()

    @cached_property
    def recipient(self) -> SealedSubject:
        """The recipient's hash and ciphertext, for the message and its processing record."""
        return seal_subject(self.new.recipient)

    @property
    def recipient_hash(self) -> str:
        return self.recipient.hash


# Sending -----------------------------------------------------------------------------------


def send_messages(
    organisation: PublicOrganisation,
    messages: Sequence[NewMessage],
    *,
    actor: Actor,
    client: AgencyClient | None = None,
    recipients_known: bool = False,
) -> list[SendResult]:
    """Send `messages` from `organisation`; one result per message, in the same order.

    Valid messages are stored even when others in the batch are rejected. A message whose
    idempotency key was used before by the organisation is not stored again: it is a
    duplicate (same content) or rejected (different content). Recipients must be registered
    persons, unless lifegate itself vouches for them (`recipients_known`: news about a journey
    goes to the person who started it, who may be an EU citizen outside the register)."""
    results: list[SendResult | None] = [None] * len(messages)
    candidates: list[_Candidate] = []
    for index, message in enumerate(messages):
        problem = send_checks.check_message(message)
        if not problem and client and message.idempotency_key.startswith(SYSTEM_KEY_PREFIX):
            problem = send_checks.reserved_key()
        if problem:
            results[index] = _rejected(index, message, problem)
        else:
            candidates.append(_Candidate(index, message))
    recipients = {c.new.recipient for c in candidates}
    known = recipients if recipients_known else registered_subjects(recipients)
    valid = []
    for candidate in candidates:
        if candidate.new.recipient not in known:
            results[candidate.index] = _rejected(
                candidate.index, candidate.new, send_checks.unknown_recipient()
            )
        else:
            valid.append(candidate)
    valid = _link_steps(organisation, valid, results)
    for start in range(0, len(valid), INSERT_BATCH):
        _store(organisation, valid[start : start + INSERT_BATCH], results, actor, client)
    return [result for result in results if result is not None]


def send_message(
    organisation: PublicOrganisation,
    message: NewMessage,
    *,
    actor: Actor,
    client: AgencyClient | None = None,
    recipients_known: bool = False,
) -> SendResult:
    """Send one message; see `send_messages`."""
    return send_messages(
        organisation, [message], actor=actor, client=client, recipients_known=recipients_known
    )[0]


def _rejected(index: int, message: NewMessage, problem: Problem) -> SendResult:
    return SendResult(index, message.idempotency_key, Outcome.REJECTED, problem=problem)


def _link_steps(
    organisation: PublicOrganisation,
    candidates: list[_Candidate],
    results: list[SendResult | None],
) -> list[_Candidate]:
    """Resolve submission links to journey steps; a submission of another organisation or
    another person rejects the message."""
    wanted = {c.new.submission_id for c in candidates if c.new.submission_id}
    submissions = {
        row["id"]: row
        for row in Submission.objects.filter(pk__in=wanted, organisation=organisation).values(
            "id", "step_id", "subject_hash"
        )
    }
    kept = []
    for candidate in candidates:
        submission_id = candidate.new.submission_id
        if submission_id is None:
            kept.append(candidate)
            continue
        row = submissions.get(submission_id)
        if row is None or row["subject_hash"] != candidate.recipient_hash:
            results[candidate.index] = _rejected(
                candidate.index, candidate.new, send_checks.unknown_submission()
            )
        else:
            candidate.step_id = row["step_id"]
            kept.append(candidate)
    return kept


def _store(
    organisation: PublicOrganisation,
    candidates: list[_Candidate],
    results: list[SendResult | None],
    actor: Actor,
    client: AgencyClient | None,
) -> None:
    """Insert one chunk; whatever the insert did not create is a repeat of an earlier send."""
    now = timezone.now()
    written: list[str] = []
    created: list[_Candidate] = []
    committed = False
    try:
        with transaction.atomic():
            inserted = send_rows.insert(send_rows.Rows(organisation, candidates, client, now))
            created = _sort_outcomes(organisation, candidates, results, inserted)
            if created:
                _save_attachments(created, written)
                _count_in_mailboxes(created, now)
                record_processing_many(
                    name="inbox.send",
                    subjects=[c.recipient for c in created],
                    activity=SEND_ACTIVITY,
                    actor=actor,
                    data_categories=("message",),
                    started_at=now,
                )
                send_tasks.queue_notifications([str(c.row_id) for c in created])
        committed = True
    except StorageFull:
        # The whole chunk was rolled back: none of its new messages exists, so neither they
        # nor repeats of them within the chunk were sent.
        lost = {candidate.row_id for candidate in created}
        for candidate in candidates:
            result = results[candidate.index]
            if result is not None and result.message_id in lost:
                results[candidate.index] = _rejected(
                    candidate.index, candidate.new, send_checks.storage_full()
                )
    finally:
        if not committed:  # the rows are gone, so their files must go too
            _delete_files(written)


def _delete_files(names: list[str]) -> None:
    storage = attachment_storage()
    for name in names:
        storage.delete(name)


def _sort_outcomes(
    organisation: PublicOrganisation,
    candidates: list[_Candidate],
    results: list[SendResult | None],
    inserted: set[UUID] | None,
) -> list[_Candidate]:
    """Set each candidate's outcome from the rows now holding its key; returns the created.
    `inserted` (if known) are the ids the insert wrote: only the other keys are looked up."""
    inserted = inserted or set()
    looked_up = {c.new.idempotency_key for c in candidates if c.row_id not in inserted}
    stored: dict[str, tuple[UUID, str]] = {}
    if looked_up:
        rows = Message.objects.filter(organisation=organisation, idempotency_key__in=looked_up)
        for key, row_id, fingerprint in rows.values_list("idempotency_key", "id", "request_hash"):
            stored[key] = (row_id, fingerprint)
    created = []
    for candidate in candidates:
        index, key = candidate.index, candidate.new.idempotency_key
        if candidate.row_id in inserted:
            row_id, fingerprint = candidate.row_id, candidate.fingerprint
        else:
            row_id, fingerprint = stored[key]
        if row_id == candidate.row_id:
            created.append(candidate)
            results[index] = SendResult(index, key, Outcome.CREATED, message_id=row_id)
        elif fingerprint == candidate.fingerprint:
            results[index] = SendResult(index, key, Outcome.DUPLICATE, message_id=row_id)
        else:
            results[index] = _rejected(index, candidate.new, send_checks.key_conflict())
    return created


def _save_attachments(created: list[_Candidate], written: list[str]) -> None:
    """Write the attachments to the private storage, adding each name to `written` (so that a
    failed transaction can remove them again). Raises StorageFull when the storage has no
    room; the file it was writing is removed, not left half-written."""
    storage = attachment_storage()
    rows = []
    for candidate in created:
        for new in candidate.new.attachments:
            attachment_id = uuid.uuid4()
            name = f"inbox/{timezone.now():%Y/%m}/{attachment_id}.pdf"
            name = save_new_file(storage, name, ContentFile(new.content))
            written.append(name)
            rows.append(
                Attachment(
                    id=attachment_id,
                    message_id=candidate.row_id,
                    filename=new.filename,
                    content_type=new.content_type,
                    size=len(new.content),
                    sha256=hashlib.sha256(new.content).hexdigest(),
                    file=name,
                )
            )
    Attachment.objects.bulk_create(rows)


def _count_in_mailboxes(created: list[_Candidate], now: datetime) -> None:
    """Add the new messages to each recipient's counters: one upsert per recipient, in a
    fixed order so that concurrent batches cannot deadlock on the same mailboxes."""
    per_recipient: dict[str, int] = {}
    for candidate in created:
        per_recipient[candidate.recipient_hash] = per_recipient.get(candidate.recipient_hash, 0) + 1
    recipients = sorted(per_recipient)
    counts = [per_recipient[recipient] for recipient in recipients]
    notify = Mailbox.Notify.EVERY.value
    stamp = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # All recipients in one statement, in the same fixed order. Hashes (hex) and counts
            # go as comma-separated text: as arrays, psycopg would quote them one by one.
            cursor.execute(
                _mailbox_upsert(
                    "SELECT recipient, added, added, '', '', %s, 'nl', %s FROM"
                    " unnest(string_to_array(%s, ','), string_to_array(%s, ',')::integer[])"
                    " AS new (recipient, added) ORDER BY recipient"
                ),
                [notify, stamp, ",".join(recipients), ",".join(map(str, counts))],
            )
        else:
            cursor.executemany(
                _mailbox_upsert("VALUES (%s, %s, %s, '', '', %s, 'nl', %s)"),
                [(r, n, n, notify, stamp) for r, n in zip(recipients, counts, strict=True)],
            )


def _mailbox_upsert(rows: str) -> str:
    """INSERT of new mailboxes from `rows` that adds to the counters of existing ones."""
    table = Mailbox._meta.db_table
    return (
        f"INSERT INTO {table} (recipient_hash, unread_count, message_count, email_sealed,"
        f" pending_email_sealed, notify, notify_language, updated_at) {rows}"
        " ON CONFLICT (recipient_hash) DO UPDATE SET"
        f" unread_count = {table}.unread_count + excluded.unread_count,"
        f" message_count = {table}.message_count + excluded.message_count,"
        " updated_at = excluded.updated_at"
    )
