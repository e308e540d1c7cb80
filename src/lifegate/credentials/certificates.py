"""X.509 certificates of this node's credential keys: kept as PEM files beside the keys in
settings.LIFEGATE_KEY_DIR, made on first use and made again when they no longer fit (another
key, another base URL, or close to their end). Each comes from one of the node's own
certificate authorities (`NodeCa`): the issuing CA for the issuer's keys
(`issuer_certificates`) and the verifier CA for the verifier's (`verifier_identity`), since
HAIP 1.0 wants neither to sign with a self-signed certificate."""

import base64
import ipaddress
import logging
import os
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
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
# A revocation list (CRL) says it is current for this long (its nextUpdate); one is signed
# again well before that, and as soon as what it lists changes. A verifier that cannot reach
# the list uses the last one it has until then, and after that refuses.
CRL_LIFETIME = timedelta(hours=6)
CRL_MEDIA_TYPE = "application/pkix-crl"

# What reading a damaged certificate or revocation list can raise: `cryptography` reads
# their parts (names, extensions, keys) lazily.
UNREADABLE = (
    ValueError,
    TypeError,
    UnsupportedAlgorithm,
    x509.InvalidVersion,
    x509.DuplicateExtension,
    x509.UnsupportedGeneralNameType,
)

log = logging.getLogger(__name__)
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
    # Where on the node this CA publishes its revocation list, when it does: each certificate
    # it issues then names that address (CRL distribution point, RFC 5280 4.2.1.13).
    crl_path: str = ""

    @property
    def certificate_file(self) -> str:
        return f"{self.key_name}.cert.pem"

    @property
    def issued_file(self) -> str:
        """The list of the serial numbers this CA gave (with the file of each certificate):
        a certificate made again for the same key leaves its file, and must still be
        revocable."""
        return f"{self.key_name}.issued"

    def crl_url(self) -> str | None:
        """The address of this CA's revocation list, or None when it publishes none."""
        return settings.BASE_URL + self.crl_path if self.crl_path else None

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

        def make() -> x509.Certificate:
            replaced = _read(self._path(filename))
            if self.crl_path and replaced is not None and replaced.issuer == ca.subject:
                # One made before serial numbers were recorded stays revocable too.
                self._record(replaced, filename)
            return self._make_end_entity(filename, key, ca, title, names, lifetime)

        return stored_certificate(filename, lambda cert: self._issued(cert, key, ca, names), make)

    def serials_issued(self, filename: str) -> set[int]:
        """The serial numbers of every certificate this CA made for `filename`: the one in the
        file now (when this CA issued it) and the earlier ones it replaced."""
        found = {
            int(serial, 16)
            for serial, recorded in _issued_lines(self._path(self.issued_file))
            if recorded == filename
        }
        current = _read(self._path(filename))
        if current is not None and current.issuer == self.certificate().subject:
            found.add(current.serial_number)
        return found

    def revocation_list(
        self, revoked: Iterable[tuple[int, datetime]], number: int
    ) -> x509.CertificateRevocationList:
        """A revocation list of this CA, current from now for CRL_LIFETIME, listing the
        certificates with the serial numbers in `revoked` (with the moment each was revoked)
        as compromised; `number` must grow from one list to the next (RFC 5280 5.2.3)."""
        ca = self.certificate()
        private = private_ec_key(signing_key(self.key_name))
        now = datetime.now(UTC)
        try:  # the CA certificate's own key identifier (a PKI may compute it otherwise)
            ski = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
            authority = x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)
        except x509.ExtensionNotFound:
            authority = x509.AuthorityKeyIdentifier.from_issuer_public_key(private.public_key())
        made = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(ca.subject)
            .last_update(now - BACKDATE)
            .next_update(now + CRL_LIFETIME)
            .add_extension(x509.CRLNumber(number), critical=False)
            .add_extension(authority, critical=False)
        )
        for serial, moment in sorted(revoked):
            made = made.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(serial)
                .revocation_date(moment)
                .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False)
                .build()
            )
        return made.sign(private, hashes.SHA256())

    def _path(self, filename: str) -> Path:
        return Path(settings.LIFEGATE_KEY_DIR) / filename

    def _record(self, cert: x509.Certificate, filename: str) -> None:
        _append_line(self._path(self.issued_file), f"{cert.serial_number:x} {filename}")

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
        return (
            certifies(cert, key)
            and set(names) <= set(found)
            and fresh
            and distribution_points(cert) == self._distribution_points()
        )

    def _distribution_points(self) -> list[str]:
        url = self.crl_url()
        return [url] if url else []

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
        filename: str,
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
        url = self.crl_url()
        if url:
            point = x509.DistributionPoint([x509.UniformResourceIdentifier(url)], None, None, None)
            made = made.add_extension(x509.CRLDistributionPoints([point]), critical=False)
        signed = made.sign(ca_private, hashes.SHA256())
        if url:  # recorded before it is used: a certificate that may sign must be revocable
            self._record(signed, filename)
        return signed


def distribution_points(cert: x509.Certificate) -> list[str]:
    """The http(s) addresses where `cert`'s revocation list is published (its CRL
    distribution points), in order; none when it names none."""
    try:
        points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    except x509.ExtensionNotFound:
        return []
    return [
        name.value
        for point in points
        for name in point.full_name or []
        if isinstance(name, x509.UniformResourceIdentifier)
        and name.value.lower().startswith(("https://", "http://"))
    ]


_ISSUED_LINE = re.compile(r"([0-9a-f]{1,40}) (\S+)")


def _issued_lines(path: Path) -> list[tuple[str, str]]:
    """The (serial in hex, file) lines of a list of issued certificates; a damaged line (a
    write cut short) is passed over and logged."""
    try:
        text = path.read_bytes().decode("ascii", errors="replace")
    except FileNotFoundError:
        return []
    found = []
    for line in text.splitlines():
        matched = _ISSUED_LINE.fullmatch(line)
        if matched:
            found.append((matched[1], matched[2]))
        elif line:
            log.error("%s holds a damaged line", path.name)
    return found


def _append_line(path: Path, line: str) -> None:
    """Add `line` to `path` (made private when new), flushed to disk: appends of whole lines
    from several processes do not mix."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, f"{line}\n".encode("ascii"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


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
