"""The person's pages: start a life event, see the plan, fill in and send a step."""

from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lifegate.catalogue.models import StepKind
from lifegate.identity.assurance import loa_label, loa_satisfies
from lifegate.identity.decorators import login_required, login_url
from lifegate.identity.session import Authentication
from lifegate.journeys import services
from lifegate.journeys.forms import CatalogueForm
from lifegate.journeys.models import Journey, Step
from lifegate.transparency.services import Actor

IDEMPOTENCY_FIELD = "idempotency_key"


def _auth(request: HttpRequest) -> Authentication:
    return request.authentication  # type: ignore[attr-defined]


def _actor(request: HttpRequest) -> Actor:
    return Actor(kind="person", subject=_auth(request).subject)


def _language() -> str:
    return (get_language() or "nl")[:2]


def _journey_url(journey: Journey) -> str:
    return reverse("journeys:journey", args=[journey.pk])


@login_required()
def my_journeys(request: HttpRequest) -> HttpResponse:
    summaries = services.journeys_for(_auth(request).subject)
    return render(request, "journeys/list.html", {"summaries": summaries})


@login_required()
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, slug: str) -> HttpResponse:
    event = services.startable_life_event(slug)
    subject = _auth(request).subject
    running = services.running_journey(subject, event)
    if running is not None:
        messages.info(request, _("You already have this life event running. Here is your plan."))
        return HttpResponseRedirect(_journey_url(running))
    form = services.question_form(event, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        start = services.Start(
            subject=subject, actor=_actor(request), answers=form.values(), language=_language()
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
def journey(request: HttpRequest, journey_id: UUID) -> HttpResponse:
    found = services.get_journey(_auth(request).subject, journey_id)
    return _plan_page(request, found)


def _plan_page(
    request: HttpRequest, found: Journey, questions: CatalogueForm | None = None, status: int = 200
) -> HttpResponse:
    rows = services.plan_rows(found)
    pending = services.pending_questions(found)
    if questions is None and pending and found.life_event is not None:
        questions = services.question_form(found.life_event, only=pending)
    context = {
        "journey": found,
        "applicable": [row for row in rows if row.step.applicable],
        "skipped": [row for row in rows if not row.step.applicable],
        "questions": questions if pending else None,
    }
    return render(request, "journeys/journey.html", context, status=status)


@login_required()
@require_POST
def answer(request: HttpRequest, journey_id: UUID) -> HttpResponse:
    """The person answers the questions of a journey the register started."""
    found = services.get_journey(_auth(request).subject, journey_id)
    try:
        form = services.answer_questions(found, request.POST, _actor(request))
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
    found = services.get_journey(auth.subject, journey_id)
    current = services.get_step(found, slug)
    context: dict[str, object] = {"journey": found, "step": current}
    key = request.POST.get(IDEMPOTENCY_FIELD, "")[:64]
    if request.method == "POST" and services.already_submitted(current, key):
        return HttpResponseRedirect(_journey_url(found))  # the same form sent twice
    if not _open_for_request(current):
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
    prepared = services.step_form(found, current, _actor(request))
    context |= {"prepared": prepared, "idempotency_key": services.new_idempotency_key()}
    return render(request, "journeys/step.html", context)


def _open_for_request(current: Step) -> bool:
    return current.kind == StepKind.REQUEST and current.status in services.OPEN_FOR_REQUEST


def _submit(
    request: HttpRequest, found: Journey, current: Step, context: dict[str, object]
) -> HttpResponse:
    key = request.POST.get(IDEMPOTENCY_FIELD, "")[:64] or services.new_idempotency_key()
    try:
        services.submit_step(
            found,
            current,
            actor=_actor(request),
            data=request.POST,
            language=_language(),
            idempotency_key=key,
            confirmed=request.POST.get("confirm") == "yes",
        )
    except services.FormInvalid as invalid:
        context |= {"prepared": invalid.prepared, "idempotency_key": key}
        return render(request, "journeys/step.html", context, status=422)
    except services.StepNotOpen as closed:
        messages.error(request, str(closed))
        return HttpResponseRedirect(_journey_url(found))
    messages.success(
        request,
        _("Sent to %(organisation)s. You will see their answer in your plan.")
        % {"organisation": current.localized("organisation")},
    )
    return HttpResponseRedirect(_journey_url(found))


@login_required()
@require_POST
def mark_done(request: HttpRequest, journey_id: UUID, slug: str) -> HttpResponse:
    found = services.get_journey(_auth(request).subject, journey_id)
    current = services.get_step(found, slug)
    try:
        services.mark_done(found, current)
    except services.StepNotOpen as closed:
        messages.error(request, str(closed))
    return HttpResponseRedirect(_journey_url(found))
