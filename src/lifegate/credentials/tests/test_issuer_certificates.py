"""The issuer's X.509 certificates (HAIP 1.0): credentials and status list tokens carry the
signing key's certificate in x5c, issued by the node's issuing CA, naming the node's base
URL; a standard X.509 validator (OpenSSL) accepts the chain; the CA certificate is
published for other nodes; and a node that trusts this CA verifies this node's credentials
without being told of its issuer."""

import base64
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from lifegate.core.keys import signing_key
from lifegate.credentials import (
    certificates,
    compact,
    issuer_anchors,
    issuer_certificates,
    keys,
    sdjwt,
    status_lists,
    statuslist,
    trust,
)
from lifegate.credentials.apps import issuing_ca_check
from lifegate.credentials.errors import CredentialRejected
from lifegate.credentials.issuing import stored_sd_jwt
from lifegate.credentials.tests.conftest import BASE_URL
from lifegate.credentials.tests.pki import authority, end_entity, issued_ca, x5c
from lifegate.credentials.tests.presenting import (
    TITLE_AND_LEVEL,
    Nodes,
    ask,
    diploma,
    presentation,
)
from lifegate.credentials.tests.test_issuer_anchors import credential
from lifegate.credentials.tests.test_verifying_peers import answer

pytestmark = pytest.mark.django_db
PEER = "https://ee.lifegate.example"


@pytest.fixture(autouse=True)
def node(issuer_settings: None) -> Any:
    issuer_anchors.forget()
    yield
    issuer_anchors.forget()


def header_chain(token: str) -> list[x509.Certificate]:
    header = compact.decode(token.split("~")[0], "token").header
    return [x509.load_der_x509_certificate(base64.b64decode(entry)) for entry in header["x5c"]]


def public_numbers(cert: x509.Certificate) -> Any:
    public = cert.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    return public.public_numbers()


def test_a_credential_carries_its_signing_keys_certificate_from_the_nodes_ca(
    credential_types, person
):
    credential = diploma(person)
    token = stored_sd_jwt(credential)

    chain = header_chain(token)

    ca = issuer_certificates.ca_certificate()
    (leaf,) = chain  # the trust anchor is never in x5c
    leaf.verify_directly_issued_by(ca)
    names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert BASE_URL in names.get_values_for_type(x509.UniformResourceIdentifier)
    assert leaf.subject != leaf.issuer
    assert not leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    key = keys.current_issuer_key()
    assert public_numbers(leaf) == key.public_key.public_numbers()
    assert compact.decode(token.split("~")[0], "token").header["kid"] == key.kid


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_openssl_accepts_the_chain_and_refuses_it_against_another_ca(
    credential_types, person, tmp_path
):
    (leaf,) = header_chain(stored_sd_jwt(diploma(person)))
    leaf_file = tmp_path / "leaf.pem"
    leaf_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    ca_file = tmp_path / "ca.pem"
    ca_file.write_text(issuer_certificates.ca_pem())

    accepted = _openssl_verify(ca_file, leaf_file)
    impostor = _impostor_ca()
    other_ca = tmp_path / "other-ca.pem"
    other_ca.write_bytes(impostor.public_bytes(serialization.Encoding.PEM))
    refused = _openssl_verify(other_ca, leaf_file)  # the name alone is not trusted

    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert refused.returncode != 0


def _impostor_ca() -> x509.Certificate:
    """A CA certificate with this node's CA's name and another key."""
    key = ec.generate_private_key(ec.SECP256R1())
    real = issuer_certificates.ca_certificate()
    return (
        x509.CertificateBuilder()
        .subject_name(real.subject)
        .issuer_name(real.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(real.not_valid_before_utc)
        .not_valid_after(real.not_valid_after_utc)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256())
    )


def _openssl_verify(ca: Path, leaf: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["openssl", "verify", "-x509_strict", "-CAfile", str(ca), str(leaf)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_status_list_token_carries_the_same_certificate(credential_types, person):
    credential = diploma(person)
    token = status_lists.status_list_token(credential.status_list)

    (leaf,) = header_chain(token)

    (credential_leaf,) = header_chain(stored_sd_jwt(credential))
    assert leaf == credential_leaf


def test_a_rotated_key_gets_its_own_certificate_from_the_same_ca(credential_types, person):
    (before,) = header_chain(stored_sd_jwt(diploma(person, "dossier-1")))
    keys.rotate()

    (after,) = header_chain(stored_sd_jwt(diploma(person, "dossier-2")))

    assert public_numbers(after) != public_numbers(before)
    after.verify_directly_issued_by(issuer_certificates.ca_certificate())
    assert public_numbers(after) == keys.current_issuer_key().public_key.public_numbers()


def test_a_new_base_url_gets_a_new_certificate(credential_types, person, settings):
    diploma(person, "dossier-1")
    settings.BASE_URL = "https://nieuw.lifegate.example"

    _key, x5c = issuer_certificates.current_signer()

    leaf = x509.load_der_x509_certificate(base64.b64decode(x5c[0]))
    names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.UniformResourceIdentifier) == [
        "https://nieuw.lifegate.example"
    ]


def test_the_ca_certificate_is_published_as_pem(client):
    response = client.get("/credentials/issuer-ca.pem")

    assert response.status_code == 200
    assert response["Content-Type"] == issuer_certificates.PEM_MEDIA_TYPE
    published = x509.load_pem_x509_certificate(response.content)
    assert published == issuer_certificates.ca_certificate()
    assert published.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def peer_credential(person: Any, settings: Any, tmp_path: Path, *, listed: bool) -> Any:
    """A diploma issued by the peer node (this node's keys under the peer's base URL); this
    node then has the peer's CA as issuer trust anchor, and the peer in its trust list if
    `listed`."""
    settings.BASE_URL = PEER
    credential = diploma(person)
    anchors = tmp_path / "anchors.pem"
    anchors.write_text(issuer_certificates.ca_pem())
    settings.BASE_URL = BASE_URL
    settings.LIFEGATE_TRUSTED_ISSUERS = [PEER] if listed else []
    settings.LIFEGATE_ISSUER_TRUST_ANCHORS = str(anchors)
    return credential


def test_a_node_that_trusts_this_ca_verifies_its_credentials_and_status_without_its_keys(
    credential_types, person, settings, monkeypatch, tmp_path
):
    nodes = Nodes(PEER).install(monkeypatch)
    credential = peer_credential(person, settings, tmp_path, listed=False)
    token = stored_sd_jwt(credential)

    verified = sdjwt.verify(
        token,
        issuer_key=trust.issuer_key,
        certified_key=trust.certified_key,
        require_key_binding=False,
    )
    assert verified.status is not None
    status = trust.status_of(verified.status, verified.issuer)

    assert (verified.issuer, status) == (PEER, statuslist.VALID)
    assert f"{PEER}/.well-known/jwt-vc-issuer" not in nodes.calls  # the x5c chains did
    assert any(call.startswith(f"{PEER}/credentials/status/") for call in nodes.calls)


def test_a_status_list_whose_chain_does_not_hold_is_unavailable(
    credential_types, person, settings, monkeypatch, tmp_path
):
    Nodes(PEER).install(monkeypatch)
    credential = peer_credential(person, settings, tmp_path, listed=False)
    verified = sdjwt.verify(
        stored_sd_jwt(credential),
        issuer_key=trust.issuer_key,
        certified_key=trust.certified_key,
        require_key_binding=False,
    )
    assert verified.status is not None
    anchors = Path(settings.LIFEGATE_ISSUER_TRUST_ANCHORS)
    anchors.write_bytes(_impostor_ca().public_bytes(serialization.Encoding.PEM))

    with pytest.raises(CredentialRejected) as refused:
        trust.status_of(verified.status, verified.issuer)

    assert refused.value.code == "status-unavailable"
    assert "unknown-issuer" in refused.value.detail


def test_a_listed_peer_is_checked_with_its_published_keys_not_a_certificate(
    credential_types, person, settings, monkeypatch, tmp_path
):
    nodes = Nodes(PEER).install(monkeypatch)
    credential = peer_credential(person, settings, tmp_path, listed=True)
    request = ask()

    result = answer(request, presentation(credential, request, TITLE_AND_LEVEL))

    assert (result.valid, result.issuer) == (True, PEER)
    assert f"{PEER}/.well-known/jwt-vc-issuer" in nodes.calls


def test_an_anchor_cannot_speak_for_a_listed_peer(
    credential_types, settings, monkeypatch, tmp_path
):
    Nodes(PEER).install(monkeypatch)
    settings.LIFEGATE_TRUSTED_ISSUERS = [PEER]
    rogue = authority("Rogue but trusted CA")
    settings.LIFEGATE_ISSUER_TRUST_ANCHORS = rogue.pem_file(tmp_path)
    key, cert = end_entity(rogue, names=[x509.UniformResourceIdentifier(PEER)])
    forged = credential(key, x5c(cert), PEER)  # certified for the peer's URL by an anchor

    with pytest.raises(CredentialRejected) as refused:
        sdjwt.verify(
            forged,
            issuer_key=trust.issuer_key,
            certified_key=trust.certified_key,
            require_key_binding=False,
        )

    assert refused.value.code == "unknown-issuer"


def test_without_trust_the_peers_credential_is_from_an_unknown_issuer(
    credential_types, person, settings, monkeypatch, tmp_path
):
    Nodes(PEER).install(monkeypatch)
    credential = peer_credential(person, settings, tmp_path, listed=False)
    settings.LIFEGATE_ISSUER_TRUST_ANCHORS = ""
    request = ask()

    result = answer(request, presentation(credential, request, TITLE_AND_LEVEL))

    assert (result.valid, result.code) == (False, "unknown-issuer")


def test_under_a_national_pki_x5c_carries_the_nodes_ca_and_validates_to_the_root(
    credential_types, person, settings, tmp_path, monkeypatch
):
    nodes = Nodes(BASE_URL).install(monkeypatch)  # serves the revocation list
    root = authority("Staat der Nederlanden test root")
    node_ca_key = certificates.private_ec_key(signing_key(issuer_certificates.CA_KEY_NAME))
    node_ca = issued_ca(root, node_ca_key.public_key(), "lifegate issuing CA under the root")
    ca_file = settings.LIFEGATE_KEY_DIR / issuer_certificates.CA_CERTIFICATE_FILE
    ca_file.write_bytes(node_ca.public_bytes(serialization.Encoding.PEM))
    settings.LIFEGATE_ISSUER_TRUST_ANCHORS = root.pem_file(tmp_path)

    token = stored_sd_jwt(diploma(person))

    leaf, carried_ca = header_chain(token)
    assert carried_ca == node_ca
    leaf.verify_directly_issued_by(node_ca)
    x5c = compact.decode(token.split("~")[0], "token").header["x5c"]
    certified = issuer_anchors.certified_key(BASE_URL, x5c)
    assert certified is not None
    assert nodes.calls == [f"{BASE_URL}{issuer_certificates.CRL_PATH}"]  # signed by the CA
    assert certified.as_dict()["x"] == keys.current_issuer_key().as_dict()["x"]


def test_a_ca_certificate_of_another_pki_is_never_replaced_and_its_end_is_warned_of(
    credential_types, person, settings
):
    root = authority("Staat der Nederlanden test root")
    node_ca_key = certificates.private_ec_key(signing_key(issuer_certificates.CA_KEY_NAME))
    ending = issued_ca(root, node_ca_key.public_key(), "lifegate issuing CA", days=10)
    ca_file = settings.LIFEGATE_KEY_DIR / issuer_certificates.CA_CERTIFICATE_FILE
    ca_file.write_bytes(ending.public_bytes(serialization.Encoding.PEM))

    kept = issuer_certificates.ca_certificate()
    warnings = [message.id for message in issuing_ca_check()]

    assert kept == ending
    assert ca_file.read_bytes() == ending.public_bytes(serialization.Encoding.PEM)
    assert warnings == ["credentials.W002"]


def test_the_nodes_own_ca_gives_no_warning(credential_types, person):
    diploma(person)

    assert issuing_ca_check() == []
