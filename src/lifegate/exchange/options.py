"""Which provider can give the evidence a journey step's requirement asks for.

The catalogue's evidence broker says which evidence type meets a requirement for a person of
their country, its directory which node provides it (`options_for`, `option_for`). The step
page offers "get it from the government" for each option, with the state of the latest
request for it, and lets its form lead to the peer nodes involved (`provider_urls`).

Asking is in `exchange.services`; what is done with evidence once here, in
`exchange.received`."""

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language

from lifegate.catalogue import evidence as broker
from lifegate.catalogue.caching import cached_lookup
from lifegate.core.subject import Subject
from lifegate.exchange.models import EvidenceRequest
from lifegate.exchange.received import explanation
from lifegate.journeys.models import Step


class NoExchangeOption(Exception):
    """The requirement cannot be met by exchanged evidence for this person."""


@dataclass(frozen=True)
class Option:
    """Evidence a requirement can be met with, and who provides it."""

    requirement_slug: str
    evidence_type_slug: str
    evidence_type_name: str
    provider_node: str
    provider_country: str
    provider_name_nl: str
    provider_name_en: str
    latest: EvidenceRequest | None = None

    @property
    def local(self) -> bool:
        """Provided by this node's own registers."""
        return self.provider_node == settings.NODE_ID

    @property
    def provider_name(self) -> str:
        """The providing organisation in the active language."""
        return self.provider_name_nl if get_language() == "nl" else self.provider_name_en

    @property
    def received(self) -> bool:
        """Evidence has arrived and will go with the submission."""
        return self.latest is not None and self.latest.status == EvidenceRequest.Status.RECEIVED

    @property
    def status_text(self) -> str:
        """What the latest request's state means for the person ("" when none or fine)."""
        return explanation(self.latest) if self.latest else ""


def person_country(subject: Subject) -> str:
    """The member state whose registers know the person: the issuing country of an eIDAS
    identifier (XX/YY/...), this node's own country for its national identifier."""
    if subject.scheme == "eidas":
        return subject.value[:2]
    return settings.NODE_COUNTRY


def options_for(step: Step, subject: Subject) -> dict[str, Option]:
    """Per requirement of the step's service: the evidence that can be fetched for this
    person, with the latest request for it in this step (if any)."""
    if step.service is None:
        return {}
    country = person_country(subject)
    latest: dict[str, EvidenceRequest] = {}
    for request in EvidenceRequest.objects.filter(step=step, submission__isnull=True):
        latest.setdefault(request.requirement_slug, request)  # newest first
    options = {}
    for requirement in step.service.requirements.all():
        option = _option(requirement.slug, country, latest.get(requirement.slug))
        if option is not None:
            options[requirement.slug] = option
    return options


def option_for(step: Step, subject: Subject, requirement_slug: str) -> Option | None:
    """The evidence that can be fetched for this person for one requirement of the step's
    service (without its latest request: what asking needs, in two queries however many
    requests the step has seen)."""
    service = step.service
    if service is None:
        return None
    if requirement_slug not in cached_lookup(
        "service-requirements",
        str(service.pk),
        lambda: frozenset(service.requirements.values_list("slug", flat=True)),
    ):
        return None
    return _option(requirement_slug, person_country(subject), None)


def _option(requirement_slug: str, country: str, latest: EvidenceRequest | None) -> Option | None:
    found = broker.exchange_options(requirement_slug, country)
    if not found:
        return None
    evidence_type, provider = found[0]
    return Option(
        requirement_slug=requirement_slug,
        evidence_type_slug=evidence_type.slug,
        evidence_type_name=evidence_type.localized("name"),
        provider_node=provider.node,
        provider_country=provider.country,
        provider_name_nl=provider.organisation_name_nl,
        provider_name_en=provider.organisation_name_en,
        latest=_expired_if_due(latest),
    )


def provider_urls(options: dict[str, Option]) -> list[str]:
    """The base URLs of the peer nodes these options lead to: the step page's form may send
    the person there (Content-Security-Policy `form-action`)."""
    from lifegate.exchange import nodes

    urls = []
    for option in options.values():
        if not option.local:
            try:
                urls.append(nodes.peer(option.provider_node).base_url)
            except nodes.UnknownNode:
                continue  # asking will say the provider cannot be reached
    return urls


def _expired_if_due(request: EvidenceRequest | None) -> EvidenceRequest | None:
    if (
        request is not None
        and request.status == EvidenceRequest.Status.AWAITING_CONSENT
        and request.expires_at <= timezone.now()
    ):
        EvidenceRequest.objects.filter(
            pk=request.pk, status=EvidenceRequest.Status.AWAITING_CONSENT
        ).update(status=EvidenceRequest.Status.EXPIRED, problem="consent-time-over")
        request.refresh_from_db()
    return request


__all__ = [
    "NoExchangeOption",
    "Option",
    "option_for",
    "options_for",
    "person_country",
    "provider_urls",
]
