"""The person's pages: start a life event, see the plan, fill in and send a step; for
themselves or for someone they act for, as far as the mandates decision point allows
(`journeys.access`)."""

from dataclasses import dataclass
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lifegate.core.origins import allow_form_targets
from lifegate.exchange import options as exchange
from lifegate.identity.assurance import loa_label, loa_satisfies
from lifegate.identity.decorators import login_required, login_url
from lifegate.identity.one_commit import commit_once
from lifegate.identity.session import Authentication
from lifegate.journeys import access, drafts, services
from lifegate.journeys.forms import CatalogueForm
from lifegate.journeys.models import Journey, Step
from lifegate.mandates import acting
from lifegate.mandates.actions import JOURNEYS_SUBMIT

IDEMPOTENCY_FIELD = "idempotency_key"


def _auth(request: HttpRequest) -> Authentication:
    return request.authentication  # type: ignore[attr-defined]


def _language() -> str:
    return (get_language() or "nl")[:2]


def _journey_url(journey: Journey) -> str:
    return reverse("journeys:journey", args=[journey.pk])


@dataclass(frozen=True)
class ShownRow(services.PlanRow):
    """A plan row as shown: with why its actions are disabled ("" when the actor may act)."""

    refusal: str = ""
    # False when the actor may not read the agency's message on the step (access.may_read_message).
    message_readable: bool = True


@login_required()
@commit_once
def my_journeys(request: HttpRequest) -> HttpResponse:
    visible = access.visible_journeys(request)
    context = {"summaries": visible.summaries, "limited": visible.limited}
    return render(request, "journeys/list.html", context)


@login_required()
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, slug: str) -> HttpResponse:
    event = services.startable_life_event(slug)
    subject = acting.legal_subject(request, JOURNEYS_SUBMIT, life_event=event.slug)
    running = services.running_journey(subject, event)
    if running is not None:
        messages.info(request, _("You already have this life event running. Here is your plan."))
        return HttpResponseRedirect(_journey_url(running))
    form = services.question_form(event, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        start = services.Start(
            subject=subject,
            actor=acting.actor(request),
            answers=form.values(),
            language=_language(),
        )
        try:
            journey = services.start_journey(event, start)
        except services.JourneyAlreadyRunning as already:
            journey = already.journey
            messages.info(request, str(already))
        return HttpResponseRedirect(_journey_url(journey))
    status = 422 if request.method == "POST" else 200
    return render(request, "journeys/start.html", {"event": event, "form": form}, status=status)


@login_required()
@commit_once
def journey(request: HttpRequest, journey_id: UUID) -> HttpResponse:
    return _plan_page(request, access.viewable_journey(request, journey_id))


def _plan_page(
    request: HttpRequest, found: Journey, questions: CatalogueForm | None = None, status: int = 200
) -> HttpResponse:
    rows = services.plan_rows(found)
    pending = services.pending_questions(found)
    may_answer = access.answer_decision(request, found)
    if questions is None and pending and may_answer and found.life_event is not None:
        questions = services.question_form(found.life_event, only=pending)
    context = {
        "journey": found,
        "applicable": [_shown(request, found, row) for row in rows if row.step.applicable],
        "skipped": [row for row in rows if not row.step.applicable],
        "questions": questions if pending else None,
        "questions_refused": "" if may_answer or not pending else may_answer.explanation,
    }
    return render(request, "journeys/journey.html", context, status=status)


def _shown(request: HttpRequest, found: Journey, row: services.PlanRow) -> ShownRow:
    decision = access.step_decision(request, found, row.step)
    refusal = "" if decision else decision.explanation
    readable = bool(row.step.status_message) and access.may_read_message(
        request, found, row.step, decision
    )
    return ShownRow(
        row.step, row.submissions, row.delayed, refusal=refusal, message_readable=readable
    )


@login_required()
@require_POST
def answer(request: HttpRequest, journey_id: UUID) -> HttpResponse:
    """The person answers the questions of a journey the register started."""
    found = access.viewable_journey(request, journey_id, recorded=False)
    decision = access.answer_decision(request, found)
    if not decision:
        raise acting.NotPermitted(decision)
    try:
        form = access.answer_questions(request, found, request.POST)
    except services.StepNotOpen as closed:
        messages.error(request, str(closed))
        return HttpResponseRedirect(_journey_url(found))
    if form.errors:
        return _plan_page(request, found, questions=form, status=422)
    messages.success(request, _("Thank you. Your plan has been brought up to date."))
    return HttpResponseRedirect(_journey_url(found))


@login_required()
@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, journey_id: UUID, slug: str) -> HttpResponse:
    auth = _auth(request)
    found = access.viewable_journey(request, journey_id, recorded=False)
    current = access.step_to_act_in(request, found, slug)
    context: dict[str, object] = {
        "journey": found,
        "step": current,
        "exchange_options": exchange.options_for(current, access.whose(request)),
    }
    key = request.POST.get(IDEMPOTENCY_FIELD, "")[:64]
    if request.method == "POST" and services.already_submitted(current, key):
        return HttpResponseRedirect(_journey_url(found))  # the same form sent twice
    if not services.open_for_request(current):
        return render(request, "journeys/step_closed.html", context, status=409)
    if not loa_satisfies(auth.loa, current.minimum_assurance_level):
        context |= {
            "required_level": loa_label(current.minimum_assurance_level),
            "current_level": loa_label(auth.loa),
            "login_url": login_url(request.get_full_path(), current.minimum_assurance_level),  # type: ignore[arg-type]
        }
        return render(request, "journeys/step_up.html", context, status=403)
    if request.method == "POST":
        return _submit(request, found, current, context)
    typed = drafts.typed(request.session, current)
    prepared = services.step_form(found, current, acting.actor(request), initial=typed)
    context |= {
        "prepared": prepared,
        "idempotency_key": services.new_idempotency_key(),
        "draft_restored": bool(typed),
    }
    return _step_page(request, context)


def _step_page(request: HttpRequest, context: dict[str, object], status: int = 200) -> HttpResponse:
    """The step page; its "get it from the government" buttons may lead to a peer node."""
    response = render(request, "journeys/step.html", context, status=status)
    options = context["exchange_options"]
    return allow_form_targets(response, exchange.provider_urls(options))  # type: ignore[arg-type,return-value]


def _submit(
    request: HttpRequest, found: Journey, current: Step, context: dict[str, object]
) -> HttpResponse:
    key = request.POST.get(IDEMPOTENCY_FIELD, "")[:64] or services.new_idempotency_key()
    try:
        services.submit_step(
            found,
            current,
            actor=acting.actor(request),
            data=request.POST,
            files=request.FILES,
            language=_language(),
            idempotency_key=key,
            confirmed=request.POST.get("confirm") == "yes",
        )
    except (services.FormInvalid, services.DocumentsNotStored) as invalid:
        confirmed = request.POST.get("confirm") == "yes"
        context |= {"prepared": invalid.prepared, "idempotency_key": key, "confirmed": confirmed}
        full = isinstance(invalid, services.DocumentsNotStored)
        return _step_page(request, context, status=507 if full else 422)
    except services.StepNotOpen as closed:
        messages.error(request, str(closed))
        return HttpResponseRedirect(_journey_url(found))
    drafts.discard(request.session, current)
    messages.success(
        request,
        _("Sent to %(organisation)s. You will see their answer in your plan.")
        % {"organisation": current.localized("organisation")},
    )
    return HttpResponseRedirect(_journey_url(found))


@login_required()
@require_POST
def mark_done(request: HttpRequest, journey_id: UUID, slug: str) -> HttpResponse:
    found = access.viewable_journey(request, journey_id, recorded=False)
    try:
        access.mark_step_done(request, found, slug)
    except services.StepNotOpen as closed:
        messages.error(request, str(closed))
    return HttpResponseRedirect(_journey_url(found))
