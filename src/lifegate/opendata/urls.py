"""Open data under /opendata/: the dashboard and the downloads at stable addresses."""

from django.urls import path

from lifegate.opendata import export_views, views

app_name = "opendata"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("catalog.ttl", export_views.catalog_turtle, name="catalog-ttl"),
    path("catalog.jsonld", export_views.catalog_jsonld, name="catalog-jsonld"),
    path("life-events.json", export_views.life_events, name="life-events-json"),
    path("life-events.schema.json", export_views.life_events_schema, name="life-events-schema"),
    path("statistics.csv", export_views.statistics_as_csv, name="statistics-csv"),
    path("statistics.json", export_views.statistics_as_json, name="statistics-json"),
    path("statistics.schema.json", export_views.statistics_schema, name="statistics-schema"),
]
