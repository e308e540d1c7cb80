"""The agency's decisions on a submission flowing back into the person's plan: the status a
submission may move to, the step that follows it, and the message to the person."""

from django.db import transaction
from django.utils.translation import gettext as _

from lifegate.journeys.errors import InvalidTransition
from lifegate.journeys.models import StatusChange, Step, Submission
from lifegate.journeys.notices import send_status_message
from lifegate.journeys.plan import refresh_plan
from lifegate.journeys.submissions import activity_of, submission_subject
from lifegate.transparency.services import Actor, record_processing

TRANSITIONS = {
    Submission.Status.SUBMITTED: {
        Submission.Status.RECEIVED,
        Submission.Status.IN_PROGRESS,
        Submission.Status.DECIDED,
        Submission.Status.REJECTED,
    },
    Submission.Status.RECEIVED: {
        Submission.Status.IN_PROGRESS,
        Submission.Status.DECIDED,
        Submission.Status.REJECTED,
    },
    Submission.Status.IN_PROGRESS: {Submission.Status.DECIDED, Submission.Status.REJECTED},
    Submission.Status.DECIDED: set(),
    Submission.Status.REJECTED: set(),
}
STEP_STATUS = {
    Submission.Status.RECEIVED: Step.Status.RECEIVED,
    Submission.Status.IN_PROGRESS: Step.Status.IN_PROGRESS,
    Submission.Status.DECIDED: Step.Status.DECIDED,
    Submission.Status.REJECTED: Step.Status.REJECTED,
}


def update_submission_status(
    submission: Submission, status: str, message: str, changed_by: str, actor: Actor
) -> Submission:
    """An agency moves a submission on (received → in progress → decided or rejected) with a
    message to the person. The step follows, dependent steps unlock, and the journey finishes
    when nothing is left. Raises InvalidTransition with a readable reason."""
    if status not in Submission.Status.values:
        raise InvalidTransition(_("Unknown status %(status)s.") % {"status": status})
    with transaction.atomic():
        locked = (
            # Only the submission's row: PostgreSQL cannot lock the nullable side of a join.
            Submission.objects.select_for_update(of=("self",))
            .select_related("step__journey", "service__processing_activity")
            .get(pk=submission.pk)
        )
        if status not in TRANSITIONS[Submission.Status(locked.status)]:
            raise InvalidTransition(
                _("A submission that is %(current)s cannot become %(new)s.")
                % {"current": locked.get_status_display(), "new": Submission.Status(status).label}
            )
        if status == Submission.Status.REJECTED and not message.strip():
            raise InvalidTransition(_("A rejection needs a reason for the person."))
        locked.status = status
        if status == Submission.Status.REJECTED:
            locked.status_reason = message
        locked.save(update_fields=["status", "status_reason", "updated_at"])
        change = StatusChange.objects.create(
            submission=locked, status=status, message=message, changed_by=changed_by
        )
        step = locked.step
        step.status = STEP_STATUS[Submission.Status(status)]
        step.status_message = message
        step.save(update_fields=["status", "status_message", "updated_at"])
        subject = submission_subject(locked)
        send_status_message(locked, change, subject, actor)
        record_processing(
            name=f"journeys.status.{locked.service_slug}",
            subject=subject,
            activity=activity_of(locked.service),
            actor=actor,
            data_categories=("submission-status",),
        )
        refresh_plan(step.journey)
    return locked
