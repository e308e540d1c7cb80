"""Shapes of the public catalogue API. Every text comes in both languages
(`{"nl": "...", "en": "..."}`) so that clients choose; lists are paged."""

from collections.abc import Callable
from decimal import Decimal
from http import HTTPStatus
from typing import Any, Literal

from django.conf import settings
from ninja import Field, Schema
from ninja.schema import NinjaGenerateJsonSchema
from pydantic import field_validator

from lifegate.catalogue.evidence import is_country_code
from lifegate.catalogue.services import MAX_QUERY_LENGTH
from lifegate.core.problems import PROBLEM_CONTENT_TYPE

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


# Query parameters -------------------------------------------------------------------------


class PageQuery(Schema):
    """Paging: `page` from 1, `page_size` from 1 to the configured maximum."""

    page: int = Field(
        1,
        ge=1,
        description="Page number from 1. Page 1 always exists; a page past the last is a 404.",
    )
    page_size: int = Field(
        20,
        ge=1,
        le=settings.API_MAX_PAGE_SIZE,
        description="Results per page (at most the API maximum).",
    )


class LifeEventQuery(PageQuery):
    """Filters for the life-event list."""

    kind: Literal["life", "business"] | None = Field(
        None,
        description="`life` for life events, `business` for business events; both when absent.",
    )


class ServiceQuery(PageQuery):
    """Filters for the service list; all of them combine."""

    life_event: str | None = Field(
        None, max_length=80, pattern=SLUG_PATTERN, description="Slug of a life event."
    )
    organisation: str | None = Field(
        None, max_length=80, pattern=SLUG_PATTERN, description="Slug of the competent authority."
    )
    q: str | None = Field(
        None,
        max_length=MAX_QUERY_LENGTH,
        description="Words to find in name, description, keywords or organisation name; "
        "case and accents do not matter. Results are ordered by relevance.",
    )
    language: Literal["nl", "en"] | None = Field(
        None, description="Search `q` in this language only; both languages when absent."
    )


def _country_filter(description: str) -> Any:
    return Field(None, pattern=r"^[A-Za-z]{2}$", description=description)


def _country_code(value: str | None) -> str | None:
    """A well-formed ISO 3166-1 alpha-2 code in capitals; anything else is invalid input."""
    if value is None:
        return None
    if not is_country_code(value):
        raise ValueError("Not an ISO 3166-1 alpha-2 country code (such as NL or EE).")
    return value.upper()


class EvidenceBrokerQuery(PageQuery):
    """Filters for the evidence broker; both combine."""

    requirement: str | None = Field(
        None, max_length=80, pattern=SLUG_PATTERN, description="Slug of a requirement."
    )
    country: str | None = _country_filter(
        "ISO 3166-1 alpha-2 code of the person's country, e.g. `EE` (any case)."
    )
    check_country = field_validator("country")(_country_code)


class EvidenceDirectoryQuery(PageQuery):
    """Filters for the evidence directory; both combine."""

    evidence_type: str | None = Field(
        None, max_length=80, pattern=SLUG_PATTERN, description="Slug of an evidence type."
    )
    country: str | None = _country_filter(
        "ISO 3166-1 alpha-2 code of the country the evidence is for, e.g. `EE` (any case)."
    )
    check_country = field_validator("country")(_country_code)


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


# Errors -----------------------------------------------------------------------------------


class Problem(Schema):
    """RFC 9457 problem details, the shape of every error."""

    type: str = Field(description="URI identifying the kind of problem.")
    title: str
    status: int
    detail: str | None = None
    instance: str | None = Field(None, description="The request path.")
    errors: list[dict[str, str]] | None = Field(
        None, description="For invalid input: each problem's `location` and `message`."
    )


_PROBLEM_DESCRIPTIONS = {
    400: "Invalid parameters (problem details).",
    404: "No such resource or page (problem details).",
}


def problem_responses(*statuses: int) -> dict[str, Any]:
    """OpenAPI `responses` entries for error statuses, served as `application/problem+json`
    (ninja's own response declarations can only say `application/json`)."""
    schema = Problem.model_json_schema(schema_generator=NinjaGenerateJsonSchema)
    content = {PROBLEM_CONTENT_TYPE: {"schema": schema}}
    return {
        "responses": {
            status: {
                "description": _PROBLEM_DESCRIPTIONS.get(
                    status, f"{HTTPStatus(status).phrase} (problem details)."
                ),
                "content": content,
            }
            for status in statuses
        }
    }
