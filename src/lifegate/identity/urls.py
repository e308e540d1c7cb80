"""Login and logout pages, and the OpenID Connect redirect URI."""

from django.urls import path

from lifegate.identity import views

app_name = "identity"
urlpatterns = [
    path("login/", views.login, name="login"),
    path("callback/", views.callback, name="callback"),
    path("logout/", views.logout, name="logout"),
]
