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

from lifegate.credentials import issuer_anchors
from lifegate.credentials.client_attestation import ATTESTATION_HEADER, POP_HEADER
from lifegate.credentials.tests.conftest import BASE_URL
from lifegate.credentials.tests.oid4vci_wallet import CLIENT_ID, new_wallet_key
from lifegate.credentials.tests.pki import Authority, authority, end_entity, x5c

PROVIDER = "https://provider.wallet.example"


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

    def headers(self) -> dict[str, str]:
        return {ATTESTATION_HEADER: self.attestation(), POP_HEADER: self.pop()}


def _jose(key: ec.EllipticCurvePrivateKey) -> ECKey:
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return ECKey.import_key(pem, {"alg": "ES256"})
