"""The mandates pages, under /mandates/."""

from django.urls import path

from lifegate.mandates import views, views_acting

app_name = "mandates"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("act-for/", views_acting.choose, name="choose"),
]
