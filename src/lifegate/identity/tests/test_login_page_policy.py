"""The login page's forms may lead to the identity provider, and only there."""

import pytest

from lifegate.core.origins import origin_of
from lifegate.identity import views
from lifegate.identity.oidc import ProviderMetadata


def _metadata(endpoint: str) -> ProviderMetadata:
    return ProviderMetadata(
        issuer="https://idp.example",
        authorization_endpoint=endpoint,
        token_endpoint="https://idp.example/token",
        jwks_uri="https://idp.example/jwks",
        token_auth_method="client_secret_basic",
        algorithms=("ES256",),
    )


@pytest.mark.django_db
def test_the_login_page_allows_forms_to_reach_the_provider_and_nothing_else(
    client, monkeypatch, settings
):
    monkeypatch.setattr(
        views, "provider_metadata", lambda: _metadata("https://login.idp.example:8443/authorize")
    )
    settings.OIDC_EXTRA_FORM_ORIGINS = ["https://eidas-node.example/start"]
    settings.OIDC_DISCOVERY_URL = "https://idp.example/.well-known/openid-configuration"
    policy = client.get("/identity/login/")["Content-Security-Policy"]
    form_action = next(part for part in policy.split(";") if "form-action" in part).split()
    assert form_action == [
        "form-action",
        "'self'",
        "https://eidas-node.example",
        "https://idp.example",  # where its end-session endpoint usually is
        "https://login.idp.example:8443",
    ]


@pytest.mark.django_db
def test_other_pages_allow_forms_to_this_site_only(client):
    policy = client.get("/catalogue/life-events/")["Content-Security-Policy"]
    assert "form-action 'self';" in policy + ";"


def test_origins_never_carry_user_info_and_refuse_other_schemes():
    assert origin_of("https://user:pw@idp.example:443/x") == "https://idp.example"
    assert origin_of("http://[::1]:8000/x") == "http://[::1]:8000"
    assert origin_of("javascript:alert(1)") is None
    assert origin_of("idp.example/authorize") is None
