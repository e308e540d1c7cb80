"""The public open-data dashboard."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from lifegate.catalogue.caching import cached_public_page
from lifegate.opendata import dashboard as dashboard_page
from lifegate.opendata import disclosure
from lifegate.opendata.statistics import usage_statistics


@require_safe
@cached_public_page
def dashboard(request: HttpRequest) -> HttpResponse:
    """One month of usage statistics (`?month=YYYY-MM`, default the latest) as charts and
    tables, with the downloads and how nobody is exposed."""
    try:
        page = dashboard_page.dashboard(usage_statistics(), request.GET.get("month", ""))
    except dashboard_page.UnknownMonth as error:
        raise Http404("no figures for this month") from error
    context = {
        "page": page,
        "rules": disclosure.RULES,
        "minimum_people": disclosure.MINIMUM_PEOPLE,
    }
    return render(request, "opendata/dashboard.html", context)
