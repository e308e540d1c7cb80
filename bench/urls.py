"""The app's URLs plus the floor (a minimal Django view served by the same server in the same
run), and the two pages of the processing-log benchmark (bench/transparency.py)."""

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from lifegate.identity.assurance import loa_label
from lifegate.identity.decorators import login_required
from lifegate.identity.one_commit import commit_once
from lifegate.identity.session import Authentication
from lifegate.journeys.services import journeys_for
from lifegate.portal.services import HOME_ACTIVITY, HomePage, _sections
from lifegate.registries.services import PERSON_DATA, population_register
from lifegate.transparency.services import Actor, record_processing
from lifegate.urls import urlpatterns as lifegate_urlpatterns


def floor(request: HttpRequest) -> HttpResponse:
    """The least a Django view can do: what every other figure is measured against."""
    return HttpResponse(b"ok", content_type="text/plain")


def _home(request: HttpRequest, *, recorded: bool) -> HttpResponse:
    """The logged-in person's home page as the portal composes it (lifegate.portal.services):
    their registration read from the population register, their plans, the portal's template.
    `recorded`: the read is recorded in the processing log in the same transaction, as
    `registries.services.read_person` does; otherwise it is not recorded at all. Both, like the
    portal's home page, run with the session's save in one transaction (`commit_once`)."""
    authentication: Authentication = request.authentication  # type: ignore[attr-defined]
    subject = authentication.subject
    if recorded:
        with transaction.atomic(savepoint=False):  # as read_person: joins the page's
            person = population_register().get_person(subject.value)
            record_processing(
                name="portal.home",
                subject=subject,
                activity=HOME_ACTIVITY,
                actor=Actor(kind="person", subject=subject),
                data_categories=PERSON_DATA,
            )
    else:
        person = population_register().get_person(subject.value)
    page = HomePage(
        display_name=person.full_name if person else "",
        level_of_assurance=loa_label(authentication.loa),
        sections=_sections(),
        journeys=journeys_for(subject),
    )
    return render(request, "portal/home.html", {"page": page})


@login_required()
@commit_once
def home_recorded(request: HttpRequest) -> HttpResponse:
    """Benchmark only: the home page, its register read recorded."""
    return _home(request, recorded=True)


@login_required()
@commit_once
def home_unrecorded(request: HttpRequest) -> HttpResponse:
    """Benchmark only: the same page without the record (what recording is compared with)."""
    return _home(request, recorded=False)


urlpatterns = [
    path("bench/floor", floor),
    path("bench/home-recorded", home_recorded),
    path("bench/home-unrecorded", home_unrecorded),
    *lifegate_urlpatterns,
]
handler404 = "lifegate.portal.views.not_found"
