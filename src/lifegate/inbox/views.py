"""The person's message box pages: the list (unread first), one message, its attachments, and
moving a message to the archive and back.

Each page asks the mandates decision point whose box it shows: the logged-in person's own, or
that of the person they act for (reading needs `INBOX_READ`, archiving `INBOX_MANAGE`); a
refusal is the 403 page with the reason. Someone else's message and an unknown one look the
same: a 404 page."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lifegate.identity.assurance import LevelOfAssurance
from lifegate.identity.decorators import login_required
from lifegate.identity.one_commit import commit_once
from lifegate.inbox import services
from lifegate.inbox.forms import InboxFilterForm, sending_organisations
from lifegate.inbox.models import Attachment, Message
from lifegate.mandates import acting
from lifegate.mandates.actions import INBOX_MANAGE, INBOX_READ
from lifegate.portal.views import bad_request

LEVEL: LevelOfAssurance = "substantial"
CURSOR_MAX_LENGTH = 300


@dataclass(frozen=True)
class MessageRow:
    """A message as the list shows it."""

    message: Message
    expires_soon: bool


def expires_soon(message: Message, now: datetime) -> bool:
    """An important message that will be removed within the warning period."""
    warn_from = message.expires_at - timedelta(days=settings.INBOX_EXPIRY_WARNING_DAYS)
    return message.important and now >= warn_from


@login_required(LEVEL)
@commit_once
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The list: unread first, then newest first; filtered, in pages of 25."""
    subject, actor = acting.legal_subject(request, INBOX_READ), acting.actor(request)
    form = InboxFilterForm(request.GET, organisations=sending_organisations())
    context: dict[str, object] = {
        "form": form,
        "archived": request.GET.get("archived") == "1",
    }
    if not form.is_valid():
        return render(request, "inbox/list.html", context, status=400)
    filters = form.filters()
    context |= {"archived": filters.archived, "filtered": filters.active}
    after = request.GET.get("after", "")[:CURSOR_MAX_LENGTH] or None
    before = request.GET.get("before", "")[:CURSOR_MAX_LENGTH] or None
    status = 200
    try:
        page = services.inbox_page(subject, filters, actor=actor, after=after, before=before)
    except services.InvalidCursor:
        # A damaged or edited link: say so, and show the first page instead.
        page = services.inbox_page(subject, filters, actor=actor)
        context["cursor_invalid"] = True
        status = 400
    now = timezone.now()
    context |= {
        "page": page,
        "rows": [MessageRow(message, expires_soon(message, now)) for message in page.messages],
    }
    return render(request, "inbox/list.html", context, status=status)


def may_manage(request: HttpRequest) -> bool:
    """Whether the box's settings and archive are this person's to change (to offer them)."""
    return bool(acting.check(request, INBOX_MANAGE))


def _opened(request: HttpRequest, message_id: UUID) -> Message:
    subject = acting.legal_subject(request, INBOX_READ)
    try:
        return services.open_message(subject, message_id, actor=acting.actor(request))
    except Message.DoesNotExist:
        raise Http404("no such message") from None


@login_required(LEVEL)
@commit_once
@require_GET
def message(request: HttpRequest, message_id: UUID) -> HttpResponse:
    """One message, marked read by opening it."""
    found = _opened(request, message_id)
    context = {
        "message": found,
        "body": services.render_body(found.body),
        "attachments": list(found.attachments.all()),
        "expires_soon": expires_soon(found, timezone.now()),
        "may_manage": may_manage(request),
    }
    return render(request, "inbox/message.html", context)


@login_required(LEVEL)  # type: ignore[arg-type]  # typed for HttpResponse; this one streams
@require_GET
def attachment(request: HttpRequest, message_id: UUID, attachment_id: UUID) -> FileResponse:
    """An attachment, downloaded (never shown inline) and never stored by a cache."""
    subject = acting.legal_subject(request, INBOX_READ)
    try:
        found = services.attachment_of(
            subject, message_id, attachment_id, actor=acting.actor(request)
        )
    except Attachment.DoesNotExist:
        raise Http404("no such attachment") from None
    return attachment_response(found)


def attachment_response(found: Attachment) -> FileResponse:
    """The attachment as a private download; also used by the person API."""
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.filename,
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required(LEVEL)
@require_POST
def archive(request: HttpRequest, message_id: UUID) -> HttpResponse:
    """Move the message to the archive (`archived=1`) or back to the inbox (`archived=0`)."""
    subject = acting.legal_subject(request, INBOX_MANAGE)
    choice = request.POST.get("archived")
    if choice not in ("0", "1"):
        return bad_request(request)
    try:
        services.set_archived(subject, message_id, choice == "1", actor=acting.actor(request))
    except Message.DoesNotExist:
        raise Http404("no such message") from None
    if choice == "1":
        messages.success(request, _("The message has been moved to your archive."))
    else:
        messages.success(request, _("The message has been moved back to your inbox."))
    return HttpResponseRedirect(reverse("inbox:message", args=[message_id]))
