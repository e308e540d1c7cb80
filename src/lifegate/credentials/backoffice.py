"""Credentials in the agency back office, under /back-office/credentials/: what the agency
credentials API does, for staff of an agency without a system of its own.

Staff see how many credentials of each of their organisation's types are valid, suspended
or revoked (no personal data); find one person's credentials by BSN or eIDAS identifier,
typed into a form that is posted, so the identifier never appears in an address; issue a
credential from the registers; and open one credential to suspend, reinstate or revoke it.

Only credential types the staff member's organisation issues are shown or issued; any other
credential is a 404, as in the API. Every look at a person's credentials is recorded in the
person's processing log in the name of the agency, the record's name carrying the username
(the log has no place for staff accounts); issuing and state changes record themselves."""

from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from lifegate.catalogue.models import CredentialType
from lifegate.core.subject import Subject
from lifegate.credentials import issuing, revocation
from lifegate.credentials.api_agency_problems import REFUSALS
from lifegate.credentials.from_registers import SOURCES, issue_from_register_once
from lifegate.credentials.issuing import IssuingRefused
from lifegate.credentials.models import IssuedCredential
from lifegate.journeys.backoffice import staff_required
from lifegate.journeys.backoffice_forms import PersonForm
from lifegate.journeys.models import AgencyStaff
from lifegate.registries.services import registered_subjects
from lifegate.transparency.services import Actor, decrypt_subject, record_processing

State = IssuedCredential.State
# What staff may do from each state, in the order the buttons are shown.
CHANGES = {
    State.VALID: (State.SUSPENDED, State.REVOKED),
    State.SUSPENDED: (State.VALID, State.REVOKED),
    State.REVOKED: (),
}
CHANGE_LABELS = {
    State.SUSPENDED: _("Suspend"),
    State.VALID: _("Reinstate"),
    State.REVOKED: _("Revoke for good"),
}
UNKNOWN_PERSON = _("No registered person has this identifier.")
CHANGE_DONE = {
    State.SUSPENDED: _("The credential is suspended. Verifiers see this within 5 minutes."),
    State.VALID: _("The credential is valid again. Verifiers see this within 5 minutes."),
    State.REVOKED: _("The credential is revoked. Verifiers see this within 5 minutes."),
}


class IssueForm(PersonForm):
    """Issue a credential of one of the organisation's register-filled types."""

    field_order = ["type", "scheme", "value"]
    type = forms.ChoiceField(
        label=_("Credential type"),
        widget=forms.Select(attrs={"class": "utrecht-select utrecht-select--html-select"}),
    )

    def __init__(self, *args: Any, types: list[CredentialType], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [(kind.slug, kind.name) for kind in types]  # type: ignore[attr-defined]


def _actor(staff: AgencyStaff) -> Actor:
    return Actor(kind="agency", organisation=staff.organisation.slug)


def _own_types(staff: AgencyStaff) -> list[CredentialType]:
    return list(CredentialType.objects.filter(issuer=staff.organisation).order_by("slug"))


def _register_types(types: list[CredentialType]) -> list[CredentialType]:
    return [kind for kind in types if kind.slug in SOURCES]


def _counts(staff: AgencyStaff, types: list[CredentialType]) -> list[dict[str, Any]]:
    """Per own type: how many originals are valid, expired (valid, but past their date),
    suspended and revoked."""
    now = timezone.now()
    rows = (
        IssuedCredential.objects.filter(credential_type__issuer=staff.organisation)
        .filter(copy_of__isnull=True)
        .values("credential_type_id", "state")
        .annotate(count=Count("id"), expired=Count("id", filter=Q(expires_at__lte=now)))
    )
    counts: dict[tuple[int, str], int] = {}
    for row in rows:
        kind, state = row["credential_type_id"], row["state"]
        if state == State.VALID:
            counts[(kind, "expired")] = row["expired"]
            counts[(kind, state)] = row["count"] - row["expired"]
        else:
            counts[(kind, state)] = row["count"]
    columns = [*State.values, "expired"]
    return [
        {"type": kind, **{column: counts.get((kind.pk, column), 0) for column in columns}}
        for kind in types
    ]


def _page(
    request: HttpRequest,
    staff: AgencyStaff,
    *,
    find: PersonForm | None = None,
    issue: IssueForm | None = None,
    found: list[IssuedCredential] | None = None,
    status: int = 200,
) -> HttpResponse:
    types = _own_types(staff)
    register_types = _register_types(types)
    return render(
        request,
        "credentials/backoffice/credentials.html",
        {
            "staff": staff,
            "counts": _counts(staff, types),
            "find": find or PersonForm(prefix="find"),
            "issue": issue or IssueForm(prefix="issue", types=register_types),
            "can_issue": bool(register_types),
            "found": found,
            "now": timezone.now(),
        },
        status=status,
    )


@staff_required
def overview(request: HttpRequest, staff: AgencyStaff) -> HttpResponse:
    """The counts per type and state, and the forms to find and to issue."""
    return _page(request, staff)


@require_http_methods(["GET", "POST"])
@staff_required
def find(request: HttpRequest, staff: AgencyStaff) -> HttpResponse:
    """One person's credentials of the organisation's types, newest first (the look is
    recorded); the identifier came in the posted form, never in the address. Someone who
    left the register (died, emigrated) still has their credentials found, to revoke them.
    A GET (a login or language switch returning here) goes to the overview."""
    if request.method != "POST":
        return redirect("backoffice_credentials:overview")
    form = PersonForm(request.POST, prefix="find")
    if not form.is_valid():
        return _page(request, staff, find=form, status=422)
    subject = form.person()
    found = [
        credential
        for credential in issuing.credentials_of(subject)
        if credential.credential_type.issuer_id == staff.organisation.pk
    ]
    if not found and not registered_subjects({subject}):
        form.add_error("value", UNKNOWN_PERSON)
        return _page(request, staff, find=form, status=422)
    _record_look(request, staff, subject, "find")
    return _page(request, staff, find=form, found=found)


@require_http_methods(["GET", "POST"])
@staff_required
def issue(request: HttpRequest, staff: AgencyStaff) -> HttpResponse:
    """Issue from the registers: one credential (its page next, which records the look) or,
    for a person with several diplomas, each of them (listed on the overview; those issued
    before are recorded as read, as the API's replay is). A GET goes to the overview."""
    if request.method != "POST":
        return redirect("backoffice_credentials:overview")
    types = _register_types(_own_types(staff))
    form = IssueForm(request.POST, prefix="issue", types=types)
    if not form.is_valid():
        return _page(request, staff, issue=form, status=422)
    subject = form.person()
    try:
        issued = issue_from_register_once(form.cleaned_data["type"], subject, actor=_actor(staff))
    except IssuingRefused as refused:
        form.add_error(None, _refusal_message(refused))
        return _page(request, staff, issue=form, status=422)
    created = sum(1 for each in issued if each.created)
    if created:
        messages.success(request, _("Issued: the person finds it under My credentials."))
    else:
        messages.info(request, _("This was issued before; nothing new was issued."))
    if len(issued) == 1:
        return redirect("backoffice_credentials:credential", credential_id=issued[0].credential.pk)
    for each in issued:
        if not each.created:
            _record_look(request, staff, subject, "read", each.credential.credential_type.slug)
    found = [each.credential for each in issued]
    return _page(request, staff, issue=IssueForm(prefix="issue", types=types), found=found)


def _refusal_message(refused: IssuingRefused) -> Any:
    if refused.code == "unknown-recipient":
        return UNKNOWN_PERSON
    if refused.code == "nothing-to-issue":
        return _("The registers hold nothing of this type for this person.")
    known = REFUSALS.get(refused.code)
    return known[1] if known else _("This credential could not be issued.")


def _own_credential(staff: AgencyStaff, credential_id: UUID) -> IssuedCredential:
    """An original credential of a type the organisation issues; a 404 otherwise."""
    found = (
        IssuedCredential.objects.select_related("credential_type", "status_list")
        .filter(pk=credential_id, copy_of__isnull=True)
        .filter(credential_type__issuer=staff.organisation)
        .first()
    )
    if found is None:
        raise Http404
    return found


@require_http_methods(["GET", "POST"])
@staff_required
def credential(request: HttpRequest, staff: AgencyStaff, credential_id: UUID) -> HttpResponse:
    """One credential: whose, its type, dates and state (no claims), and the buttons to
    change its state. A revoke must be confirmed: it is final."""
    found = _own_credential(staff, credential_id)
    if request.method == "POST":
        return _change(request, staff, found)
    return _detail(request, staff, found)


def _change(request: HttpRequest, staff: AgencyStaff, found: IssuedCredential) -> HttpResponse:
    """The state change asked for. Asking again for the state it has (a double click, the
    back button) changes nothing and says so like the first time; a change the state does
    not allow is a 409, also when another tab or the API revoked it meanwhile."""
    target = request.POST.get("state", "")
    if target not in CHANGE_DONE:
        messages.error(request, _("Choose one of the buttons."))
        return _detail(request, staff, found, status=422)
    if target == State.REVOKED and request.POST.get("confirm") != "yes":
        return _detail(request, staff, found, status=422, confirm_missing=True)
    if target != found.state and target not in CHANGES[State(found.state)]:
        messages.error(request, _("This change is not possible from the current state."))
        return _detail(request, staff, found, status=409)
    try:
        revocation.change_state(found, target, actor=_actor(staff))
    except IssuingRefused:  # revoked meanwhile, in another tab or through the API
        messages.error(request, _("This change is not possible from the current state."))
        return _detail(request, staff, found, status=409)
    messages.success(request, CHANGE_DONE[State(target)])
    return redirect("backoffice_credentials:credential", credential_id=found.pk)


def _detail(
    request: HttpRequest,
    staff: AgencyStaff,
    found: IssuedCredential,
    status: int = 200,
    confirm_missing: bool = False,
) -> HttpResponse:
    found.refresh_from_db(fields=["state", "state_changed_at"])
    subject = decrypt_subject(found.subject_sealed)
    _record_look(request, staff, subject, "read", found.credential_type.slug)
    changes = [(target, CHANGE_LABELS[target]) for target in CHANGES[State(found.state)]]
    return render(
        request,
        "credentials/backoffice/credential.html",
        {
            "staff": staff,
            "credential": found,
            "subject": subject,
            "changes": changes,
            "copies": found.copies.count(),
            "confirm_missing": confirm_missing,
            "now": timezone.now(),
        },
        status=status,
    )


def _record_look(
    request: HttpRequest, staff: AgencyStaff, subject: Subject, what: str, slug: str = ""
) -> None:
    suffix = f".{slug}" if slug else ""
    record_processing(
        name=f"credentials.backoffice.{what}{suffix} by {request.user.get_username()}"[:120],
        subject=subject,
        activity=issuing.ACTIVITY,
        actor=_actor(staff),
        data_categories=revocation.DATA_CATEGORIES,
    )
