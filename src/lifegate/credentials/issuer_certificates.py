"""X.509 certificates for the issuer's keys, as HAIP 1.0 asks: every credential and status
list token carries the certificate of the key that signed it in its `x5c` header, so that a
wallet or verifier that trusts issuers through X.509 (the EU trust lists) can check it
without lifegate's issuer metadata.

The node has its own issuing CA: a key (`credentials-issuer-ca`, on disk like every key) and
a self-signed CA certificate. It certifies each issuer key of the ring (`keys`) with an
end-entity certificate that names the node's base URL (the credentials' `iss`) as a URI in
its subject alternative names, as SD-JWT VC asks. `x5c` holds that certificate only: the CA
certificate is the trust anchor, which a verifier gets from configuration, never from the
token. The CA certificate is published (`ca_pem`, at /credentials/issuer-ca.pem) for the
operators of other nodes to add to their trust anchors. A deployment inside a national PKI
puts a CA certificate for the same key issued by that PKI in the CA certificate's file
instead: `x5c` then carries it after the end-entity certificate, and the PKI's root is the
anchor.

Certificates are PEM files beside the keys (`certificates.stored_certificate`) and are made
again when they no longer fit: another key, another base URL, another CA, or close to
their end. A credential keeps the certificate it was signed with; a verifier that checks
`x5c` accepts it while that certificate is valid (END_ENTITY_LIFETIME), and lifegate's own
verifiers fall back to the issuer's published keys (`trust`), which verify it until it
expires."""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID
from django.conf import settings
from joserfc.jwk import ECKey

from lifegate.core.keys import signing_key
from lifegate.credentials import certificates, keys

CA_KEY_NAME = "credentials-issuer-ca"
CA_CERTIFICATE_FILE = f"{CA_KEY_NAME}.cert.pem"
CA_LIFETIME = timedelta(days=10 * 365)
END_ENTITY_LIFETIME = timedelta(days=3 * 365)
PEM_MEDIA_TYPE = "application/pem-certificate-chain"


def ca_certificate() -> x509.Certificate:
    """The node's issuing CA certificate, made (self-signed) on first use and renewed near
    its end. One issued by another PKI is never replaced here: its operator renews it
    (`manage.py check` warns when it is close to its end)."""
    key = signing_key(CA_KEY_NAME)
    return certificates.stored_certificate(
        CA_CERTIFICATE_FILE,
        lambda cert: (
            certificates.certifies(cert, key)
            and (not is_self_signed(cert) or not certificates.renewal_due(cert))
        ),
        lambda: _make_ca(key),
    )


def is_self_signed(cert: x509.Certificate) -> bool:
    """Whether `cert` names itself as its issuer (this node's own CA, not another PKI's)."""
    return cert.issuer == cert.subject


def ca_pem() -> str:
    """The CA certificate in PEM: what other nodes add to their trust anchors."""
    return ca_certificate().public_bytes(serialization.Encoding.PEM).decode("ascii")


def issuer_x5c(ring_key: keys.RingKey) -> list[str]:
    """The `x5c` header for what `ring_key` signs: its end-entity certificate."""
    key = signing_key(ring_key.name)
    ca = ca_certificate()
    cert = certificates.stored_certificate(
        f"{ring_key.name}.cert.pem",
        lambda cert: _fits(cert, key, ca),
        lambda: _make_end_entity(key, ca),
    )
    chain = [cert]
    if not is_self_signed(ca):  # a CA under another PKI: the anchor is that PKI's root
        chain.append(ca)
    return [certificates.x5c_entry(each) for each in chain]


def current_signer() -> tuple[ECKey, list[str]]:
    """The issuer key that signs now, with its `x5c` header."""
    current = keys.ring().current
    return signing_key(current.name), issuer_x5c(current)


def _fits(cert: x509.Certificate, key: ECKey, ca: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        return False
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    return (
        certificates.certifies(cert, key)
        and settings.BASE_URL in names.get_values_for_type(x509.UniformResourceIdentifier)
        and not certificates.renewal_due(cert)
    )


def _make_ca(key: ECKey) -> x509.Certificate:
    private = certificates.private_ec_key(key)
    public = private.public_key()
    name = _name(f"lifegate credential issuer CA {_host()}")
    made = (
        certificates.builder(name, name, public, datetime.now(UTC) + CA_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(certifying=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
    )
    return made.sign(private, hashes.SHA256())


def _make_end_entity(key: ECKey, ca: x509.Certificate) -> x509.Certificate:
    ca_private = certificates.private_ec_key(signing_key(CA_KEY_NAME))
    public = certificates.private_ec_key(key).public_key()
    ends = min(datetime.now(UTC) + END_ENTITY_LIFETIME, ca.not_valid_after_utc)
    names = [x509.UniformResourceIdentifier(settings.BASE_URL), certificates.host_name()]
    subject = _name(f"lifegate credential issuer {_host()}")
    made = (
        certificates.builder(subject, ca.subject, public, ends)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(certifying=False), critical=True)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_private.public_key()),
            critical=False,
        )
    )
    return made.sign(ca_private, hashes.SHA256())


def _key_usage(*, certifying: bool) -> x509.KeyUsage:
    """A CA's key only certifies (and signs revocation lists); an issuer's only signs."""
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


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "lifegate"),
        ]
    )


def _host() -> str:
    return urlsplit(settings.BASE_URL).hostname or "localhost"
