"""Whose journeys a request may see and act in, asked of the mandates decision point for the
journey's life event and for each step's service. Pages and the person API both go through
here, so they refuse alike (`acting.NotPermitted`: a 403 page, or a 403 problem).

A representative whose mandate covers one service of a life event sees the whole plan that
service is part of (to know where it stands), but acts only in the steps their mandate
covers. Every look at a plan and every change to it is recorded on the person whose plan it
is, with whoever acted as actor: the person themselves, like their own reads of their message
box, or a representative on their behalf, so the person finds it in "who used my data". One
record per request: a request that looks and then acts is recorded once, as the act."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db import transaction
from django.http import HttpRequest

from lifegate.core.subject import Subject
from lifegate.identity.assurance import LevelOfAssurance, loa_rank, loa_satisfies
from lifegate.journeys import services
from lifegate.journeys.forms import CatalogueForm
from lifegate.journeys.models import Journey, Step
from lifegate.mandates import acting
from lifegate.mandates.actions import JOURNEYS_SUBMIT, JOURNEYS_VIEW
from lifegate.mandates.decision import Decision
from lifegate.transparency.services import record_processing

# Which refusal says most about why: an ended mandate over one out of scope.
REFUSAL_RANK = ("no-relation", "out-of-scope", "not-yet-valid", "expired", "ended")
# Record names: a look at a plan, and the changes a person makes to it outside a submission.
VIEW = "journeys.view"
ANSWERS = "journeys.answers"
STEP_DONE = "journeys.step-done"
# The level of assurance an agency's message on a step needs: the message box's (inbox.views).
MESSAGE_LEVEL: LevelOfAssurance = "substantial"


@dataclass(frozen=True)
class VisibleJourneys:
    """The journeys shown to the request's actor; `limited` when the mandate may not cover
    all of them (the page says so, without saying how many are left out)."""

    summaries: list[services.JourneySummary]
    limited: bool


def whose(request: HttpRequest) -> Subject:
    """The person whose journeys the request is about, before any decision: the person acted
    for, or the logged-in person."""
    chosen = acting.acting_for(request)
    return chosen.subject if chosen else request.authentication.subject  # type: ignore[attr-defined]


def most_telling(refusals: Iterable[Decision]) -> Decision:
    """The refusal that explains best why nothing was allowed."""
    return max(
        refusals,
        key=lambda d: REFUSAL_RANK.index(d.reason) if d.reason in REFUSAL_RANK else 0,
    )


def view_decision(request: HttpRequest, journey: Journey) -> Decision:
    """May the request's actor see `journey`: for its life event, or for any of its steps'
    services."""
    decision = acting.check(request, JOURNEYS_VIEW, life_event=journey.life_event_slug)
    if decision:
        return decision
    refusals = [decision]
    for service in journey.steps.values_list("service_slug", flat=True):
        by_service = acting.check(request, JOURNEYS_VIEW, service=service)
        if by_service:
            return by_service
        refusals.append(by_service)
    return most_telling(refusals)


def visible_journeys(request: HttpRequest) -> VisibleJourneys:
    """The journeys of the person acted for (or one's own) that the actor may see. Someone
    with no relation at all to the person is refused the list (`NotPermitted`)."""
    everything = acting.check(request, JOURNEYS_VIEW)  # self and parental authority
    if not everything and everything.reason == "no-relation":
        raise acting.NotPermitted(everything)
    summaries = services.journeys_for(whose(request))
    if not everything:
        summaries = [s for s in summaries if view_decision(request, s.journey)]
    if summaries:
        _record(request, "journeys.list")
    return VisibleJourneys(summaries, limited=not everything)


def viewable_journey(
    request: HttpRequest, journey_id: UUID | str, *, recorded: bool = True
) -> Journey:
    """The journey with this id of the person acted for, its plan up to date, when the actor
    may see it; 404 when it is not theirs, `NotPermitted` when the actor may not see it.

    `recorded=False` for a request that goes on to act on the plan: its view is recorded only
    once that is allowed too (`record_view`, or `step_to_act_in`), so a refusal records nothing."""
    journey = services.find_journey(whose(request), journey_id)
    decision = view_decision(request, journey)
    if not decision:
        raise acting.NotPermitted(decision)
    services.refresh_plan(journey)
    if recorded:
        record_view(request)
    return journey


def record_view(request: HttpRequest, name: str = VIEW) -> None:
    """Record, on the person whose plan it is, that it was seen (or, with another `name`, acted
    on) by the request's actor."""
    _record(request, name)


def step_decision(request: HttpRequest, journey: Journey, step: Step) -> Decision:
    """May the actor fill in, send or mark done this step: for its service or for the
    journey's life event."""
    return acting.check(
        request, JOURNEYS_SUBMIT, service=step.service_slug, life_event=journey.life_event_slug
    )


def step_to_act_in(request: HttpRequest, journey: Journey, slug: str) -> Step:
    """The journey's step for service `slug` when the actor may act in it; 404 when the plan
    has no such step, `NotPermitted` when the actor may not act in it. Recorded as a look at
    the plan."""
    step = step_allowed(request, journey, slug)
    record_view(request)
    return step


def step_allowed(request: HttpRequest, journey: Journey, slug: str) -> Step:
    """`step_to_act_in` without the record, for a request that records its act itself."""
    step = services.get_step(journey, slug)
    acting.legal_subject(
        request, JOURNEYS_SUBMIT, service=step.service_slug, life_event=journey.life_event_slug
    )
    return step


def mark_step_done(request: HttpRequest, journey: Journey, slug: str) -> Step:
    """The actor says a self-service step is arranged (`services.mark_done`; raises
    StepNotOpen for a step that cannot be marked now, 404 / `NotPermitted` as
    `step_to_act_in`). Recorded as marking it done in the transaction that does; a refusal is
    recorded as a look at the plan, which was read to refuse it."""
    step = step_allowed(request, journey, slug)
    try:
        with transaction.atomic():
            services.mark_done(journey, step)
            record_view(request, STEP_DONE)
    except services.StepNotOpen:
        record_view(request)
        raise
    return step


def may_read_message(
    request: HttpRequest, journey: Journey, step: Step, decided: Decision | None = None
) -> bool:
    """May the request's actor read the agency's message on `step` (`Step.status_message`)?

    The same text is sent to the person's message box, so it needs the message box's level of
    assurance (and at least the step's own); and a representative must be allowed to act in
    the step: a mandate for another service of the plan shows where this step stands, not
    what the agency wrote about it. `decided`: the step's `step_decision`, when the caller
    has it already."""
    level = max((MESSAGE_LEVEL, step.minimum_assurance_level), key=loa_rank)
    if not loa_satisfies(request.authentication.loa, level):  # type: ignore[attr-defined]
        return False
    return bool(decided if decided is not None else step_decision(request, journey, step))


def answer_decision(request: HttpRequest, journey: Journey) -> Decision:
    """May the actor answer the journey's open questions: they decide the steps of the whole
    life event, so a mandate for the life event is needed."""
    return acting.check(request, JOURNEYS_SUBMIT, life_event=journey.life_event_slug)


def answer_questions(request: HttpRequest, journey: Journey, data: Any) -> CatalogueForm:
    """The actor answers the journey's open questions (`services.answer_questions`; raises
    StepNotOpen when none are open). Recorded as answering in the transaction that keeps the
    answers; a refusal is recorded as a look at the plan, which was read to refuse it."""
    try:
        with transaction.atomic():
            form = services.answer_questions(journey, data, acting.actor(request))
            if not form.errors:
                record_view(request, ANSWERS)
    except services.StepNotOpen:
        record_view(request)
        raise
    if form.errors:
        record_view(request)
    return form


def _record(request: HttpRequest, name: str) -> None:
    record_processing(
        name=name,
        subject=whose(request),
        activity=services.PLAN_ACTIVITY,
        actor=acting.actor(request),
        data_categories=("journey",),
    )
