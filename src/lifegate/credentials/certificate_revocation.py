"""Revocation of the certificates in an `x5c` chain (RFC 5280 CRLs): a certificate that names
an http(s) CRL distribution point is checked against the revocation list published there,
fetched from that address, signed by the certificate's own issuer (the next certificate of
the validated path) and current (its nextUpdate not passed).

This is how a verifier that trusts another node through its issuing CA (`issuer_anchors`)
learns that the node withdrew a key (`keys.withdraw`): the node lists the key's certificates
in its CRL (`issuer_certificates.revocation_list`). The same holds for every chain checked
against anchors, wallet providers' included. A certificate that names no distribution
point, or only ones that are not http(s) (LDAP), is not checked: its CA publishes no list
this node can read. One whose http(s) points all cover part of the reasons or are lists of
another issuer (indirect CRLs) is refused: this node does not read those.

A list is used only when it is complete for the certificate: signed by the certificate's
issuer (whose key usage, when given, allows signing CRLs), naming it, current, not a delta
list, without critical extensions this module does not know, and, when it has an issuing
distribution point, one for this address that covers every reason and this kind of
certificate. A list never replaces a newer one of the same address (CRL number, then date),
so an old list served again (a cache, an attacker on plain http) cannot undo a revocation.

A list is kept for at most CACHE_SECONDS (and never past its nextUpdate), so a withdrawal
counts within minutes, as with the issuer's published keys. When a new list cannot be had
(the address does not answer, or what it sends does not verify), the kept list serves until
its nextUpdate (lifegate's issuing CA: certificates.CRL_LIFETIME), and after that the chain
is refused (`status-unavailable`): a check that cannot be made fails closed. A failed fetch
is tried again after RETRY_SECONDS at the earliest, so an unreachable address does not slow
every verification down."""

import hashlib
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from lifegate.credentials import certificates, peer_http
from lifegate.credentials.errors import CredentialRejected

CACHE_SECONDS = 600
RETRY_SECONDS = 30
# An issuer's clock may run a little ahead of this one.
CLOCK_SKEW = timedelta(minutes=5)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Check:
    """A certificate of a validated path that is to be checked, with its issuer and the
    addresses of its issuer's complete revocation list (none usable: refused)."""

    certificate: x509.Certificate
    issuer: x509.Certificate
    urls: tuple[str, ...]


@dataclass(frozen=True)
class _Kept:
    crl: x509.CertificateRevocationList | None  # the newest one that verified
    fetched: datetime | None  # when a list was last fetched
    failed: datetime | None  # when fetching last failed


_lock = threading.Lock()
# (address, fingerprint of the issuer certificate) -> what is kept of its list
_kept: dict[tuple[str, bytes], _Kept] = {}
_KEPT_MAX = 256


def checks(path: Sequence[x509.Certificate]) -> tuple[Check, ...]:
    """What `check` is to look at for a validated `path` (end entity first, anchor last):
    every certificate but the anchor that names an http(s) distribution point."""
    found = []
    for certificate, issuer in pairwise(path):
        urls = _complete_points(certificate)
        if urls is not None:
            found.append(Check(certificate, issuer, urls))
    return tuple(found)


def check(path_checks: Sequence[Check]) -> None:
    """Raises CredentialRejected: `withdrawn-key` when a certificate is on its issuer's
    revocation list, `status-unavailable` when a current list cannot be had."""
    for each in path_checks:
        crl = _current_list(each)
        if crl.get_revoked_certificate_by_serial_number(each.certificate.serial_number):
            raise CredentialRejected(
                "withdrawn-key", "the certificate of the key that signed it is revoked"
            )


def forget() -> None:
    """Forget every kept list (tests)."""
    with _lock:
        _kept.clear()


def _now() -> datetime:
    """The clock lists are kept and judged current by."""
    return datetime.now(UTC)


def _complete_points(certificate: x509.Certificate) -> tuple[str, ...] | None:
    """The http(s) addresses of the complete lists `certificate` names (distribution points
    without reasons or another CRL issuer); None when it names no http(s) address at all."""
    try:
        points = certificate.extensions.get_extension_for_class(x509.CRLDistributionPoints)
    except x509.ExtensionNotFound:
        return None
    named, complete = False, []
    for point in points.value:
        for name in point.full_name or []:
            if isinstance(name, x509.UniformResourceIdentifier) and _is_http(name.value):
                named = True
                if point.reasons is None and point.crl_issuer is None:
                    complete.append(name.value)
    return tuple(complete) if named else None


def _is_http(url: str) -> bool:
    return url.lower().startswith(("https://", "http://"))


def _current_list(each: Check) -> x509.CertificateRevocationList:
    now = _now()
    for url in each.urls:
        crl = _list_at(url, each, now)
        if crl is not None:
            return crl
    raise CredentialRejected(
        "status-unavailable", "the revocation list of a certificate in x5c cannot be had"
    )


def _list_at(url: str, each: Check, now: datetime) -> x509.CertificateRevocationList | None:
    """The current list at `url` for `each`, kept or fetched; None when there is none."""
    name = (url, hashlib.sha256(certificates.der(each.issuer)).digest())
    with _lock:
        kept = _kept.get(name) or _Kept(None, None, None)
    fresh = kept.fetched is not None and now - kept.fetched < timedelta(seconds=CACHE_SECONDS)
    recently_failed = kept.failed is not None and now - kept.failed < timedelta(
        seconds=RETRY_SECONDS
    )
    if not (fresh and _current(kept.crl, now)) and not recently_failed:
        fetched = _fetched(url, each, now)
        with _lock:  # another thread may have kept a newer list meanwhile
            kept = _kept.get(name) or _Kept(None, None, None)
            if fetched is None:
                kept = _Kept(kept.crl, kept.fetched, now)
            else:
                kept = _Kept(_newer(kept.crl, fetched), now, None)
            if len(_kept) >= _KEPT_MAX and name not in _kept:
                _kept.clear()
            _kept[name] = kept
    return kept.crl if _current(kept.crl, now) else None


def _newer(
    kept: x509.CertificateRevocationList | None, fetched: x509.CertificateRevocationList
) -> x509.CertificateRevocationList:
    """Of two lists of one address, the newer: by CRL number, then by date."""
    if kept is None:
        return fetched
    return max(kept, fetched, key=lambda crl: (_number(crl), crl.last_update_utc))


def _number(crl: x509.CertificateRevocationList) -> int:
    try:
        return crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    except x509.ExtensionNotFound:
        return -1


def _current(crl: x509.CertificateRevocationList | None, now: datetime) -> bool:
    return crl is not None and crl.next_update_utc is not None and now < crl.next_update_utc


def _fetched(url: str, each: Check, now: datetime) -> x509.CertificateRevocationList | None:
    """The list at `url` when it is complete for `each`, signed by its issuer and current;
    else None (logged)."""
    issuer = each.issuer.subject.rfc4514_string()
    try:
        body = peer_http.fetch_bytes(url, certificates.CRL_MEDIA_TYPE)
    except peer_http.PeerUnreachable:
        return None
    try:
        crl = x509.load_der_x509_crl(body)
        usable = _signed_by(crl, each.issuer) and _covers(crl, url, each, now)
    except certificates.UNREADABLE:
        log.warning("a revocation list cannot be read (CA %s)", issuer)
        return None
    if not usable:
        log.warning("a revocation list does not verify or does not cover (CA %s)", issuer)
        return None
    return crl


def _signed_by(crl: x509.CertificateRevocationList, issuer: x509.Certificate) -> bool:
    public = issuer.public_key()
    if crl.issuer != issuer.subject or not isinstance(
        public, ec.EllipticCurvePublicKey | rsa.RSAPublicKey
    ):
        return False
    try:
        if not issuer.extensions.get_extension_for_class(x509.KeyUsage).value.crl_sign:
            return False
    except x509.ExtensionNotFound:
        pass
    return crl.is_signature_valid(public)


def _covers(crl: x509.CertificateRevocationList, url: str, each: Check, now: datetime) -> bool:
    """Whether `crl` is current and complete for `each`'s certificate (RFC 5280 5.2, 6.3.3)."""
    if not _current(crl, now) or crl.last_update_utc > now + CLOCK_SKEW:
        return False
    for extension in crl.extensions:
        if isinstance(extension.value, x509.DeltaCRLIndicator):
            return False  # a delta list holds only the changes since a complete one
        if extension.critical and not isinstance(extension.value, x509.IssuingDistributionPoint):
            return False
    try:
        scope = crl.extensions.get_extension_for_class(x509.IssuingDistributionPoint).value
    except x509.ExtensionNotFound:
        return True
    names = [name.value for name in scope.full_name or [] if hasattr(name, "value")]
    return (
        (not names or url in names)
        and scope.only_some_reasons is None
        and not scope.indirect_crl
        and not scope.only_contains_attribute_certs
        and not (scope.only_contains_ca_certs and not _is_ca(each.certificate))
        and not (scope.only_contains_user_certs and _is_ca(each.certificate))
    )


def _is_ca(certificate: x509.Certificate) -> bool:
    try:
        return certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False
