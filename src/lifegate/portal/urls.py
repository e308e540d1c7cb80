from django.urls import path

from lifegate.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("language/<str:code>/", views.switch_language, name="language"),
]
