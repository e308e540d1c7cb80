"""The principal is told, in their message box, when a mandate is created, accepted, used for
the first time and ended. A new message triggers the e-mail notification the principal chose
(inbox notifications), so both channels follow from one message. The message names the
representative and the scope, never an identifier."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from lifegate.catalogue.models import LifeEvent, PublicOrganisation, PublicService
from lifegate.inbox.models import Category
from lifegate.inbox.rendering import as_literal_markdown
from lifegate.inbox.services import (
    SYSTEM_KEY_PREFIX,
    NewMessage,
    Outcome,
    notify_language,
    send_message,
)
from lifegate.mandates.models import Mandate, ScopeKind
from lifegate.registries.services import full_name
from lifegate.transparency.services import Actor, record_processing

EVENTS = ("created", "accepted", "first-use", "ended")


class NoticeRefused(RuntimeError):
    """The message box refused a mandate notice: a defect, never the person's doing."""


def scope_label(mandate: Mandate) -> str:
    """What the mandate covers, in words, in the active language."""
    if mandate.scope_kind == ScopeKind.INBOX_READ:
        return _("reading your message box")
    if mandate.scope_kind == ScopeKind.INBOX_FULL:
        return _("your whole message box")
    if mandate.scope_kind == ScopeKind.PROCESSING_LOG:
        return _("seeing who used your data")
    model = PublicService if mandate.scope_kind == ScopeKind.SERVICE else LifeEvent
    found = model._default_manager.filter(slug=mandate.scope_slug).first()
    return found.name if found else mandate.scope_slug


def _representative_name(mandate: Mandate) -> str:
    from lifegate.mandates.services import ACTIVITY, representative_of

    representative = representative_of(mandate)
    if representative is None:
        return _("the person you gave the invitation code to")
    if not mandate.agreed:
        # Never accepted: a BSN typed in must not turn into a name before its owner agrees.
        return _("the person you chose")
    name = full_name(representative)
    if not name:
        return _("your representative")
    # The representative's name goes into the principal's message: a read of their data.
    record_processing(
        name="mandates.notice",
        subject=representative,
        activity=ACTIVITY,
        actor=Actor(kind="system", organisation=settings.MANDATES_NOTICE_SENDER),
        data_categories=("name", "mandate"),
    )
    return name


def _texts(event: str, mandate: Mandate, name: str) -> tuple[str, str]:
    scope = scope_label(mandate)
    period = {
        "from": mandate.valid_from.strftime("%d-%m-%Y"),
        "until": mandate.valid_until.strftime("%d-%m-%Y"),
    }
    # Names come from registers and catalogues: shown as written on one line, never as
    # Markdown (a line break could start a heading).
    values = {"name": _inline(name), "scope": _inline(scope)} | period
    if event == "created":
        return (
            _("You have given an authorisation"),
            _(
                "You have authorised %(name)s for %(scope)s, from %(from)s until %(until)s. "
                "You can end this at any time."
            )
            % values,
        )
    if event == "accepted":
        return (
            _("Your authorisation has been accepted"),
            _("%(name)s has accepted your authorisation for %(scope)s.") % values,
        )
    if event == "first-use":
        return (
            _("Someone acted on your behalf for the first time"),
            _("%(name)s has used your authorisation for %(scope)s for the first time.") % values,
        )
    return (
        _("An authorisation has ended"),
        _("The authorisation of %(name)s for %(scope)s has ended.") % values,
    )


def _inline(text: str) -> str:
    return as_literal_markdown(" ".join(text.split()))


def tell_principal(event: str, mandate: Mandate) -> None:
    """Put a message about `event` (one of `EVENTS`) in the principal's message box, in the
    language of their notification settings. Once per mandate and event."""
    from lifegate.mandates.services import principal_of

    if event not in EVENTS:
        raise ValueError(f"unknown mandate event {event!r}")
    principal = principal_of(mandate)
    language = notify_language(principal)
    with translation.override(language):
        subject, text = _texts(event, mandate, _representative_name(mandate))
        link = settings.BASE_URL + reverse("mandates:overview")
        label = _("Your authorisations")  # not in the f-string: makemessages skips those
        body = f"{text}\n\n[{label}]({link})"
    message = NewMessage(
        recipient=principal,
        subject=subject,
        body=body,
        category=Category.ANNOUNCEMENT,
        idempotency_key=f"{SYSTEM_KEY_PREFIX}mandate-{event}-{mandate.pk}",
        language=language,
    )
    # The organisation that runs the mandates register (settings.MANDATES_NOTICE_SENDER).
    sender = PublicOrganisation.objects.get(slug=settings.MANDATES_NOTICE_SENDER)
    actor = Actor(kind="system", organisation=sender.slug)
    result = send_message(sender, message, actor=actor, recipients_known=True)
    if result.outcome == Outcome.REJECTED:
        slug = result.problem.slug if result.problem else "unknown"
        raise NoticeRefused(f"mandate notice refused by the message box: {slug}")
