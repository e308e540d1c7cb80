"""Messages in the agency back office, under /back-office/messages/: what the agency
messages API does, for staff of an agency without a system of its own.

Staff send one message (with an optional PDF) to a person identified by BSN or eIDAS
identifier, typed into a posted form; follow their organisation's messages, newest first,
and how far each got (delivered, notified, reminded, read, reported unread); and open one.
Sending goes through `inbox.sending` like the API, with an idempotency key made when the form
is shown, so a form sent twice (a double click, a reload) makes one message.

Whether a person read a message is about that person: every status shown is recorded in
their processing log, as the API records it, the record's name carrying the username."""

import uuid
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from lifegate.inbox import status
from lifegate.inbox.models import Category, Message
from lifegate.inbox.rendering import render_body
from lifegate.inbox.send_checks import Problem
from lifegate.inbox.sending import NewAttachment, NewMessage, Outcome, send_messages
from lifegate.journeys.backoffice import LANGUAGE_NAMES, staff_required
from lifegate.journeys.backoffice_forms import PersonForm
from lifegate.journeys.models import AgencyStaff
from lifegate.transparency.services import Actor, decrypt_subject, record_processing_many

PAGE_SIZE = 50
# The list's filter: value -> (label, unread, unread_reported) as status.sent_messages takes them.
STATES: dict[str, tuple[Any, bool | None, bool | None]] = {
    "unread": (_("Unread"), True, None),
    "read": (_("Read"), False, None),
    "reported": (_("Reported unread after the reminder"), None, True),
}
# Problems of a message that belong to one field of the form.
PROBLEM_FIELDS = {
    "unknown-recipient": "value",
    "attachment-too-large": "attachment",
    "attachment-type": "attachment",
}


class SendForm(PersonForm):
    """One message to one person."""

    field_order = ["scheme", "value", "subject", "body", "category", "language"]
    subject = forms.CharField(
        label=_("Subject"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "utrecht-textbox"}),
    )
    body = forms.CharField(
        label=_("Message"),
        max_length=20_000,
        help_text=_("Plain text; Markdown for emphasis, lists and links. No HTML."),
        widget=forms.Textarea(attrs={"class": "utrecht-textarea", "rows": 8}),
    )
    category = forms.ChoiceField(
        label=_("Kind of message"),
        choices=[(value, label) for value, label in Category.choices if value != "journey-update"],
        widget=forms.Select(attrs={"class": "utrecht-select utrecht-select--html-select"}),
    )
    language = forms.ChoiceField(
        label=_("Language of the message"),
        choices=list(LANGUAGE_NAMES.items()),
        widget=forms.Select(attrs={"class": "utrecht-select utrecht-select--html-select"}),
    )
    action_required_by = forms.DateField(
        label=_("Action required by"),
        required=False,
        help_text=_(
            "Only for a message the person must act on: it is marked, reminded when unread, "
            "and you are told when it stays unread."
        ),
        widget=forms.DateInput(attrs={"class": "utrecht-textbox", "type": "date"}),
    )
    attachment = forms.FileField(
        label=_("Attachment (PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"class": "utrecht-textbox", "accept": ".pdf"}),
    )
    key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def new_message(self) -> NewMessage:
        data = self.cleaned_data
        upload = data.get("attachment")
        attachments: tuple[NewAttachment, ...] = ()
        if upload is not None:
            content_type = upload.content_type or "application/octet-stream"
            attachments = (NewAttachment(upload.name or "", content_type, upload.read()),)
        return NewMessage(
            recipient=self.person(),
            subject=data["subject"],
            body=data["body"],
            category=data["category"],
            idempotency_key=f"back-office:{data['key']}",
            language=data["language"],
            action_required_by=data.get("action_required_by"),
            attachments=attachments,
        )


def _actor(staff: AgencyStaff) -> Actor:
    return Actor(kind="agency", organisation=staff.organisation.slug)


def _record_status_reads(
    request: HttpRequest,
    staff: AgencyStaff,
    shown: list[Message],
    categories: tuple[str, ...] = ("read-status",),
) -> None:
    record_processing_many(
        name=f"{status.STATUS_READ} by {request.user.get_username()}"[:120],
        subjects=[decrypt_subject(message.recipient_sealed) for message in shown],
        activity=status.STATUS_ACTIVITY,
        actor=_actor(staff),
        data_categories=categories,
    )


@staff_required
def message_list(request: HttpRequest, staff: AgencyStaff) -> HttpResponse:
    """The organisation's messages, newest first, optionally only unread, read or reported
    unread; without recipients (each status shown is recorded)."""
    state = request.GET.get("state", "")
    state = state if state in STATES else ""
    unread, reported = STATES[state][1:] if state else (None, None)
    queryset = status.sent_messages(
        staff.organisation, unread=unread, unread_reported=reported
    ).order_by("-sent_at", "-id")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    _record_status_reads(request, staff, list(page.object_list))
    return render(
        request,
        "inbox/backoffice/list.html",
        {
            "staff": staff,
            "page": page,
            "state": state,
            "states": [(value, row[0]) for value, row in STATES.items()],
        },
    )


@staff_required
def message_detail(request: HttpRequest, staff: AgencyStaff, message_id: UUID) -> HttpResponse:
    """One message as sent, to whom, and how far it got."""
    message = status.sent_messages(staff.organisation).defer(None).filter(pk=message_id).first()
    if message is None:
        raise Http404
    # The page shows what was sent too, not only how far it got.
    _record_status_reads(request, staff, [message], ("message", "read-status"))
    return render(
        request,
        "inbox/backoffice/detail.html",
        {
            "staff": staff,
            "message": message,
            "recipient": decrypt_subject(message.recipient_sealed),
            "body": render_body(message.body),
            "attachments": list(message.attachments.all()),
            "language": LANGUAGE_NAMES.get(message.language, message.language),
        },
    )


@require_http_methods(["GET", "POST"])
@staff_required
def send(request: HttpRequest, staff: AgencyStaff) -> HttpResponse:
    """The form; sent, the message's page. A problem of the message is shown at its field
    and nothing is kept."""
    if request.method != "POST":
        form = SendForm(initial={"key": uuid.uuid4().hex, "language": "nl"})
        return _send_page(request, staff, form)
    form = SendForm(request.POST, request.FILES)
    if not form.is_valid():
        return _send_page(request, staff, form, status=422)
    [sent] = send_messages(staff.organisation, [form.new_message()], actor=_actor(staff))
    if sent.problem is not None:
        return _send_page(request, staff, _with_problem(form, sent.problem), status=422)
    if sent.outcome == Outcome.CREATED:
        messages.success(request, _("The message is in the person's message box."))
    else:
        messages.info(request, _("This message was sent before; it was not sent again."))
    return redirect("backoffice_messages:message", message_id=sent.message_id)


def _with_problem(form: SendForm, problem: Problem) -> SendForm:
    """The form with the message's problem at its field. A form sent before with other
    content (the back button, then a change) gets a new key: this is a new message."""
    if problem.slug == "idempotency-key-reused":
        data = QueryDict(mutable=True)
        data.update(form.data)
        data["key"] = uuid.uuid4().hex
        form = SendForm(data, form.files)
        form.is_valid()
        form.add_error(
            None,
            _("This form was sent before with other content. Check the message and send it again."),
        )
        return form
    field = PROBLEM_FIELDS.get(problem.slug)
    form.add_error(field, f"{problem.title}: {problem.detail}" if field is None else problem.detail)
    return form


def _send_page(
    request: HttpRequest, staff: AgencyStaff, form: SendForm, status: int = 200
) -> HttpResponse:
    return render(
        request, "inbox/backoffice/send.html", {"staff": staff, "form": form}, status=status
    )
