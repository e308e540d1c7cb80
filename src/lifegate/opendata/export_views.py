"""The open-data downloads: the DCAT-AP catalogue, the life-event definitions, the usage
statistics and the JSON Schemas of the JSON downloads. Public, cacheable and stable: their
addresses are listed in the catalogue and in docs."""

import hashlib
import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views.decorators.http import require_safe
from rdflib import Graph

from lifegate.catalogue.caching import cached_public_export
from lifegate.opendata import schemas
from lifegate.opendata.dcat import catalog_graph, export_jsonld, export_turtle
from lifegate.opendata.downloads import statistics_csv, statistics_json
from lifegate.opendata.life_events import life_events_json
from lifegate.opendata.periods import published_period
from lifegate.opendata.publisher import platform_operator
from lifegate.opendata.statistics import usage_statistics

# Harvesters may reuse a copy for five minutes and revalidate it with If-None-Match afterwards.
MAX_AGE_SECONDS = 300
JSON = "application/json"


@require_safe
@cached_public_export
def catalog_turtle(request: HttpRequest) -> HttpResponseBase:
    """The DCAT-AP 3 catalogue of lifegate's open datasets as Turtle."""
    body = export_turtle(_catalog())
    return _download(request, body, "text/turtle; charset=utf-8", "catalog.ttl")


@require_safe
@cached_public_export
def catalog_jsonld(request: HttpRequest) -> HttpResponseBase:
    """The DCAT-AP 3 catalogue of lifegate's open datasets as JSON-LD."""
    body = export_jsonld(_catalog())
    return _download(request, body, "application/ld+json", "catalog.jsonld")


@require_safe
@cached_public_export
def life_events(request: HttpRequest) -> HttpResponseBase:
    """Every life event with its services, rules (as CEL and in words), dependencies,
    deadlines and questions, as JSON (schema: `life-events.schema.json`)."""
    body = life_events_json(settings.BASE_URL)
    return _download(request, body, JSON, "life-events.json")


@require_safe
@cached_public_export
def statistics_as_csv(request: HttpRequest) -> HttpResponseBase:
    """The usage statistics as CSV, one figure per row, suppressed figures marked."""
    body = statistics_csv(usage_statistics())
    return _download(
        request, body, "text/csv; charset=utf-8", "lifegate-usage-statistics.csv", attachment=True
    )


@require_safe
@cached_public_export
def statistics_as_json(request: HttpRequest) -> HttpResponseBase:
    """The usage statistics as JSON (schema: `statistics.schema.json`)."""
    body = statistics_json(usage_statistics(), settings.BASE_URL)
    return _download(request, body, JSON, "lifegate-usage-statistics.json")


@require_safe
def statistics_schema(request: HttpRequest) -> HttpResponseBase:
    """The JSON Schema of `statistics.json`."""
    return _schema(request, schemas.StatisticsDownload, "statistics.schema.json")


@require_safe
def life_events_schema(request: HttpRequest) -> HttpResponseBase:
    """The JSON Schema of `life-events.json`."""
    return _schema(request, schemas.LifeEventsDownload, "life-events.schema.json")


def _catalog() -> Graph:
    period = published_period(timezone.localdate())
    return catalog_graph(settings.BASE_URL, platform_operator(), period)


def _schema(request: HttpRequest, model: type[schemas.Strict], filename: str) -> HttpResponseBase:
    document = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{settings.BASE_URL}/opendata/{filename}",
        **model.model_json_schema(),
    }
    body = json.dumps(document, ensure_ascii=False, indent=2)
    return _download(request, body, "application/schema+json", filename)


def _download(
    request: HttpRequest, body: str, content_type: str, filename: str, attachment: bool = False
) -> HttpResponseBase:
    """The file with an ETag of its bytes, answering 304 when the client's copy is current."""
    content = body.encode()
    response = HttpResponse(content, content_type=content_type)
    response["ETag"] = f'"{hashlib.sha256(content).hexdigest()[:32]}"'
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    patch_cache_control(response, public=True, max_age=MAX_AGE_SECONDS)
    conditional = get_conditional_response(request, etag=response["ETag"], response=response)
    return conditional if conditional is not None else response
