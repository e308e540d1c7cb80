"""X.509 certificates of this node's credential keys: kept as PEM files beside the keys in
settings.LIFEGATE_KEY_DIR, made on first use and made again when they no longer fit (another
key, another base URL, or close to their end). Used by the verifier's identity
(`verifier_identity`) and the issuer's certificates (`issuer_certificates`)."""

import base64
import ipaddress
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from joserfc.jwk import ECKey

from lifegate.core.files import create_private_file, replace_file

# A certificate is made again this long before it ends, so that no signature is made with
# a certificate about to expire.
RENEW_BEFORE = timedelta(days=30)
# Certificates start a little in the past: clocks of other parties differ a little.
BACKDATE = timedelta(minutes=5)

_lock = threading.Lock()
# path -> ((inode, modification time), certificate): a replaced file has a new inode.
_cache: dict[Path, tuple[tuple[int, int], x509.Certificate]] = {}


def stored_certificate(
    filename: str,
    fits: Callable[[x509.Certificate], bool],
    make: Callable[[], x509.Certificate],
) -> x509.Certificate:
    """The certificate in `filename` (in the key directory) if it `fits`, else one `make`
    makes, written there first. When two processes make a missing one at once, the first
    one written stands; when they replace one, the last (each uses one that fits)."""
    path = Path(settings.LIFEGATE_KEY_DIR) / filename
    found = _read(path)
    if found is not None and fits(found):
        return found
    made = make()
    pem = made.public_bytes(serialization.Encoding.PEM).decode("ascii")
    if not path.exists():
        create_private_file(path, pem)
    else:  # outdated or damaged
        replace_file(path, pem)
    written = _read(path)
    return written if written is not None and fits(written) else made


def certifies(cert: x509.Certificate, key: ECKey) -> bool:
    """Whether `cert` is for the public part of `key`."""
    public = cert.public_key()
    return isinstance(public, ec.EllipticCurvePublicKey) and public.public_numbers() == (
        key.public_key.public_numbers()
    )


def renewal_due(cert: x509.Certificate) -> bool:
    """Whether `cert` ends within RENEW_BEFORE (or has ended)."""
    return cert.not_valid_after_utc - RENEW_BEFORE <= datetime.now(UTC)


def private_ec_key(key: ECKey) -> ec.EllipticCurvePrivateKey:
    """The `cryptography` private key of a lifegate signing key."""
    private = key.private_key
    if not isinstance(private, ec.EllipticCurvePrivateKey):
        raise TypeError("the key is not an EC private key")
    return private


def host_name() -> x509.GeneralName:
    """The node's host as a SAN: DNS name, or IP address for a node reached by address."""
    host = urlsplit(settings.BASE_URL).hostname or "localhost"
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


def builder(
    subject: x509.Name,
    issuer: x509.Name,
    public: ec.EllipticCurvePublicKey,
    ends: datetime,
) -> x509.CertificateBuilder:
    """A certificate for `public` from `issuer`, valid from a little before now until `ends`,
    with a random serial number; the caller adds the extensions and signs."""
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime.now(UTC) - BACKDATE)
        .not_valid_after(ends)
    )


def der(cert: x509.Certificate) -> bytes:
    """The certificate, DER-encoded."""
    return cert.public_bytes(serialization.Encoding.DER)


def x5c_entry(cert: x509.Certificate) -> str:
    """The certificate as an `x5c` header entry: base64 (not base64url) of its DER."""
    return base64.b64encode(der(cert)).decode("ascii")


def _read(path: Path) -> x509.Certificate | None:
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    stamp = (found.st_ino, found.st_mtime_ns)
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
