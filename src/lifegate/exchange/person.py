"""What the requester-side pages and the person's evidence API share: asking in a step, and
finding received evidence the request's actor may see or act on.

Who may do what is the journeys' rule (`journeys.access`): seeing the plan is not enough to
read what was received for a step; that takes the right to act in the step. Evidence is asked
for only while the step can be sent. Evidence that went with a submission is the agency's now,
and no longer the person's to remove. As for the plan, one record per request: the act (the
request for the evidence, its removal), or the look at the plan when asking is refused."""

from uuid import UUID

from django.conf import settings
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse

from lifegate.exchange import services
from lifegate.exchange.models import EvidenceRequest
from lifegate.exchange.options import NoExchangeOption
from lifegate.journeys import access
from lifegate.journeys import services as journeys
from lifegate.journeys.models import Journey, Step
from lifegate.mandates import acting


def step_url(journey_id: UUID, slug: str) -> str:
    """The step's page (where the person comes back to after the provider's preview)."""
    return reverse("journeys:step", args=[journey_id, slug])


def ask(request: HttpRequest, journey: Journey, step: Step, requirement: str) -> EvidenceRequest:
    """Ask the provider for a requirement's evidence for the step (one the actor may act in:
    `access.step_allowed`); after the preview the person returns to the step's page, at the
    requirement. Raises `StepNotOpen` when the step cannot be sent now, `NoExchangeOption`
    when the government cannot provide the evidence: both recorded as a look at the plan."""
    return_url = settings.BASE_URL + step_url(journey.pk, step.service_slug)
    try:
        journeys.check_open(step)
        return services.request_evidence(
            journey,
            step,
            requirement,
            actor=acting.actor(request),
            return_url=f"{return_url}#evidence-{requirement}",
        )
    except (journeys.StepNotOpen, NoExchangeOption):
        access.record_view(request)
        raise


def own_evidence(
    request: HttpRequest, evidence_id: UUID, *, act: bool, journey_id: UUID | None = None
) -> EvidenceRequest:
    """Received evidence of a step the actor may act in (`NotPermitted` otherwise); 404 when
    there is none (or it belongs to another journey than `journey_id`). `act`: to remove it,
    which evidence already sent with a submission cannot be."""
    evidence = get_object_or_404(EvidenceRequest.objects.select_related("step"), pk=evidence_id)
    if journey_id is not None and evidence.step.journey_id != journey_id:
        raise Http404
    found = access.viewable_journey(request, evidence.step.journey_id, recorded=False)
    if act:  # the removal is the record
        access.step_allowed(request, found, evidence.step.service_slug)
    else:
        decision = access.step_decision(request, found, evidence.step)
        if not decision:
            raise acting.NotPermitted(decision)
    if evidence.status != EvidenceRequest.Status.RECEIVED:
        raise Http404
    if act and evidence.submission_id is not None:
        raise Http404  # sent with a request already: it is the agency's now
    return evidence
