from django.urls import path

from lifegate.exchange import views

app_name = "exchange"
urlpatterns = [
    path(
        "journeys/<uuid:journey_id>/steps/<slug:slug>/<slug:requirement>/ask/",
        views.ask,
        name="ask",
    ),
    path("received/<uuid:evidence_id>/", views.received, name="received"),
    path("received/<uuid:evidence_id>/remove/", views.discard, name="discard"),
    path("preview/<uuid:preview_id>/", views.preview, name="preview"),
    path("preview/<uuid:preview_id>/decide/", views.decide, name="decide"),
]
