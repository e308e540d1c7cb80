"""The person's notification settings API (`/api/inbox/notifications/`): the same operations as
the settings pages. Authenticated by the login session cookie (assurance level substantial),
with Django's CSRF check on every change; errors are problem details, field errors in the
person's language (Accept-Language or the language cookie).

The settings belong to the box's owner alone: while acting for someone every endpoint is a 403
`not-permitted` problem with reason `only-self`, whatever the mandate."""

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from lifegate.core.problem_schema import problem_responses
from lifegate.core.problems import problem_response
from lifegate.core.subject import Subject
from lifegate.identity.api_auth import SubstantialPersonSession, request_language
from lifegate.inbox import notifications
from lifegate.inbox.views_notifications import (
    CONFIRMATION_STATUS,
    AddressForm,
    PreferencesForm,
)
from lifegate.mandates import acting
from lifegate.mandates.actions import INBOX_SETTINGS

router = Router(tags=["inbox"], auth=SubstantialPersonSession())


class SettingsOut(Schema):
    email: str | None = Field(
        description="The confirmed address e-mails go to; null when there is none."
    )
    pending_email: str | None = Field(
        description="An address waiting until the confirmation link sent to it is opened."
    )
    notify: str = Field(
        description="When to e-mail: `every` new message, only `important` ones (decisions "
        "and messages that need action), or `never`.",
        examples=["every"],
    )
    language: str = Field(description="Language of the e-mails: nl or en.", examples=["nl"])


class PreferencesIn(Schema):
    notify: str = Field(max_length=20, examples=["important"])
    language: str = Field(max_length=5, examples=["en"])


class AddressIn(Schema):
    email: str = Field(max_length=500, examples=["noor@example.nl"])


class ConfirmationIn(Schema):
    token: str = Field(max_length=500, description="The last part of the confirmation link's path.")


def _owner(request: HttpRequest) -> Subject:
    """Whose settings these are (raises `NotPermitted`: a 403 problem with its `reason`)."""
    return acting.legal_subject(request, INBOX_SETTINGS)


def _out(current: notifications.NotificationSettings) -> SettingsOut:
    return SettingsOut(
        email=current.email or None,
        pending_email=current.pending_email or None,
        notify=current.notify,
        language=current.language,
    )


def _field_errors(request: HttpRequest, form: forms.Form) -> HttpResponse:
    errors = [
        {"location": key, "message": str(message)}
        for key, messages in form.errors.items()
        for message in messages
    ]
    return problem_response(
        request,
        422,
        _("Please correct the errors in the form."),
        problem_type="invalid-form",
        errors=errors,
    )


def _mail_unavailable(request: HttpRequest) -> HttpResponse:
    return problem_response(
        request,
        503,
        _("The e-mail with the confirmation link could not be sent just now. Try again later."),
        problem_type="mail-unavailable",
    )


@router.get(
    "/",
    response=SettingsOut,
    summary="My notification settings",
    operation_id="getMyNotificationSettings",
)
def get_settings(request: HttpRequest) -> SettingsOut:
    """The person's addresses (confirmed and waiting) and preferences."""
    return _out(notifications.notification_settings(_owner(request), actor=acting.actor(request)))


@router.put(
    "/",
    response=SettingsOut,
    summary="Choose when and in which language to get e-mail",
    description="422 with field errors for an unknown choice.",
    openapi_extra=problem_responses(422),
    operation_id="putMyNotificationPreferences",
)
def put_preferences(request: HttpRequest, body: PreferencesIn) -> Any:
    """Save the preference (`every`, `important`, `never`) and the language (nl, en)."""
    owner = _owner(request)
    form = PreferencesForm(body.dict())
    if not form.is_valid():
        return _field_errors(request, form)
    return _out(
        notifications.set_preferences(
            owner,
            form.cleaned_data["notify"],
            form.cleaned_data["language"],
            actor=acting.actor(request),
        )
    )


@router.post(
    "/address",
    response={202: SettingsOut},
    summary="Register an e-mail address",
    description="The address waits (`pending_email`) until the confirmation link e-mailed to "
    "it is opened by the same person. 422 for an invalid address; 503 when the e-mail could "
    "not be sent (the address still waits: ask for the link again).",
    openapi_extra=problem_responses(422, 503),
    operation_id="registerMyEmailAddress",
)
def post_address(request: HttpRequest, body: AddressIn) -> Any:
    """Register a new address and e-mail it the confirmation link."""
    owner = _owner(request)
    form = AddressForm(body.dict())
    if not form.is_valid():
        return _field_errors(request, form)
    current, sent = notifications.register_address(
        owner,
        form.cleaned_data["email"],
        actor=acting.actor(request),
        language=request_language(),
    )
    return Status(202, _out(current)) if sent else _mail_unavailable(request)


@router.post(
    "/address/confirmation-link",
    response={202: SettingsOut},
    summary="Send the confirmation link again",
    description="409 when no address is waiting; 503 when the e-mail could not be sent.",
    openapi_extra=problem_responses(409, 503),
    operation_id="resendMyConfirmationLink",
)
def resend_link(request: HttpRequest) -> Any:
    """E-mail the confirmation link again to the waiting address."""
    try:
        current, sent = notifications.resend_confirmation(
            _owner(request), actor=acting.actor(request), language=request_language()
        )
    except notifications.NothingPending as nothing:
        return problem_response(request, 409, str(nothing), problem_type="nothing-pending")
    return Status(202, _out(current)) if sent else _mail_unavailable(request)


@router.post(
    "/address/confirmation",
    response=SettingsOut,
    summary="Confirm the waiting address",
    description="With the token from the confirmation link. 410 when the link has expired, "
    "403 when it belongs to another person or to an address replaced since, 400 when it is "
    "not a link lifegate made.",
    openapi_extra=problem_responses(410),
    operation_id="confirmMyEmailAddress",
)
def confirm(request: HttpRequest, body: ConfirmationIn) -> Any:
    """Confirm the waiting address: e-mails go there from now on."""
    try:
        current = notifications.confirm_address(
            _owner(request), body.token, actor=acting.actor(request)
        )
    except notifications.ConfirmationError as refused:
        status = CONFIRMATION_STATUS.get(refused.code, 400)
        return problem_response(request, status, str(refused), problem_type=refused.code)
    return _out(current)


@router.delete(
    "/address",
    response=SettingsOut,
    summary="Remove my e-mail address",
    operation_id="deleteMyEmailAddress",
)
def delete_address(request: HttpRequest) -> SettingsOut:
    """Forget the confirmed and the waiting address: no more e-mail is sent."""
    return _out(notifications.remove_address(_owner(request), actor=acting.actor(request)))
