"""The checks a message passes before it is sent, none of which needs the database, and the
RFC 9457 problem details each refusal of one message of a batch gets (`sending` applies them
and adds those that do: an unknown recipient or submission, a key used before)."""

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext as _

from lifegate.core.problems import PROBLEM_TYPE_BASE
from lifegate.inbox.models import Category
from lifegate.inbox.rendering import markdown_problem

if TYPE_CHECKING:
    from lifegate.inbox.sending import NewAttachment, NewMessage

LANGUAGES = ("nl", "en")
CATEGORIES = frozenset(Category.values)
PDF_MAGIC = b"%PDF-"
PDF_TYPE = "application/pdf"
# As in message bodies: characters no text of a message may contain (the database refuses NUL,
# and an unpaired surrogate has no UTF-8 encoding: either would fail the whole batch).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
# Keys of the messages lifegate sends itself (journey news); agencies cannot use them.
SYSTEM_KEY_PREFIX = "lifegate:"


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


def check_attachment(attachment: "NewAttachment", number: int) -> Problem | None:
    """Size and type of the message's attachment `number` (counted from 1). The problem names
    it by that number, never by its file name, which may well hold a name or a BSN."""
    if len(attachment.content) > settings.INBOX_ATTACHMENT_MAX_BYTES:
        return Problem(
            413,
            _("Attachment too large"),
            _("Attachment %(number)d is %(size)d bytes; at most %(max)d bytes are accepted.")
            % {
                "number": number,
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
            _(
                "Attachment %(number)d is not a PDF: attachments must be PDF files "
                "(application/pdf) with a name ending in .pdf."
            )
            % {"number": number},
            "attachment-type",
        )
    return None


def check_message(message: "NewMessage") -> Problem | None:
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
    for number, attachment in enumerate(message.attachments, start=1):
        problem = check_attachment(attachment, number)
        if problem:
            return problem
    if not message.recipient.value.isprintable():
        # No registered identifier has such characters, and the register cannot be asked.
        return unknown_recipient()
    return None


def unknown_recipient() -> Problem:
    return Problem(
        404,
        _("Unknown recipient"),
        _("No registered person has this identifier."),
        "unknown-recipient",
    )


def unknown_submission() -> Problem:
    return Problem(
        422,
        _("Unknown submission"),
        _("The linked submission was not made to your organisation by this recipient."),
        "unknown-submission",
    )


def reserved_key() -> Problem:
    return Problem(
        422,
        _("Reserved idempotency key"),
        _("Idempotency keys starting with %(prefix)s are reserved for lifegate itself.")
        % {"prefix": SYSTEM_KEY_PREFIX},
        "malformed-message",
    )


def storage_full() -> Problem:
    return Problem(
        507,
        _("Attachment storage full"),
        _(
            "The attachments could not be stored because the storage is full. Nothing of "
            "this message was kept; send it again later with the same idempotency key."
        ),
        "attachment-storage-full",
    )


def key_conflict() -> Problem:
    return Problem(
        422,
        _("Idempotency key already used"),
        _("This idempotency key was used before for a different message."),
        "idempotency-key-reused",
    )
