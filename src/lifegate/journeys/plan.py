"""The plan engine: start a life event, build its plan, answer its questions later, and keep
the plan up to date as steps are settled.

Each of the life event's services (`catalogue.EventService`) carries a CEL rule, evaluated
against facts from the registries and the person's answers (`catalogue.rules`); the steps are
ordered by the catalogue's position and wait for the steps they depend on. Every step says
why it is, or is not, in the plan. Facts are read (and the read recorded) when needed; the
journey stores no copy of them, and its answers are sealed."""

import json
import re
from collections.abc import Sequence
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
from lifegate.catalogue.models import EventService, LifeEvent, StepKind
from lifegate.core.sealing import seal, unseal
from lifegate.core.subject import Subject
from lifegate.journeys.errors import JourneyAlreadyRunning, StepNotOpen
from lifegate.journeys.facts import ALL_PARTS, FactRead, read_facts
from lifegate.journeys.forms import CatalogueForm
from lifegate.journeys.models import Journey, Step
from lifegate.journeys.reading import find_journey, journey_related, journey_subject
from lifegate.transparency.services import Actor, encrypt_subject, subject_hash

PLAN_ACTIVITY = "journeys-plan"
ANSWERS_SEAL = "journey-answers"
ANSWER_REFERENCE = re.compile(r"\banswers\.([a-z][a-z0-9_]*)")
# Steps whose outcome is still open to a new evaluation of their rule.
UNSETTLED = (
    Step.Status.TO_CHECK,
    Step.Status.TODO,
    Step.Status.WAITING,
    Step.Status.NOT_APPLICABLE,
)


# ---------------------------------------------------------------------------------------------
# Starting a life event


def startable_life_event(slug: str) -> LifeEvent:
    """The life event with this slug, with its questions; 404 when it does not exist."""
    event = LifeEvent.objects.prefetch_related("questions").filter(slug=slug).first()
    if event is None:
        raise Http404("life event")
    return event


def question_form(event: LifeEvent, data: Any = None, only: Sequence[str] = ()) -> CatalogueForm:
    """The form with the life event's questions (only those keys when given), bound when
    `data` is given."""
    questions = [q for q in event.questions.all() if not only or q.key in only]
    return CatalogueForm(questions, data=data)


def running_journey(subject: Subject, event: LifeEvent) -> Journey | None:
    """The person's active journey for this life event, whoever else it is about: starting it
    again offers this one."""
    return Journey.objects.filter(
        subject_hash=subject_hash(subject),
        life_event_slug=event.slug,
        status=Journey.Status.ACTIVE,
    ).first()


def _running_about(subject: Subject, event: LifeEvent, related: Subject | None) -> Journey | None:
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

    A journey started by a registry event asks its questions later (on the journey page);
    until they are answered, steps whose rule needs an answer are "to check".

    Raises JourneyAlreadyRunning when the life event is already active for the person, also
    when two starts race. A registry event about someone (the newborn) that finds a journey
    the person started themselves updates that journey (the registration is done) instead."""
    existing = (
        _running_about(start.subject, event, start.related)
        if start.related
        else running_journey(start.subject, event)
    )
    if existing is None and start.related:
        own = _running_about(start.subject, event, None)
        if own is not None:
            _adopt(own, start)
            existing = own
    if existing:
        raise JourneyAlreadyRunning(existing)
    today = timezone.localdate()
    questions = list(event.questions.all())
    asked_later = start.origin == Journey.Origin.REGISTRY
    pending = [q.key for q in questions if asked_later and q.key not in start.answers]
    stored = {
        "values": rules.complete_answers(questions, start.answers),
        "relation": start.relation,
        "pending": pending,
    }
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
                answers_sealed=seal(ANSWERS_SEAL, json.dumps(stored)),
                language=start.language,
                started_on=today,
            )
            facts = plan_facts(journey, FactRead(start.actor, PLAN_ACTIVITY, "journeys.plan"))
            _build_steps(journey, event, facts, done=set(start.done), pending=set(pending))
    except IntegrityError:
        existing = _running_about(start.subject, event, start.related)
        if existing is None:
            raise
        raise JourneyAlreadyRunning(existing) from None
    return journey


def _adopt(journey: Journey, start: Start) -> None:
    """The register reports what the person's own journey is about (e.g. the child is born
    and registered): link the related person and mark the registered steps done."""
    with transaction.atomic():
        stored = answers_of(journey)
        stored["relation"] = start.relation
        journey.related_hash = subject_hash(start.related) if start.related else ""
        journey.related_sealed = encrypt_subject(start.related) if start.related else ""
        journey.answers_sealed = seal(ANSWERS_SEAL, json.dumps(stored))
        journey.save(update_fields=["related_hash", "related_sealed", "answers_sealed"])
        journey.steps.filter(service_slug__in=start.done, status__in=UNSETTLED).update(
            applicable=True, status=Step.Status.DONE
        )
        refresh_plan(journey)


def answers_of(journey: Journey) -> dict[str, Any]:
    """The journey's answers: {"values": {...}, "relation": ..., "pending": [...]}."""
    if not journey.answers_sealed:
        return {"values": {}, "relation": "", "pending": []}
    stored: dict[str, Any] = json.loads(unseal(ANSWERS_SEAL, journey.answers_sealed))
    stored.setdefault("pending", [])
    return stored


def pending_questions(journey: Journey) -> list[str]:
    """Keys of the questions the person still has to answer (registry-started journeys)."""
    return list(answers_of(journey)["pending"])


def plan_facts(
    journey: Journey, read: FactRead, parts: frozenset[str] = ALL_PARTS
) -> dict[str, Any]:
    """The facts for this journey's rules and forms, read from the registries now."""
    stored = answers_of(journey)
    return read_facts(
        journey_subject(journey),
        read,
        today=timezone.localdate(),
        answers=stored["values"],
        related=journey_related(journey),
        relation=stored["relation"],
        started_on=journey.started_on,
        started_by_registry=journey.origin == Journey.Origin.REGISTRY,
        parts=parts,
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


@dataclass(frozen=True)
class Evaluation:
    """A step's place in this person's plan."""

    applicable: bool
    status: str
    reason: dict[str, str]
    deadline: date | None


def _evaluate(
    entry: EventService, facts: dict[str, Any], done: set[str], pending: set[str]
) -> Evaluation:
    if entry.service.slug in done:
        # Already done elsewhere (e.g. the registry reported the birth registered): the step
        # counts as done, explained by the text for "you need not do this".
        reason = {"nl": entry.skip_reason_nl, "en": entry.skip_reason_en}
        if not entry.skip_reason_nl:
            reason = _in_both(lambda: _("This has already been done for you."))
        return Evaluation(True, Step.Status.DONE, reason, None)
    if pending & set(ANSWER_REFERENCE.findall(entry.rule)):
        reason = _in_both(
            lambda: _("Answer the questions above so we can check whether this applies to you.")
        )
        return Evaluation(True, Step.Status.TO_CHECK, reason, None)
    applicable, reason = _applies(entry, facts)
    if not applicable:
        return Evaluation(False, Step.Status.NOT_APPLICABLE, reason, None)
    status = Step.Status.DONE if entry.step_kind == StepKind.AUTOMATIC else Step.Status.TODO
    deadline = rules.deadline(entry.deadline_from, entry.deadline_days, facts)
    return Evaluation(True, status, reason, deadline)


def _build_steps(
    journey: Journey, event: LifeEvent, facts: dict[str, Any], done: set[str], pending: set[str]
) -> None:
    steps = []
    for entry in _event_services(event):
        service = entry.service
        outcome = _evaluate(entry, facts, done, pending)
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
                applicable=outcome.applicable,
                reason_nl=outcome.reason["nl"],
                reason_en=outcome.reason["en"],
                depends_on=[d.service.slug for d in entry.depends_on.all()],
                deadline=outcome.deadline,
                minimum_assurance_level=service.minimum_assurance_level,
                status=outcome.status,
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


def answer_questions(journey: Journey, data: Any, actor: Actor) -> CatalogueForm:
    """The person answers the questions a registry-started journey left open. When the form
    is valid, the steps not yet acted on are evaluated again with the answers. Returns the
    bound form (with field errors when invalid)."""
    pending = pending_questions(journey)
    event = journey.life_event
    if not pending or event is None:
        raise StepNotOpen(_("There are no open questions for this plan."))
    form = question_form(event, data, only=pending)
    if not form.is_valid():
        return form
    with transaction.atomic():
        stored = answers_of(journey)
        stored["values"].update(form.values())
        stored["pending"] = []
        journey.answers_sealed = seal(ANSWERS_SEAL, json.dumps(stored))
        journey.save(update_fields=["answers_sealed", "updated_at"])
        facts = plan_facts(journey, FactRead(actor, PLAN_ACTIVITY, "journeys.plan"))
        entries = {entry.service.slug: entry for entry in _event_services(event)}
        changed = []
        # Locked: a step being sent in another tab (locked by `submit_step`) is read once that
        # commits, and then no longer qualifies; its new status is not overwritten.
        unsettled = journey.steps.select_for_update(of=("self",)).filter(
            status__in=UNSETTLED, submissions__isnull=True
        )
        for step in unsettled:
            entry = entries.get(step.service_slug)
            if entry is None:
                continue
            outcome = _evaluate(entry, facts, set(), set())
            step.applicable, step.status = outcome.applicable, outcome.status
            step.reason_nl, step.reason_en = outcome.reason["nl"], outcome.reason["en"]
            step.deadline = outcome.deadline
            changed.append(step)
        fields = ["applicable", "status", "reason_nl", "reason_en", "deadline", "updated_at"]
        Step.objects.bulk_update(changed, fields)
        refresh_plan(journey)
    return form


def refresh_plan(journey: Journey) -> None:
    """Bring the plan up to date: withdrawn services, steps that wait for earlier ones, and
    whether the whole journey is finished. Idempotent.

    It reads without locks (every plan page calls it), so each write only applies if the row
    still holds what was read: a step sent, or a journey stopped, by a concurrent request in
    the meantime keeps that newer status instead of getting one worked out from the old."""
    steps = list(journey.steps.all())
    by_slug = {step.service_slug: step for step in steps}
    now = timezone.now()
    for step in steps:
        new = _current_status(step, by_slug)
        if new != step.status:
            still = Step.objects.filter(pk=step.pk, status=step.status)
            if still.update(status=new, updated_at=now):
                step.status, step.updated_at = new, now
            else:
                step.refresh_from_db()
    open_steps = [
        s
        for s in steps
        if s.applicable
        and s.status not in (*Step.SETTLED, Step.Status.REJECTED, Step.Status.NOT_APPLICABLE)
    ]
    if journey.status == Journey.Status.ACTIVE and not open_steps:
        still_active = Journey.objects.filter(pk=journey.pk, status=Journey.Status.ACTIVE)
        if still_active.update(status=Journey.Status.FINISHED, finished_at=now, updated_at=now):
            journey.status, journey.finished_at = Journey.Status.FINISHED, now
        else:
            journey.refresh_from_db()


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
# Reading journeys (the rest is in `journeys.reading`)


def get_journey(subject: Subject, journey_id: UUID | str) -> Journey:
    """The person's journey with this id, its plan up to date; 404 for anyone else's."""
    journey = find_journey(subject, journey_id)
    refresh_plan(journey)
    return journey
