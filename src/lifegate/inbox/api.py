"""The person's message box API (`/api/inbox/`): the same operations as the pages, for the
portal's own front ends and apps.

Authenticated by the login session cookie at assurance level substantial, with Django's CSRF
check on every change. The box is the logged-in person's own, or that of the person they act
for in this session; the mandates decision point is asked on every call (reading needs
`inbox.read`, archiving `inbox.manage`) and a refusal is a 403 problem with its `reason`.
Someone else's message is a 404, exactly like an unknown one. Errors are problem details; texts
meant for the person are in their language (Accept-Language or the language cookie)."""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.schema import NinjaGenerateJsonSchema
from pydantic import StrictBool

from lifegate.core.problem_schema import Problem
from lifegate.core.problems import PROBLEM_CONTENT_TYPE, problem_response
from lifegate.identity.api_auth import SubstantialPersonSession
from lifegate.inbox import services
from lifegate.inbox.forms import TEXT_MAX_LENGTH, period_problem
from lifegate.inbox.models import Attachment, Category, Message
from lifegate.inbox.reading import PAGE_SIZE
from lifegate.inbox.views import attachment_response, expires_soon
from lifegate.mandates import acting
from lifegate.mandates.actions import INBOX_MANAGE, INBOX_READ

router = Router(tags=["inbox"], auth=SubstantialPersonSession())

_PROBLEMS = {
    400: "Malformed parameters or body, or a paging cursor that was not handed out.",
    401: "No login session.",
    403: "Login below assurance level substantial, a change without a CSRF token, or "
    "(`not-permitted`, with a `reason`) acting for someone whose authorisation does not cover "
    "this.",
    404: "No such message or attachment, or it is someone else's.",
}


def _problems(*statuses: int) -> dict[str, Any]:
    schema = Problem.model_json_schema(schema_generator=NinjaGenerateJsonSchema)
    content = {PROBLEM_CONTENT_TYPE: {"schema": schema}}
    return {
        "responses": {
            status: {"description": _PROBLEMS[status], "content": content} for status in statuses
        }
    }


# Schemas ----------------------------------------------------------------------------------


class OrganisationOut(Schema):
    slug: str = Field(examples=["belastingdienst"])
    name: str = Field(description="In the request's language.")


class MessageSummaryOut(Schema):
    id: UUID
    subject: str
    organisation: OrganisationOut
    category: Category
    language: str = Field(description="Language the message is written in.", examples=["nl"])
    sent_at: datetime
    unread: bool
    archived: bool
    action_required_by: date | None = Field(
        None, description="The date by which the person must act, if any."
    )
    expires_at: datetime = Field(description="When the message is removed from the box.")
    expires_soon: bool = Field(
        description="An important message that is removed within the warning period."
    )
    url: str = Field(description="The message in this API (opening it marks it read).")


class AttachmentOut(Schema):
    id: UUID
    filename: str = Field(examples=["aanslag.pdf"])
    content_type: str = Field(examples=["application/pdf"])
    size: int = Field(description="In bytes.")
    sha256: str
    download_url: str


class StepOut(Schema):
    journey_id: UUID
    service: str = Field(description="Slug of the step's service in the journey's plan.")
    name: str


class MessageOut(MessageSummaryOut):
    body: str = Field(description="The text as sent, in Markdown (CommonMark).")
    body_html: str = Field(description="The text as safe HTML, sanitised with an allow-list.")
    read_at: datetime | None = None
    step: StepOut | None = Field(None, description="The journey step the message is about.")
    attachments: list[AttachmentOut]


class MessagePageOut(Schema):
    items: list[MessageSummaryOut] = Field(description="Unread first, then newest first.")
    next_cursor: str | None = Field(None, description="Pass as `after` for the next page.")
    previous_cursor: str | None = Field(None, description="Pass as `before` for the previous page.")
    unread_count: int = Field(description="Unread messages in the whole box (inbox + archive).")
    message_count: int = Field(description="All messages in the box.")


class MessageQuery(Schema):
    """Filters (all combine; empty ones do not filter) and keyset paging."""

    q: str = Field("", max_length=TEXT_MAX_LENGTH, description="Words in subject or text.")
    organisation: str = Field("", max_length=80, description="Slug of the sender.")
    category: Category | None = None
    since: date | None = Field(None, description="Sent on or after this day.")
    until: date | None = Field(None, description="Sent on or before this day.")
    archived: bool = Field(False, description="The archive instead of the inbox.")
    after: str | None = Field(None, max_length=300, description="A `next_cursor`.")
    before: str | None = Field(None, max_length=300, description="A `previous_cursor`.")
    size: int = Field(PAGE_SIZE, ge=1, le=settings.API_MAX_PAGE_SIZE)


class ArchiveIn(Schema):
    archived: StrictBool = Field(description="true: to the archive; false: back to the inbox.")


# Helpers ----------------------------------------------------------------------------------


def _summary(message: Message, now: datetime) -> dict[str, Any]:
    organisation = message.organisation
    return {
        "id": message.pk,
        "subject": message.subject,
        "organisation": {"slug": organisation.slug, "name": organisation.name},
        "category": message.category,
        "language": message.language,
        "sent_at": message.sent_at,
        "unread": message.unread,
        "archived": message.archived,
        "action_required_by": message.action_required_by,
        "expires_at": message.expires_at,
        "expires_soon": expires_soon(message, now),
        "url": reverse("api:inbox_message", kwargs={"message_id": message.pk}),
    }


def _attachment(attachment: Attachment) -> dict[str, Any]:
    url = reverse(
        "api:inbox_attachment",
        kwargs={"message_id": attachment.message_id, "attachment_id": attachment.pk},
    )
    return {
        "id": attachment.pk,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "download_url": url,
    }


def _detail(message: Message) -> dict[str, Any]:
    step = message.step
    return _summary(message, timezone.now()) | {
        "body": message.body,
        "body_html": str(services.render_body(message.body)),
        "read_at": message.read_at,
        "step": {
            "journey_id": step.journey_id,
            "service": step.service_slug,
            "name": step.localized("name"),
        }
        if step
        else None,
        "attachments": [_attachment(attachment) for attachment in message.attachments.all()],
    }


# Endpoints --------------------------------------------------------------------------------


@router.get(
    "/messages",
    response=MessagePageOut,
    operation_id="listMyMessages",
    summary="My messages",
    openapi_extra=_problems(400, 401, 403),
)
def list_messages(request: HttpRequest, params: Query[MessageQuery]) -> Any:
    """The person's messages, unread first and then newest first, in pages of `size`. Follow
    `next_cursor` (as `after`) and `previous_cursor` (as `before`) with the same filters."""
    subject = acting.legal_subject(request, INBOX_READ)
    problem = period_problem(params.since, params.until)
    if problem:
        return problem_response(
            request,
            400,
            _("Please correct the errors in the form."),
            problem_type="invalid-request",
            errors=[{"location": "query.until", "message": problem}],
        )
    filters = services.InboxFilter(
        text=params.q.strip(),
        organisation=params.organisation,
        category=params.category or "",
        since=params.since,
        until=params.until,
        archived=params.archived,
    )
    try:
        page = services.inbox_page(
            subject,
            filters,
            actor=acting.actor(request),
            after=params.after,
            before=params.before,
            size=params.size,
        )
    except services.InvalidCursor:
        return problem_response(
            request,
            400,
            _("This paging cursor is not valid."),
            _("Start again from the first page."),
            problem_type="invalid-cursor",
        )
    now = timezone.now()
    return {
        "items": [_summary(message, now) for message in page.messages],
        "next_cursor": page.next_cursor,
        "previous_cursor": page.previous_cursor,
        "unread_count": page.unread_count,
        "message_count": page.message_count,
    }


@router.get(
    "/messages/{message_id}",
    response=MessageOut,
    operation_id="getMyMessage",
    summary="Open a message",
    url_name="inbox_message",
    openapi_extra=_problems(401, 403, 404),
)
def get_message(request: HttpRequest, message_id: UUID) -> Any:
    """One message with its text (Markdown and safe HTML) and attachments. Opening it marks it
    read; the sender is told it was read."""
    subject = acting.legal_subject(request, INBOX_READ)
    try:
        found = services.open_message(subject, message_id, actor=acting.actor(request))
    except Message.DoesNotExist:
        raise Http404(_("There is no such message in your message box.")) from None
    return _detail(found)


@router.post(
    "/messages/{message_id}/archive",
    response=MessageSummaryOut,
    operation_id="archiveMyMessage",
    summary="Archive a message or move it back",
    openapi_extra=_problems(400, 401, 403, 404),
)
def archive_message(request: HttpRequest, message_id: UUID, body: ArchiveIn) -> Any:
    """Move the message to the archive (`archived: true`) or back to the inbox (`false`)."""
    subject = acting.legal_subject(request, INBOX_MANAGE)
    try:
        found = services.set_archived(
            subject, message_id, body.archived, actor=acting.actor(request)
        )
    except Message.DoesNotExist:
        raise Http404(_("There is no such message in your message box.")) from None
    return _summary(found, timezone.now())


@router.get(
    "/messages/{message_id}/attachments/{attachment_id}",
    operation_id="downloadMyAttachment",
    summary="Download an attachment",
    url_name="inbox_attachment",
    openapi_extra={
        "responses": {
            200: {
                "description": "The PDF, as a download.",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            },
            **_problems(401, 403, 404)["responses"],
        }
    },
)
def download_attachment(
    request: HttpRequest, message_id: UUID, attachment_id: UUID
) -> FileResponse:
    """The attachment's file (`application/pdf`), never stored by caches."""
    subject = acting.legal_subject(request, INBOX_READ)
    try:
        found = services.attachment_of(
            subject, message_id, attachment_id, actor=acting.actor(request)
        )
    except Attachment.DoesNotExist:
        raise Http404(_("There is no such attachment in your message box.")) from None
    return attachment_response(found)
