"""The "who used my data" page and its downloads, under /transparency/."""

from django.urls import path

from lifegate.transparency import views

app_name = "transparency"
urlpatterns = [
    path("", views.records, name="records"),
    path("export.csv", views.export_csv, name="export-csv"),
    path("export.json", views.export_json, name="export-json"),
]
