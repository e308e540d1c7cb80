"""Public catalogue pages: life events, services, search, and starting a service.

Unknown slugs raise `CatalogueEntryNotFound` (an Http404): the project's 404 page."""

from typing import cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from lifegate.catalogue import services
from lifegate.catalogue.caching import cached_public_page
from lifegate.catalogue.models import PublicService
from lifegate.identity.assurance import LevelOfAssurance
from lifegate.identity.decorators import login_required


def _language() -> str:
    return (get_language() or "nl")[:2]


@cached_public_page
def life_events(request: HttpRequest) -> HttpResponse:
    """Overview: life events, then business events."""
    return render(
        request, "catalogue/life_events.html", {"overview": services.life_event_overview()}
    )


@cached_public_page
def life_event(request: HttpRequest, slug: str) -> HttpResponse:
    """One life event with its services, numbered in the order a person deals with them."""
    detail = services.get_life_event(slug)
    return render(
        request, "catalogue/life_event.html", {"event": detail.event, "services": detail.services}
    )


@cached_public_page
def service(request: HttpRequest, slug: str) -> HttpResponse:
    """Everything about one service: who, for whom, what you need, cost, time, channels, law."""
    public_service = services.get_service(slug)
    return render(request, "catalogue/service.html", {"service": public_service})


def service_start(request: HttpRequest, slug: str) -> HttpResponse:
    """Start a service: log in at the service's minimum level of assurance (again, if the session
    is below it), then continue at the agency."""
    public_service = services.get_service(slug)
    level = cast(LevelOfAssurance, public_service.minimum_assurance_level)
    guarded = login_required(level=level)(_continue_at_agency)
    return guarded(request, public_service)


def _continue_at_agency(request: HttpRequest, public_service: PublicService) -> HttpResponse:
    return render(request, "catalogue/service_start.html", {"service": public_service})


@cached_public_page
def search(request: HttpRequest) -> HttpResponse:
    """Search services in Dutch and English; an empty or over-long query shows only the form."""
    query = request.GET.get("q", "").strip()
    too_long = len(query) > services.MAX_QUERY_LENGTH
    results = None
    if query and not too_long:
        results = services.search_services(query, _language())
    context = {
        "query": query[: services.MAX_QUERY_LENGTH],
        "too_long": too_long,
        "max_length": services.MAX_QUERY_LENGTH,
        "results": results,
    }
    return render(request, "catalogue/search.html", context)
