"""The development identity provider, mounted at /dev-idp/ only when DEV_IDP_ENABLED."""

from django.urls import path

from lifegate.identity.dev_idp import views

app_name = "dev_idp"
urlpatterns = [
    path("", views.issuer, name="issuer"),
    path(".well-known/openid-configuration", views.discovery, name="discovery"),
    path("jwks", views.jwks, name="jwks"),
    path("authorize", views.authorize, name="authorize"),
    path("token", views.token, name="token"),
    path("userinfo", views.userinfo, name="userinfo"),
    path("logout", views.end_session, name="end_session"),
]
