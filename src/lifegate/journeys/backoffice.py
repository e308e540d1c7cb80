"""The back office under /back-office/: a small web interface for agencies without their own
system. Staff log in with a username and password, see their own agency's submissions only,
open one (with the documents the person sent) and update its status with a message to the
person.

Every page that shows a submission's personal data records the read in the person's
processing log, in the name of the agency (the log has no place for staff accounts, so the
record's name carries the username)."""

from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from lifegate.catalogue.models import FormField, Requirement
from lifegate.journeys import evidence, services
from lifegate.journeys.models import AgencyStaff, Submission, SubmittedDocument
from lifegate.mandates.actions import JOURNEYS_SUBMIT, JOURNEYS_VIEW
from lifegate.mandates.decision import may
from lifegate.transparency.services import Actor, record_processing

PAGE_SIZE = 50
SOURCE_LABELS = {
    "population-register": _("population register"),
    "answer": _("the person's answer when starting"),
    "person": _("entered by the person"),
}
LANGUAGE_NAMES = {"nl": _("Dutch"), "en": _("English")}

StaffView = Callable[..., HttpResponseBase]


def staff_required(view: StaffView) -> StaffView:
    """Logged-in agency staff only (others: 403); the view gets their `AgencyStaff` row."""

    @wraps(view)
    @never_cache
    @login_required(login_url="backoffice:login")
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        rows = AgencyStaff.objects.select_related("organisation")
        staff = rows.filter(user__username=request.user.get_username()).first()
        if staff is None:
            raise PermissionDenied
        return view(request, staff, *args, **kwargs)

    return wrapper


class StatusForm(forms.Form):
    """A status change with a message to the person; a rejection needs one."""

    status = forms.ChoiceField(
        label=_("New status"),
        widget=forms.RadioSelect(attrs={"class": "utrecht-radio-button"}),
    )
    message = forms.CharField(
        label=_("Message to the person"),
        required=False,
        max_length=4000,
        help_text=_("The person reads this with the new status. Required for a rejection."),
        widget=forms.Textarea(attrs={"class": "utrecht-textarea", "rows": 5}),
    )

    def __init__(self, *args: Any, allowed: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Submission.Status.choices)
        self.fields["status"].choices = [(value, labels[value]) for value in allowed]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        rejected = cleaned.get("status") == Submission.Status.REJECTED
        if rejected and not cleaned.get("message", "").strip():
            self.add_error("message", _("Give the reason for the rejection; the person reads it."))
        return cleaned


def _allowed(submission: Submission) -> list[str]:
    """The statuses the submission may move to, in life-cycle order."""
    following = services.TRANSITIONS[Submission.Status(submission.status)]
    return [value for value in Submission.Status.values if value in following]


@staff_required
def submission_list(request: HttpRequest, staff: AgencyStaff) -> HttpResponse:
    """The agency's submissions, oldest first, optionally of one status."""
    status = request.GET.get("status", "")
    queryset = Submission.objects.filter(organisation=staff.organisation).select_related("service")
    if status in Submission.Status.values:
        queryset = queryset.filter(status=status)
    else:
        status = ""
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "journeys/backoffice/list.html",
        {
            "staff": staff,
            "page": page,
            "status": status,
            "statuses": Submission.Status.choices,
        },
    )


def _own_submission(
    staff: AgencyStaff, submission_id: UUID, action: str = JOURNEYS_VIEW
) -> Submission:
    """The submission if it was made to the staff member's agency and the decision point lets
    the agency do `action` for its service (as in the agency API: an agency that is no longer
    the service's competent authority no longer handles it); a 404 otherwise."""
    submission = (
        Submission.objects.select_related("service__processing_activity")
        .filter(pk=submission_id, organisation=staff.organisation)
        .first()
    )
    if submission is None or not may(
        _actor(staff),
        action,
        services.submission_subject(submission),
        service=submission.service_slug,
    ):
        raise Http404
    return submission


def _actor(staff: AgencyStaff) -> Actor:
    return Actor(kind="agency", organisation=staff.organisation.slug)


@staff_required
def submission_detail(
    request: HttpRequest, staff: AgencyStaff, submission_id: UUID
) -> HttpResponse:
    """One submission with its fields and their sources, and the status form."""
    action = JOURNEYS_SUBMIT if request.method == "POST" else JOURNEYS_VIEW
    submission = _own_submission(staff, submission_id, action)
    allowed = _allowed(submission)
    form = StatusForm(request.POST or None, allowed=allowed)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_submission_status(
                submission,
                form.cleaned_data["status"],
                form.cleaned_data["message"],
                f"staff:{request.user.get_username()}",
                _actor(staff),
            )
        except services.InvalidTransition as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The status has been updated."))
            return redirect("backoffice:submission", submission_id=submission.pk)
    return render(
        request,
        "journeys/backoffice/detail.html",
        _detail_context(request, staff, submission, form, allowed),
        status=422 if form.errors else 200,
    )


@staff_required
def document_download(
    request: HttpRequest, staff: AgencyStaff, submission_id: UUID, document_id: UUID
) -> FileResponse:
    """A document the person sent with one of the agency's submissions (the read is logged)."""
    submission = _own_submission(staff, submission_id)
    document = submission.documents.filter(pk=document_id).first()
    if document is None:
        raise Http404
    evidence.record_document_read(
        document,
        subject=services.submission_subject(submission),
        actor=_actor(staff),
        activity=services.activity_of(submission.service, services.DELIVERY_ACTIVITY),
        name=f"journeys.backoffice.document.{submission.service_slug} "
        f"by {request.user.get_username()}",
    )
    return evidence.document_response(document)


def _detail_context(
    request: HttpRequest,
    staff: AgencyStaff,
    submission: Submission,
    form: StatusForm,
    allowed: list[str],
) -> dict[str, Any]:
    data = services.submission_form(submission)
    subject = services.submission_subject(submission)
    values, sources = data.get("fields", {}), data.get("sources", {})
    documents = list(submission.documents.all())
    categories = sorted(values) + ([evidence.DATA_CATEGORY] if documents else [])
    record_processing(
        name=f"journeys.backoffice.read.{submission.service_slug} by {request.user.get_username()}"[
            :120
        ],
        subject=subject,
        activity=services.activity_of(submission.service, services.DELIVERY_ACTIVITY),
        actor=_actor(staff),
        data_categories=categories,
    )
    labels = {
        row.key: row.localized("label")
        for row in FormField.objects.filter(service_id=submission.service_id)
    }
    rows = [
        {
            "key": key,
            "label": labels.get(key, key),
            "value": value,
            "source": SOURCE_LABELS.get(sources.get(key, {}).get("source", ""), ""),
            "as_of": sources.get(key, {}).get("as_of", ""),
        }
        for key, value in values.items()
    ]
    return {
        "staff": staff,
        "submission": submission,
        "subject": subject,
        "rows": rows,
        "documents": _document_rows(submission, documents),
        "history": submission.changes.all(),
        "deliveries": submission.deliveries.all(),
        "form": form,
        "allowed": allowed,
        "person_language": LANGUAGE_NAMES.get(submission.language, submission.language),
    }


def _document_rows(submission: Submission, documents: list[SubmittedDocument]) -> list[Any]:
    """The documents with their requirement's name (its slug once the catalogue dropped it)."""
    if not documents:
        return []
    names = {
        requirement.slug: requirement.localized("name")
        for requirement in Requirement.objects.filter(service_id=submission.service_id)
    }
    return [
        {
            "document": document,
            "requirement": names.get(document.requirement_slug, document.requirement_slug),
            "filename": evidence.original_filename(document),
        }
        for document in documents
    ]
