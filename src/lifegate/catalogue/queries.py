"""Query parameters of the public catalogue API: paging and the filters of each list."""

from typing import Any, Literal

from django.conf import settings
from ninja import Field, Schema
from pydantic import field_validator

from lifegate.catalogue.evidence import is_country_code
from lifegate.catalogue.schemas import SLUG_PATTERN
from lifegate.catalogue.services import MAX_QUERY_LENGTH


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
