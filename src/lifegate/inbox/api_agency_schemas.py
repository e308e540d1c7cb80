"""Shapes of the agency messages API (/api/agency/messages/): what an agency sends, what it
gets back, and the problems each operation documents. How the endpoints read request bodies
is `inbox.api_agency_input`'s."""

import base64
import binascii
from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from django.conf import settings
from ninja import Field, Schema
from ninja.schema import NinjaGenerateJsonSchema
from pydantic import BaseModel, BeforeValidator, ValidationError, WithJsonSchema

from lifegate.core.problem_schema import Problem as ProblemOut
from lifegate.core.problems import PROBLEM_CONTENT_TYPE
from lifegate.core.subject import Subject
from lifegate.inbox.services import NewAttachment, NewMessage
from lifegate.journeys.api_agency_schemas import CursorQuery

CategoryName = Literal[
    "decision", "information-request", "payment", "announcement", "journey-update"
]
NotificationStateName = Literal["pending", "sent", "skipped"]
OutcomeName = Literal["created", "duplicate", "rejected"]
NDJSON_CONTENT_TYPE = "application/x-ndjson"
EXAMPLE_ID = "0b6d7f3e-5c1a-4e8f-9d2b-7a4c6e1f3b58"

_PROBLEM_DESCRIPTIONS = {
    400: "Not the documented shape: unreadable JSON, a missing `Idempotency-Key`, a missing "
    "or mistyped field, invalid base64, a bad cursor (problem details with `errors`).",
    401: "Missing, unknown or inactive client credential (problem details; the response "
    "carries `WWW-Authenticate: Bearer`).",
    403: "The client lacks the `messages` scope (problem details).",
    404: "No such message of this client's organisation, or (when sending) no registered "
    "person with the recipient's identifier (problem details).",
    411: "A chunked upload the server cannot read: send a Content-Length (problem details).",
    413: "Too large: the request body, the number of messages, or an attachment (problem details).",
    415: "Wrong content type: of the request, or an attachment that is not a PDF "
    "(problem details).",
    422: "A message that cannot be sent: an empty or too long subject, HTML or control "
    "characters in the body, an unknown submission, or an idempotency key used before for "
    "a different message (problem details).",
    507: "The attachment storage is full: nothing of the message was stored; send it again "
    "later with the same `Idempotency-Key` (problem details).",
}


def problem_responses(*statuses: int) -> dict[str, Any]:
    """OpenAPI `responses` entries for error statuses, served as `application/problem+json`."""
    schema = ProblemOut.model_json_schema(schema_generator=NinjaGenerateJsonSchema)
    content = {PROBLEM_CONTENT_TYPE: {"schema": schema}}
    return {
        "responses": {
            status: {"description": _PROBLEM_DESCRIPTIONS[status], "content": content}
            for status in statuses
        }
    }


def inline_json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema with its nested models written out in place: a request body
    read by the endpoint itself is not among the components ninja collects."""
    schema = model.model_json_schema(schema_generator=NinjaGenerateJsonSchema)
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, list):
            return [resolve(item) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            rest = {key: value for key, value in node.items() if key != "$ref"}
            return resolve(definitions[node["$ref"].rsplit("/", 1)[-1]]) | resolve(rest)
        return {key: resolve(value) for key, value in node.items()}

    return resolve(schema)


def field_errors(exc: ValidationError) -> list[dict[str, str]]:
    """Each validation error's `location` and `message`, as in every lifegate problem."""
    # Without the input: an error must never repeat a BSN.
    return [
        {"location": ".".join(str(part) for part in error["loc"]), "message": error["msg"]}
        for error in exc.errors(include_url=False, include_input=False, include_context=False)
    ]


# Sending ----------------------------------------------------------------------------------


def _decode_base64(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error:
        raise ValueError("not valid base64") from None


Base64Content = Annotated[
    bytes,
    BeforeValidator(_decode_base64),
    WithJsonSchema({"type": "string", "contentEncoding": "base64"}),
]


class RecipientIn(BaseModel):
    """The person the message is for: a BSN or an eIDAS person identifier."""

    scheme: Literal["bsn", "eidas"] = Field(examples=["bsn"])
    value: str = Field(max_length=200, examples=["999990019"])


class AttachmentIn(BaseModel):
    """A PDF attached to the message."""

    filename: str = Field(max_length=200, examples=["aanslag-2026.pdf"])
    content_type: str = Field(
        max_length=100,
        examples=["application/pdf"],
        description="Must be `application/pdf` (any other type, or content that is not a "
        "PDF, is a 415).",
    )
    content: Base64Content = Field(
        description="The file, base64-encoded; at most `LIFEGATE_INBOX_ATTACHMENT_MAX_BYTES` "
        "(10 MiB) once decoded, or a 413."
    )


class MessageIn(BaseModel):
    """One message to one person."""

    recipient: RecipientIn
    subject: str = Field(
        description="1 to 200 characters.", examples=["Uw aanslag inkomstenbelasting 2026"]
    )
    body: str = Field(
        description="CommonMark (Markdown); raw HTML is refused (422). At most "
        "`LIFEGATE_INBOX_BODY_MAX_CHARS` characters.",
        examples=["Wij hebben uw **aangifte** ontvangen. De aanslag staat in de bijlage."],
    )
    category: CategoryName = Field(
        description="Sets how long the message is kept.", examples=["decision"]
    )
    language: Literal["nl", "en"] = Field("nl", description="The language it is written in.")
    action_required_by: date | None = Field(
        None,
        description="The date by which the person must act; the message then gets a reminder "
        "and is reported back when still unread.",
    )
    submission_id: UUID | None = Field(
        None,
        description="A submission this person made to your organisation: the message is "
        "shown with that step of their journey (422 for any other submission).",
    )
    attachments: list[AttachmentIn] = Field(default_factory=list)

    def to_new_message(self, idempotency_key: str) -> NewMessage:
        """The message as the sending service takes it."""
        return NewMessage(
            recipient=Subject(self.recipient.scheme, self.recipient.value),
            subject=self.subject,
            body=self.body,
            category=self.category,
            idempotency_key=idempotency_key,
            language=self.language,
            action_required_by=self.action_required_by,
            submission_id=self.submission_id,
            attachments=tuple(
                NewAttachment(a.filename, a.content_type, a.content) for a in self.attachments
            ),
        )


class BulkMessageIn(MessageIn):
    """One message of a bulk send or stream, with its own idempotency key."""

    idempotency_key: str = Field(
        description="Unique per message within your organisation (1 to 200 printable "
        "characters): sending it again never makes a second message.",
        examples=["aanslag-2026-000123"],
    )


class BulkSendIn(BaseModel):
    """Messages to send in one request."""

    messages: list[BulkMessageIn] = Field(max_length=settings.INBOX_BULK_MAX_MESSAGES)


class SendResultOut(Schema):
    """What became of one message of a bulk send."""

    index: int = Field(description="Its position in `messages`, from 0.")
    idempotency_key: str | None = Field(
        None,
        description="As sent; left out of a rejection when the message had none that could "
        "be one (missing, not text, or over 200 characters): results never repeat other input.",
    )
    outcome: OutcomeName
    message_id: UUID | None = Field(None, description="For `created` and `duplicate`.")
    problem: ProblemOut | None = Field(None, description="For `rejected`: why.")


class BulkSendOut(Schema):
    """The outcome of a bulk send: counts, and one result per message in request order."""

    created: int
    duplicates: int
    rejected: int
    results: list[SendResultOut]


# Status -----------------------------------------------------------------------------------


class MessageQuery(CursorQuery):
    """Filters for the list of sent messages."""

    state: Literal["unread", "read"] | None = Field(
        None, description="Only messages the person has (`read`) or has not (`unread`) opened."
    )
    unread_reported: bool | None = Field(
        None,
        description="`true`: only messages lifegate reported as still unread after the "
        "reminder (send those on paper); combine with `state=unread` for those still unread "
        "now. `false`: only messages never reported.",
    )
    since: datetime | None = Field(None, description="Only messages sent at or after this time.")


class Progress(Schema):
    """How far the message got: stored in the message box, the person notified (by e-mail,
    if they want that), reminded, read; and whether lifegate reported it to you as unread."""

    delivered: bool
    notified: bool
    reminded: bool
    read: bool
    unread_reported: bool


class MessageStatusOut(Schema):
    """A sent message and how far it got. Never names the recipient."""

    id: UUID = Field(examples=[EXAMPLE_ID])
    idempotency_key: str
    category: CategoryName
    subject: str
    sent_at: datetime
    action_required_by: date | None
    notification_state: NotificationStateName = Field(
        description="`skipped`: the person has no confirmed e-mail address or wants none."
    )
    notified_at: datetime | None
    reminded_at: datetime | None = Field(
        description="When the reminder period ended while the message was unread; the unread "
        "report follows from it. A reminder e-mail went out then only if `status.reminded` "
        "(not when the person has no confirmed address or wants no e-mail)."
    )
    read_at: datetime | None
    read_by: Literal["recipient", "representative"] | None = Field(
        description="Who opened it first: the `recipient`, or a `representative` acting on "
        "their behalf (authorised by them, or a parent for a minor child); who that was is "
        "never told. Null while unread.",
        examples=["recipient"],
    )
    unread_reported_at: datetime | None
    expires_at: datetime = Field(description="When the message is removed from the box.")
    status: Progress

    @staticmethod
    def resolve_read_by(message: Any) -> str | None:
        if message.unread:
            return None
        return "representative" if message.read_on_behalf else "recipient"

    @staticmethod
    def resolve_status(message: Any) -> dict[str, bool]:
        return {
            "delivered": True,
            "notified": message.notification_state == "sent",
            "reminded": message.reminder_sent,
            "read": not message.unread,
            "unread_reported": message.unread_reported_at is not None,
        }


class MessagePage(Schema):
    """A page of sent messages, oldest first."""

    results: list[MessageStatusOut]
    next_cursor: str | None = Field(description="Pass as `after` for the next page; null: end.")
    next: str | None = Field(description="The next page's URL; null at the end.")
