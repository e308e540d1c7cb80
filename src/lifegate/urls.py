"""Fixed addresses: operators and other tools rely on them (see docs/operations.md)."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from lifegate.api import api
from lifegate.core.views import healthz
from lifegate.identity.password_logins import throttled_password_login

urlpatterns = [
    path("", include("lifegate.portal.urls")),
    path("catalogue/", include("lifegate.catalogue.urls")),
    path("journeys/", include("lifegate.journeys.urls")),
    path("inbox/settings/", include("lifegate.inbox.urls_notifications")),
    path("inbox/", include("lifegate.inbox.urls")),
    path("mandates/", include("lifegate.mandates.urls")),
    path("exchange/", include("lifegate.exchange.urls")),
    path("credentials/", include("lifegate.credentials.urls")),
    path(".well-known/", include("lifegate.credentials.urls_well_known")),
    path("transparency/", include("lifegate.transparency.urls")),
    path("opendata/", include("lifegate.opendata.urls")),
    path("identity/", include("lifegate.identity.urls")),
    path("assistant/", include("lifegate.assistant.urls")),
    path("back-office/credentials/", include("lifegate.credentials.backoffice_urls")),
    path("back-office/messages/", include("lifegate.inbox.backoffice_urls")),
    path("back-office/", include("lifegate.journeys.backoffice_urls")),
    path("api/", api.urls),
    path("healthz", healthz, name="healthz"),
    # The admin's own login, with its posts counted (identity.password_logins).
    path("admin/login/", throttled_password_login(admin.site.login)),
    path("admin/", admin.site.urls),
]

if settings.DEV_IDP_ENABLED:
    urlpatterns.append(path("dev-idp/", include("lifegate.identity.dev_idp.urls")))

handler400 = "lifegate.portal.views.bad_request"
handler403 = "lifegate.portal.views.forbidden"
handler404 = "lifegate.portal.views.not_found"
handler500 = "lifegate.portal.views.server_error"
