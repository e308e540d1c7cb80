"""The agency back office, under /back-office/."""

from django.contrib.auth import views as auth_views
from django.urls import path

from lifegate.identity.password_logins import throttled_password_login
from lifegate.journeys import backoffice

app_name = "backoffice"
urlpatterns = [
    path("", backoffice.submission_list, name="submissions"),
    path("submissions/<uuid:submission_id>/", backoffice.submission_detail, name="submission"),
    path(
        "submissions/<uuid:submission_id>/documents/<uuid:document_id>",
        backoffice.document_download,
        name="document",
    ),
    path(
        "login/",
        throttled_password_login(
            auth_views.LoginView.as_view(
                template_name="journeys/backoffice/login.html",
                next_page="backoffice:submissions",
            )
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="backoffice:login"), name="logout"),
]
