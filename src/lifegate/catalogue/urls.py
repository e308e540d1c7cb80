# PLACEHOLDER — replaced by the catalogue building block.
from django.http import HttpResponse
from django.urls import path

app_name = "catalogue"
urlpatterns = [
    path("life-events/", lambda r: HttpResponse("x"), name="life-events"),
    path("search/", lambda r: HttpResponse("x"), name="search"),
    path("cpsv-ap.ttl", lambda r: HttpResponse("x"), name="cpsv-ap-ttl"),
]
