"""Shapes of the public catalogue API. Every text comes in both languages
(`{"nl": "...", "en": "..."}`) so that clients choose; lists are paged."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

AssuranceLevelName = Literal["low", "substantial", "high"]


def _bilingual(field: str, optional: bool = False) -> Callable[[Any], dict[str, str] | None]:
    """A resolver reading `<field>_nl` and `<field>_en`; optional texts that are empty in both
    languages become null."""

    def resolve(obj: Any) -> dict[str, str] | None:
        texts = {"nl": getattr(obj, f"{field}_nl"), "en": getattr(obj, f"{field}_en")}
        return None if optional and not any(texts.values()) else texts

    return staticmethod(resolve)


SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class BilingualText(Schema):
    """A text in Dutch and in English."""

    nl: str
    en: str


# Organisations and references -------------------------------------------------------------


class OrganisationRef(Schema):
    """A public organisation, briefly."""

    slug: str
    name: BilingualText
    resolve_name = _bilingual("name")


class ServiceRef(Schema):
    """A public service, briefly."""

    slug: str
    name: BilingualText
    resolve_name = _bilingual("name")


class LifeEventRef(Schema):
    """A life or business event, briefly."""

    slug: str
    kind: Literal["life", "business"]
    name: BilingualText
    resolve_name = _bilingual("name")


class Channel(Schema):
    """A way to reach an organisation."""

    slug: str
    kind: str
    name: BilingualText
    address: str
    hours: BilingualText | None
    resolve_name = _bilingual("name")
    resolve_hours = _bilingual("hours", optional=True)


class Organisation(Schema):
    """A public organisation (cv:PublicOrganisation)."""

    slug: str
    oin: str = Field(description="Organisation identification number (20 digits).")
    kind: str
    name: BilingualText
    description: BilingualText
    homepage: str
    spatial: BilingualText = Field(description="The territory the organisation serves.")
    resolve_name = _bilingual("name")
    resolve_description = _bilingual("description")
    resolve_spatial = _bilingual("spatial")


class OrganisationDetail(Organisation):
    """A public organisation with its channels and the services it is competent for."""

    channels: list[Channel]
    services: list[ServiceRef]


# Services ---------------------------------------------------------------------------------


class ServiceSummary(Schema):
    """A public service as listed."""

    slug: str
    name: BilingualText
    description: BilingualText
    competent_authority: OrganisationRef
    minimum_assurance_level: AssuranceLevelName
    online_url: str | None = Field(description="Where the service is started online, if it can be.")
    deadline: BilingualText | None = Field(description="A deadline set by law, if any.")
    resolve_name = _bilingual("name")
    resolve_description = _bilingual("description")
    resolve_deadline = _bilingual("deadline", optional=True)

    @staticmethod
    def resolve_online_url(obj: Any) -> str | None:
        """Empty in the catalogue means: not online."""
        return obj.online_url or None


class EvidenceType(Schema):
    """A kind of proof (cv:Evidence)."""

    slug: str
    name: BilingualText
    description: BilingualText
    issuer: OrganisationRef | None
    resolve_name = _bilingual("name")
    resolve_description = _bilingual("description")


class Requirement(Schema):
    """A condition for a service and the evidence that meets it (cv:Requirement)."""

    slug: str
    name: BilingualText
    description: BilingualText
    evidence_types: list[EvidenceType]
    resolve_name = _bilingual("name")
    resolve_description = _bilingual("description")


class Cost(Schema):
    """A fee; a value of 0 means free of charge (cv:Cost)."""

    value: Decimal = Field(description='Amount as a decimal string, e.g. "84.50".')
    currency: str
    description: BilingualText
    resolve_description = _bilingual("description")


class LegalResource(Schema):
    """A law or regulation (eli:LegalResource)."""

    slug: str
    uri: str
    name: BilingualText
    resolve_name = _bilingual("name")


class SdgProcedure(Schema):
    """A procedure of the EU Single Digital Gateway regulation, Annex II, this service offers."""

    slug: str
    life_event: BilingualText
    name: BilingualText
    output: BilingualText
    oots_code: str
    resolve_life_event = _bilingual("life_event")
    resolve_name = _bilingual("name")
    resolve_output = _bilingual("output")


class ServiceDetail(ServiceSummary):
    """Everything the catalogue knows about a public service (cpsv:PublicService)."""

    audience: BilingualText
    how_to: BilingualText
    output: BilingualText
    keywords: BilingualText
    processing_time: str | None = Field(description="ISO 8601 duration, e.g. P8W.")
    processing_time_text: BilingualText | None
    participants: list[OrganisationRef]
    channels: list[Channel]
    requirements: list[Requirement]
    costs: list[Cost]
    legal_resources: list[LegalResource]
    sdg_procedures: list[SdgProcedure]
    life_events: list[LifeEventRef]
    processing_activity: str | None = Field(
        description="Slug in the register of processing activities."
    )
    resolve_audience = _bilingual("audience")
    resolve_how_to = _bilingual("how_to")
    resolve_output = _bilingual("output")
    resolve_keywords = _bilingual("keywords")
    resolve_processing_time_text = _bilingual("processing_time", optional=True)

    @staticmethod
    def resolve_processing_time(obj: Any) -> str | None:
        """Empty in the catalogue means: not known."""
        return obj.processing_time or None

    @staticmethod
    def resolve_processing_activity(obj: Any) -> str | None:
        """The register entry's slug, if the service has one."""
        return obj.processing_activity.slug if obj.processing_activity else None


# Evidence broker and directory ------------------------------------------------------------


class EvidenceTypeRef(Schema):
    """An evidence type, briefly."""

    slug: str
    name: BilingualText
    resolve_name = _bilingual("name")


class RequirementRef(Schema):
    """A requirement, briefly, with the service it belongs to."""

    slug: str
    name: BilingualText
    service: ServiceRef
    resolve_name = _bilingual("name")


class EvidenceBrokerEntry(Schema):
    """Evidence of this type meets the requirement for a person from `country`."""

    requirement: RequirementRef
    country: str = Field(description="ISO 3166-1 alpha-2 code of the person's country.")
    evidence_type: EvidenceType


class EvidenceDirectoryEntry(Schema):
    """Who provides evidence of this type for people of `country`, and through which node."""

    evidence_type: EvidenceTypeRef
    country: str = Field(description="ISO 3166-1 alpha-2 code of the country.")
    node: str = Field(description="Id of the lifegate node that provides the evidence.")
    organisation_name: BilingualText = Field(description="The organisation that holds it.")
    resolve_organisation_name = _bilingual("organisation_name")


# Life events ------------------------------------------------------------------------------


class LifeEventSummary(Schema):
    """A life event (cv:LifeEvent) or business event (cv:BusinessEvent)."""

    slug: str
    kind: Literal["life", "business"]
    position: int = Field(description="Place in the overview.")
    name: BilingualText
    description: BilingualText
    sdg_life_event: str = Field(description="Life event code of the EU SDG list, if one applies.")
    resolve_name = _bilingual("name")
    resolve_description = _bilingual("description")


class LifeEventDetail(LifeEventSummary):
    """A life event with its services, in the order a person deals with them."""

    services: list[ServiceSummary]

    @staticmethod
    def resolve_services(obj: Any) -> list[Any]:
        """Services in `position` order (prefetched by `services.get_life_event`)."""
        return [step.service for step in obj.event_services.all()]


# Pages ------------------------------------------------------------------------------------


class PageMeta(Schema):
    """Paging fields of every list; `next`/`previous` are absolute URLs or null."""

    count: int = Field(description="Results on all pages together.")
    page: int
    page_size: int
    next: str | None
    previous: str | None


class LifeEventPage(PageMeta):
    """A page of life events."""

    results: list[LifeEventSummary]


class ServicePage(PageMeta):
    """A page of services."""

    results: list[ServiceSummary]


class OrganisationPage(PageMeta):
    """A page of organisations."""

    results: list[Organisation]


class EvidenceBrokerPage(PageMeta):
    """A page of evidence broker entries."""

    results: list[EvidenceBrokerEntry]


class EvidenceDirectoryPage(PageMeta):
    """A page of evidence directory entries."""

    results: list[EvidenceDirectoryEntry]
