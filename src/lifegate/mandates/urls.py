"""The mandates pages, under /mandates/."""

from django.urls import path

from lifegate.mandates import views, views_acting

app_name = "mandates"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("new/", views.grant, name="grant"),
    path("accept/", views.accept, name="accept"),
    path("<uuid:mandate_id>/accept/", views.accept_offer, name="accept-offer"),
    path("<uuid:mandate_id>/end/", views.end, name="end"),
    path("on-my-behalf/", views.on_my_behalf, name="on-my-behalf"),
    path("act-for/", views_acting.choose, name="choose"),
]
