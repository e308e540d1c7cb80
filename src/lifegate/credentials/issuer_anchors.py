"""Issuers trusted through X.509 (HAIP 1.0 section 6.1.1): a credential or status list token
whose `x5c` header holds a certificate chain leading to one of the configured trust anchors
is verified with the key of the chain's end-entity certificate, when that certificate names
the token's issuer (`iss`) as a URI in its subject alternative names (SD-JWT VC section 3.5;
a DNS name only for an issuer given as `dns:<name>`).

The anchors are the CA certificates in the PEM file settings.LIFEGATE_ISSUER_TRUST_ANCHORS
(none when unset): another lifegate node's issuing CA (`/credentials/issuer-ca.pem`), or a
national PKI's CA for credential issuers. An anchor vouches for every issuer it certifies,
so only CAs dedicated to credential issuers belong there (a TLS CA would make every web
server an issuer). This is how a verifier trusts issuers outside its trust list; the nodes in
LIFEGATE_TRUSTED_ISSUERS are checked only with the keys they publish (`trust`), so that
no anchor can speak for them.

What is checked: the chain's signatures, validity periods (at the time of the check),
basic constraints and path length, the anchors' key usage (RFC 5280, with `cryptography`'s
path validation); that the end-entity certificate is not self-signed (HAIP) and is not a
CA, that it may sign (key usage digitalSignature, when given), and that its key is a P-256
key. A chain once validated is remembered until a certificate of its path ends. Certificates
of the path that name a revocation list (CRL distribution point) are checked against it at
every use (`certificate_revocation`): a revoked one is refused as `withdrawn-key`, and one
whose list cannot be had as `status-unavailable`."""

import base64
import binascii
import logging
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import verification
from django.conf import settings
from joserfc.jwk import ECKey, Key

from lifegate.credentials import certificate_revocation, certificates
from lifegate.credentials.errors import CredentialRejected

# Certificates in an x5c chain (end entity and intermediates); HAIP chains are short.
MAX_CHAIN_CERTIFICATES = 4

# What tells one version of the anchors file from another (path, inode, size, modification
# and change time): a copy that keeps the modification time (cp -p, rsync -t) still changes
# the inode or the change time.
_Stamp = tuple[str, int, int, int, int]

_lock = threading.Lock()
_anchors: dict[str, tuple[_Stamp, verification.Store]] = {}
# (anchors file stamp, issuer, x5c) -> (key, first moment and last moment the chain is
# valid, what to check for revocation)
_validated: dict[
    tuple[_Stamp, str | None, tuple[str, ...]],
    tuple[Key, datetime, datetime, tuple[certificate_revocation.Check, ...]],
] = {}
_VALIDATED_MAX = 256

log = logging.getLogger(__name__)


class AnchorsUnreadable(Exception):
    """The configured trust anchors file cannot be read as PEM certificates."""


def configured() -> bool:
    """Whether any issuer trust anchors are configured."""
    return bool(settings.LIFEGATE_ISSUER_TRUST_ANCHORS)


def anchor_certificates(path: str) -> list[x509.Certificate]:
    """The CA certificates in a PEM file; raises AnchorsUnreadable when it holds none."""
    try:
        found = x509.load_pem_x509_certificates(Path(path).read_bytes())
    except (OSError, ValueError) as failed:
        raise AnchorsUnreadable(f"{path}: {type(failed).__name__}") from None
    if not found:
        raise AnchorsUnreadable(f"{path}: no certificates")
    return found


def certified_key(issuer: str, x5c: Any, now: datetime | None = None) -> Key | None:
    """The public key certified for `issuer` by the chain in `x5c` at `now` (default: the
    clock), or None when no trust anchors are configured (or the file cannot be used).
    Raises CredentialRejected: `malformed` when `x5c` is not a chain of certificates,
    `unknown-issuer` (with the reason) when it does not lead to an anchor, does not name
    the issuer, or its certificates cannot be read."""
    return key_certified_by(str(settings.LIFEGATE_ISSUER_TRUST_ANCHORS or ""), issuer, x5c, now)


def key_certified_by(
    anchors: str, issuer: str | None, x5c: Any, now: datetime | None = None
) -> Key | None:
    """`certified_key` with the trust anchors in the PEM file `anchors` (none when empty):
    the same checks for other signers certified through X.509, such as wallet providers
    (`credentials.client_attestation`). With `issuer` None, the certificate may name anyone
    (an anchor that vouches for every signer it certifies alike)."""
    if not anchors:
        return None
    try:
        stamp, store = _store(anchors)
    except AnchorsUnreadable as unreadable:
        # Refuse rather than fail: the system check reports the file at start-up.
        log.error("trust anchors unusable: %s", unreadable)
        return None
    chain = _x5c_entries(x5c)
    moment = now or datetime.now(UTC)
    remembered = _validated.get((stamp, issuer, chain))
    if remembered is not None and remembered[1] <= moment <= remembered[2]:
        certificate_revocation.check(remembered[3])
        return remembered[0]
    try:
        key, path = _validate(issuer, [_certificate(entry) for entry in chain], store, moment)
        revocation = certificate_revocation.checks(path)
    except certificates.UNREADABLE:
        # Parts of a certificate are read lazily: a damaged name, extension or key shows
        # only here. Whatever cannot be read is not trusted.
        raise _untrusted("a certificate in x5c cannot be read") from None
    certificate_revocation.check(revocation)
    with _lock:
        if len(_validated) >= _VALIDATED_MAX:
            _validated.clear()
        _validated[(stamp, issuer, chain)] = (
            key,
            max(cert.not_valid_before_utc for cert in path),
            min(cert.not_valid_after_utc for cert in path),
            revocation,
        )
    return key


def forget() -> None:
    """Forget the anchors, validated chains and revocation lists (tests, and a changed
    anchors file)."""
    with _lock:
        _anchors.clear()
        _validated.clear()
    certificate_revocation.forget()


def _store(path: str) -> tuple[_Stamp, verification.Store]:
    try:
        found = Path(path).stat()
    except OSError:
        raise AnchorsUnreadable(f"{path}: cannot be read") from None
    stamp = (path, found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns)
    with _lock:
        cached = _anchors.get(path)
    if cached is None or cached[0] != stamp:
        cached = (stamp, verification.Store(anchor_certificates(path)))
        with _lock:
            _anchors[path] = cached
    return cached


def _x5c_entries(x5c: Any) -> tuple[str, ...]:
    if (
        not isinstance(x5c, list)
        or not 1 <= len(x5c) <= MAX_CHAIN_CERTIFICATES
        or not all(isinstance(entry, str) for entry in x5c)
    ):
        raise CredentialRejected(
            "malformed", f"x5c is not a list of 1 to {MAX_CHAIN_CERTIFICATES} certificates"
        )
    return tuple(x5c)


def _certificate(entry: str) -> x509.Certificate:
    try:
        return x509.load_der_x509_certificate(base64.b64decode(entry, validate=True))
    except (binascii.Error, ValueError, x509.InvalidVersion):
        raise CredentialRejected("malformed", "an x5c entry is not a certificate") from None


def _validate(
    issuer: str | None,
    chain: list[x509.Certificate],
    store: verification.Store,
    moment: datetime,
) -> tuple[Key, list[x509.Certificate]]:
    """The end-entity key and the validated path (end entity to anchor)."""
    leaf = chain[0]
    if leaf.issuer == leaf.subject:
        raise _untrusted("the certificate in x5c is self-signed")
    verifier = (
        verification.PolicyBuilder()
        .store(store)
        .time(moment)
        .max_chain_depth(MAX_CHAIN_CERTIFICATES)
        .extension_policies(
            ca_policy=verification.ExtensionPolicy.webpki_defaults_ca(),
            ee_policy=verification.ExtensionPolicy.permit_all(),
        )
        .build_client_verifier()
    )
    try:
        verified = verifier.verify(leaf, chain[1:])
    except verification.VerificationError:
        raise _untrusted("the x5c chain does not lead to a trust anchor") from None
    if issuer is not None and not _names(verified.subjects or [], issuer):
        raise _untrusted("the certificate does not name the issuer")
    _check_use(leaf)
    public = leaf.public_key()
    if not isinstance(public, ec.EllipticCurvePublicKey) or public.curve.name != "secp256r1":
        raise CredentialRejected("unsupported-algorithm", "the certificate's key is not P-256")
    pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return ECKey.import_key(pem), verified.chain


def _names(subjects: list[x509.GeneralName], issuer: str) -> bool:
    """Whether the SANs name `issuer` (SD-JWT VC 3.5): exactly, as a URI; a DNS name only
    names an issuer given as a DNS URI (RFC 4501, `dns:<name>`)."""
    dns_name = issuer.removeprefix("dns:") if issuer.startswith("dns:") else None
    for name in subjects:
        if isinstance(name, x509.UniformResourceIdentifier) and name.value == issuer:
            return True
        if isinstance(name, x509.DNSName) and dns_name and name.value.lower() == dns_name.lower():
            return True
    return False


def _check_use(leaf: x509.Certificate) -> None:
    extensions = leaf.extensions
    try:
        if extensions.get_extension_for_class(x509.BasicConstraints).value.ca:
            raise _untrusted("the certificate in x5c is a CA certificate")
    except x509.ExtensionNotFound:
        pass
    try:
        if not extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature:
            raise _untrusted("the certificate in x5c may not sign")
    except x509.ExtensionNotFound:
        pass


def _untrusted(detail: str) -> CredentialRejected:
    return CredentialRejected("unknown-issuer", detail)
