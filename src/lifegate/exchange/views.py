"""Pages of the evidence exchange.

Requester side (the person in a journey step): ask for evidence, look at what was received,
remove it. Provider side (the person coming from another node, or from this node's own step):
the preview of exactly what would be shared, with "Share" and "Do not share". A
representative acting for the person sees and decides it for them when the request comes
from a step on this node that their mandate covers; another node's request is the person's
own to decide."""

from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lifegate.core.origins import allow_form_targets
from lifegate.core.subject import Subject
from lifegate.exchange import delivery, person, provider
from lifegate.exchange import received as received_evidence
from lifegate.exchange.models import EvidencePreview, EvidenceRequest
from lifegate.exchange.options import NoExchangeOption
from lifegate.exchange.person import step_url
from lifegate.identity.assurance import LevelOfAssurance, loa_satisfies
from lifegate.identity.decorators import login_required
from lifegate.identity.session import Authentication
from lifegate.journeys import access, drafts
from lifegate.journeys.services import StepNotOpen
from lifegate.mandates import acting
from lifegate.mandates.actions import JOURNEYS_SUBMIT
from lifegate.transparency.services import Actor

PREVIEW_LEVEL: LevelOfAssurance = "substantial"


def _auth(request: HttpRequest) -> Authentication:
    return request.authentication  # type: ignore[attr-defined]


@login_required()
@require_POST
def ask(request: HttpRequest, journey_id: UUID, slug: str, requirement: str) -> HttpResponse:
    """Ask the provider for the evidence; on to the provider's preview when it has it."""
    found = access.viewable_journey(request, journey_id, recorded=False)
    step = access.step_allowed(request, found, slug)
    # The button sits in the step form, which came along: what was typed waits for the return.
    drafts.keep(request.session, step, request.POST)
    if not loa_satisfies(_auth(request).loa, step.minimum_assurance_level):
        return HttpResponseRedirect(step_url(found.pk, slug))  # the step page asks to step up
    try:
        asked = person.ask(request, found, step, requirement)
    except StepNotOpen:
        return HttpResponseRedirect(step_url(found.pk, slug))  # the step page says it is closed
    except NoExchangeOption:
        raise Http404 from None
    if asked.status == EvidenceRequest.Status.AWAITING_CONSENT:
        return HttpResponseRedirect(asked.preview_url)
    messages.error(request, received_evidence.explanation(asked))
    return HttpResponseRedirect(step_url(found.pk, slug) + f"#evidence-{requirement}")


def _step_page_to_step_up(evidence: EvidenceRequest) -> HttpResponse:
    """Evidence of a step whose level the session does not reach: its step page asks to log
    in at that level, as it does before sending the step."""
    return HttpResponseRedirect(step_url(evidence.step.journey_id, evidence.step.service_slug))


@login_required()
def received(request: HttpRequest, evidence_id: UUID) -> HttpResponse:
    """The evidence as received, with where it came from and its signature."""
    evidence = person.own_evidence(request, evidence_id, act=False)
    if not loa_satisfies(_auth(request).loa, evidence.step.minimum_assurance_level):
        return _step_page_to_step_up(evidence)
    shown = received_evidence.show(
        evidence, actor=acting.actor(request), purpose="exchange.view-received"
    )
    context = {
        "shown": shown,
        "step_url": step_url(evidence.step.journey_id, evidence.step.service_slug),
    }
    return render(request, "exchange/received.html", context)


@login_required()
@require_POST
def discard(request: HttpRequest, evidence_id: UUID) -> HttpResponse:
    """Do not use received evidence after all: it is deleted."""
    evidence = person.own_evidence(request, evidence_id, act=True)
    if not loa_satisfies(_auth(request).loa, evidence.step.minimum_assurance_level):
        return _step_page_to_step_up(evidence)
    if not received_evidence.discard(evidence, actor=acting.actor(request)):
        raise Http404  # sent with the step in the meantime
    messages.success(request, _("The evidence was removed. It will not be sent."))
    step = evidence.step
    return HttpResponseRedirect(step_url(step.journey_id, step.service_slug))


# ---------------------------------------------------------------------------------------------
# Provider side


class ActingElsewhere(Exception):
    """A representative at the preview of a request from another node: consent there is the
    person's own (the requesting node cannot know this node's mandates)."""


def _deciding(request: HttpRequest, found: EvidencePreview) -> tuple[Subject, Actor]:
    """Whose preview the logged-in person may see and decide, and as which actor: their own;
    or, while acting for someone, that person's, when the request comes from a journey on
    this node and the mandate covers its step (as it had to when the step asked). Raises
    ActingElsewhere for another node's request, `acting.NotPermitted` when not covered."""
    chosen = acting.acting_for(request)
    if chosen is None:
        return _auth(request).subject, Actor(kind="person", subject=_auth(request).subject)
    asked = _asked_here(found)
    if asked is None:
        raise ActingElsewhere
    step = asked.step
    acting.legal_subject(
        request,
        JOURNEYS_SUBMIT,
        service=step.service_slug,
        life_event=step.journey.life_event_slug,
    )
    return chosen.subject, acting.actor(request)


def _asked_here(found: EvidencePreview) -> EvidenceRequest | None:
    """The request of this node's own journey that the preview answers, if it is one."""
    if found.requester_node != settings.NODE_ID:
        return None
    try:
        request_id = UUID(found.request_id)
    except ValueError:
        return None
    return (
        EvidenceRequest.objects.select_related("step__journey")
        .filter(pk=request_id, provider_node=settings.NODE_ID)
        .first()
    )


def _acting_elsewhere(request: HttpRequest) -> HttpResponse:
    return render(request, "exchange/acting_elsewhere.html", status=403)


@login_required(PREVIEW_LEVEL)
def preview(request: HttpRequest, preview_id: UUID) -> HttpResponse:
    """Exactly what would be shared, for the person it is about, with the two choices."""
    found = provider.expire_if_due(get_object_or_404(EvidencePreview, pk=preview_id))
    if found.status != EvidencePreview.Status.AWAITING_CONSENT:
        return render(request, "exchange/preview_closed.html", {"preview": found}, status=410)
    try:
        subject, actor = _deciding(request, found)
        shown = provider.show_preview(found, subject, actor)
    except ActingElsewhere:
        return _acting_elsewhere(request)
    except provider.NotYourPreview:
        return render(request, "exchange/not_yours.html", status=403)
    context = {"shown": shown, "preview": found, "node_country": settings.NODE_COUNTRY}
    # After the decision the person goes back to the requesting node.
    response = render(request, "exchange/preview.html", context)
    return allow_form_targets(response, [found.return_url])  # type: ignore[return-value]


@login_required(PREVIEW_LEVEL)
@require_POST
def decide(request: HttpRequest, preview_id: UUID) -> HttpResponse:
    """Share or do not share; then back to where the person came from."""
    choice = request.POST.get("decision")
    if choice not in ("share", "decline"):
        return HttpResponseRedirect(reverse("exchange:preview", args=[preview_id]))
    found = get_object_or_404(EvidencePreview, pk=preview_id)
    try:
        subject, actor = _deciding(request, found)
        decided = provider.decide(preview_id, subject, actor, share=choice == "share")
    except ActingElsewhere:
        return _acting_elsewhere(request)
    except provider.NotYourPreview:
        return render(request, "exchange/not_yours.html", status=403)
    except provider.PreviewClosed as closed:
        return render(
            request, "exchange/preview_closed.html", {"preview": closed.preview}, status=410
        )
    delivery.attempt(decided.pk)  # the queued task finds it delivered and does nothing
    return HttpResponseRedirect(decided.return_url)
