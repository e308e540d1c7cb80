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
again when it is missing, no longer matches the key, or ends within RENEW_BEFORE."""

import base64
import hashlib
import ipaddress
import os
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from joserfc.jwk import ECKey

from lifegate.core.files import create_private_file
from lifegate.core.keys import signing_key
from lifegate.credentials.compact import b64url_encode, sign

KEY_NAME = "credentials-verifier"
CERTIFICATE_FILE = f"{KEY_NAME}.cert.pem"
CLIENT_ID_PREFIX = "x509_hash:"
REQUEST_OBJECT_TYPE = "oauth-authz-req+jwt"
CERTIFICATE_LIFETIME = timedelta(days=365)
RENEW_BEFORE = timedelta(days=30)

_lock = threading.Lock()
_cache: dict[Path, tuple[int, x509.Certificate]] = {}


def verifier_key() -> ECKey:
    """The verifier's private signing key (ES256)."""
    return signing_key(KEY_NAME)


def certificate() -> x509.Certificate:
    """The verifier's certificate for `verifier_key()`, made (or renewed) when needed."""
    path = Path(settings.LIFEGATE_KEY_DIR) / CERTIFICATE_FILE
    key = verifier_key()
    found = _read(path)
    if found is not None and _usable(found, key):
        return found
    made = _self_signed(key)
    pem = made.public_bytes(serialization.Encoding.PEM).decode("ascii")
    if found is None:
        # When another process was first, its certificate stands.
        create_private_file(path, pem)
    else:
        _replace(path, pem)
    return _read(path) or made


def certificate_der(cert: x509.Certificate | None = None) -> bytes:
    """The certificate, DER-encoded (what `x5c` carries and `x509_hash` hashes)."""
    return (cert or certificate()).public_bytes(serialization.Encoding.DER)


def client_id_for(der: bytes) -> str:
    """The `x509_hash:` client identifier of a certificate."""
    return CLIENT_ID_PREFIX + b64url_encode(hashlib.sha256(der).digest())


def client_id() -> str:
    """This verifier's client identifier (OpenID4VP 1.0 section 5.9.3, `x509_hash`)."""
    return client_id_for(certificate_der())


def sign_request_object(claims: dict[str, Any]) -> str:
    """The signed request object (JAR): ES256, typ oauth-authz-req+jwt, certificate in x5c."""
    der = certificate_der()
    header = {
        "alg": "ES256",
        "typ": REQUEST_OBJECT_TYPE,
        "x5c": [base64.b64encode(der).decode("ascii")],
    }
    return sign(header, claims, verifier_key())


def _read(path: Path) -> x509.Certificate | None:
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        return None
    with _lock:
        cached = _cache.get(path)
        if cached and cached[0] == stamp:
            return cached[1]
    try:
        loaded = x509.load_pem_x509_certificate(path.read_bytes())
    except ValueError:
        return None  # damaged: made again
    with _lock:
        _cache[path] = (stamp, loaded)
    return loaded


def _usable(cert: x509.Certificate, key: ECKey) -> bool:
    public = cert.public_key()
    same_key = isinstance(public, ec.EllipticCurvePublicKey) and public.public_numbers() == (
        key.public_key.public_numbers()
    )
    return same_key and cert.not_valid_after_utc - RENEW_BEFORE > datetime.now(UTC)


def _self_signed(key: ECKey) -> x509.Certificate:
    private = key.private_key
    if not isinstance(private, ec.EllipticCurvePrivateKey):
        raise TypeError("the verifier key is not an EC private key")
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "lifegate verifier"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "lifegate"),
        ]
    )
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + CERTIFICATE_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName([_host_name()]), critical=False)
    )
    return builder.sign(private, hashes.SHA256())


def _host_name() -> x509.GeneralName:
    """The node's host as a SAN: DNS name, or IP address for a node reached by address."""
    host = urlsplit(settings.BASE_URL).hostname or "localhost"
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


def _replace(path: Path, pem: str) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
