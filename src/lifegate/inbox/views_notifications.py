"""The person's notification settings pages, under /inbox/settings/: the e-mail address (with
its confirmation link), when to be told about new post, and in which language.

The settings belong to the box's owner alone (`INBOX_SETTINGS`): they are also how the owner
learns what their representatives do, so no representative may change or even read them."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lifegate.core.subject import Subject
from lifegate.identity.assurance import LevelOfAssurance
from lifegate.identity.decorators import login_required
from lifegate.inbox import notifications
from lifegate.inbox.models import Mailbox
from lifegate.mandates import acting
from lifegate.mandates.actions import INBOX_SETTINGS

LEVEL: LevelOfAssurance = "substantial"
# Each language named in itself, as on the language switch.
LANGUAGE_CHOICES = [
    ("nl", mark_safe('<span lang="nl">Nederlands</span>')),
    ("en", mark_safe('<span lang="en">English</span>')),
]
# What a refused confirmation answers with, by kind of refusal.
CONFIRMATION_STATUS = {"confirmation-expired": 410, "confirmation-mismatch": 403}


class AddressForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("E-mail address"),
        max_length=254,
        help_text=gettext_lazy(
            "We send a link to this address. E-mails go there once you have opened the link."
        ),
    )


class PreferencesForm(forms.Form):
    notify = forms.ChoiceField(
        label=gettext_lazy("When do you want an e-mail?"),
        help_text=gettext_lazy(
            "Messages that need action are decisions and messages that ask you to do something."
        ),
        choices=Mailbox.Notify.choices,
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the e-mails"),
        choices=LANGUAGE_CHOICES,
        widget=forms.RadioSelect,
    )


def _owner(request: HttpRequest) -> Subject:
    """Whose settings these are; `NotPermitted` (the 403 page) for anyone acting for someone."""
    return acting.legal_subject(request, INBOX_SETTINGS)


def _language() -> str:
    return (get_language() or "nl")[:2]


def _to_settings() -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("inbox-settings:settings"))


def _page(
    request: HttpRequest,
    owner: Subject,
    *,
    address_form: AddressForm | None = None,
    preferences: PreferencesForm | None = None,
    status: int = 200,
) -> HttpResponse:
    current = notifications.notification_settings(owner, actor=acting.actor(request))
    initial = {"notify": current.notify, "language": current.language}
    context = {
        "current": current,
        "address_form": address_form or AddressForm(),
        "preferences": preferences or PreferencesForm(initial=initial),
    }
    return render(request, "inbox/settings.html", context, status=status)


@login_required(LEVEL)
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    """The settings; a POST saves when and in which language the person wants e-mail."""
    owner = _owner(request)
    if request.method == "GET":
        return _page(request, owner)
    form = PreferencesForm(request.POST)
    if not form.is_valid():
        return _page(request, owner, preferences=form, status=422)
    notifications.set_preferences(
        owner,
        form.cleaned_data["notify"],
        form.cleaned_data["language"],
        actor=acting.actor(request),
    )
    messages.success(request, _("Your notification settings have been saved."))
    return _to_settings()


def _report_sending(request: HttpRequest, sent: bool) -> None:
    if sent:
        messages.success(
            request,
            _("We have sent you an e-mail with a link. Open it to confirm your e-mail address."),
        )
    else:
        messages.error(
            request,
            _("The e-mail with the confirmation link could not be sent just now. Try again later."),
        )


@login_required(LEVEL)
@require_POST
def register_address(request: HttpRequest) -> HttpResponse:
    """Register a new address; it waits for the confirmation link sent to it."""
    owner = _owner(request)
    form = AddressForm(request.POST)
    if not form.is_valid():
        return _page(request, owner, address_form=form, status=422)
    current, sent = notifications.register_address(
        owner,
        form.cleaned_data["email"],
        actor=acting.actor(request),
        language=_language(),
    )
    if current.pending_email or not sent:
        _report_sending(request, sent)
    return _to_settings()


@login_required(LEVEL)
@require_POST
def resend(request: HttpRequest) -> HttpResponse:
    """Send the confirmation link again."""
    owner = _owner(request)
    try:
        _current, sent = notifications.resend_confirmation(
            owner, actor=acting.actor(request), language=_language()
        )
    except notifications.NothingPending as nothing:
        messages.error(request, str(nothing))
    else:
        _report_sending(request, sent)
    return _to_settings()


@login_required(LEVEL)
@require_POST
def remove(request: HttpRequest) -> HttpResponse:
    """Remove the address (confirmed and waiting): no more e-mail."""
    notifications.remove_address(_owner(request), actor=acting.actor(request))
    messages.success(
        request, _("Your e-mail address has been removed. You will get no more e-mails from us.")
    )
    return _to_settings()


@login_required(LEVEL)
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The page the confirmation link opens; its button (a POST, so that link checkers in
    mail programs confirm nothing) confirms the address for the box's owner, the logged-in
    person: no representative may (`INBOX_SETTINGS` is the owner's own)."""
    owner = _owner(request)
    context: dict[str, object] = {"token": token}
    if request.method == "GET":
        return render(request, "inbox/settings_confirm.html", context)
    try:
        notifications.confirm_address(owner, token, actor=acting.actor(request))
    except notifications.ConfirmationError as refused:
        context["error"] = str(refused)
        status = CONFIRMATION_STATUS.get(refused.code, 400)
        return render(request, "inbox/settings_confirm.html", context, status=status)
    messages.success(request, _("Your e-mail address is confirmed."))
    return _to_settings()
