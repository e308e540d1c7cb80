"""Journey news for the person, delivered to their message box: every status update an agency
makes on a submission arrives as a message from that agency, linked to the step."""

import re

from django.utils import translation
from django.utils.translation import gettext as _

from lifegate.core.subject import Subject
from lifegate.inbox.models import Category
from lifegate.inbox.services import NewMessage, Outcome, send_message
from lifegate.journeys.models import StatusChange, Submission
from lifegate.transparency.services import Actor

# Every ASCII punctuation character may be backslash-escaped in CommonMark: the agency's
# free text is shown literally, never as Markdown or HTML.
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~\"'&:])")


def as_literal_markdown(text: str) -> str:
    """`text` escaped so that Markdown shows it as written."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)


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
        idempotency_key=f"journey-status-{change.pk}",
        language=submission.language,
        submission_id=submission.pk,
    )
    result = send_message(submission.organisation, message, actor=actor, recipients_known=True)
    return result.outcome == Outcome.CREATED
