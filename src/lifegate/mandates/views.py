"""The person's authorisations pages: what they gave and received (being built)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lifegate.identity.decorators import login_required
from lifegate.mandates import acting
from lifegate.mandates.services import mandates_for


@login_required("substantial")
def overview(request: HttpRequest) -> HttpResponse:
    """The mandates the person gave and received."""
    subject = acting.only_self(request)
    return render(request, "mandates/overview.html", {"mandates": mandates_for(subject)})
