"""Sending messages: each message is checked on its own, the valid ones are stored once per
idempotency key, counted in the recipient's mailbox, recorded in the processing log, and
handed to the notification task after the transaction commits.

A batch never fails as a whole for one bad message: every message gets its own outcome
(created, duplicate, or rejected with RFC 9457 problem details)."""

import errno
import hashlib
import re
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum, StrEnum
from functools import cached_property
from json.encoder import encode_basestring_ascii as _json_string
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg.errors import UniqueViolation

from lifegate.catalogue.models import PublicOrganisation
from lifegate.core.problems import PROBLEM_TYPE_BASE
from lifegate.core.subject import Subject
from lifegate.inbox.models import Attachment, Category, Mailbox, Message, attachment_storage
from lifegate.inbox.rendering import markdown_problem
from lifegate.journeys.models import AgencyClient, Submission
from lifegate.registries.services import registered_subjects
from lifegate.transparency.services import (
    Actor,
    SealedSubject,
    record_processing_many,
    seal_subject,
)

SEND_ACTIVITY = "inbox-delivery"
LANGUAGES = ("nl", "en")
CATEGORIES = frozenset(Category.values)
PDF_MAGIC = b"%PDF-"
PDF_TYPE = "application/pdf"
# As in message bodies: characters no text of a message may contain (the database refuses NUL,
# which would fail the whole batch).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Messages per transaction: a whole bulk request, so that it is stored completely or not at all.
INSERT_BATCH = 10_000
# Keys of the messages lifegate sends itself (journey news); agencies cannot use them.
SYSTEM_KEY_PREFIX = "lifegate:"


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


@dataclass(frozen=True)
class Problem:
    """RFC 9457 problem details for one message."""

    status: int
    title: str
    detail: str
    slug: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": PROBLEM_TYPE_BASE + self.slug,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }


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


# Checks -----------------------------------------------------------------------------------


def _check_attachment(attachment: NewAttachment) -> Problem | None:
    if len(attachment.content) > settings.INBOX_ATTACHMENT_MAX_BYTES:
        return Problem(
            413,
            _("Attachment too large"),
            _("%(name)s is %(size)d bytes; at most %(max)d bytes are accepted.")
            % {
                "name": attachment.filename,
                "size": len(attachment.content),
                "max": settings.INBOX_ATTACHMENT_MAX_BYTES,
            },
            "attachment-too-large",
        )
    name = attachment.filename
    name_ok = name.lower().endswith(".pdf") and "/" not in name and not _CONTROL.search(name)
    if (
        attachment.content_type != PDF_TYPE
        or not name_ok
        or not attachment.content.startswith(PDF_MAGIC)
    ):
        return Problem(
            415,
            _("Attachment type not accepted"),
            _("%(name)s is not a PDF: attachments must be PDF files (application/pdf).")
            % {"name": attachment.filename[:100]},
            "attachment-type",
        )
    return None


def _check_message(message: NewMessage) -> Problem | None:
    """Checks that need no database: text, category, language, key and attachments."""
    if not message.subject.strip() or len(message.subject) > 200:
        return Problem(
            422,
            _("Malformed subject"),
            _("The subject must be 1 to 200 characters."),
            "malformed-message",
        )
    if _CONTROL.search(message.subject):
        return Problem(
            422,
            _("Malformed subject"),
            _("The subject contains control characters."),
            "malformed-message",
        )
    body_problem = markdown_problem(message.body)
    if body_problem:
        return Problem(422, _("Malformed body"), body_problem, "malformed-message")
    if message.category not in CATEGORIES:
        return Problem(
            422,
            _("Unknown category"),
            _("Use one of: %(categories)s.") % {"categories": ", ".join(Category.values)},
            "malformed-message",
        )
    if message.language not in LANGUAGES:
        return Problem(422, _("Unknown language"), _("Use nl or en."), "malformed-message")
    key = message.idempotency_key
    if not key or len(key) > 200 or not key.isprintable():
        return Problem(
            422,
            _("Malformed idempotency key"),
            _("The idempotency key must be 1 to 200 printable characters."),
            "malformed-message",
        )
    for attachment in message.attachments:
        problem = _check_attachment(attachment)
        if problem:
            return problem
    if not message.recipient.value.isprintable():
        # No registered identifier has such characters, and the register cannot be asked.
        return _unknown_recipient()
    return None


def _unknown_recipient() -> Problem:
    return Problem(
        404,
        _("Unknown recipient"),
        _("No registered person has this identifier."),
        "unknown-recipient",
    )


def _unknown_submission() -> Problem:
    return Problem(
        422,
        _("Unknown submission"),
        _("The linked submission was not made to your organisation by this recipient."),
        "unknown-submission",
    )


def _reserved_key() -> Problem:
    return Problem(
        422,
        _("Reserved idempotency key"),
        _("Idempotency keys starting with %(prefix)s are reserved for lifegate itself.")
        % {"prefix": SYSTEM_KEY_PREFIX},
        "malformed-message",
    )


def _storage_full() -> Problem:
    return Problem(
        507,
        _("Attachment storage full"),
        _(
            "The attachments could not be stored because the storage is full. Nothing of "
            "this message was kept; send it again later with the same idempotency key."
        ),
        "attachment-storage-full",
    )


class AttachmentStorageFull(Exception):
    """Writing an attachment failed for lack of space (ENOSPC, or a quota: EDQUOT)."""


def _key_conflict() -> Problem:
    return Problem(
        422,
        _("Idempotency key already used"),
        _("This idempotency key was used before for a different message."),
        "idempotency-key-reused",
    )


# Sending ----------------------------------------------------------------------------------


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
        problem = _check_message(message)
        if not problem and client and message.idempotency_key.startswith(SYSTEM_KEY_PREFIX):
            problem = _reserved_key()
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
                candidate.index, candidate.new, _unknown_recipient()
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
                candidate.index, candidate.new, _unknown_submission()
            )
        else:
            candidate.step_id = row["step_id"]
            kept.append(candidate)
    return kept


def _expires_at(category: str, now: datetime) -> datetime:
    return now + timedelta(days=settings.INBOX_RETENTION_DAYS.get(category, 365))


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
            inserted = _insert(_Rows(organisation, candidates, client, now))
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
                ids = [str(c.row_id) for c in created]
                # Robust: a failure to enqueue must not undo a committed send. The sweep
                # (`notify_pending`) picks up messages whose task never got queued.
                transaction.on_commit(lambda: _notify_later(ids), robust=True)
        committed = True
    except AttachmentStorageFull:
        # The whole chunk was rolled back: none of its new messages exists, so neither they
        # nor repeats of them within the chunk were sent.
        lost = {candidate.row_id for candidate in created}
        for candidate in candidates:
            result = results[candidate.index]
            if result is not None and result.message_id in lost:
                results[candidate.index] = _rejected(
                    candidate.index, candidate.new, _storage_full()
                )
    finally:
        if not committed:  # the rows are gone, so their files must go too
            _delete_files(written)


def _delete_files(names: list[str]) -> None:
    storage = attachment_storage()
    for name in names:
        storage.delete(name)


# The columns a send sets, in the order of a `_Rows` row; the others keep their defaults.
_COLUMNS = (
    "id", "idempotency_key", "recipient_hash", "recipient_sealed", "organisation_id",
    "sender_client_id", "request_hash", "subject", "body", "category", "language",
    "action_required_by", "step_id", "sent_at", "expires_at",
)  # fmt: skip
Row = tuple[Any, ...]


class _Rows:
    """The rows of new messages for `_COLUMNS`, in idempotency key order, each made as it is
    read: reading them is writing them to the database (see `_Candidate`)."""

    def __init__(
        self,
        organisation: PublicOrganisation,
        candidates: list[_Candidate],
        client: AgencyClient | None,
        now: datetime,
    ) -> None:
        self.candidates = sorted(candidates, key=lambda c: c.new.idempotency_key)
        self.organisation_id = organisation.pk
        self.sender_id = client.pk if client else None
        self.now = now
        self.expiry = {category: _expires_at(category, now) for category in CATEGORIES}

    def __iter__(self) -> Iterator[Row]:
        for c in self.candidates:
            new = c.new
            yield (
                c.row_id,
                new.idempotency_key,
                c.recipient.hash,
                c.recipient.ciphertext,
                self.organisation_id,
                self.sender_id,
                c.fingerprint,
                new.subject.strip(),
                new.body,
                new.category,
                new.language,
                new.action_required_by,
                c.step_id,
                self.now,
                self.expiry[new.category],
            )

    def copy_lines(self, tail: str) -> Iterator[str]:
        """The rows as lines of COPY's text format, each ending in `tail` (the columns a send
        leaves at their defaults, already formatted), values in the order of `__iter__`. Ids,
        hashes and base64 ciphertexts hold no character COPY escapes; the texts are escaped.
        Written out per column: a generic `_copy_text` per value costs more than psycopg."""
        organisation = _copy_text(self.organisation_id)
        sender = _copy_text(self.sender_id)
        now = _copy_text(self.now)
        expiry = {category: _copy_text(at) for category, at in self.expiry.items()}
        for c in self.candidates:
            new = c.new
            values = (
                str(c.row_id),
                _escaped(new.idempotency_key),
                c.recipient.hash,
                c.recipient.ciphertext,
                organisation,
                sender,
                c.fingerprint,
                _escaped(new.subject.strip()),
                _escaped(new.body),
                _escaped(new.category),
                _escaped(new.language),
                _copy_text(new.action_required_by),
                _copy_text(c.step_id),
                now,
                expiry[new.category],
            )
            yield "\t".join(values) + tail


def _insert(rows: _Rows) -> set[UUID] | None:
    """Insert the rows, skipping those whose key (or id) is taken. On PostgreSQL, returns the
    ids inserted; elsewhere None (not known)."""
    if connection.vendor != "postgresql":
        _insert_with_orm(rows)
        return None
    # COPY straight into the table: the usual case, no key taken yet. It fails as a whole on
    # the first key that is taken (sent before, twice in this batch, or by a concurrent send
    # that committed first); then the rows go in again, skipping the taken keys. The rows
    # come in key order, so that concurrent sends of overlapping batches wait for each other
    # instead of deadlocking on each other's keys.
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            _copy_messages(cursor, Message._meta.db_table, rows)
    except UniqueViolation:
        return _insert_unless_taken(rows)
    return {c.row_id for c in rows.candidates}


def _insert_with_orm(rows: _Rows) -> None:
    """Insert the rows through the ORM (other databases than PostgreSQL), skipping taken keys."""
    messages = [Message(**dict(zip(_COLUMNS, row, strict=True))) for row in rows]
    Message.objects.bulk_create(messages, ignore_conflicts=True)


def _insert_unless_taken(rows: _Rows) -> set[UUID]:
    """Insert the rows (in key order) whose key is free; returns the ids inserted."""
    # COPY into a temporary table and one INSERT from it: COPY itself cannot skip conflicts,
    # and per-row INSERTs cost a round of Python and SQL work per message.
    table = Message._meta.db_table
    columns = ", ".join(connection.ops.quote_name(name) for name in _copy_columns())
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE inbox_message_incoming (LIKE {table}) ON COMMIT DROP"
        )
        _copy_messages(cursor, "inbox_message_incoming", rows)
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM inbox_message_incoming"  # noqa: S608
            # Byte order, as Python sorts them for the COPY: the same order on both paths.
            ' ORDER BY idempotency_key COLLATE "C" ON CONFLICT DO NOTHING RETURNING id'
        )
        inserted = {row_id for (row_id,) in cursor.fetchall()}
        # Dropped now rather than at commit: the caller's transaction may send another chunk.
        cursor.execute("DROP TABLE inbox_message_incoming")
    return inserted


def _copy_columns() -> list[str]:
    """The message table's columns: `_COLUMNS` first, then the others."""
    by_name = {field.attname: str(field.column) for field in Message._meta.concrete_fields}
    return [by_name[name] for name in _COLUMNS] + [
        column for name, column in by_name.items() if name not in _COLUMNS
    ]


def _copy_messages(cursor: Any, table: str, rows: _Rows) -> None:
    """COPY the rows into `table`, with the model's defaults for the columns a send leaves.

    The rows are written in COPY's text format here (`_Rows.copy_lines`), in chunks: psycopg's
    `write_row` takes about twice as long per message, and while this process formats the
    rows the database is already storing the ones before them."""
    template = Message()
    tail = "".join(
        "\t" + _copy_text(_plain(getattr(template, field.attname)))
        for field in Message._meta.concrete_fields
        if field.attname not in _COLUMNS
    )
    columns = ", ".join(connection.ops.quote_name(name) for name in _copy_columns())
    with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        lines: list[str] = []
        for line in rows.copy_lines(tail + "\n"):
            lines.append(line)
            if len(lines) == _COPY_CHUNK:
                copy.write("".join(lines))  # encoded as the connection's text
                lines.clear()
        if lines:
            copy.write("".join(lines))


# Rows per write to the COPY stream: about 64 KB of messages of 1 KB.
_COPY_CHUNK = 50
# What COPY's text format escapes in a value: the escape character, the row and column
# separators. The sending checks refuse NUL, which PostgreSQL text cannot hold.
_COPY_ESCAPES = (("\\", "\\\\"), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"))


def _escaped(text: str) -> str:
    """A text in COPY's text format."""
    for char, escaped in _COPY_ESCAPES:
        if char in text:
            text = text.replace(char, escaped)
    return text


def _copy_text(value: Any) -> str:
    """One value in COPY's text format, as PostgreSQL reads it back for the column's type."""
    if isinstance(value, str):
        return _escaped(value)
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, date):  # a datetime too: ISO 8601 with its UTC offset
        return value.isoformat()
    if isinstance(value, int | UUID):
        return str(value)
    raise TypeError(f"no COPY text format for {type(value).__name__}")


def _plain(value: Any) -> Any:
    """A field default as COPY takes it: choices by their value."""
    return value.value if isinstance(value, Enum) else value


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
            results[index] = _rejected(index, candidate.new, _key_conflict())
    return created


def _save_attachments(created: list[_Candidate], written: list[str]) -> None:
    """Write the attachments to the private storage, adding each name to `written` (so that a
    failed transaction can remove them again). Raises AttachmentStorageFull when the storage
    has no room; the file it was writing is removed, not left half-written."""
    storage = attachment_storage()
    rows = []
    for candidate in created:
        for new in candidate.new.attachments:
            attachment_id = uuid.uuid4()
            name = f"inbox/{timezone.now():%Y/%m}/{attachment_id}.pdf"
            try:
                name = storage.save(name, ContentFile(new.content))
            except OSError as error:
                # A fresh random name: whatever is there is this attempt's partial file.
                storage.delete(name)
                if error.errno in (errno.ENOSPC, errno.EDQUOT):
                    raise AttachmentStorageFull from error
                raise
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


def _notify_later(message_ids: list[str]) -> None:
    from lifegate.inbox.tasks import notify_messages

    # One transaction for all the tasks: one commit to wait for instead of one per task. If
    # one fails, none is queued; the sweep queues them all.
    with transaction.atomic():
        for start in range(0, len(message_ids), settings.INBOX_NOTIFY_BATCH):
            notify_messages.enqueue(message_ids[start : start + settings.INBOX_NOTIFY_BATCH])
