"""A wallet simulated for the OpenID4VCI tests: it reads an offer from the person's portal
page, exchanges the code, fetches nonces and signs key proofs and DPoP proofs with its key."""

import base64
import hashlib
import json
import secrets
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.test import Client
from joserfc import jws, jwt
from joserfc.jwk import ECKey

from lifegate.core.subject import Subject
from lifegate.credentials.models import IssuedCredential
from lifegate.credentials.tests.conftest import BASE_URL
from lifegate.credentials.tests.presenting import log_in

GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
TOKEN_PATH = "/credentials/oid4vci/token"
CREDENTIAL_PATH = "/credentials/oid4vci/credential"
PAR_PATH = "/credentials/oid4vci/par"
AUTHORIZE_PATH = "/credentials/oid4vci/authorize"
WALLET = Client()
# Wallets sign headers joserfc does not know (a key proof's key_attestation).
LENIENT = jws.JWSRegistry(strict_check_header=False)
# The wallet of the authorization code flow, as the tests admit it.
CLIENT_ID = "https://wallet.example"
REDIRECT = "https://wallet.example/callback"
APP_REDIRECT = "example.wallet.app:/authorized"


def portal_offer(person: Subject, credential: IssuedCredential) -> dict[str, Any]:
    """The credential offer the person's portal page shows, as a wallet reads it."""
    browser = Client()
    log_in(browser, person)
    page = browser.post(f"/credentials/{credential.pk}/offer")
    assert page.status_code == 200
    link = page.context["offer_link"]
    assert urlsplit(link).scheme == "openid-credential-offer"
    found: dict[str, Any] = json.loads(parse_qs(urlsplit(link).query)["credential_offer"][0])
    # The person reads the transaction code beside the QR code and types it into the wallet.
    TYPED[code_of(found)] = page.context["offer_tx_code"]
    return found


# The transaction code the person typed for each pre-authorised code the wallet was offered.
TYPED: dict[str, str] = {}


def new_wallet_key() -> ECKey:
    return ECKey.generate_key("P-256", {"alg": "ES256"}, private=True, auto_kid=True)


def code_of(offer: dict[str, Any]) -> str:
    return str(offer["grants"][GRANT]["pre-authorized_code"])


def path(url: str) -> str:
    assert url.startswith(BASE_URL)
    return url.removeprefix(BASE_URL)


def token_for(code: str, headers: dict[str, str] | None = None, tx_code: str | None = None) -> Any:
    """The token request for `code`, with the transaction code the person typed for it (or
    `tx_code`); without one when there is none."""
    form = {"grant_type": GRANT, "pre-authorized_code": code}
    typed = tx_code if tx_code is not None else TYPED.get(code)
    if typed:
        form["tx_code"] = typed
    return WALLET.post(TOKEN_PATH, form, headers=headers)


def fresh_nonce() -> str:
    return str(WALLET.post("/credentials/oid4vci/nonce").json()["c_nonce"])


def proof(key: ECKey, nonce: str, **changes: Any) -> str:
    header = {"alg": "ES256", "typ": "openid4vci-proof+jwt", "jwk": key.as_dict(private=False)}
    header |= changes.pop("header", {})
    claims = {"aud": BASE_URL, "iat": int(time.time()), "nonce": nonce} | changes
    return jwt.encode(header, claims, key, registry=LENIENT)


def dpop_proof(key: ECKey, url: str, access_token: str | None = None, **changes: Any) -> str:
    """A DPoP proof (RFC 9449) of a POST to `url`, naming `access_token` if given."""
    header = {"alg": "ES256", "typ": "dpop+jwt", "jwk": key.as_dict(private=False)}
    header |= changes.pop("header", {})
    claims: dict[str, Any] = {
        "jti": secrets.token_urlsafe(16),
        "htm": "POST",
        "htu": url,
        "iat": int(time.time()),
    }
    if access_token is not None:
        claims["ath"] = ath_of(access_token)
    return jwt.encode(header, claims | changes, key)


def ath_of(access_token: str) -> str:
    """The token's hash a DPoP proof names (RFC 9449 4.2), worked out here as a wallet does."""
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def ask_credential(
    access_token: str, body: dict[str, Any], *, scheme: str = "Bearer", dpop: str | None = None
) -> Any:
    headers = {"authorization": f"{scheme} {access_token}"}
    if dpop is not None:
        headers["dpop"] = dpop
    return WALLET.post(
        CREDENTIAL_PATH, json.dumps(body), content_type="application/json", headers=headers
    )


def access_token(offer: dict[str, Any]) -> str:
    response = token_for(code_of(offer))
    assert response.status_code == 200
    return str(response.json()["access_token"])


def request_body(key: ECKey, nonce: str | None = None, **changes: Any) -> dict[str, Any]:
    return {
        "credential_configuration_id": "diploma",
        "proofs": {"jwt": [proof(key, nonce or fresh_nonce(), **changes)]},
    }


class Wallet:
    """The wallet's side: its PKCE verifier, DPoP key and credential key; `attested` gives
    the wallet attestation headers of each request (a fresh PoP each time) of a wallet that
    authenticates."""

    def __init__(
        self,
        redirect_uri: str = REDIRECT,
        attested: Callable[[], dict[str, str]] | None = None,
    ) -> None:
        self.verifier = secrets.token_urlsafe(48)
        self.dpop_key = new_wallet_key()
        self.key = new_wallet_key()
        self.state = secrets.token_urlsafe(12)
        self.redirect_uri = redirect_uri
        self.attested = attested

    def _headers(self, given: dict[str, str] | None) -> dict[str, str]:
        return (self.attested() if self.attested else {}) | (given or {})

    @property
    def challenge(self) -> str:
        digest = hashlib.sha256(self.verifier.encode()).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def push(self, headers: dict[str, str] | None = None, **changes: Any) -> Any:
        form = {
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": self.redirect_uri,
            "scope": "diploma",
            "code_challenge": self.challenge,
            "code_challenge_method": "S256",
            "state": self.state,
        } | changes
        kept = {k: v for k, v in form.items() if v is not None}
        return WALLET.post(PAR_PATH, kept, headers=self._headers(headers))

    def request_uri(self, **changes: Any) -> str:
        pushed = self.push(**changes)
        assert pushed.status_code == 201, pushed.content
        return str(pushed.json()["request_uri"])

    def token(
        self, authorization_code: str, headers: dict[str, str] | None = None, **changes: Any
    ) -> Any:
        form = {
            "grant_type": "authorization_code",
            "code": authorization_code,
            "redirect_uri": self.redirect_uri,
            "client_id": CLIENT_ID,
            "code_verifier": self.verifier,
        } | changes
        proven = {"dpop": dpop_proof(self.dpop_key, BASE_URL + TOKEN_PATH)}
        sent = self._headers(proven | (headers or {}))
        return WALLET.post(
            TOKEN_PATH, {k: v for k, v in form.items() if v is not None}, headers=sent
        )

    def credential(self, access_token: str, configuration: str = "diploma") -> Any:
        body = {
            "credential_configuration_id": configuration,
            "proofs": {"jwt": [proof(self.key, fresh_nonce())]},
        }
        headers = {
            "authorization": f"DPoP {access_token}",
            "dpop": dpop_proof(self.dpop_key, BASE_URL + CREDENTIAL_PATH, access_token),
        }
        return WALLET.post(
            CREDENTIAL_PATH, json.dumps(body), content_type="application/json", headers=headers
        )
