"""The journeys building block's interface: start a life event, build and keep its plan, fill
and submit a step's form, and follow the agency's decisions.

The plan engine reads the life event's services from the catalogue, evaluates each one's rule
(`catalogue.rules`, CEL) against facts from the registries and the person's answers, orders
the steps by the catalogue's position and dependencies, and stores the result on the journey
together with why each step is (or is not) there. Facts are read again, and the read
recorded, whenever personal data is needed; the journey itself stores no copy of them."""

import json
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from lifegate.catalogue import rules
from lifegate.catalogue.models import (
    EventService,
    FormField,
    LifeEvent,
    LifeEventQuestion,
    StepKind,
)
from lifegate.core.sealing import seal, unseal
from lifegate.core.subject import Subject
from lifegate.journeys.facts import FactRead, read_facts
from lifegate.journeys.forms import CatalogueForm, from_json
from lifegate.journeys.models import Journey, Step, Submission
from lifegate.transparency.services import (
    Actor,
    decrypt_subject,
    encrypt_subject,
    record_processing,
    subject_hash,
)

PLAN_ACTIVITY = "journeys-plan"
SUBMISSION_SEAL = "submission"
REGISTER_SOURCE = "population-register"
ANSWER_SOURCE = "answer"


class JourneyError(Exception):
    """A journey operation that cannot be done; the message is for the person."""


class JourneyAlreadyRunning(JourneyError):
    """The person already has this life event running: offer that journey instead."""

    def __init__(self, journey: Journey) -> None:
        super().__init__(_("You already have this life event running."))
        self.journey = journey


class StepNotOpen(JourneyError):
    """The step cannot be submitted now (waiting, already sent, withdrawn, not a request)."""


class InvalidTransition(JourneyError):
    """An agency status update that does not follow the submission's life cycle."""


class FormInvalid(JourneyError):
    """The submitted form has errors; `prepared.form` carries them per field."""

    def __init__(self, prepared: "StepForm") -> None:
        super().__init__(_("Please correct the errors in the form."))
        self.prepared = prepared


# ---------------------------------------------------------------------------------------------
# Starting a life event


def startable_life_event(slug: str) -> LifeEvent:
    """The life event with this slug, with its questions; 404 when it does not exist."""
    event = LifeEvent.objects.prefetch_related("questions").filter(slug=slug).first()
    if event is None:
        raise Http404(slug)
    return event


def question_form(event: LifeEvent, data: Any = None) -> CatalogueForm:
    """The form with the life event's questions (bound when `data` is given)."""
    return CatalogueForm(event.questions.all(), data=data)


def running_journey(
    subject: Subject, event: LifeEvent, related: Subject | None = None
) -> Journey | None:
    """The person's active journey for this life event (and related person), if any."""
    return Journey.objects.filter(
        subject_hash=subject_hash(subject),
        life_event_slug=event.slug,
        related_hash=subject_hash(related) if related else "",
        status=Journey.Status.ACTIVE,
    ).first()


@dataclass(frozen=True)
class Start:
    """What starts a journey: for whom, by whom, with which answers and related person."""

    subject: Subject
    actor: Actor
    answers: dict[str, Any] = field(default_factory=dict)
    language: str = "nl"
    related: Subject | None = None
    relation: str = ""
    origin: str = Journey.Origin.PERSON
    origin_event_id: int | None = None
    # Steps already done elsewhere, e.g. the birth registration when the register reports it.
    done: Sequence[str] = ()


def start_journey(event: LifeEvent, start: Start) -> Journey:
    """Start `event` for `start.subject` and build the plan.

    Raises JourneyAlreadyRunning when the same life event (for the same related person) is
    already active, also when two starts race."""
    existing = running_journey(start.subject, event, start.related)
    if existing:
        raise JourneyAlreadyRunning(existing)
    today = timezone.localdate()
    questions = list(event.questions.all())
    answers = rules.complete_answers(questions, start.answers)
    try:
        with transaction.atomic():
            journey = Journey.objects.create(
                life_event=event,
                life_event_slug=event.slug,
                name_nl=event.name_nl,
                name_en=event.name_en,
                subject_hash=subject_hash(start.subject),
                subject_sealed=encrypt_subject(start.subject),
                related_hash=subject_hash(start.related) if start.related else "",
                related_sealed=encrypt_subject(start.related) if start.related else "",
                origin=start.origin,
                origin_event_id=start.origin_event_id,
                answers={"values": answers, "relation": start.relation},
                language=start.language,
                started_on=today,
            )
            read = FactRead(start.actor, PLAN_ACTIVITY, "journeys.plan")
            facts = _facts(journey, read, today)
            _build_steps(journey, event, facts, done=set(start.done))
    except IntegrityError:
        existing = running_journey(start.subject, event, start.related)
        if existing is None:
            raise
        raise JourneyAlreadyRunning(existing) from None
    return journey


def _facts(journey: Journey, read: FactRead, today: date) -> dict[str, Any]:
    return read_facts(
        journey_subject(journey),
        read,
        today=today,
        answers=journey.answers.get("values", {}),
        related=journey_related(journey),
        relation=journey.answers.get("relation", ""),
        started_on=journey.started_on,
        started_by_registry=journey.origin == Journey.Origin.REGISTRY,
    )


def _event_services(event: LifeEvent) -> QuerySet[EventService]:
    return (
        EventService.objects.filter(life_event=event)
        .select_related("service__competent_authority")
        .prefetch_related(
            Prefetch("depends_on", queryset=EventService.objects.select_related("service"))
        )
        .order_by("position", "service__slug")
    )


def _build_steps(journey: Journey, event: LifeEvent, facts: dict[str, Any], done: set[str]) -> None:
    steps = []
    for entry in _event_services(event):
        service = entry.service
        applicable, reason = _applies(entry, facts)
        status = Step.Status.TODO if applicable else Step.Status.NOT_APPLICABLE
        if service.slug in done:
            # Already done elsewhere (e.g. the registry reported the birth registered): the
            # step counts as done, explained by the text for "you need not do this".
            applicable, status = True, Step.Status.DONE
            if entry.skip_reason_nl:
                reason = {"nl": entry.skip_reason_nl, "en": entry.skip_reason_en}
        elif applicable and entry.step_kind == StepKind.AUTOMATIC:
            status = Step.Status.DONE
        steps.append(
            Step(
                journey=journey,
                service=service,
                service_slug=service.slug,
                name_nl=service.name_nl,
                name_en=service.name_en,
                organisation_nl=service.competent_authority.name_nl,
                organisation_en=service.competent_authority.name_en,
                kind=entry.step_kind,
                position=entry.position,
                applicable=applicable,
                reason_nl=reason["nl"],
                reason_en=reason["en"],
                depends_on=[d.service.slug for d in entry.depends_on.all()],
                deadline=rules.deadline(entry.deadline_from, entry.deadline_days, facts)
                if applicable
                else None,
                minimum_assurance_level=service.minimum_assurance_level,
                status=status,
            )
        )
    Step.objects.bulk_create(steps)
    refresh_plan(journey)


def _applies(entry: EventService, facts: dict[str, Any]) -> tuple[bool, dict[str, str]]:
    """Whether the step applies, and why (or why not) in both languages. A rule that cannot
    be evaluated for this person keeps the step in the plan, saying so: better one step too
    many than a missed obligation."""
    try:
        applicable = rules.evaluate(entry.rule, facts)
    except rules.RuleError:
        return True, _in_both(
            lambda: _("We could not check whether this applies to you. Please check it yourself.")
        )
    if applicable:
        reason = {"nl": entry.reason_nl, "en": entry.reason_en}
        if not entry.reason_nl:
            reason = _in_both(lambda: _("This is part of this life event for everyone."))
    else:
        reason = {"nl": entry.skip_reason_nl, "en": entry.skip_reason_en}
        if not entry.skip_reason_nl:
            reason = _in_both(lambda: _("This does not apply to your situation."))
    return applicable, reason


def _in_both(text: Any) -> dict[str, str]:
    result = {}
    for language in ("nl", "en"):
        with override(language):
            result[language] = str(text())
    return result


def refresh_plan(journey: Journey) -> None:
    """Bring the plan up to date: withdrawn services, steps that wait for earlier ones, and
    whether the whole journey is finished. Idempotent."""
    steps = list(journey.steps.all())
    by_slug = {step.service_slug: step for step in steps}
    changed = []
    for step in steps:
        new = _current_status(step, by_slug)
        if new != step.status:
            step.status = new
            changed.append(step)
    if changed:
        Step.objects.bulk_update(changed, ["status", "updated_at"])
    open_steps = [
        s
        for s in steps
        if s.applicable
        and s.status not in (*Step.SETTLED, Step.Status.REJECTED, Step.Status.NOT_APPLICABLE)
    ]
    if journey.status == Journey.Status.ACTIVE and not open_steps:
        journey.status = Journey.Status.FINISHED
        journey.finished_at = timezone.now()
        journey.save(update_fields=["status", "finished_at", "updated_at"])


def _current_status(step: Step, by_slug: dict[str, Step]) -> str:
    if not step.applicable:
        return Step.Status.NOT_APPLICABLE
    if step.service_id is None and step.status in (Step.Status.TODO, Step.Status.WAITING):
        return Step.Status.WITHDRAWN
    if step.status not in (Step.Status.TODO, Step.Status.WAITING):
        return step.status
    blocking = [
        slug
        for slug in step.depends_on
        if slug in by_slug and by_slug[slug].applicable and by_slug[slug].status not in Step.SETTLED
    ]
    return Step.Status.WAITING if blocking else Step.Status.TODO


# ---------------------------------------------------------------------------------------------
# Reading journeys


def journey_subject(journey: Journey) -> Subject:
    return decrypt_subject(journey.subject_sealed)


def journey_related(journey: Journey) -> Subject | None:
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


def get_journey(subject: Subject, journey_id: UUID | str) -> Journey:
    """The person's journey with this id; 404 for anyone else's (never reveal it exists)."""
    journey = Journey.objects.filter(pk=journey_id, subject_hash=subject_hash(subject)).first()
    if journey is None:
        raise Http404("journey")
    refresh_plan(journey)
    return journey


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


def get_step(journey: Journey, slug: str) -> Step:
    step = (
        journey.steps.select_related("service__competent_authority", "service__processing_activity")
        .filter(service_slug=slug)
        .first()
    )
    if step is None:
        raise Http404("step")
    return step


# ---------------------------------------------------------------------------------------------
# Filling and submitting a step


@dataclass(frozen=True)
class PrefilledField:
    key: str
    label: str
    value: Any
    source: str  # REGISTER_SOURCE or ANSWER_SOURCE
    as_of: date


@dataclass
class StepForm:
    """A step's form: the fields government already knows, and the form for the rest."""

    known: list[PrefilledField]
    form: CatalogueForm
    missing_known: list[str]


def _service_activity(step: Step) -> str:
    service = step.service
    if service is not None and service.processing_activity_id is not None:
        return service.processing_activity.slug  # type: ignore[union-attr]
    return PLAN_ACTIVITY


def step_form(journey: Journey, step: Step, actor: Actor, data: Any = None) -> StepForm:
    """The step's form with known fields prefilled from the registries (read now, recorded
    under the service's processing activity) and the others for the person to fill in."""
    if step.service is None:
        raise StepNotOpen(_("This service is no longer offered."))
    rows = list(FormField.objects.filter(service=step.service))
    today = timezone.localdate()
    read = FactRead(actor, _service_activity(step), f"journeys.prefill.{step.service_slug}")
    facts = _facts(journey, read, today)
    known, missing, ask = [], [], []
    for row in rows:
        if not row.prefill:
            ask.append(row)
            continue
        try:
            value = rules.fact_value(row.prefill, facts)
        except KeyError:
            value = ""
        if value in ("", None):
            missing.append(row.key)
            ask.append(row)
            continue
        source = ANSWER_SOURCE if row.prefill.startswith("answers.") else REGISTER_SOURCE
        known.append(
            PrefilledField(
                row.key, row.localized("label"), from_json(row.kind, value), source, today
            )
        )
    return StepForm(known=known, form=CatalogueForm(ask, data=data), missing_known=missing)


def already_submitted(step: Step, idempotency_key: str) -> bool:
    """True when this exact form (by its idempotency key) was already sent for the step."""
    return (
        bool(idempotency_key) and step.submissions.filter(idempotency_key=idempotency_key).exists()
    )


def _as_form_data(
    rows: Iterable[FormField | LifeEventQuestion], values: dict[str, Any]
) -> dict[str, Any]:
    return {
        row.key: from_json(row.kind, values[row.key])
        for row in rows
        if values.get(row.key) is not None
    }


def answers_as_form_data(event: LifeEvent, answers: dict[str, Any]) -> dict[str, Any]:
    """JSON answers (from the API) as the question form's data."""
    return _as_form_data(event.questions.all(), answers)


def fields_as_form_data(step: Step, fields: dict[str, Any]) -> dict[str, Any]:
    """JSON field values (from the API) as the step form's data."""
    return _as_form_data(FormField.objects.filter(service_id=step.service_id), fields)


def new_idempotency_key() -> str:
    return secrets.token_urlsafe(24)


def submit_step(
    journey: Journey,
    step: Step,
    *,
    actor: Actor,
    data: Any,
    language: str,
    idempotency_key: str,
    confirmed: bool = True,
) -> Submission:
    """Submit the step's form: validate it, store the submission sealed, mark the step sent
    and schedule delivery to the agency, all in one transaction. Submitting the same form
    twice (same idempotency key) returns the first submission. `confirmed` is the person's
    statement that the prefilled details are correct (the page asks for it)."""
    from lifegate.journeys import delivery

    earlier = Submission.objects.filter(idempotency_key=idempotency_key, step=step).first()
    if earlier:
        return earlier
    if step.kind != StepKind.REQUEST or step.status not in (Step.Status.TODO, Step.Status.REJECTED):
        raise StepNotOpen(_("This step cannot be sent now."))
    with transaction.atomic():
        prepared = step_form(journey, step, actor, data=data)
        valid = prepared.form.is_valid()
        if not confirmed:
            prepared.form.add_error(None, _("Please confirm that the details are correct."))
        if not valid or not confirmed:
            raise FormInvalid(prepared)
        service = step.service
        assert service is not None  # step_form raised otherwise
        fields = {f.key: f.value for f in prepared.known} | prepared.form.values()
        sources = {
            f.key: {"source": f.source, "as_of": f.as_of.isoformat()} for f in prepared.known
        } | {key: {"source": "person"} for key in prepared.form.values()}
        subject = journey_subject(journey)
        try:
            with transaction.atomic():
                submission = Submission.objects.create(
                    step=step,
                    service=service,
                    service_slug=service.slug,
                    organisation=service.competent_authority,
                    form_sealed=seal(
                        SUBMISSION_SEAL, json.dumps({"fields": fields, "sources": sources})
                    ),
                    language=language,
                    subject_hash=subject_hash(subject),
                    subject_sealed=encrypt_subject(subject),
                    actor_sealed=encrypt_subject(actor.subject or subject),
                    idempotency_key=idempotency_key,
                )
        except IntegrityError:
            earlier = Submission.objects.filter(idempotency_key=idempotency_key).first()
            if earlier is None or earlier.step_id != step.pk:
                raise StepNotOpen(_("This form was already used.")) from None
            return earlier
        record_processing(
            name=f"journeys.submit.{service.slug}",
            subject=subject,
            activity=_service_activity(step),
            actor=actor,
            data_categories=sorted(fields),
        )
        step.status = Step.Status.SUBMITTED
        step.status_message = ""
        step.save(update_fields=["status", "status_message", "updated_at"])
        delivery.schedule_deliveries(submission)
    return submission


def mark_done(journey: Journey, step: Step) -> None:
    """The person says they arranged a self-service step themselves."""
    if step.kind != StepKind.SELF_SERVICE or step.status != Step.Status.TODO:
        raise StepNotOpen(_("This step cannot be marked as done now."))
    with transaction.atomic():
        step.status = Step.Status.DONE
        step.save(update_fields=["status", "updated_at"])
        refresh_plan(journey)


def submission_form(submission: Submission) -> dict[str, Any]:
    """The submission's form data: {"fields": {...}, "sources": {...}}."""
    return json.loads(unseal(SUBMISSION_SEAL, submission.form_sealed))


def submission_subject(submission: Submission) -> Subject:
    return decrypt_subject(submission.subject_sealed)


def delivery_delayed(submission: Submission) -> bool:
    """True while a push to the agency is being retried or has failed for good."""
    from lifegate.journeys.models import Delivery

    return submission.status == Submission.Status.SUBMITTED and any(
        d.state in (Delivery.State.RETRYING, Delivery.State.DEAD)
        for d in submission.deliveries.all()
    )


# ---------------------------------------------------------------------------------------------
# Agency decisions

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
    from lifegate.journeys.models import StatusChange

    if status not in Submission.Status.values:
        raise InvalidTransition(_("Unknown status %(status)s.") % {"status": status})
    with transaction.atomic():
        locked = (
            Submission.objects.select_for_update()
            .select_related("step__journey")
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
        StatusChange.objects.create(
            submission=locked, status=status, message=message, changed_by=changed_by
        )
        step = locked.step
        step.status = STEP_STATUS[Submission.Status(status)]
        step.status_message = message
        step.save(update_fields=["status", "status_message", "updated_at"])
        record_processing(
            name=f"journeys.status.{locked.service_slug}",
            subject=submission_subject(locked),
            activity=_service_activity(step),
            actor=actor,
            data_categories=("submission-status",),
        )
        refresh_plan(step.journey)
    return locked
