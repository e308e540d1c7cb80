"""Who this node's verifier is to wallets: an ES256 key, an X.509 certificate for it from the
node's verifier CA, and the client identifier `x509_hash:<base64url SHA-256 of the
certificate (DER)>`.

OpenID4VP 1.0 with HAIP 1.0 rules out the `redirect_uri:` prefix: requests are signed. The
`x509_hash` prefix (the one HAIP names) needs no DNS name or registry, only a certificate
whose hash is the identifier; the request object (JAR, typ `oauth-authz-req+jwt`) carries
the certificate in `x5c` and is signed with its key. HAIP 1.0 section 5 wants that
certificate not self-signed and the trust anchor not in `x5c`: it comes from the node's
verifier CA (`certificates.NodeCa`, key `credentials-verifier-ca`), whose certificate is
published at /credentials/verifier-ca.pem for wallets that trust verifiers through X.509.
The portal wallet trusts this node and LIFEGATE_TRUSTED_VERIFIERS by the origin it fetched
the request from over HTTPS. A deployment under a PKI for verifiers (the EU's access
certificates) puts a CA certificate for the CA key issued by that PKI in the CA's file; the
chain in `x5c` then ends with it.

The key is `lifegate.core.keys.signing_key("credentials-verifier")`; the certificate lies
next to it in settings.LIFEGATE_KEY_DIR (`credentials-verifier.cert.pem`) and is made
again when it is missing, no longer matches the key or the CA, or is close to its end
(`certificates.stored_certificate`). The client identifier follows the certificate."""

import hashlib
from datetime import timedelta
from typing import Any

from cryptography import x509
from joserfc.jwk import ECKey

from lifegate.core.keys import signing_key
from lifegate.credentials import certificates
from lifegate.credentials.compact import b64url_encode, sign

KEY_NAME = "credentials-verifier"
CERTIFICATE_FILE = f"{KEY_NAME}.cert.pem"
CLIENT_ID_PREFIX = "x509_hash:"
REQUEST_OBJECT_TYPE = "oauth-authz-req+jwt"
CERTIFICATE_LIFETIME = timedelta(days=365)
CA = certificates.NodeCa("credentials-verifier-ca", "lifegate verifier CA")


def verifier_key() -> ECKey:
    """The verifier's private signing key (ES256)."""
    return signing_key(KEY_NAME)


def certificate() -> x509.Certificate:
    """The verifier's certificate for `verifier_key()`, made (or renewed) when needed."""
    return CA.end_entity(
        CERTIFICATE_FILE,
        verifier_key(),
        "lifegate verifier",
        [certificates.host_name()],
        CERTIFICATE_LIFETIME,
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
        "x5c": CA.x5c(certificate()),
    }
    return sign(header, claims, verifier_key())
