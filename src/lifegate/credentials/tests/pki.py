"""A test PKI: CAs, intermediate CAs and end-entity certificates (issuers, wallet providers)
made on the spot with `cryptography`, and x5c chains of them."""

import base64
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

FOREIGN = "https://issuer.example.eu"
NOW = datetime.now(UTC)


@dataclass
class Authority:
    """A test CA: its key and certificate."""

    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate

    def pem_file(self, folder: Path) -> str:
        path = folder / "anchors.pem"
        path.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))
        return str(path)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def authority(name: str = "Test issuer CA", parent: Authority | None = None) -> Authority:
    """A root CA, or an intermediate CA under `parent`."""
    key = ec.generate_private_key(ec.SECP256R1())
    if parent is None:
        return Authority(key, _ca_certificate(key, key.public_key(), _name(name), _name(name)))
    return Authority(key, issued_ca(parent, key.public_key(), name))


def issued_ca(
    parent: Authority, public: ec.EllipticCurvePublicKey, name: str, days: int = 365
) -> x509.Certificate:
    """A CA certificate for `public` issued by `parent`, valid for `days` more days."""
    return _ca_certificate(parent.key, public, _name(name), parent.cert.subject, days)


def _ca_certificate(
    signer: ec.EllipticCurvePrivateKey,
    public: ec.EllipticCurvePublicKey,
    subject: x509.Name,
    issuer: x509.Name,
    days: int = 365,
) -> x509.Certificate:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()), False
        )
        .sign(signer, hashes.SHA256())
    )


def end_entity(
    ca: Authority,
    *,
    names: list[x509.GeneralName] | None = None,
    ends: datetime | None = None,
    is_ca: bool = False,
    self_signed: bool = False,
    signs: bool = True,
    curve: ec.EllipticCurve | None = None,
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(curve or ec.SECP256R1())
    subject = _name("Test issuer")
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject if self_signed else ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(ends or NOW + timedelta(days=90))
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName(
                names if names is not None else [x509.UniformResourceIdentifier(FOREIGN)]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), False
        )
        .add_extension(
            x509.KeyUsage(signs, not signs, False, False, False, False, False, False, False),
            critical=True,
        )
    )
    return key, builder.sign(key if self_signed else ca.key, hashes.SHA256())


def x5c(*certs: x509.Certificate) -> list[str]:
    return [base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode() for c in certs]
