"""X.509 certificates of this node's credential keys: kept as PEM files beside the keys in
settings.LIFEGATE_KEY_DIR, made on first use and made again when they no longer fit (another
key, another base URL, or close to their end). Each comes from one of the node's own
certificate authorities (`NodeCa`): the issuing CA for the issuer's keys
(`issuer_certificates`) and the verifier CA for the verifier's (`verifier_identity`), since
HAIP 1.0 wants neither to sign with a self-signed certificate."""

import base64
import ipaddress
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from joserfc.jwk import ECKey

from lifegate.core.files import create_private_file, replace_file
from lifegate.core.keys import signing_key

# A certificate is made again this long before it ends, so that no signature is made with
# a certificate about to expire.
RENEW_BEFORE = timedelta(days=30)
# Certificates start a little in the past: clocks of other parties differ a little.
BACKDATE = timedelta(minutes=5)

CA_LIFETIME = timedelta(days=10 * 365)

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
    host = node_host()
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


@dataclass(frozen=True)
class NodeCa:
    """One of the node's certificate authorities: a key on disk like every key (`key_name`)
    and a CA certificate beside it, self-signed, made on first use and renewed near its end.
    A deployment inside a national PKI puts a CA certificate for the same key issued by that
    PKI in its file instead; it is never replaced here (`manage.py check` warns near its
    end), and `x5c` chains then carry it after the end-entity certificate, the PKI's root
    being the anchor. The self-signed certificate is the anchor itself: never in `x5c`."""

    key_name: str
    title: str  # "lifegate verifier CA": the host is added to its common name

    @property
    def certificate_file(self) -> str:
        return f"{self.key_name}.cert.pem"

    def certificate(self) -> x509.Certificate:
        """The CA certificate."""
        key = signing_key(self.key_name)

        def fits(cert: x509.Certificate) -> bool:
            return certifies(cert, key) and (not is_self_signed(cert) or not renewal_due(cert))

        return stored_certificate(self.certificate_file, fits, lambda: self._make(key))

    def pem(self) -> str:
        """The CA certificate in PEM: what others add to their trust anchors."""
        return self.certificate().public_bytes(serialization.Encoding.PEM).decode("ascii")

    def end_entity(
        self,
        filename: str,
        key: ECKey,
        title: str,
        names: Sequence[x509.GeneralName],
        lifetime: timedelta,
    ) -> x509.Certificate:
        """The certificate in `filename` for `key` (which may only sign) from this CA, naming
        `names` as its subject alternative names; made again when it no longer fits."""
        ca = self.certificate()
        return stored_certificate(
            filename,
            lambda cert: self._issued(cert, key, ca, names),
            lambda: self._make_end_entity(key, ca, title, names, lifetime),
        )

    def x5c(self, cert: x509.Certificate) -> list[str]:
        """The `x5c` header for what the key of `cert` signs: `cert`, and this CA's
        certificate when another PKI issued it."""
        ca = self.certificate()
        chain = [cert] if is_self_signed(ca) else [cert, ca]
        return [x5c_entry(each) for each in chain]

    def _issued(
        self,
        cert: x509.Certificate,
        key: ECKey,
        ca: x509.Certificate,
        names: Sequence[x509.GeneralName],
    ) -> bool:
        try:
            cert.verify_directly_issued_by(ca)
            found = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        except (ValueError, TypeError, InvalidSignature, x509.ExtensionNotFound):
            return False
        # Near the end of a CA certificate from another PKI, a new certificate cannot outlast
        # it: one ending with the CA is kept, or every call would make another.
        fresh = not renewal_due(cert) or cert.not_valid_after_utc >= ca.not_valid_after_utc
        return certifies(cert, key) and set(names) <= set(found) and fresh

    def _make(self, key: ECKey) -> x509.Certificate:
        private = private_ec_key(key)
        public = private.public_key()
        subject = name(f"{self.title} {node_host()}")
        made = (
            builder(subject, subject, public, datetime.now(UTC) + CA_LIFETIME)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(key_usage(certifying=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        )
        return made.sign(private, hashes.SHA256())

    def _make_end_entity(
        self,
        key: ECKey,
        ca: x509.Certificate,
        title: str,
        names: Sequence[x509.GeneralName],
        lifetime: timedelta,
    ) -> x509.Certificate:
        ca_private = private_ec_key(signing_key(self.key_name))
        public = private_ec_key(key).public_key()
        ends = min(datetime.now(UTC) + lifetime, ca.not_valid_after_utc)
        made = (
            builder(name(f"{title} {node_host()}"), ca.subject, public, ends)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(key_usage(certifying=False), critical=True)
            .add_extension(x509.SubjectAlternativeName(list(names)), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_private.public_key()),
                critical=False,
            )
        )
        return made.sign(ca_private, hashes.SHA256())


def is_self_signed(cert: x509.Certificate) -> bool:
    """Whether `cert` names itself as its issuer (a node's own CA, not another PKI's)."""
    return cert.issuer == cert.subject


def key_usage(*, certifying: bool) -> x509.KeyUsage:
    """A CA's key only certifies (and signs revocation lists); an issuer's or verifier's
    only signs."""
    return x509.KeyUsage(
        digital_signature=not certifying,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=certifying,
        crl_sign=certifying,
        encipher_only=False,
        decipher_only=False,
    )


def name(common_name: str) -> x509.Name:
    """A certificate's subject or issuer name: the common name (cut to the 64 characters
    X.509 allows) and the organisation lifegate."""
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "lifegate"),
        ]
    )


def node_host() -> str:
    """The host of the node's base URL."""
    return urlsplit(settings.BASE_URL).hostname or "localhost"


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
