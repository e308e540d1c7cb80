"""The development identity provider publishes valid discovery and JWKS documents, for
whatever address it is reached at, and does nothing at all when switched off."""

import pytest
from authlib.oidc.discovery import OpenIDProviderMetadata
from django.test import Client

from lifegate.core.keys import signing_key

pytestmark = pytest.mark.django_db(transaction=True)


class ES256OnlyProviderMetadata(OpenIDProviderMetadata):
    """Discovery 1.0 wants RS256 offered too; lifegate's provider signs with ES256 only."""

    def validate_id_token_signing_alg_values_supported(self) -> None:
        assert self["id_token_signing_alg_values_supported"] == ["ES256"]


def test_the_discovery_document_is_valid(browser):
    response = browser.get("/dev-idp/.well-known/openid-configuration")

    assert response.status_code == 200
    document = response.json()
    ES256OnlyProviderMetadata(document).validate()
    issuer = browser.base_url + "/dev-idp"
    assert document["issuer"] == issuer
    endpoints = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")
    for endpoint in (*endpoints, "end_session_endpoint"):
        assert document[endpoint].startswith(issuer + "/")
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert "http://eidas.europa.eu/LoA/substantial" in document["acr_values_supported"]
    assert set(document["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic",
        "client_secret_post",
    }


def test_the_issuer_follows_the_address_the_provider_is_reached_at(client: Client):
    response = client.get("/dev-idp/.well-known/openid-configuration", HTTP_HOST="localhost:8123")

    assert response.json()["issuer"] == "http://localhost:8123/dev-idp"


def test_the_issuer_url_leads_to_the_discovery_document(client: Client):
    response = client.get("/dev-idp/")

    assert response.status_code == 302
    assert response["Location"] == "/dev-idp/.well-known/openid-configuration"


def test_the_jwks_holds_the_public_signing_key_only(browser):
    document = browser.get("/dev-idp/jwks").json()

    (key,) = document["keys"]
    assert key["kty"] == "EC" and key["crv"] == "P-256" and key["alg"] == "ES256"
    assert key["kid"] == signing_key("dev-idp").kid
    assert "d" not in key


@pytest.mark.parametrize(
    "path",
    [
        "/dev-idp/",
        "/dev-idp/.well-known/openid-configuration",
        "/dev-idp/jwks",
        "/dev-idp/authorize",
        "/dev-idp/userinfo",
        "/dev-idp/logout",
    ],
)
def test_the_provider_refuses_everything_when_switched_off(client: Client, settings, path):
    settings.DEV_IDP_ENABLED = False

    assert client.get(path).status_code == 404


def test_the_token_endpoint_refuses_when_switched_off(client: Client, settings):
    settings.DEV_IDP_ENABLED = False

    assert client.post("/dev-idp/token", {"grant_type": "authorization_code"}).status_code == 404


def test_plain_http_on_a_public_host_gets_an_oauth_error_not_a_crash(client: Client):
    response = client.post("/dev-idp/token", {"grant_type": "authorization_code"})

    assert response.status_code == 400
    assert response.json()["error"] == "insecure_transport"


LOGOUT_RETURN = "http://testserver/identity/logout/"


def test_the_end_session_endpoint_sends_the_portal_back_to_its_logout_page(
    client: Client, settings
):
    query = {"client_id": settings.OIDC_CLIENT_ID, "post_logout_redirect_uri": LOGOUT_RETURN}
    response = client.get("/dev-idp/logout", query)
    assert response.status_code == 302
    assert response["Location"] == LOGOUT_RETURN
    with_state = client.get("/dev-idp/logout", query | {"state": "a b&c"})
    assert with_state["Location"] == LOGOUT_RETURN + "?state=a+b%26c"


@pytest.mark.parametrize(
    "change",
    [
        {"client_id": "someone-else"},
        {"client_id": ""},
        {"post_logout_redirect_uri": "https://evil.example/identity/logout/"},
        {"post_logout_redirect_uri": "http://testserver/identity/callback/"},
        {"post_logout_redirect_uri": "http://testserver/identity/logout/?next=//evil.example"},
        {"post_logout_redirect_uri": ""},
    ],
)
@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_end_session_endpoint_is_no_open_redirect(client: Client, settings, change, language):
    query = {"client_id": settings.OIDC_CLIENT_ID, "post_logout_redirect_uri": LOGOUT_RETURN}
    response = client.get("/dev-idp/logout", query | change, headers={"accept-language": language})
    assert response.status_code == 400
    assert "Location" not in response
    text = response.content.decode()
    assert {
        "en": "This logout request cannot be handled",
        "nl": "Dit verzoek om uit te loggen kan niet worden afgehandeld",
    }[language] in text
