"""The public, read-only catalogue API under /api/catalogue/: life events, services,
organisations, and the evidence broker and directory, each text in Dutch and English.

Lists are paged with `page` (from 1) and `page_size` (1 to `API_MAX_PAGE_SIZE`, default 20).
Invalid parameters get a 400 problem. Page 1 always exists, even when empty; any later page
past the end is a 404 problem, so a client that walks `next` never meets one.
"""

from typing import Any

from django.core.paginator import EmptyPage, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import P, PathEx, Query, Router
from ninja.decorators import decorate_view

from lifegate.catalogue import evidence, services
from lifegate.catalogue.caching import cached_public_api
from lifegate.catalogue.queries import (
    EvidenceBrokerQuery,
    EvidenceDirectoryQuery,
    LifeEventQuery,
    PageQuery,
    ServiceQuery,
)
from lifegate.catalogue.schemas import (
    SLUG_PATTERN,
    EvidenceBrokerPage,
    EvidenceDirectoryPage,
    LifeEventDetail,
    LifeEventPage,
    OrganisationDetail,
    OrganisationPage,
    ServiceDetail,
    ServicePage,
)
from lifegate.core.problem_schema import problem_responses

router = Router(tags=["catalogue"])
ERRORS = problem_responses(400, 404)
# Malformed slugs are a 400 (invalid request); well-formed unknown ones a 404.
Slug = PathEx[str, P(pattern=SLUG_PATTERN, max_length=80, description="The entry's slug.")]


def _page_url(request: HttpRequest, number: int) -> str:
    query = request.GET.copy()
    query["page"] = str(number)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def _paged(request: HttpRequest, queryset: QuerySet[Any], params: PageQuery) -> dict[str, Any]:
    """One page of `queryset` with the paging fields; a page past the end is a 404."""
    paginator = Paginator(queryset, params.page_size)
    try:
        page = paginator.page(params.page)
    except EmptyPage:
        raise Http404(
            f"Page {params.page} does not exist; the last page is {paginator.num_pages}."
        ) from None
    return {
        "count": paginator.count,
        "page": page.number,
        "page_size": params.page_size,
        "next": _page_url(request, page.next_page_number()) if page.has_next() else None,
        "previous": _page_url(request, page.previous_page_number())
        if page.has_previous()
        else None,
        "results": list(page.object_list),
    }


@router.get(
    "/life-events", response=LifeEventPage, operation_id="listLifeEvents", openapi_extra=ERRORS
)
@decorate_view(cached_public_api)
def list_life_events(request: HttpRequest, params: Query[LifeEventQuery]) -> dict[str, Any]:
    """Life events and business events in overview order, optionally of one `kind`."""
    return _paged(request, services.list_life_events(params.kind), params)


@router.get(
    "/life-events/{slug}",
    response=LifeEventDetail,
    operation_id="getLifeEvent",
    openapi_extra=ERRORS,
)
@decorate_view(cached_public_api)
def get_life_event(request: HttpRequest, slug: Slug) -> Any:
    """One life event with its services in the order a person deals with them."""
    return services.get_life_event(slug).event


@router.get("/services", response=ServicePage, operation_id="listServices", openapi_extra=ERRORS)
@decorate_view(cached_public_api)
def list_services(request: HttpRequest, params: Query[ServiceQuery]) -> dict[str, Any]:
    """Public services, filtered by life event, organisation and words (`q`, in Dutch and
    English or in one `language`). Ordered by relevance when `q` is given, else by slug."""
    queryset = services.filter_services(
        life_event=params.life_event,
        organisation=params.organisation,
        text=params.q,
        language=params.language,
    )
    return _paged(request, queryset, params)


@router.get(
    "/services/{slug}", response=ServiceDetail, operation_id="getService", openapi_extra=ERRORS
)
@decorate_view(cached_public_api)
def get_service(request: HttpRequest, slug: Slug) -> Any:
    """Everything about one public service: provider, audience, requirements and evidence,
    costs, processing time, deadline, channels, legal basis, SDG procedures and life events."""
    return services.get_service(slug)


@router.get(
    "/organisations",
    response=OrganisationPage,
    operation_id="listOrganisations",
    openapi_extra=ERRORS,
)
@decorate_view(cached_public_api)
def list_organisations(request: HttpRequest, params: Query[PageQuery]) -> dict[str, Any]:
    """Public organisations that provide services, by slug."""
    return _paged(request, services.list_organisations(), params)


@router.get(
    "/organisations/{slug}",
    response=OrganisationDetail,
    operation_id="getOrganisation",
    openapi_extra=ERRORS,
)
@decorate_view(cached_public_api)
def get_organisation(request: HttpRequest, slug: Slug) -> Any:
    """One public organisation with its channels and the services it is competent for."""
    return services.get_organisation(slug)


@router.get(
    "/evidence-broker",
    response=EvidenceBrokerPage,
    operation_id="listEvidenceBrokerEntries",
    openapi_extra=ERRORS,
)
@decorate_view(cached_public_api)
def list_evidence_broker_entries(
    request: HttpRequest, params: Query[EvidenceBrokerQuery]
) -> dict[str, Any]:
    """The evidence broker: which evidence types meet a requirement for a person from a
    country, optionally of one `requirement` and/or one `country`. Ordered by requirement,
    country and evidence type."""
    return _paged(request, evidence.broker_entries(params.requirement, params.country), params)


@router.get(
    "/evidence-directory",
    response=EvidenceDirectoryPage,
    operation_id="listEvidenceProviders",
    openapi_extra=ERRORS,
)
@decorate_view(cached_public_api)
def list_evidence_providers(
    request: HttpRequest, params: Query[EvidenceDirectoryQuery]
) -> dict[str, Any]:
    """The evidence directory: who provides an evidence type for people of a country and the
    lifegate node to ask, optionally of one `evidence_type` and/or one `country`. Ordered by
    evidence type and country."""
    return _paged(request, evidence.directory_entries(params.evidence_type, params.country), params)
