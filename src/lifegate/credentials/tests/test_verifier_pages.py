"""The verifier's pages (no login), the OpenID4VP endpoints wallets call, and the verifier
API: in Dutch and English, with the outcome in plain language and only the claims asked."""

import json
import re
from datetime import timedelta
from io import StringIO
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from lifegate.credentials import verifying, views_verifier
from lifegate.credentials.models import PresentationRequest
from lifegate.credentials.revocation import revoke
from lifegate.credentials.tests.conftest import DIPLOMA_CLAIMS
from lifegate.credentials.tests.presenting import DUO, TITLE_AND_LEVEL, diploma, form, presentation

pytestmark = pytest.mark.django_db
FORM = "application/x-www-form-urlencoded"
API = "/api/credentials/verifier/requests"


@pytest.fixture(autouse=True)
def node(issuer_settings: None) -> Any:
    cache.clear()  # the per-address request counter too
    yield
    cache.clear()


def client_in(language: str) -> Client:
    client = Client()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    return client


def make_request(client: Client) -> PresentationRequest:
    response = client.post(
        "/credentials/verify/",
        {"credential_type": "diploma", "claims": TITLE_AND_LEVEL, "verifier_name": "Acme"},
    )
    assert response.status_code == 302
    made = PresentationRequest.objects.get()
    assert response["Location"] == f"/credentials/verify/{made.pk}/"
    return made


def answer(made: PresentationRequest, credential: Any, names: list[str] = TITLE_AND_LEVEL) -> Any:
    body = form(made, presentation(credential, made, names))
    return Client().post(
        f"/credentials/oid4vp/responses/{made.handle}",
        urlencode(body),
        content_type=FORM,
    )


@pytest.mark.parametrize(
    ("language", "labels"),
    [("nl", ["Opleiding", "EQF-niveau", "Resultaat"]), ("en", ["Qualification", "EQF level"])],
)
def test_the_verifier_picks_a_type_then_its_claims_in_the_page_language(
    credential_types, language, labels
):
    client = client_in(language)

    types = client.get("/credentials/verify/")
    claims = client.get("/credentials/verify/?type=diploma")

    assert types.status_code == claims.status_code == 200
    assert 'href="/credentials/verify/?type=diploma"' in types.text
    assert f'lang="{language}"' in claims.text
    for label in labels:
        assert label in claims.text
    assert 'name="claims" value="level_eqf"' in claims.text


def test_making_a_request_shows_a_qr_code_and_both_wallet_links(credential_types):
    client = client_in("en")
    made = make_request(client)

    page = client.get(f"/credentials/verify/{made.pk}/")

    assert page.status_code == 200
    assert "<svg" in page.text and 'class="segno"' in page.text
    assert 'href="openid4vp://?client_id=x509_hash%3A' in page.text
    assert "/credentials/present/?client_id=" in page.text
    assert page["Refresh"] == "10"
    assert "no-store" in page["Cache-Control"]
    # The wallet's links carry the handle, never the id that reads the result.
    links = re.findall(r'href="([^"]*oid4vp[^"]*|[^"]*present[^"]*)"', page.text)
    assert links and all(str(made.pk) not in link for link in links)


def test_asking_for_nothing_is_refused_with_a_message(credential_types):
    response = client_in("en").post(
        "/credentials/verify/", {"credential_type": "diploma", "verifier_name": "Acme"}
    )

    assert response.status_code == 422
    assert "at least one piece of information" in response.text
    assert not PresentationRequest.objects.exists()
    # The claims are offered again, so the verifier can choose and send at once.
    assert 'name="claims" value="title"' in response.text and "Qualification" in response.text


@pytest.mark.parametrize(("language", "label"), [("nl", "Opleiding"), ("en", "Qualification")])
def test_a_valid_answer_shows_valid_and_only_the_claims_asked(
    credential_types, person, language, label
):
    client = client_in(language)
    made = make_request(client)

    answered = answer(made, diploma(person))
    page = client.get(f"/credentials/verify/{made.pk}/")

    assert (answered.status_code, answered.json()) == (200, {})
    assert 'data-outcome="valid"' in page.text
    assert label in page.text and DIPLOMA_CLAIMS["title"] in page.text
    assert DIPLOMA_CLAIMS["grade"] not in page.text
    assert DIPLOMA_CLAIMS["family_name"] not in page.text
    assert "Refresh" not in page
    issuer = credential_types["diploma"].issuer.name
    assert re.search(rf'id="verify-issuer">[^<]*{re.escape(issuer)}', page.text)


def test_a_request_nobody_answered_in_time_shows_that_it_expired(credential_types):
    client = client_in("en")
    made = make_request(client)
    PresentationRequest.objects.filter(pk=made.pk).update(expires_at=made.created_at)

    page = client.get(f"/credentials/verify/{made.pk}/")

    assert 'data-outcome="expired"' in page.text
    assert "<svg" not in page.text and "Refresh" not in page
    made.refresh_from_db()
    assert made.status == "expired"


@pytest.mark.parametrize(
    ("language", "reason"),
    [
        ("nl", "De uitgever heeft dit bewijs ingetrokken."),
        ("en", "The issuer has revoked this credential."),
    ],
)
def test_a_revoked_diploma_shows_not_valid_with_the_reason(
    credential_types, person, language, reason
):
    client = client_in(language)
    made = make_request(client)
    credential = diploma(person)
    revoke(credential, actor=DUO)

    answer(made, credential)
    page = client.get(f"/credentials/verify/{made.pk}/")

    assert 'data-outcome="revoked"' in page.text
    assert reason in page.text
    assert DIPLOMA_CLAIMS["title"] not in page.text


def test_the_request_uri_serves_the_signed_request_object_until_it_is_answered(
    credential_types, person
):
    made = make_request(Client())
    url = f"/credentials/oid4vp/requests/{made.handle}"

    served = Client().get(url)
    answer(made, diploma(person))
    after = Client().get(url)

    assert served.status_code == 200
    assert served["Content-Type"] == "application/oauth-authz-req+jwt"
    assert served.content.count(b".") == 2
    assert after.status_code == 404 and after.json()["error"] == "invalid_request"
    assert Client().get("/credentials/oid4vp/requests/unknown").status_code == 404


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("state=wrong&vp_token=%7B%7D", FORM),
        ("vp_token=%7B%7D", FORM),
        ('{"vp_token": {}}', "application/json"),
    ],
)
def test_a_response_that_answers_no_pending_request_is_an_oauth_error(
    credential_types, body, content_type
):
    made = make_request(Client())

    response = Client().post(
        f"/credentials/oid4vp/responses/{made.handle}", body, content_type=content_type
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    made.refresh_from_db()
    assert made.status == "pending"


def test_the_api_makes_a_request_and_gives_its_result(credential_types, person):
    client = Client()
    created = client.post(
        API,
        {"credential_type": "diploma", "claims": TITLE_AND_LEVEL, "verifier_name": "Acme"},
        content_type="application/json",
    )
    body = created.json()
    made = PresentationRequest.objects.get(pk=body["id"])
    pending = client.get(f"{API}/{made.pk}").json()

    answer(made, diploma(person))
    done = client.get(f"{API}/{made.pk}")

    assert created.status_code == 201
    assert body["authorization_request"] == verifying.authorization_url(made)
    assert body["dcql_query"]["credentials"][0]["claims"] == [
        {"path": ["title"]},
        {"path": ["level_eqf"]},
    ]
    assert (pending["status"], pending["result"]) == ("pending", None)
    assert done.json()["status"] == "answered"
    assert done.json()["result"] | {"reason_text": None} == {
        "valid": True,
        "reason": "valid",
        "reason_text": None,
        "issuer": django_settings.BASE_URL,
        "vct": f"{django_settings.BASE_URL}/credentials/types/diploma",
        "claims": {"title": DIPLOMA_CLAIMS["title"], "level_eqf": 6},
    }
    assert "no-store" in done["Cache-Control"]


def test_the_api_gives_the_reason_in_the_requested_language(credential_types, person):
    made = verifying.create_request(
        TITLE_AND_LEVEL, verifier_name="Acme", credential_type="diploma"
    )
    credential = diploma(person)
    revoke(credential, actor=DUO)
    answer(made, credential)

    result = Client().get(f"{API}/{made.pk}", HTTP_ACCEPT_LANGUAGE="en").json()["result"]

    assert (result["valid"], result["reason"]) == (False, "revoked")
    assert result["reason_text"] == "The issuer has revoked this credential."
    assert result["claims"] == {}


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        (
            {"credential_type": "diploma", "claims": ["shoe_size"], "verifier_name": "A"},
            422,
            "unknown-claims",
        ),
        (
            {"credential_type": "diploma", "claims": ["title"], "verifier_name": " \t "},
            422,
            "invalid-verifier-name",
        ),
        (
            {"credential_type": "passport", "claims": ["title"], "verifier_name": "A"},
            404,
            "unknown-credential-type",
        ),
        (
            {"credential_type": "diploma", "claims": [], "verifier_name": "A"},
            400,
            "invalid-request",
        ),
    ],
)
def test_the_api_refuses_bad_requests_with_problem_details(credential_types, payload, status, code):
    response = Client().post(API, json.dumps(payload), content_type="application/json")

    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"].endswith(code)
    assert not PresentationRequest.objects.exists()


def test_the_api_answers_404_for_an_unknown_request(credential_types):
    response = Client().get(f"{API}/00000000-0000-4000-8000-000000000000")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "Dit verzoek om een bewijs te tonen bestaat niet."


def test_the_api_says_why_a_request_is_refused_in_the_requested_language(credential_types):
    payload = json.dumps(
        {"credential_type": "diploma", "claims": ["shoe_size"], "verifier_name": "A"}
    )

    dutch = Client().post(API, payload, content_type="application/json")
    english = Client().post(
        API, payload, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert (dutch.json()["title"], dutch.json()["detail"]) == (
        "Ongeldig verzoek",
        "Niet elk gevraagd gegeven hoort bij deze soort bewijs.",
    )
    assert (english.json()["title"], english.json()["detail"]) == (
        "Invalid request",
        "Not every claim asked for is a claim of this credential type.",
    )


def test_a_result_past_its_retention_is_gone_before_any_purge_runs(
    credential_types, person, settings
):
    settings.LIFEGATE_PRESENTATION_RETENTION_MINUTES = 30
    client = client_in("en")
    made = make_request(client)
    answer(made, diploma(person))
    closed = timezone.now() - timedelta(minutes=31)
    PresentationRequest.objects.filter(pk=made.pk).update(expires_at=closed)

    page = client.get(f"/credentials/verify/{made.pk}/")
    api = Client().get(f"{API}/{made.pk}")

    assert page.status_code == 404 and DIPLOMA_CLAIMS["title"] not in page.text
    assert api.status_code == 404 and api["Content-Type"] == "application/problem+json"
    assert PresentationRequest.objects.filter(pk=made.pk).exists()  # nothing purged it


def test_the_housekeeping_command_removes_results_past_their_retention(credential_types, settings):
    settings.LIFEGATE_PRESENTATION_RETENTION_MINUTES = 30
    old = make_request(client_in("en"))
    recent = make_request_again()
    closed = timezone.now() - timedelta(minutes=31)
    PresentationRequest.objects.filter(pk=old.pk).update(expires_at=closed)

    output = StringIO()
    call_command("credentials_housekeeping", "--now", stdout=output)

    assert "presentation requests removed: 1" in output.getvalue()
    assert list(PresentationRequest.objects.values_list("pk", flat=True)) == [recent.pk]


def make_request_again() -> PresentationRequest:
    return verifying.create_request(
        TITLE_AND_LEVEL, verifier_name="Acme", credential_type="diploma"
    )


@pytest.mark.parametrize(
    ("language", "stop", "check"),
    [
        ("nl", "Stop met vanzelf bijwerken", "Kijk of het antwoord er is"),
        ("en", "Stop updating by itself", "Check whether the answer has arrived"),
    ],
)
def test_the_waiting_page_can_stop_updating_itself(credential_types, language, stop, check):
    client = client_in(language)
    made = make_request(client)

    updating = client.get(f"/credentials/verify/{made.pk}/")
    stopped = client.get(f"/credentials/verify/{made.pk}/?updates=off")

    assert updating["Refresh"] == str(views_verifier.REFRESH_SECONDS)
    assert stop in updating.text and check not in updating.text
    assert "Refresh" not in stopped
    assert check in stopped.text and stop not in stopped.text
    assert f'href="/credentials/verify/{made.pk}/?updates=off"' in stopped.text
