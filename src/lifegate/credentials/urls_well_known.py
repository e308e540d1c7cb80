"""The issuer's metadata at the standard well-known addresses under /.well-known/."""

from django.urls import path

from lifegate.credentials import views, views_oid4vci

app_name = "credentials_well_known"

urlpatterns = [
    path("jwt-vc-issuer", views.jwt_vc_issuer, name="jwt_vc_issuer"),
    path(
        "openid-credential-issuer", views.openid_credential_issuer, name="openid_credential_issuer"
    ),
    path(
        "oauth-authorization-server",
        views_oid4vci.oauth_authorization_server,
        name="oauth_authorization_server",
    ),
]
