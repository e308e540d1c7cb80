from django.urls import path

from lifegate.journeys import views

app_name = "journeys"
urlpatterns = [
    path("", views.my_journeys, name="list"),
    path("start/<slug:slug>/", views.start, name="start"),
    path("<uuid:journey_id>/", views.journey, name="journey"),
    path("<uuid:journey_id>/answers/", views.answer, name="answers"),
    path("<uuid:journey_id>/steps/<slug:slug>/", views.step, name="step"),
    path("<uuid:journey_id>/steps/<slug:slug>/done/", views.mark_done, name="done"),
]
