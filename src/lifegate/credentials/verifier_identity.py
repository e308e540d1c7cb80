"""Who this node's verifier is to wallets: an ES256 key, a self-signed X.509 certificate for
it, and the client identifier `x509_hash:<base64url SHA-256 of the certificate (DER)>`.

OpenID4VP 1.0 with HAIP 1.0 rules out the `redirect_uri:` prefix: requests are signed. The
`x509_hash` prefix (the one HAIP names) needs no DNS name or registry, only a certificate
whose hash is the identifier; the request object (JAR, typ `oauth-authz-req+jwt`) carries
the certificate in `x5c` and is signed with its key. The certificate is self-signed: the
trust chain a wallet checks is that one certificate, which a wallet trusts because it
fetched the request over HTTPS from a node it is configured to trust (the portal wallet:
this node and LIFEGATE_TRUSTED_VERIFIERS). A deployment with a PKI can put a certificate
issued by its CA in the file instead; the identifier follows the certificate.

The key is `lifegate.core.keys.signing_key("credentials-verifier")`; the certificate lies
next to it in settings.LIFEGATE_KEY_DIR (`credentials-verifier.cert.pem`) and is made
again when it is missing, no longer matches the key, or is close to its end
(`certificates.stored_certificate`)."""

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID
from joserfc.jwk import ECKey

from lifegate.core.keys import signing_key
from lifegate.credentials import certificates
from lifegate.credentials.compact import b64url_encode, sign

KEY_NAME = "credentials-verifier"
CERTIFICATE_FILE = f"{KEY_NAME}.cert.pem"
CLIENT_ID_PREFIX = "x509_hash:"
REQUEST_OBJECT_TYPE = "oauth-authz-req+jwt"
CERTIFICATE_LIFETIME = timedelta(days=365)


def verifier_key() -> ECKey:
    """The verifier's private signing key (ES256)."""
    return signing_key(KEY_NAME)


def certificate() -> x509.Certificate:
    """The verifier's certificate for `verifier_key()`, made (or renewed) when needed."""
    key = verifier_key()
    return certificates.stored_certificate(
        CERTIFICATE_FILE,
        lambda cert: certificates.certifies(cert, key) and not certificates.renewal_due(cert),
        lambda: _self_signed(key),
    )


def certificate_der(cert: x509.Certificate | None = None) -> bytes:
    """The certificate, DER-encoded (what `x5c` carries and `x509_hash` hashes)."""
    return certificates.der(cert or certificate())


def client_id_for(der: bytes) -> str:
    """The `x509_hash:` client identifier of a certificate."""
    return CLIENT_ID_PREFIX + b64url_encode(hashlib.sha256(der).digest())


def client_id() -> str:
    """This verifier's client identifier (OpenID4VP 1.0 section 5.9.3, `x509_hash`)."""
    return client_id_for(certificate_der())


def sign_request_object(claims: dict[str, Any]) -> str:
    """The signed request object (JAR): ES256, typ oauth-authz-req+jwt, certificate in x5c."""
    header = {
        "alg": "ES256",
        "typ": REQUEST_OBJECT_TYPE,
        "x5c": [certificates.x5c_entry(certificate())],
    }
    return sign(header, claims, verifier_key())


def _self_signed(key: ECKey) -> x509.Certificate:
    private = certificates.private_ec_key(key)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "lifegate verifier"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "lifegate"),
        ]
    )
    made = (
        certificates.builder(
            name, name, private.public_key(), datetime.now(UTC) + CERTIFICATE_LIFETIME
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName([certificates.host_name()]), critical=False)
    )
    return made.sign(private, hashes.SHA256())
