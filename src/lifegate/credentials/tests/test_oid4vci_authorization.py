"""OpenID4VCI 1.0, authorization code flow (HAIP 1.0: pushed request, scope, PKCE S256,
DPoP), with a wallet simulated here: it pushes its request, the person logs in, sees the
authorization page and chooses one of their diplomas, the browser comes back to the wallet
with a code, and the wallet exchanges it with its PKCE verifier for a token and the token
for a copy bound to its key. Unknown wallets, foreign redirect URIs, wrong verifiers, codes
of the other grant, expired and decided requests are refused, each with its own error."""

import secrets
import time
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from lifegate.core.subject import Subject
from lifegate.credentials import issuing, keys, mine, oid4vci_authorize, sdjwt
from lifegate.credentials.apps import wallets_check
from lifegate.credentials.models import CredentialOffer, IssuedCredential, WalletAuthorization
from lifegate.credentials.revocation import revoke
from lifegate.credentials.tests.conftest import BASE_URL, DIPLOMA_CLAIMS
from lifegate.credentials.tests.oid4vci_wallet import (
    APP_REDIRECT,
    AUTHORIZE_PATH,
    CLIENT_ID,
    GRANT,
    PAR_PATH,
    REDIRECT,
    TOKEN_PATH,
    WALLET,
    Wallet,
    dpop_proof,
    new_wallet_key,
    portal_offer,
)
from lifegate.credentials.tests.presenting import DUO, diploma, log_in, residence
from lifegate.credentials.views_oid4vci import PUSHES_PER_WINDOW
from lifegate.registries.demo_sources import test_range_bsns
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import subject_hash

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def node(issuer_settings: None, credential_types: Any, settings: Any) -> None:
    """This node issues the demo catalogue's types and admits one wallet; DPoP is required
    (the default)."""
    settings.OID4VCI_REQUIRE_DPOP = True
    settings.OID4VCI_WALLETS = [
        {
            "client_id": CLIENT_ID,
            "name": "Voorbeeldwallet",
            "redirect_uris": [REDIRECT, APP_REDIRECT],
        }
    ]


def page_of(request_uri: str, client_id: str = CLIENT_ID) -> str:
    return AUTHORIZE_PATH + "?" + urlencode({"client_id": client_id, "request_uri": request_uri})


def browser_of(person: Subject) -> Client:
    browser = Client()
    log_in(browser, person)
    return browser


def decide(browser: Client, request_uri: str, **form: str) -> Any:
    return browser.post(AUTHORIZE_PATH, {"client_id": CLIENT_ID, "request_uri": request_uri} | form)


def answer_of(response: Any) -> dict[str, str]:
    assert response.status_code == 302, response.content
    return {
        name: values[0] for name, values in parse_qs(urlsplit(response["Location"]).query).items()
    }


def approved_code(person: Subject, credential: IssuedCredential, wallet: Wallet) -> str:
    request_uri = wallet.request_uri()
    answer = answer_of(decide(browser_of(person), request_uri, credential=str(credential.pk)))
    return answer["code"]


def test_the_metadata_names_the_authorization_code_flow_and_a_scope_per_type():
    server = WALLET.get("/.well-known/oauth-authorization-server").json()
    issuer = WALLET.get("/.well-known/openid-credential-issuer").json()

    assert server["pushed_authorization_request_endpoint"] == BASE_URL + PAR_PATH
    assert server["authorization_endpoint"] == BASE_URL + AUTHORIZE_PATH
    assert server["require_pushed_authorization_requests"] is True
    assert server["code_challenge_methods_supported"] == ["S256"]
    assert "authorization_code" in server["grant_types_supported"]
    assert server["authorization_response_iss_parameter_supported"] is True
    configurations = issuer["credential_configurations_supported"]
    assert {slug: c["scope"] for slug, c in configurations.items()} == {
        slug: slug for slug in configurations
    }
    assert set(server["scopes_supported"]) == set(configurations)


def test_a_wallet_asks_the_person_chooses_and_the_wallet_gets_a_copy_bound_to_its_key(person):
    older = diploma(person, "dossier-older")
    chosen = diploma(person, "dossier-chosen")
    residence(person)  # another type: not offered to a wallet that asks for a diploma
    wallet = Wallet()
    pushed = wallet.push()
    assert pushed.status_code == 201
    assert pushed["Cache-Control"].find("no-store") >= 0
    assert pushed.json()["request_uri"].startswith("urn:ietf:params:oauth:request_uri:")
    assert 0 < pushed.json()["expires_in"] <= 600
    browser = browser_of(person)

    page = browser.get(page_of(pushed.json()["request_uri"]))

    assert page.status_code == 200
    text = page.content.decode()
    assert "Voorbeeldwallet" in text
    assert str(chosen.pk) in text and str(older.pk) in text
    assert text.count('type="radio"') == 2
    answer = answer_of(decide(browser, pushed.json()["request_uri"], credential=str(chosen.pk)))
    assert answer.keys() == {"code", "state", "iss"}
    assert (answer["state"], answer["iss"]) == (wallet.state, BASE_URL)
    token = wallet.token(answer["code"])
    assert token.status_code == 200, token.content
    assert token.json()["token_type"] == "DPoP"
    issued = wallet.credential(token.json()["access_token"])
    assert issued.status_code == 200, issued.content
    presented = sdjwt.bind(
        issued.json()["credentials"][0]["credential"],
        holder_key=wallet.key,
        audience="https://verifier.example",
        nonce="n-1",
        issued_at=int(time.time()),
    )
    verified = sdjwt.verify(
        presented, issuer_key=keys.issuer_key, audience="https://verifier.example", nonce="n-1"
    )
    assert verified.holder_jwk == wallet.key.as_dict(private=False)
    assert IssuedCredential.objects.get(copy_of__isnull=False).copy_of == chosen
    assert {k: verified.claims[k] for k in DIPLOMA_CLAIMS if k != "title"} == {
        k: v for k, v in DIPLOMA_CLAIMS.items() if k != "title"
    }


def test_the_page_answers_in_english_and_the_approval_is_in_the_processing_log(person):
    credential = diploma(person)
    wallet = Wallet(APP_REDIRECT)
    request_uri = wallet.request_uri()
    browser = browser_of(person)
    browser.cookies["django_language"] = "en"
    records = ProcessingRecord.objects.filter(data_subject_hash=subject_hash(person))
    before = set(records.values_list("pk", flat=True))

    page = browser.get(page_of(request_uri), headers={"accept-language": "en"})
    assert "Give a proof to your wallet app" in page.content.decode()
    response = decide(browser, request_uri, credential=str(credential.pk))

    assert response["Location"].startswith(APP_REDIRECT + "?")  # the app's own scheme
    names = set(records.exclude(pk__in=before).values_list("name", flat=True))
    # The person's overview says which wallet received the proof.
    assert names == {"credentials.list", f"credentials.offer.diploma to {CLIENT_ID}"}


def test_the_dutch_page_and_a_missing_choice_is_a_422_at_the_field(person):
    diploma(person)
    request_uri = Wallet().request_uri()
    browser = browser_of(person)
    browser.cookies["django_language"] = "nl"

    response = decide(browser, request_uri, decision="give")

    assert response.status_code == 422
    text = response.content.decode()
    assert "Een bewijs aan uw wallet-app geven" in text
    assert 'id="field-credential"' in text and "utrecht-form-field--invalid" in text
    assert not CredentialOffer.objects.exists()
    assert WalletAuthorization.objects.get().decided_at is None  # still open


def test_refusing_sends_access_denied_back_and_the_request_is_done(person):
    diploma(person)
    wallet = Wallet()
    request_uri = wallet.request_uri()
    browser = browser_of(person)

    records = ProcessingRecord.objects.filter(data_subject_hash=subject_hash(person))
    before = records.count()

    answer = answer_of(decide(browser, request_uri, decision="refuse"))

    assert answer == {"error": "access_denied", "state": wallet.state, "iss": BASE_URL}
    assert records.count() == before  # refusing reads none of the person's proofs
    assert not CredentialOffer.objects.exists()
    again = browser.get(page_of(request_uri))
    assert again.status_code == 400  # decided: never redirected again
    assert "Location" not in again


def test_a_person_without_a_valid_proof_of_the_type_can_only_go_back(person):
    revoke(diploma(person), actor=DUO)
    request_uri = Wallet().request_uri()
    browser = browser_of(person)

    page = browser.get(page_of(request_uri))
    refused = decide(browser, request_uri, decision="give", credential="")

    assert 'id="authorize-none"' in page.content.decode()
    assert 'type="radio"' not in page.content.decode()
    assert refused.status_code == 422
    assert not CredentialOffer.objects.exists()


def test_someone_elses_credential_cannot_be_chosen(person):
    other = Subject("bsn", test_range_bsns()[1])
    theirs = diploma(other)
    diploma(person)
    request_uri = Wallet().request_uri()

    response = decide(browser_of(person), request_uri, credential=str(theirs.pk))

    assert response.status_code == 422
    assert not CredentialOffer.objects.exists()


@pytest.mark.parametrize("whose", ["someone-else", "revoked", "other-type", "a-copy"])
def test_approving_checks_the_credential_again_under_a_lock(person, whose):
    """What the page offers is checked again when the choice is made (the view's list is
    made before; another tab or the issuer may have changed things since)."""
    own = diploma(person)
    if whose == "someone-else":
        chosen = diploma(Subject("bsn", test_range_bsns()[1]))
    elif whose == "revoked":
        chosen = revoke(own, actor=DUO)
    elif whose == "other-type":
        chosen = residence(person)
    else:
        chosen = issuing.issue_copy(own, holder_jwk=new_wallet_key().as_dict(), actor=DUO)
    authorization = oid4vci_authorize.pending(CLIENT_ID, Wallet().request_uri())
    records = ProcessingRecord.objects.filter(name__startswith="credentials.offer")

    with pytest.raises(mine.NotOfferable):
        oid4vci_authorize.approve(person, authorization, chosen)

    assert not CredentialOffer.objects.exists() and not records.exists()
    assert WalletAuthorization.objects.get().decided_at is None


def test_a_choice_revoked_meanwhile_is_a_422_that_says_so(person, monkeypatch):
    credential = diploma(person)
    request_uri = Wallet().request_uri()
    listed = oid4vci_authorize.choices

    def listed_before_the_revocation(*args):
        found = listed(*args)
        revoke(credential, actor=DUO)
        return found

    monkeypatch.setattr(oid4vci_authorize, "choices", listed_before_the_revocation)
    browser = browser_of(person)
    browser.cookies["django_language"] = "en"

    response = decide(browser, request_uri, credential=str(credential.pk))

    assert response.status_code == 422
    assert "This proof is no longer valid" in response.content.decode()
    assert not CredentialOffer.objects.exists()


def test_an_answered_request_says_so_on_reload_and_is_not_redirected(person):
    credential = diploma(person)
    request_uri = Wallet().request_uri()
    browser = browser_of(person)
    decide(browser, request_uri, credential=str(credential.pk))

    again = browser.get(page_of(request_uri))
    twice = decide(browser, request_uri, credential=str(credential.pk))

    assert again.status_code == 400 and 'data-answered="true"' in again.content.decode()
    assert twice.status_code == 400 and "Location" not in twice
    assert CredentialOffer.objects.count() == 1


def test_the_page_lets_its_form_lead_to_the_wallet_only(person, settings):
    diploma(person)
    browser = browser_of(person)

    web = browser.get(page_of(Wallet().request_uri()))
    app = browser.get(page_of(Wallet(APP_REDIRECT).request_uri()))
    elsewhere = browser.get("/credentials/")

    def form_action(response):
        policy = response["Content-Security-Policy"]
        return next(p for p in policy.split(";") if "form-action" in p).split()[1:]

    usual = set(form_action(elsewhere))  # this site (and its login's origin, if apart)
    assert set(form_action(web)) - usual == {"https://wallet.example"}
    assert set(form_action(app)) - usual == {"example.wallet.app:"}
    assert "https://wallet.example" not in usual


def test_a_wallet_no_longer_admitted_is_served_no_more(person, settings):
    credential = diploma(person)
    wallet = Wallet()
    code = approved_code(person, credential, wallet)
    pending_uri = wallet.request_uri()
    settings.OID4VCI_WALLETS = []

    page = browser_of(person).get(page_of(pending_uri))
    token = wallet.token(code)

    assert page.status_code == 400 and 'data-answered="false"' in page.content.decode()
    assert token.status_code == 400 and token.json()["error"] == "invalid_client"


def test_a_used_code_presented_again_withdraws_the_token_it_gave(person):
    credential = diploma(person)
    wallet = Wallet()
    code = approved_code(person, credential, wallet)
    token = wallet.token(code).json()["access_token"]

    assert wallet.token(code).json()["error"] == "invalid_grant"
    withdrawn = wallet.credential(token)

    assert withdrawn.status_code == 401
    assert withdrawn.json()["error"] == "invalid_token"


def test_a_dpop_proof_with_the_pushed_request_binds_the_code_to_its_key(person):
    credential = diploma(person)
    wallet = Wallet()
    proof_at_par = {"dpop": dpop_proof(wallet.dpop_key, BASE_URL + PAR_PATH)}
    # Other scope values are ignored.
    pushed = wallet.push(headers=proof_at_par, scope="openid diploma", state=None)
    assert pushed.status_code == 201, pushed.content
    answer = answer_of(
        decide(browser_of(person), pushed.json()["request_uri"], credential=str(credential.pk))
    )
    right_key, wallet.dpop_key = wallet.dpop_key, new_wallet_key()

    refused = wallet.token(answer["code"])
    wallet.dpop_key = right_key

    assert refused.json()["error"] == "invalid_dpop_proof"
    assert wallet.token(answer["code"]).status_code == 200


def test_a_dpop_proof_and_dpop_jkt_of_other_keys_are_refused():
    wallet = Wallet()
    other = new_wallet_key()

    response = wallet.push(
        headers={"dpop": dpop_proof(wallet.dpop_key, BASE_URL + PAR_PATH)},
        dpop_jkt=other.thumbprint(),
    )

    assert response.status_code == 400 and response.json()["error"] == "invalid_dpop_proof"
    assert not WalletAuthorization.objects.exists()


def test_pushed_requests_are_limited_per_address(settings):
    settings.RATELIMIT_ENABLE = True
    wallet = Wallet()
    answers = [wallet.push().status_code for _ in range(PUSHES_PER_WINDOW + 1)]

    assert answers[:-1] == [201] * PUSHES_PER_WINDOW
    limited = wallet.push()
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    assert limited.json()["error"] == "temporarily_unavailable"


def test_an_anonymous_visitor_logs_in_first_and_comes_back_to_the_request():
    request_uri = Wallet().request_uri()

    response = Client().get(page_of(request_uri))

    assert response.status_code == 302
    assert response["Location"].startswith("/identity/login/")
    assert "request_uri" in parse_qs(urlsplit(response["Location"]).query)["next"][0]


@pytest.mark.parametrize(
    "problem", ["unknown", "expired", "other-client", "no-prefix", "missing-client"]
)
def test_an_unusable_request_is_a_page_never_a_redirect(person, problem):
    request_uri = Wallet().request_uri()
    client_id = CLIENT_ID
    if problem == "unknown":
        request_uri += "x"
    elif problem == "expired":
        WalletAuthorization.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    elif problem == "other-client":
        client_id = "https://other-wallet.example"
    elif problem == "no-prefix":
        request_uri = request_uri.rsplit(":", 1)[1]
    else:
        client_id = ""

    response = browser_of(person).get(page_of(request_uri, client_id))

    assert response.status_code == 400
    assert 'id="authorize-unusable"' in response.content.decode()


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"client_id": "https://unknown-wallet.example"}, "invalid_client"),
        ({"client_id": None}, "invalid_client"),
        ({"redirect_uri": "https://attacker.example/callback"}, "invalid_request"),
        ({"redirect_uri": REDIRECT + "/more"}, "invalid_request"),
        ({"scope": "passport"}, "invalid_scope"),
        ({"scope": "diploma residence"}, "invalid_scope"),
        ({"scope": None}, "invalid_scope"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": None}, "invalid_request"),
        ({"code_challenge": "short"}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"request_uri": "urn:ietf:params:oauth:request_uri:x"}, "invalid_request"),
        ({"authorization_details": "[]"}, "invalid_request"),
        ({"state": "s" * 513}, "invalid_request"),
        ({"dpop_jkt": "not a thumbprint"}, "invalid_request"),
    ],
)
def test_a_bad_pushed_request_is_refused_and_nothing_is_kept(changes, error):
    response = Wallet().push(**changes)

    assert response.status_code == 400
    assert response.json()["error"] == error
    assert response.json()["error_description"]
    assert not WalletAuthorization.objects.exists()


def test_the_pushed_request_endpoint_takes_only_posts():
    assert WALLET.get(PAR_PATH).status_code == 405


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"code_verifier": secrets.token_urlsafe(48)}, "invalid_grant"),
        ({"redirect_uri": APP_REDIRECT}, "invalid_grant"),
        ({"client_id": "https://other-wallet.example"}, "invalid_grant"),
    ],
)
def test_a_code_with_the_wrong_verifier_redirect_or_client_is_refused_and_used_up(
    person, changes, error
):
    credential = diploma(person)
    wallet = Wallet()
    code = approved_code(person, credential, wallet)

    refused = wallet.token(code, **changes)
    afterwards = wallet.token(code)

    assert refused.status_code == 400 and refused.json()["error"] == error
    assert afterwards.status_code == 400 and afterwards.json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    ("changes", "error"),
    [({"code_verifier": None}, "invalid_request"), ({"code": None}, "invalid_request")],
)
def test_a_token_request_missing_a_part_is_refused_and_the_code_stays_usable(
    person, changes, error
):
    credential = diploma(person)
    wallet = Wallet()
    code = approved_code(person, credential, wallet)

    refused = wallet.token(code, **changes)

    assert refused.status_code == 400 and refused.json()["error"] == error
    assert wallet.token(code).status_code == 200


def test_a_code_is_exchanged_once_and_not_after_it_expired(person):
    credential = diploma(person)
    wallet = Wallet()
    code = approved_code(person, credential, wallet)
    assert wallet.token(code).status_code == 200
    assert wallet.token(code).json()["error"] == "invalid_grant"

    late = approved_code(person, credential, wallet)
    CredentialOffer.objects.filter(issued_copy__isnull=True, token_hash__isnull=True).update(
        code_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert wallet.token(late).json()["error"] == "invalid_grant"


def test_the_codes_of_the_two_grants_do_not_stand_in_for_each_other(person):
    credential = diploma(person)
    wallet = Wallet()
    authorization_code = approved_code(person, credential, wallet)
    pre_authorized = portal_offer(person, credential)["grants"][GRANT]["pre-authorized_code"]
    dpop_key = new_wallet_key()

    as_pre_authorized = WALLET.post(
        TOKEN_PATH,
        {"grant_type": GRANT, "pre-authorized_code": authorization_code},
        headers={"dpop": dpop_proof(dpop_key, BASE_URL + TOKEN_PATH)},
    )
    as_authorization_code = wallet.token(pre_authorized)

    assert as_pre_authorized.json()["error"] == "invalid_grant"  # it would skip PKCE
    assert as_authorization_code.json()["error"] == "invalid_grant"
    assert wallet.token(authorization_code).status_code == 200  # still unused


def test_a_code_bound_with_dpop_jkt_needs_that_key(person):
    credential = diploma(person)
    wallet = Wallet()
    request_uri = wallet.request_uri(dpop_jkt=wallet.dpop_key.thumbprint())
    answer = answer_of(decide(browser_of(person), request_uri, credential=str(credential.pk)))
    right_key = wallet.dpop_key
    wallet.dpop_key = new_wallet_key()

    refused = wallet.token(answer["code"])
    wallet.dpop_key = right_key

    assert refused.json()["error"] == "invalid_dpop_proof"
    assert wallet.token(answer["code"]).status_code == 200


def test_without_dpop_the_token_request_is_refused_when_the_operator_requires_it(person):
    credential = diploma(person)
    wallet = Wallet()
    code = approved_code(person, credential, wallet)

    refused = WALLET.post(
        TOKEN_PATH,
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "client_id": CLIENT_ID,
            "code_verifier": wallet.verifier,
        },
    )

    assert refused.status_code == 400 and refused.json()["error"] == "invalid_dpop_proof"
    assert wallet.token(code).status_code == 200


def test_the_credential_request_must_ask_for_the_authorized_type(person):
    credential = diploma(person)
    wallet = Wallet()
    token = wallet.token(approved_code(person, credential, wallet)).json()["access_token"]

    refused = wallet.credential(token, configuration="residence")

    assert refused.status_code == 400
    assert refused.json()["error"] == "unknown_credential_configuration"


def test_a_credential_revoked_between_page_and_choice_is_refused_at_the_field(person):
    credential = diploma(person)
    request_uri = Wallet().request_uri()
    browser = browser_of(person)
    assert browser.get(page_of(request_uri)).status_code == 200
    revoke(credential, actor=DUO)

    response = decide(browser, request_uri, credential=str(credential.pk))

    assert response.status_code == 422
    assert not CredentialOffer.objects.exists()


@pytest.mark.parametrize(
    ("configured", "refused"),
    [
        ([], False),
        ([{"client_id": CLIENT_ID, "name": "W", "redirect_uris": [APP_REDIRECT]}], False),
        ({"client_id": CLIENT_ID}, True),  # not a list
        (["https://wallet.example"], True),  # not an object
        ([{"client_id": "", "name": "W", "redirect_uris": [REDIRECT]}], True),
        ([{"client_id": CLIENT_ID, "name": " ", "redirect_uris": [REDIRECT]}], True),
        ([{"client_id": CLIENT_ID, "name": "W", "redirect_uris": []}], True),
        ([{"client_id": CLIENT_ID, "name": "W", "redirect_uris": ["/callback"]}], True),
        ([{"client_id": CLIENT_ID, "name": "W", "redirect_uris": [REDIRECT + "#x"]}], True),
        (
            [{"client_id": CLIENT_ID, "name": "W", "redirect_uris": ["http://wallet.example/"]}],
            True,
        ),
        ([{"client_id": CLIENT_ID, "name": "W", "redirect_uris": ["javascript:alert(1)"]}], True),
        ([{"client_id": CLIENT_ID, "name": "W", "redirect_uris": ["intent://x"]}], True),
        ([{"client_id": CLIENT_ID, "name": "W", "redirect_uris": ["wallet://x"]}], True),
        ([{"client_id": "https://wället.example", "name": "W", "redirect_uris": [REDIRECT]}], True),
        ([{"client_id": CLIENT_ID, "name": "W", "redirect_uris": [REDIRECT]}] * 2, True),
    ],
)
def test_manage_py_check_reports_a_wallet_list_that_cannot_be_used(settings, configured, refused):
    settings.OID4VCI_WALLETS = configured

    # A usable list of public clients gets the warning that HAIP wants them attested.
    usable = ["credentials.W003"] if configured else []
    assert [m.id for m in wallets_check()] == (["credentials.E004"] if refused else usable)


def test_expired_requests_without_an_offer_are_cleared_by_the_next_push(person):
    credential = diploma(person)
    wallet = Wallet()
    approved_code(person, credential, wallet)  # answered with an offer: kept with it
    decide(browser_of(person), wallet.request_uri(), decision="refuse")
    wallet.request_uri()  # never answered
    WalletAuthorization.objects.update(
        expires_at=timezone.now() - oid4vci_authorize.CLEAR_MARGIN - timedelta(seconds=1)
    )

    wallet.request_uri()

    assert WalletAuthorization.objects.count() == 2
    assert WalletAuthorization.objects.filter(offer__isnull=False).count() == 1
