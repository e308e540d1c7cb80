"""The person's authorisations pages: what they gave and received, giving a new one,
accepting an invitation code, ending one, and what was done on their behalf.

Managing one's mandates is never done for someone else: every page starts with
`acting.only_self`, which refuses (403 page) while the person acts for someone."""

import math
from dataclasses import dataclass
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from lifegate.core.ratelimit import Attempt, count_attempt
from lifegate.core.subject import Subject
from lifegate.identity.assurance import LevelOfAssurance
from lifegate.identity.decorators import login_required
from lifegate.mandates import acting, reading, services
from lifegate.mandates.errors import MandateRefused
from lifegate.mandates.forms import REFUSAL_FIELDS, AcceptForm, GrantForm, default_period
from lifegate.mandates.models import Mandate, ScopeKind
from lifegate.mandates.notices import scope_label
from lifegate.transparency.services import subject_hash

# A mandate is given and accepted with a login at this level, and so is every page about them.
LEVEL: LevelOfAssurance = "substantial"
ACCEPT_GROUP = "mandates.accept"


@dataclass(frozen=True)
class Row:
    """A mandate as the overview shows it, from the viewpoint of `given` (principal) or not."""

    mandate: Mandate
    name: str
    scope: str
    standing: str

    @property
    def can_end(self) -> bool:
        return self.standing in ("invited", "scheduled", "active")


def scope_words(mandate: Mandate, given: bool) -> str:
    """What the mandate covers, in words: "your" message box and data only for its principal,
    and a life event said to be one."""
    if not given and mandate.scope_kind in (ScopeKind.INBOX_READ, ScopeKind.INBOX_FULL):
        return str(mandate.get_scope_kind_display())
    if not given and mandate.scope_kind == ScopeKind.PROCESSING_LOG:
        return _("seeing who used their data")
    if mandate.scope_kind == ScopeKind.LIFE_EVENT:
        return _("%(name)s (all services of this life event)") % {"name": scope_label(mandate)}
    return scope_label(mandate)


def _rows(listed: list[reading.Listed], given: bool) -> list[Row]:
    return [
        Row(
            item.mandate,
            item.name,
            scope_words(item.mandate, given),
            reading.standing(item.mandate),
        )
        for item in listed
    ]


@login_required(LEVEL)
def overview(request: HttpRequest) -> HttpResponse:
    """The mandates the person gave and received, each with a way to end it."""
    subject = acting.only_self(request)
    listed = reading.overview(subject, acting.actor(request))
    context = {
        "given": _rows(listed.given, given=True),
        "received": _rows(listed.received, given=False),
        "acts_for_others": acting.acts_for_others(subject),
    }
    return render(request, "mandates/overview.html", context)


@login_required(LEVEL)
@require_http_methods(["GET", "POST"])
def grant(request: HttpRequest) -> HttpResponse:
    """GET: the form. POST: give the mandates; with an invitation code, show it (once)."""
    subject = acting.only_self(request)
    if request.method != "POST":
        valid_from, valid_until = default_period()
        form = GrantForm(initial={"valid_from": valid_from, "valid_until": valid_until})
        return render(request, "mandates/grant.html", {"form": form})
    form = GrantForm(request.POST)
    if form.is_valid():
        try:
            granted = services.grant(
                subject,
                form.representative_subject(),
                form.scopes(),
                form.cleaned_data["valid_from"],
                form.cleaned_data["valid_until"],
                acting.actor(request),
            )
        except MandateRefused as refused:
            form.add_error(REFUSAL_FIELDS.get(refused.code), refused.message)
        else:
            return _granted(request, granted)
    return render(request, "mandates/grant.html", {"form": form}, status=422)


def _granted(request: HttpRequest, granted: services.Granted) -> HttpResponse:
    if not granted.invitation_code:
        messages.success(
            request,
            _(
                "The authorisation is ready. It starts to count once the person accepts it "
                "under Authorisations, after logging in with their own login."
            ),
        )
        return HttpResponseRedirect(reverse("mandates:overview"))
    invitation = granted.mandates[0].invitation
    context = {
        "code": granted.invitation_code,
        "expires_at": invitation.expires_at if invitation else None,
        "scopes": [scope_words(mandate, given=True) for mandate in granted.mandates],
    }
    # Shown in this response only: the code is not stored and not put in a URL or session.
    return render(request, "mandates/invitation.html", context)


def count_accept_attempt(request: HttpRequest, subject: Subject) -> Attempt:
    """One attempt to accept an invitation code by `subject`, page and API together."""
    return count_attempt(
        request,
        ACCEPT_GROUP,
        subject_hash(subject),
        settings.MANDATES_ACCEPT_ATTEMPTS,
        settings.MANDATES_ACCEPT_WINDOW_SECONDS,
    )


def too_many_attempts_text(attempt: Attempt) -> str:
    """Why the code was not checked, and when to try again, in the active language."""
    minutes = max(1, math.ceil(attempt.retry_after / 60))
    return ngettext(
        "You have entered too many invitation codes. "
        "For your safety you can try again in %(minutes)s minute.",
        "You have entered too many invitation codes. "
        "For your safety you can try again in %(minutes)s minutes.",
        minutes,
    ) % {"minutes": minutes}


@login_required(LEVEL)
@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest) -> HttpResponse:
    """GET: the form. POST: accept the invitation code, a limited number of tries per person."""
    subject = acting.only_self(request)
    if request.method != "POST":
        return render(request, "mandates/accept.html", {"form": AcceptForm()})
    attempt = count_accept_attempt(request, subject)
    if not attempt.allowed:
        context = {"form": AcceptForm(), "too_many": too_many_attempts_text(attempt)}
        response = render(request, "mandates/accept.html", context, status=429)
        response["Retry-After"] = str(attempt.retry_after)
        return response
    form = AcceptForm(request.POST)
    if form.is_valid():
        try:
            services.accept(form.cleaned_data["code"], subject, acting.actor(request))
        except MandateRefused as refused:
            form.add_error("code", refused.message)
        else:
            messages.success(request, _("You have accepted the authorisation."))
            return HttpResponseRedirect(reverse("mandates:overview"))
    return render(request, "mandates/accept.html", {"form": form}, status=422)


@login_required(LEVEL)
@require_POST
def accept_offer(request: HttpRequest, mandate_id: UUID) -> HttpResponse:
    """Accept a mandate offered to the person by their BSN, with the rest of its offer."""
    subject = acting.only_self(request)
    try:
        services.accept_offer(mandate_id, subject, acting.actor(request))
    except MandateRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("You have accepted the authorisation."))
    return HttpResponseRedirect(reverse("mandates:overview"))


@login_required(LEVEL)
@require_POST
def end(request: HttpRequest, mandate_id: UUID) -> HttpResponse:
    """End a mandate the person gave or received (or withdraw an invitation)."""
    subject = acting.only_self(request)
    try:
        services.end(mandate_id, subject, acting.actor(request))
    except MandateRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The authorisation has ended."))
    return HttpResponseRedirect(reverse("mandates:overview"))


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < len(raw) < 7 else 1


@login_required(LEVEL)
def on_my_behalf(request: HttpRequest) -> HttpResponse:
    """What others did with the person's data on their behalf, by whom, newest first."""
    subject = acting.only_self(request)
    page = reading.done_on_behalf_of(subject, acting.actor(request), _page_number(request))
    return render(request, "mandates/on_my_behalf.html", {"page": page})
