"""The assistant's pages, under /assistant/."""

from django.urls import path

from lifegate.assistant import views

app_name = "assistant"
urlpatterns = [
    path("", views.ask, name="ask"),
    path("share/", views.share, name="share"),
]
