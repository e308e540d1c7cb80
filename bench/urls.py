"""The app's URLs plus the floor: a minimal Django view served by the same server in the
same run."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from lifegate.urls import urlpatterns as lifegate_urlpatterns


def floor(request: HttpRequest) -> HttpResponse:
    """The least a Django view can do: what every other figure is measured against."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/floor", floor), *lifegate_urlpatterns]
handler404 = "lifegate.portal.views.not_found"
