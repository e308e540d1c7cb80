"""The rows of new messages and how they are written: on PostgreSQL with COPY (the usual case,
no idempotency key taken yet), else through the ORM, skipping keys that are taken either way.

The rows are made as they are written (see `sending._Candidate`): while this process formats
the next rows, the database is already storing the ones before them."""

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from enum import Enum
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.conf import settings
from django.db import connection, transaction
from psycopg.errors import UniqueViolation

from lifegate.catalogue.models import PublicOrganisation
from lifegate.inbox.models import Message
from lifegate.inbox.send_checks import CATEGORIES
from lifegate.journeys.models import AgencyClient

if TYPE_CHECKING:
    from lifegate.inbox.sending import _Candidate


def expires_at(category: str, now: datetime) -> datetime:
    """When a message of `category` sent `now` is removed (the category's retention)."""
    return now + timedelta(days=settings.INBOX_RETENTION_DAYS.get(category, 365))


# The columns a send sets, in the order of a `Rows` row; the others keep their defaults.
COLUMNS = (
    "id", "idempotency_key", "recipient_hash", "recipient_sealed", "organisation_id",
    "sender_client_id", "request_hash", "subject", "body", "category", "language",
    "action_required_by", "step_id", "sent_at", "expires_at",
)  # fmt: skip
Row = tuple[Any, ...]


class Rows:
    """The rows of new messages for `COLUMNS`, in idempotency key order, each made as it is
    read: reading them is writing them to the database (see `sending._Candidate`)."""

    def __init__(
        self,
        organisation: PublicOrganisation,
        candidates: "list[_Candidate]",
        client: AgencyClient | None,
        now: datetime,
    ) -> None:
        self.candidates = sorted(candidates, key=lambda c: c.new.idempotency_key)
        self.organisation_id = organisation.pk
        self.sender_id = client.pk if client else None
        self.now = now
        self.expiry = {category: expires_at(category, now) for category in CATEGORIES}

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
        Written out per column: a generic `copy_text` per value costs more than psycopg."""
        organisation = copy_text(self.organisation_id)
        sender = copy_text(self.sender_id)
        now = copy_text(self.now)
        expiry = {category: copy_text(at) for category, at in self.expiry.items()}
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
                copy_text(new.action_required_by),
                copy_text(c.step_id),
                now,
                expiry[new.category],
            )
            yield "\t".join(values) + tail


def insert(rows: Rows) -> set[UUID] | None:
    """Insert the rows, skipping those whose key (or id) is taken. On PostgreSQL, returns the
    ids inserted; elsewhere None (not known)."""
    if connection.vendor != "postgresql":
        insert_with_orm(rows)
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


def insert_with_orm(rows: Rows) -> None:
    """Insert the rows through the ORM (other databases than PostgreSQL), skipping taken keys."""
    messages = [Message(**dict(zip(COLUMNS, row, strict=True))) for row in rows]
    Message.objects.bulk_create(messages, ignore_conflicts=True)


def _insert_unless_taken(rows: Rows) -> set[UUID]:
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
    """The message table's columns: `COLUMNS` first, then the others."""
    by_name = {field.attname: str(field.column) for field in Message._meta.concrete_fields}
    return [by_name[name] for name in COLUMNS] + [
        column for name, column in by_name.items() if name not in COLUMNS
    ]


def _copy_messages(cursor: Any, table: str, rows: Rows) -> None:
    """COPY the rows into `table`, with the model's defaults for the columns a send leaves.

    The rows are written in COPY's text format here (`Rows.copy_lines`), in chunks: psycopg's
    `write_row` takes about twice as long per message, and while this process formats the
    rows the database is already storing the ones before them."""
    template = Message()
    tail = "".join(
        "\t" + copy_text(_plain(getattr(template, field.attname)))
        for field in Message._meta.concrete_fields
        if field.attname not in COLUMNS
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


def copy_text(value: Any) -> str:
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
