"""The verifier's certificate (HAIP 1.0 section 5, `x509_hash`): the request object carries a
certificate from the node's verifier CA, never a self-signed one and never the CA itself;
the CA certificate is published for wallets; OpenSSL accepts the chain; a self-signed
certificate left by an earlier version is replaced, and the client identifier follows."""

import base64
import shutil
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from django.conf import settings
from django.test import Client

from lifegate.core.keys import signing_key
from lifegate.credentials import certificates, compact, issuer_certificates, verifier_identity
from lifegate.credentials.apps import issuing_ca_check
from lifegate.credentials.tests.pki import authority, issued_ca
from lifegate.credentials.tests.test_issuer_certificates import _openssl_verify

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def node(issuer_settings: None) -> None:
    """A node with its own key directory."""


def request_chain() -> list[x509.Certificate]:
    header = compact.decode(verifier_identity.sign_request_object({"x": 1}), "request").header
    return [x509.load_der_x509_certificate(base64.b64decode(entry)) for entry in header["x5c"]]


def test_the_request_objects_certificate_comes_from_the_verifier_ca():
    (leaf,) = request_chain()  # the trust anchor is never in x5c

    ca = verifier_identity.CA.certificate()
    leaf.verify_directly_issued_by(ca)
    assert leaf.subject != leaf.issuer  # HAIP: not self-signed
    assert not leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    usage = leaf.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and not usage.key_cert_sign
    names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == [certificates.node_host()]
    assert certificates.certifies(leaf, verifier_identity.verifier_key())
    assert verifier_identity.client_id() == verifier_identity.client_id_for(certificates.der(leaf))
    # Not the issuing CA: trusting this node's issuers does not make its verifier trusted.
    assert ca.public_key() != issuer_certificates.ca_certificate().public_key()


def test_the_verifier_ca_certificate_is_published():
    response = Client().get("/credentials/verifier-ca.pem")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pem-certificate-chain"
    assert "public" in response["Cache-Control"]
    published = x509.load_pem_x509_certificate(response.content)
    assert published == verifier_identity.CA.certificate()
    assert published.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_openssl_accepts_the_verifiers_chain(tmp_path: Path):
    (leaf,) = request_chain()
    leaf_file = tmp_path / "leaf.pem"
    leaf_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    ca_file = tmp_path / "ca.pem"
    ca_file.write_text(verifier_identity.CA.pem())

    checked = _openssl_verify(ca_file, leaf_file)

    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_self_signed_certificate_of_an_earlier_version_is_replaced():
    key = certificates.private_ec_key(verifier_identity.verifier_key())
    name = certificates.name("lifegate verifier")
    old = (
        certificates.builder(name, name, key.public_key(), request_chain()[0].not_valid_after_utc)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    path = Path(settings.LIFEGATE_KEY_DIR) / verifier_identity.CERTIFICATE_FILE
    path.write_bytes(old.public_bytes(serialization.Encoding.PEM))
    old_client_id = verifier_identity.client_id_for(certificates.der(old))

    (leaf,) = request_chain()

    assert leaf != old and leaf.issuer == verifier_identity.CA.certificate().subject
    assert verifier_identity.client_id() != old_client_id
    assert x509.load_pem_x509_certificate(path.read_bytes()) == leaf


def test_under_a_verifier_pki_x5c_carries_the_nodes_ca_after_the_certificate(tmp_path: Path):
    root = authority("EU access certificate test root")
    ca_key = certificates.private_ec_key(signing_key(verifier_identity.CA.key_name))
    node_ca = issued_ca(root, ca_key.public_key(), "lifegate verifier CA under the root")
    ca_file = Path(settings.LIFEGATE_KEY_DIR) / verifier_identity.CA.certificate_file
    ca_file.write_bytes(node_ca.public_bytes(serialization.Encoding.PEM))

    leaf, carried = request_chain()

    assert carried == node_ca
    leaf.verify_directly_issued_by(node_ca)
    ending = issued_ca(root, ca_key.public_key(), "lifegate verifier CA", days=10)
    ca_file.write_bytes(ending.public_bytes(serialization.Encoding.PEM))
    assert [message.id for message in issuing_ca_check()] == ["credentials.W002"]
    assert verifier_identity.CA.certificate() == ending  # never replaced here
    # Near the CA's end the verifier keeps one certificate (and client_id), ending with it.
    first, _ = request_chain()
    client_id = verifier_identity.client_id()
    again, _ = request_chain()
    assert again == first and first.not_valid_after_utc == ending.not_valid_after_utc
    assert verifier_identity.client_id() == client_id
