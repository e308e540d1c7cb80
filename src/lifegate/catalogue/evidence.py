"""The evidence broker and the evidence directory, read from the catalogue (concepts of the EU
Once-Only Technical System).

- The broker says which evidence types meet a requirement for a person from a country (the
  member state whose registers know the person).
- The directory says who provides an evidence type for people of a country: the lifegate node
  to ask (this node, or a peer in the exchange trust list) and the organisation behind it.

Both are catalogue data (`evidence_broker` and `evidence_directory` in the catalogue file) and
change only when the catalogue does; answers are few rows, read with one query each and
cached per catalogue revision (`caching.cached_lookup`).
Countries are ISO 3166-1 alpha-2 codes; lower case is accepted and a code that is not a
country simply matches nothing.
"""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from lifegate.catalogue.caching import cached_lookup
from lifegate.catalogue.models import (
    EvidenceMapping,
    EvidenceProvider,
    EvidenceType,
    validate_country_code,
)


def is_country_code(value: str) -> bool:
    """True for an ISO 3166-1 alpha-2 country code such as `NL` or `ee` (any case)."""
    try:
        validate_country_code(value.upper())
    except ValidationError:
        return False
    return True


def evidence_types_for(requirement_slug: str, country: str) -> list[EvidenceType]:
    """The evidence types that meet the requirement for a person from `country`, by slug;
    empty when the broker knows none (the person uploads a document instead)."""
    return list(
        EvidenceType.objects.filter(
            mappings__requirement__slug=requirement_slug, mappings__country=country.upper()
        )
        .select_related("issuer")
        .order_by("slug")
    )


def providers_for(evidence_type_slug: str, country: str) -> list[EvidenceProvider]:
    """Who provides evidence of this type for people of `country`: at most one provider
    (the directory has one per evidence type and country); empty when none is known."""
    code = country.upper()

    def read() -> list[EvidenceProvider]:
        rows = EvidenceProvider.objects.filter(evidence_type__slug=evidence_type_slug, country=code)
        return list(rows.select_related("evidence_type"))

    return cached_lookup("evidence-directory", f"{evidence_type_slug}:{code}", read)


def exchange_options(
    requirement_slug: str, country: str
) -> list[tuple[EvidenceType, EvidenceProvider]]:
    """The evidence that can be fetched to meet the requirement for a person from `country`:
    each evidence type the broker names, with its provider for that country, by evidence type
    slug. Evidence types without a provider in the directory are left out."""
    code = country.upper()

    def read() -> list[tuple[EvidenceType, EvidenceProvider]]:
        providers = EvidenceProvider.objects.filter(
            country=code,
            evidence_type__mappings__requirement__slug=requirement_slug,
            evidence_type__mappings__country=code,
        ).select_related("evidence_type__issuer")
        ordered = providers.order_by("evidence_type__slug")
        return [(provider.evidence_type, provider) for provider in ordered]

    # Asked on every step page and every evidence request: cached per catalogue revision.
    return cached_lookup("evidence-broker", f"{requirement_slug}:{code}", read)


def broker_entries(
    requirement: str | None = None, country: str | None = None
) -> QuerySet[EvidenceMapping]:
    """Rows of the evidence broker, optionally of one requirement (slug) and/or one country,
    ordered by requirement, country and evidence type."""
    entries = EvidenceMapping.objects.select_related(
        "requirement__service", "evidence_type__issuer"
    ).order_by("requirement__slug", "country", "evidence_type__slug")
    if requirement:
        entries = entries.filter(requirement__slug=requirement)
    if country:
        entries = entries.filter(country=country.upper())
    return entries


def directory_entries(
    evidence_type: str | None = None, country: str | None = None
) -> QuerySet[EvidenceProvider]:
    """Rows of the evidence directory, optionally of one evidence type (slug) and/or one
    country, ordered by evidence type and country."""
    entries = EvidenceProvider.objects.select_related("evidence_type").order_by(
        "evidence_type__slug", "country"
    )
    if evidence_type:
        entries = entries.filter(evidence_type__slug=evidence_type)
    if country:
        entries = entries.filter(country=country.upper())
    return entries
