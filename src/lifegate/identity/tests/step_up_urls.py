"""The site's URLs plus one page that needs level substantial, for the step-up tests."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from lifegate.identity.decorators import login_required
from lifegate.urls import urlpatterns as site_urlpatterns


@login_required(level="substantial")
def substantial_page(request: HttpRequest) -> HttpResponse:
    """Stands in for a service that needs level substantial."""
    return HttpResponse(f"substantial page at {request.authentication.loa}")  # type: ignore[attr-defined]


urlpatterns = [path("needs-substantial/", substantial_page), *site_urlpatterns]
