"""Credentials in the agency back office, under /back-office/credentials/."""

from django.urls import path

from lifegate.credentials import backoffice

app_name = "backoffice_credentials"
urlpatterns = [
    path("", backoffice.overview, name="overview"),
    path("find", backoffice.find, name="find"),
    path("issue", backoffice.issue, name="issue"),
    path("<uuid:credential_id>/", backoffice.credential, name="credential"),
]
