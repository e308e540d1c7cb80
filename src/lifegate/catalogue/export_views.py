"""The catalogue as CPSV-AP 3.2 linked data, public and cacheable, for harvesters such as
national service catalogues and the Single Digital Gateway."""

import hashlib

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views.decorators.http import require_safe

from lifegate.catalogue.caching import cached_public_export
from lifegate.catalogue.rdf import export_jsonld, export_turtle

# The catalogue changes rarely; harvesters may reuse a copy for five minutes and revalidate
# it cheaply with If-None-Match afterwards.
MAX_AGE_SECONDS = 300


@require_safe
@cached_public_export
def cpsv_ap_turtle(request: HttpRequest) -> HttpResponseBase:
    """The whole catalogue in CPSV-AP 3.2 as Turtle."""
    body = export_turtle(settings.BASE_URL)
    return _export(request, body, "text/turtle; charset=utf-8", "cpsv-ap.ttl")


@require_safe
@cached_public_export
def cpsv_ap_jsonld(request: HttpRequest) -> HttpResponseBase:
    """The whole catalogue in CPSV-AP 3.2 as JSON-LD with an inline context."""
    body = export_jsonld(settings.BASE_URL)
    return _export(request, body, "application/ld+json", "cpsv-ap.jsonld")


def _export(request: HttpRequest, body: str, content_type: str, filename: str) -> HttpResponseBase:
    """The export with an ETag of its bytes, answering 304 when the client's copy is current."""
    content = body.encode()
    response = HttpResponse(content, content_type=content_type)
    response["ETag"] = f'"{hashlib.sha256(content).hexdigest()[:32]}"'
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    patch_cache_control(response, public=True, max_age=MAX_AGE_SECONDS)
    conditional = get_conditional_response(request, etag=response["ETag"], response=response)
    return conditional if conditional is not None else response
