"""Wallet-initiated issuance in a real browser, in Dutch and in English: an admitted wallet
app, authenticated by its provider's wallet attestation (HAIP 1.0), asks for a diploma
(OpenID4VCI authorization code flow: pushed request with PKCE), the
person logs in, sees which wallet asks, picks the diploma and is sent back to the wallet
with a code; the wallet exchanges it (PKCE verifier, DPoP) and receives a copy bound to its
key. A second request the person refuses sends the wallet access_denied and nothing else."""

import base64
import hashlib
import json
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from playwright.sync_api import expect

from lifegate.credentials import issuer_anchors
from lifegate.credentials.models import IssuedCredential
from lifegate.credentials.tests.oid4vci_wallet import dpop_proof, new_wallet_key, proof
from lifegate.credentials.tests.wallet_provider import PROVIDER, Attester, trust_new_provider_ca
from lifegate.registries.demo_education import load_demo_diplomas
from lifegate.registries.services import demo_personas
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_credentials import _agency, _issue_diploma
from tests.e2e.test_journeys import log_in

pytestmark = pytest.mark.browser

WALLET = "https://wallet.example"
CALLBACK = f"{WALLET}/callback"
TEXT = {
    "nl": {
        "heading": "Een bewijs aan uw wallet-app geven",
        "give": "Aan wallet-app geven",
        "vouched": "De maker van deze wallet-app, provider.wallet.example, heeft bevestigd",
    },
    "en": {
        "heading": "Give a proof to your wallet app",
        "give": "Give to wallet app",
        "vouched": "The maker of this wallet app, provider.wallet.example, has confirmed",
    },
}


@pytest.fixture
def wallet_site(demo_site, settings, tmp_path):
    """The live server as issuer, admitting one wallet app, which authenticates with its
    provider's wallet attestation (HAIP 1.0); the education register filled."""
    settings.BASE_URL = demo_site.url
    settings.LIFEGATE_KEY_DIR = tmp_path / "keys"
    provider_ca = trust_new_provider_ca(settings, tmp_path)
    settings.OID4VCI_WALLETS = [
        {
            "client_id": WALLET,
            "name": "Voorbeeldwallet",
            "redirect_uris": [CALLBACK],
            "provider": PROVIDER,
        }
    ]
    load_demo_diplomas()
    demo_site.attester = Attester(provider_ca, audience=demo_site.url)
    yield demo_site
    issuer_anchors.forget()


def _push(site, verifier, state):
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    form = {
        "response_type": "code",
        "client_id": WALLET,
        "redirect_uri": CALLBACK,
        "scope": "diploma",
        "code_challenge": challenge.rstrip(b"=").decode(),
        "code_challenge_method": "S256",
        "state": state,
    }
    pushed = requests.post(
        f"{site.url}/credentials/oid4vci/par",
        data=form,
        headers=site.attester.headers(),
        timeout=10,
    )
    assert pushed.status_code == 201, pushed.text
    query = urlencode({"client_id": WALLET, "request_uri": pushed.json()["request_uri"]})
    return f"{site.url}/credentials/oid4vci/authorize?{query}"


def _back_at_the_wallet(page):
    """What the browser brings back to the wallet's redirect URI (the wallet answers it)."""
    arrived = []

    def wallet_page(route):
        arrived.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<title>Wallet</title>")

    page.route(f"{WALLET}/**", wallet_page)
    return arrived


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_wallet_app_asks_for_the_diploma_and_the_person_gives_it(page, wallet_site, language):
    site = wallet_site
    persona = next(p for p in demo_personas() if p.key == "resident-substantial")
    credential_id = _issue_diploma(site, _agency(site), persona)
    verifier, state = secrets.token_urlsafe(48), secrets.token_urlsafe(8)
    arrived = _back_at_the_wallet(page)
    log_in(page, site, persona, "substantial", language)

    page.goto(_push(site, verifier, state))
    expect(page.get_by_role("heading", level=1)).to_have_text(TEXT[language]["heading"])
    expect(page.locator("#authorize-who")).to_contain_text("Voorbeeldwallet")
    expect(page.locator("#authorize-vouched")).to_contain_text(TEXT[language]["vouched"])
    assert_accessible(page)
    page.locator(f"input[name=credential][value='{credential_id}']").check()
    page.get_by_role("button", name=TEXT[language]["give"]).click()
    page.wait_for_url(f"{CALLBACK}?**")

    answer = {k: v[0] for k, v in parse_qs(urlsplit(arrived[-1]).query).items()}
    assert (answer["state"], answer["iss"]) == (state, site.url)
    dpop_key, wallet_key = new_wallet_key(), new_wallet_key()
    token_url = f"{site.url}/credentials/oid4vci/token"
    token = requests.post(
        token_url,
        data={
            "grant_type": "authorization_code",
            "code": answer["code"],
            "redirect_uri": CALLBACK,
            "client_id": WALLET,
            "code_verifier": verifier,
        },
        headers={"DPoP": dpop_proof(dpop_key, token_url)} | site.attester.headers(),
        timeout=10,
    )
    assert token.status_code == 200, token.text
    access = token.json()["access_token"]
    nonce = requests.post(f"{site.url}/credentials/oid4vci/nonce", timeout=10).json()["c_nonce"]
    credential_url = f"{site.url}/credentials/oid4vci/credential"
    issued = requests.post(
        credential_url,
        data=json.dumps(
            {
                "credential_configuration_id": "diploma",
                "proofs": {"jwt": [proof(wallet_key, nonce, aud=site.url)]},
            }
        ),
        headers={
            "Content-Type": "application/json",
            "Authorization": f"DPoP {access}",
            "DPoP": dpop_proof(dpop_key, credential_url, access),
        },
        timeout=10,
    )
    assert issued.status_code == 200, issued.text
    assert issued.json()["credentials"][0]["credential"].count("~") >= 2
    assert IssuedCredential.objects.filter(copy_of_id=credential_id).count() == 1


@pytest.fixture
def csp_page(chromium):
    """A context with the real Content-Security-Policy in force (no axe here): its
    form-action must let the answer's redirect reach the wallet."""
    context = chromium.new_context(locale="nl-NL")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_person_refuses_and_the_wallet_hears_only_access_denied(
    csp_page, wallet_site, language
):
    page, site = csp_page, wallet_site
    persona = next(p for p in demo_personas() if p.key == "resident-substantial")
    _issue_diploma(site, _agency(site), persona)
    state = secrets.token_urlsafe(8)
    arrived = _back_at_the_wallet(page)
    log_in(page, site, persona, "substantial", language)

    page.goto(_push(site, secrets.token_urlsafe(48), state))
    page.locator("#authorize-refuse").click()
    page.wait_for_url(f"{CALLBACK}?**")

    answer = {k: v[0] for k, v in parse_qs(urlsplit(arrived[-1]).query).items()}
    assert answer == {"error": "access_denied", "state": state, "iss": site.url}
