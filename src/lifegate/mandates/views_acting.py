"""Choosing whom to act for: offered after login to whoever may act for others, and at any
time from the banner and the authorisations page."""

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lifegate.identity.decorators import login_required
from lifegate.mandates import acting
from lifegate.transparency.services import Actor


def _safe_next(request: HttpRequest, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return reverse("portal:home")


@login_required()
@require_http_methods(["GET", "POST"])
def choose(request: HttpRequest) -> HttpResponse:
    """GET: the people this person may act for, and themselves. POST: act for the chosen one."""
    authentication = request.authentication  # type: ignore[attr-defined]
    data = request.POST if request.method == "POST" else request.GET
    next_url = _safe_next(request, data.get("next"))
    error = ""
    if request.method == "POST":
        try:
            acting.choose(request, data.get("person", ""))
            return HttpResponseRedirect(next_url)
        except acting.NotPermitted:
            error = _("You may not act for this person (any more). Choose again.")
    people = acting.representables(
        authentication.subject, Actor(kind="person", subject=authentication.subject)
    )
    context = {"people": people, "next_url": next_url, "error": error}
    return render(request, "mandates/choose.html", context, status=422 if error else 200)


def after_login(request: HttpRequest, next_url: str) -> str:
    """Where a fresh login continues: the chooser when the person may act for others (every
    login starts acting for oneself), else `next_url`. Named by settings.LIFEGATE_AFTER_LOGIN."""
    # A fresh login acts for oneself, whatever an earlier login in this session chose.
    request.session.pop(acting.SESSION_KEY, None)
    request.__dict__.pop("_acting_for", None)
    authentication = request.authentication  # type: ignore[attr-defined]
    if authentication is None or not acting.acts_for_others(authentication.subject):
        return next_url
    return reverse("mandates:choose") + "?" + urlencode({"next": next_url})
