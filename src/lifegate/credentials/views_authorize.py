"""The authorization endpoint of the OpenID4VCI authorization code flow, as the person sees
it: /credentials/oid4vci/authorize?client_id=...&request_uri=...

A wallet sent the person here. Logged in, they see which wallet asks for which kind of proof
and choose which of their valid proofs of that kind it receives ("Give to wallet"), or
refuse ("Do not give"); either sends the browser back to the wallet. Both are POSTs with a
CSRF token; the request is looked up again on the POST, so only the choice comes from the
page. A request that cannot be answered (unknown, expired, already decided) is never sent
back to a wallet: the page says what to do instead. As with "Put in another wallet", the
person hands out their own proofs, also while acting for someone else."""

from typing import Any
from uuid import UUID

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from lifegate.core.origins import allow_form_targets
from lifegate.credentials import mine, oid4vci_authorize
from lifegate.credentials.models import IssuedCredential
from lifegate.credentials.views_my import LEVEL
from lifegate.identity.decorators import login_required
from lifegate.identity.session import Authentication

MAX_PARAMETER = 1000


class ChoiceForm(forms.Form):
    """Which of the person's proofs the wallet receives."""

    credential = forms.TypedChoiceField(
        label=_("Which proof may the wallet receive?"),
        coerce=UUID,
        widget=forms.RadioSelect(attrs={"class": "utrecht-radio-button"}),
        error_messages={
            "required": _("Choose the proof the wallet may receive."),
            "invalid_choice": _("Choose one of the proofs listed."),
        },
    )

    def __init__(self, *args: Any, credentials: list[IssuedCredential], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: forms.TypedChoiceField = self.fields["credential"]  # type: ignore[assignment]
        field.choices = [(str(found.pk), _choice_label(found)) for found in credentials]
        if len(credentials) == 1:
            field.initial = str(credentials[0].pk)


def _choice_label(found: IssuedCredential) -> str:
    return str(
        _("%(name)s, issued on %(issued)s")
        % {
            "name": found.credential_type.name,
            "issued": date_format(timezone.localtime(found.issued_at), "j F Y"),
        }
    )


def _auth(request: HttpRequest) -> Authentication:
    return request.authentication  # type: ignore[attr-defined]


@login_required(LEVEL)
@never_cache
@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    """Show the wallet's request with the person's proofs of the asked kind; on POST, answer
    it as chosen and send the browser back to the wallet."""
    params = request.POST if request.method == "POST" else request.GET
    client_id = params.get("client_id", "")[:MAX_PARAMETER]
    request_uri = params.get("request_uri", "")[:MAX_PARAMETER]
    try:
        authorization = oid4vci_authorize.pending(client_id, request_uri)
    except oid4vci_authorize.RequestUnusable as unusable:
        return _unusable(request, unusable, 400)
    refusing = request.method == "POST" and request.POST.get("decision") == "refuse"
    if refusing:  # before the person's proofs are read: nothing of theirs is needed
        try:
            return _back_to_wallet(oid4vci_authorize.refuse(authorization))
        except oid4vci_authorize.RequestUnusable as unusable:
            return _unusable(request, unusable, 409)
    person = _auth(request).subject
    credentials = oid4vci_authorize.choices(person, authorization)
    form = ChoiceForm(request.POST if request.method == "POST" else None, credentials=credentials)
    status = 200
    if request.method == "POST":
        try:
            if form.is_valid():
                chosen = next(c for c in credentials if c.pk == form.cleaned_data["credential"])
                target = oid4vci_authorize.approve(person, authorization, chosen)
                return _back_to_wallet(target)
        except oid4vci_authorize.RequestUnusable as unusable:
            return _unusable(request, unusable, 409)
        except mine.NotOfferable:
            form.add_error("credential", _("This proof is no longer valid: choose another."))
        status = 422
    context = {
        "wallet_name": oid4vci_authorize.wallet_name(authorization),
        "vouched_by": oid4vci_authorize.vouched_by(authorization),
        "kind": authorization.credential_type,
        "form": form,
        "has_choices": bool(credentials),
        "client_id": client_id,
        "request_uri": request_uri,
    }
    response = render(request, "credentials/authorize.html", context, status=status)
    # The form's answer redirects to the wallet: the page's form-action must allow it.
    return allow_form_targets(response, [authorization.redirect_uri])  # type: ignore[return-value]


def _unusable(
    request: HttpRequest, unusable: oid4vci_authorize.RequestUnusable, status: int
) -> HttpResponse:
    context = {"answered": unusable.answered}
    return render(request, "credentials/authorize_unusable.html", context, status=status)


def _back_to_wallet(url: str) -> HttpResponse:
    """A redirect to the wallet's redirect_uri, which may have the wallet app's own scheme
    (Django's redirect allows http, https and ftp only); the URI is one the operator
    admitted for this wallet."""
    response = HttpResponse(status=302)
    response["Location"] = url
    return response
