"""Reading journeys as stored: whose a journey is, a person's journeys with their progress,
one journey or step by id, a plan's steps as the person sees them. Bringing a plan up to date
is `journeys.plan`'s."""

from dataclasses import dataclass
from uuid import UUID

from django.db.models import Prefetch
from django.http import Http404

from lifegate.core.subject import Subject
from lifegate.journeys.models import Delivery, Journey, Step, Submission
from lifegate.transparency.services import decrypt_subject, subject_hash


def journey_subject(journey: Journey) -> Subject:
    """The person the journey belongs to."""
    return decrypt_subject(journey.subject_sealed)


def journey_related(journey: Journey) -> Subject | None:
    """The other person the journey is about (the newborn, the deceased), if any."""
    return decrypt_subject(journey.related_sealed) if journey.related_sealed else None


@dataclass(frozen=True)
class JourneySummary:
    journey: Journey
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


def journeys_for(subject: Subject) -> list[JourneySummary]:
    """The person's journeys, active first, each with its progress."""
    journeys = Journey.objects.filter(subject_hash=subject_hash(subject)).prefetch_related(
        Prefetch(
            "steps", queryset=Step.objects.filter(applicable=True).only("journey_id", "status")
        )
    )
    summaries = []
    for journey in journeys:
        steps = list(journey.steps.all())
        done = sum(1 for s in steps if s.status in (*Step.SETTLED, Step.Status.REJECTED))
        summaries.append(JourneySummary(journey, done, len(steps)))
    summaries.sort(key=lambda s: s.journey.status != Journey.Status.ACTIVE)
    return summaries


def find_journey(subject: Subject, journey_id: UUID | str) -> Journey:
    """The person's journey with this id as stored, without bringing its plan up to date (for
    deciding first who may see it); 404 for anyone else's (never reveal it exists)."""
    journey = Journey.objects.filter(pk=journey_id, subject_hash=subject_hash(subject)).first()
    if journey is None:
        raise Http404("journey")
    return journey


def get_step(journey: Journey, slug: str) -> Step:
    """The journey's step for the service `slug`; 404 when the plan has none."""
    step = (
        journey.steps.select_related("service__competent_authority", "service__processing_activity")
        .filter(service_slug=slug)
        .first()
    )
    if step is None:
        raise Http404("step")
    return step


# ---------------------------------------------------------------------------------------------
# The plan as the person sees it


def plan_steps(journey: Journey) -> list[Step]:
    """The journey's steps in plan order, with their submissions and status history."""
    return list(
        journey.steps.select_related("service").prefetch_related(
            Prefetch(
                "submissions",
                queryset=Submission.objects.prefetch_related("changes", "deliveries").order_by(
                    "-submitted_at"
                ),
            )
        )
    )


def delivery_delayed(submission: Submission) -> bool:
    """True while a push to the agency is being retried or has failed for good."""
    return submission.status == Submission.Status.SUBMITTED and any(
        d.state in (Delivery.State.RETRYING, Delivery.State.DEAD)
        for d in submission.deliveries.all()
    )


@dataclass(frozen=True)
class PlanRow:
    """A step of the plan with its submissions (newest first) and whether delivery lags."""

    step: Step
    submissions: list[Submission]
    delayed: bool


def plan_rows(journey: Journey) -> list[PlanRow]:
    """The plan as shown to the person, in plan order."""
    rows = []
    for step in plan_steps(journey):
        submissions = list(step.submissions.all())
        delayed = any(delivery_delayed(submission) for submission in submissions)
        rows.append(PlanRow(step, submissions, delayed))
    return rows
