"""Public catalogue pages and the open-data (CPSV-AP) exports, under /catalogue/."""

from django.urls import path

from lifegate.catalogue import views
from lifegate.catalogue.export_views import cpsv_ap_jsonld, cpsv_ap_turtle

app_name = "catalogue"
urlpatterns = [
    path("life-events/", views.life_events, name="life-events"),
    path("life-events/<slug:slug>/", views.life_event, name="life-event"),
    path("services/<slug:slug>/", views.service, name="service"),
    path("services/<slug:slug>/start/", views.service_start, name="service-start"),
    path("search/", views.search, name="search"),
    path("cpsv-ap.ttl", cpsv_ap_turtle, name="cpsv-ap-ttl"),
    path("cpsv-ap.jsonld", cpsv_ap_jsonld, name="cpsv-ap-jsonld"),
]
