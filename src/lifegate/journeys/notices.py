"""Journey news for the person, delivered to their message box: a plan that a register event
started for them, and every status update an agency makes on a submission (a message from that
agency, linked to the step)."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from lifegate.catalogue.models import PublicOrganisation
from lifegate.core.subject import Subject
from lifegate.inbox.models import Category
from lifegate.inbox.rendering import as_literal_markdown
from lifegate.inbox.services import (
    SYSTEM_KEY_PREFIX,
    NewMessage,
    Outcome,
    SendResult,
    send_message,
)
from lifegate.journeys.models import Journey, StatusChange, Submission
from lifegate.transparency.services import Actor


class NoticeRefused(RuntimeError):
    """The message box refused lifegate's own message: a defect, never the person's doing.
    Raised so that the change it reports is not committed without it."""


def _sent(result: SendResult) -> bool:
    if result.outcome == Outcome.REJECTED:
        slug = result.problem.slug if result.problem else "unknown"
        raise NoticeRefused(f"journey notice refused by the message box: {slug}")
    return result.outcome == Outcome.CREATED


def send_status_message(
    submission: Submission, change: StatusChange, recipient: Subject, actor: Actor
) -> bool:
    """Put the status update in the person's message box, in the language of their request.
    Once per status change: a repeat is a no-op. Returns whether a message was stored."""
    with translation.override(submission.language):
        service_name = submission.step.localized("name")
        status = Submission.Status(change.status).label
        subject = _("%(service)s: %(status)s") % {"service": service_name, "status": status}
        lines = [
            _("The status of your request “%(service)s” is now: **%(status)s**.")
            % {"service": as_literal_markdown(service_name), "status": status}
        ]
        if change.message.strip():
            lines += [
                "",
                _("Message from the organisation:"),
                "",
                as_literal_markdown(change.message),
            ]
    message = NewMessage(
        recipient=recipient,
        subject=subject[:200],
        body="\n".join(lines),
        category=Category.JOURNEY_UPDATE,
        idempotency_key=f"{SYSTEM_KEY_PREFIX}journey-status-{change.pk}",
        language=submission.language,
        submission_id=submission.pk,
    )
    return _sent(send_message(submission.organisation, message, actor=actor, recipients_known=True))


def send_plan_started_message(
    journey: Journey, recipient: Subject, sender: PublicOrganisation, actor: Actor
) -> bool:
    """Tell the person that a register event made a plan for them, with a link to it: they did
    not ask for it, so the message box is where they learn of it. Once per journey."""
    with translation.override(journey.language):
        name = journey.localized("name")
        link = settings.BASE_URL + reverse("journeys:journey", args=[journey.pk])
        subject = _("A plan is ready for you: %(life_event)s") % {"life_event": name}
        # Not inside the f-string below: makemessages does not look there.
        label = _("Open your plan")
        body = "\n".join(
            [
                _(
                    "A register told us about a change in your life, so we have put together "
                    "what you may need to arrange: “%(life_event)s”."
                )
                % {"life_event": as_literal_markdown(name)},
                "",
                f"[{label}]({link})",
            ]
        )
    message = NewMessage(
        recipient=recipient,
        subject=subject[:200],
        body=body,
        category=Category.ANNOUNCEMENT,
        idempotency_key=f"{SYSTEM_KEY_PREFIX}journey-started-{journey.pk}",
        language=journey.language,
    )
    return _sent(send_message(sender, message, actor=actor, recipients_known=True))
