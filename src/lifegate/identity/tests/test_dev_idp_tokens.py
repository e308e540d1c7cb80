"""The development identity provider's authorization and token endpoints, used directly as
any OpenID Connect client would: PKCE S256, single-use codes that expire, signed ID tokens."""

import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import KeySet

from lifegate.identity.dev_idp.models import DevIdpAuthorizationCode

pytestmark = pytest.mark.django_db(transaction=True)

VERIFIER = secrets.token_urlsafe(48)


def authorization_request(browser: Any, settings: Any, **changes: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": settings.OIDC_CLIENT_ID,
        "redirect_uri": browser.base_url + "/identity/callback/",
        "scope": "openid profile",
        "state": "state-1",
        "nonce": secrets.token_urlsafe(16),
        "code_challenge": create_s256_code_challenge(VERIFIER),
        "code_challenge_method": "S256",
    }
    params.update(changes)
    return {key: value for key, value in params.items() if value}


def authorize(browser: Any, params: dict[str, str], choice: str) -> dict[str, list[str]]:
    """Pick `choice` on the persona picker; returns the query of the redirect back."""
    picker = browser.get("/dev-idp/authorize", params=params)
    assert picker.status_code == 200, picker.text
    response = browser.choose(picker, choice, follow=False)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(params["redirect_uri"])
    return parse_qs(urlsplit(location).query)


def exchange(
    browser: Any,
    settings: Any,
    code: str,
    verifier: str = VERIFIER,
    basic: bool = True,
    secret: str = "",
) -> requests.Response:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": browser.base_url + "/identity/callback/",
        "code_verifier": verifier,
    }
    secret = secret or settings.OIDC_CLIENT_SECRET
    auth = None
    if basic:
        auth = (settings.OIDC_CLIENT_ID, secret)
    else:
        data.update(client_id=settings.OIDC_CLIENT_ID, client_secret=secret)
    return requests.post(browser.base_url + "/dev-idp/token", data=data, auth=auth, timeout=10)


def id_token_claims(browser: Any, token_response: requests.Response) -> dict[str, Any]:
    keys = KeySet.import_key_set(browser.get("/dev-idp/jwks").json())
    token = jwt.decode(token_response.json()["id_token"], keys, algorithms=["ES256"])
    assert token.header["alg"] == "ES256"
    return dict(token.claims)


def test_a_resident_gets_a_signed_id_token_with_their_claims(browser, settings, resident):
    params = authorization_request(browser, settings)
    answer = authorize(browser, params, f"{resident.key}|substantial")
    assert answer["state"] == ["state-1"]

    response = exchange(browser, settings, answer["code"][0])

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    claims = id_token_claims(browser, response)
    assert claims["iss"] == browser.base_url + "/dev-idp"
    assert claims["aud"] == settings.OIDC_CLIENT_ID
    assert claims["nonce"] == params["nonce"]
    assert claims["acr"] == "http://eidas.europa.eu/LoA/substantial"
    assert claims["bsn"] == resident.subject.value
    assert claims["given_name"] == resident.given_name
    assert claims["family_name"] == resident.family_name
    assert claims["birthdate"] == resident.date_of_birth.isoformat()
    assert claims["exp"] > claims["iat"] and claims["auth_time"] <= claims["iat"] + 1
    assert "eidas" not in claims


def test_the_subject_is_opaque_and_stable(browser, settings, resident):
    subs = []
    for _ in range(2):
        answer = authorize(browser, authorization_request(browser, settings), f"{resident.key}|low")
        subs.append(id_token_claims(browser, exchange(browser, settings, answer["code"][0]))["sub"])

    assert subs[0] == subs[1]
    assert resident.subject.value not in subs[0]


def test_an_eu_citizen_gets_the_eidas_minimum_data_set(browser, settings, eu_citizen):
    answer = authorize(browser, authorization_request(browser, settings), f"{eu_citizen.key}|low")

    claims = id_token_claims(browser, exchange(browser, settings, answer["code"][0], basic=False))

    assert "bsn" not in claims
    assert claims["eidas"] == {
        "PersonIdentifier": eu_citizen.eidas_person_identifier or eu_citizen.subject.value,
        "CurrentFamilyName": eu_citizen.family_name,
        "CurrentGivenName": eu_citizen.given_name,
        "DateOfBirth": eu_citizen.date_of_birth.isoformat(),
    }


def test_the_userinfo_endpoint_answers_with_the_access_token(browser, settings, resident):
    answer = authorize(browser, authorization_request(browser, settings), f"{resident.key}|low")
    access_token = exchange(browser, settings, answer["code"][0]).json()["access_token"]

    response = browser.get("/dev-idp/userinfo", headers={"Authorization": f"Bearer {access_token}"})
    anonymous = requests.get(browser.base_url + "/dev-idp/userinfo", timeout=10)

    assert response.status_code == 200
    assert response.json()["bsn"] == resident.subject.value
    assert anonymous.status_code == 401


def test_a_replayed_code_is_refused_and_its_tokens_revoked(browser, settings, resident):
    code = authorize(browser, authorization_request(browser, settings), f"{resident.key}|low")[
        "code"
    ][0]
    first = exchange(browser, settings, code)

    replay = exchange(browser, settings, code)

    assert first.status_code == 200
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    bearer = {"Authorization": f"Bearer {first.json()['access_token']}"}
    assert browser.get("/dev-idp/userinfo", headers=bearer).status_code == 401


def test_a_code_older_than_a_minute_is_refused(browser, settings, resident):
    code = authorize(browser, authorization_request(browser, settings), f"{resident.key}|low")[
        "code"
    ][0]
    DevIdpAuthorizationCode.objects.update(created_at=timezone.now() - timedelta(seconds=61))

    response = exchange(browser, settings, code)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_a_wrong_pkce_verifier_is_refused(browser, settings, resident):
    code = authorize(browser, authorization_request(browser, settings), f"{resident.key}|low")[
        "code"
    ][0]

    response = exchange(browser, settings, code, verifier=secrets.token_urlsafe(48))

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_a_wrong_client_secret_is_refused(browser, settings, resident):
    code = authorize(browser, authorization_request(browser, settings), f"{resident.key}|low")[
        "code"
    ][0]
    response = exchange(browser, settings, code, secret="another-secret")

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


@pytest.mark.parametrize(
    "changes",
    [
        {"code_challenge": "", "code_challenge_method": ""},
        {"code_challenge_method": "plain"},
        {"nonce": ""},
        {"scope": "profile"},
    ],
    ids=["no-pkce", "plain-pkce", "no-nonce", "no-openid-scope"],
)
def test_an_incomplete_request_is_sent_back_with_an_error(browser, settings, changes):
    params = authorization_request(browser, settings, **changes)

    response = browser.get("/dev-idp/authorize", params=params, allow_redirects=False)

    assert response.status_code == 302
    answer = parse_qs(urlsplit(response.headers["Location"]).query)
    assert answer["error"] in (["invalid_request"], ["invalid_scope"])
    assert answer["state"] == ["state-1"]


def callback_at(base_url: str, change: str) -> str:
    """The portal's callback URL on `base_url`, with its scheme, host or port changed."""
    parts = urlsplit(base_url)
    host, port = parts.hostname or "", parts.port or 80
    netloc = {
        "foreign-host": f"evil.example:{port}",
        "other-port": f"{host}:{port + 1}",
        "other-scheme": f"{host}:{port}",
        "user-info": f"{host}@evil.example:{port}",
    }[change]
    scheme = "https" if change == "other-scheme" else parts.scheme
    return f"{scheme}://{netloc}/identity/callback/"


@pytest.mark.parametrize("change", ["foreign-host", "other-port", "other-scheme", "user-info"])
def test_a_callback_at_another_origin_is_refused_and_not_redirected_to(browser, settings, change):
    redirect_uri = callback_at(browser.base_url, change)

    response = browser.get(
        "/dev-idp/authorize",
        params=authorization_request(browser, settings, redirect_uri=redirect_uri),
        allow_redirects=False,
    )

    assert response.status_code == 400
    assert "Location" not in response.headers
    assert "<code>invalid_request</code>" in response.text


@pytest.mark.parametrize(
    "changes",
    [{"redirect_uri": "https://evil.example/steal"}, {"client_id": "someone-else"}],
    ids=["foreign-redirect-uri-and-path", "unknown-client"],
)
def test_a_request_from_an_unknown_client_or_address_is_not_redirected(browser, settings, changes):
    response = browser.get(
        "/dev-idp/authorize",
        params=authorization_request(browser, settings, **changes),
        allow_redirects=False,
    )

    assert response.status_code == 400
    assert "Location" not in response.headers


def test_the_callback_at_the_configured_base_url_is_accepted(browser, settings, resident):
    settings.BASE_URL = "https://lifegate.example"
    params = authorization_request(
        browser, settings, redirect_uri="https://lifegate.example/identity/callback/"
    )

    answer = authorize(browser, params, f"{resident.key}|low")

    assert answer["state"] == ["state-1"]
    assert answer["code"]


def test_cancelling_sends_access_denied_back(browser, settings, resident):
    picker = browser.get("/dev-idp/authorize", params=authorization_request(browser, settings))

    response = browser.post_form(picker, picker.url, {"action": "cancel"}, follow=False)

    answer = parse_qs(urlsplit(response.headers["Location"]).query)
    assert answer["error"] == ["access_denied"]
    assert "code" not in answer


def test_only_levels_at_least_the_requested_one_are_offered(browser, settings, resident):
    params = authorization_request(
        browser, settings, acr_values="http://eidas.europa.eu/LoA/substantial"
    )
    picker = browser.get("/dev-idp/authorize", params=params)

    assert f'value="{resident.key}|substantial"' in picker.text
    assert f'value="{resident.key}|high"' in picker.text
    assert f'value="{resident.key}|low"' not in picker.text
    refused = browser.choose(picker, f"{resident.key}|low", follow=False)
    assert refused.status_code == 400
    assert not DevIdpAuthorizationCode.objects.exists()


def test_a_persona_is_not_offered_above_its_maximum_level(browser, settings, eu_citizen):
    picker = browser.get("/dev-idp/authorize", params=authorization_request(browser, settings))

    assert eu_citizen.max_loa != "high"
    assert f'value="{eu_citizen.key}|high"' not in picker.text
    assert browser.choose(picker, f"{eu_citizen.key}|high", follow=False).status_code == 400


def test_the_persona_form_needs_its_csrf_token(browser, settings, resident):
    picker = browser.get("/dev-idp/authorize", params=authorization_request(browser, settings))

    response = browser.http.post(
        picker.url, data={"login": f"{resident.key}|low"}, allow_redirects=False, timeout=10
    )

    assert response.status_code == 403
    assert not DevIdpAuthorizationCode.objects.exists()


def test_the_callback_may_use_another_name_of_this_site(settings, rf):
    from lifegate.identity.dev_idp.server import callback_origins, is_callback_uri

    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", ".example.org"]
    request = rf.get("/dev-idp/authorize", HTTP_HOST="127.0.0.1:8000")
    origins = callback_origins(request)
    assert is_callback_uri("http://localhost:8000/identity/callback/", origins)
    assert not is_callback_uri("http://localhost:9000/identity/callback/", origins)
    assert not is_callback_uri("http://evil.example.org:8000/identity/callback/", origins)
