"""A wallet provider for the tests: its CA (trusted by the issuer as a wallet provider
anchor), its signing certificate, and the wallet attestations (OpenID4VCI 1.0 Appendix E)
and proofs of possession it and a wallet instance make."""

import secrets
import time
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jwt
from joserfc.jwk import ECKey

from lifegate.credentials import issuer_anchors, peer_http, statuslist
from lifegate.credentials.client_attestation import ATTESTATION_HEADER, POP_HEADER
from lifegate.credentials.tests.conftest import BASE_URL
from lifegate.credentials.tests.oid4vci_wallet import CLIENT_ID, REDIRECT, new_wallet_key
from lifegate.credentials.tests.pki import Authority, authority, end_entity, x5c

PROVIDER = "https://provider.wallet.example"
STATUS_URI = f"{PROVIDER}/status/1"
# The wallet the tests admit (settings.OID4VCI_WALLETS), authenticated by PROVIDER.
ATTESTED_WALLET = {
    "client_id": CLIENT_ID,
    "name": "Voorbeeldwallet",
    "redirect_uris": [REDIRECT],
    "provider": PROVIDER,
}


def trust_new_provider_ca(settings: Any, folder: Path) -> Authority:
    """A new wallet provider CA, set as the only one the issuer trusts; the caller calls
    issuer_anchors.forget() when done, so no validated chain outlives the test."""
    made = authority("Wallet provider CA")
    path = folder / "wallet-providers.pem"
    path.write_bytes(made.cert.public_bytes(serialization.Encoding.PEM))
    settings.LIFEGATE_WALLET_PROVIDER_ANCHORS = str(path)
    issuer_anchors.forget()
    return made


class Attester:
    """A wallet provider (its CA trusted by the issuer, its certificate naming it) and one
    wallet instance, whose key the provider attests."""

    def __init__(
        self,
        ca: Authority,
        names: list[x509.GeneralName] | None = None,
        audience: str = BASE_URL,
    ) -> None:
        signer, cert = end_entity(ca, names=names or [x509.UniformResourceIdentifier(PROVIDER)])
        self.provider_key = _jose(signer)
        self.chain = x5c(cert)
        self.instance_key = new_wallet_key()
        self.audience = audience

    def attestation(self, header: dict[str, Any] | None = None, **changes: Any) -> str:
        now = int(time.time())
        claims = {
            "iss": PROVIDER,
            "sub": CLIENT_ID,
            "iat": now,
            "exp": now + 3600,
            "cnf": {"jwk": self.instance_key.as_dict(private=False)},
            "wallet_name": "Voorbeeldwallet",
        } | changes
        made = {"alg": "ES256", "typ": "oauth-client-attestation+jwt", "x5c": self.chain}
        fields = {k: v for k, v in (made | (header or {})).items() if v is not None}
        return jwt.encode(
            fields, {k: v for k, v in claims.items() if v is not None}, self.provider_key
        )

    def pop(
        self, key: ECKey | None = None, header: dict[str, Any] | None = None, **changes: Any
    ) -> str:
        claims = {
            "iss": CLIENT_ID,
            "aud": self.audience,
            "jti": secrets.token_urlsafe(16),
            "iat": int(time.time()),
        } | changes
        made = {"alg": "ES256", "typ": "oauth-client-attestation-pop+jwt"} | (header or {})
        kept = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(made, kept, key or self.instance_key)

    def key_attestation(
        self, keys: list[ECKey], header: dict[str, Any] | None = None, **changes: Any
    ) -> str:
        """A key attestation (OpenID4VCI 1.0 Appendix D) of `keys`, valid for an hour."""
        now = int(time.time())
        claims = {
            "iat": now,
            "exp": now + 3600,
            "attested_keys": [key.as_dict(private=False) for key in keys],
            "key_storage": ["iso_18045_moderate"],
        } | changes
        made = {"alg": "ES256", "typ": "key-attestation+jwt", "x5c": self.chain} | (header or {})
        fields = {k: v for k, v in made.items() if v is not None}
        kept = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(fields, kept, self.provider_key)

    def headers(self) -> dict[str, str]:
        return {ATTESTATION_HEADER: self.attestation(), POP_HEADER: self.pop()}


def _jose(key: ec.EllipticCurvePrivateKey) -> ECKey:
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return ECKey.import_key(pem, {"alg": "ES256"})


class ProviderStatusList:
    """The provider's status list for its attestations, served at STATUS_URI by `signer` in
    place of the provider's server (as `peer_http.fetch`, set with `monkeypatch`). Counts
    the fetches; `down` makes the server unreachable."""

    def __init__(self, signer: Attester, monkeypatch: Any, size: int = 16) -> None:
        self.signer = signer
        self.entries = statuslist.StatusList(bits=2, size=size)
        self.fetches = 0
        self.down = False
        monkeypatch.setattr(peer_http, "fetch", self.fetch)

    def fetch(self, url: str, accept: str) -> str:
        self.fetches += 1
        if self.down or url != STATUS_URI or accept != "application/statuslist+jwt":
            raise peer_http.PeerUnreachable("status 404")
        now = int(time.time())
        return statuslist.sign_status_list(
            self.entries,
            uri=url,
            issuer=PROVIDER,
            key=self.signer.provider_key,
            issued_at=now,
            ttl_seconds=300,
            expires_at=now + 3600,
            x5c=self.signer.chain,
        )

    @staticmethod
    def entry(index: int, uri: str = STATUS_URI) -> dict[str, Any]:
        """An attestation's `status` claim naming entry `index` of the list at `uri`."""
        return {"status_list": {"idx": index, "uri": uri}}
