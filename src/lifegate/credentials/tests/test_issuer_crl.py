"""The issuing CA's revocation list (RFC 5280 CRL): every issuer certificate names it, it
lists every certificate made for a withdrawn key, and a node that trusts this node through
its CA (not its published keys) refuses such a key's credentials once it sees the list, and
refuses to guess when it cannot get a current one."""

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from lifegate.core.keys import signing_key
from lifegate.credentials import (
    certificate_revocation,
    certificates,
    issuer_anchors,
    issuer_certificates,
    keys,
    sdjwt,
    trust,
)
from lifegate.credentials.errors import CredentialRejected
from lifegate.credentials.issuing import stored_sd_jwt
from lifegate.credentials.tests.conftest import BASE_URL
from lifegate.credentials.tests.presenting import Nodes, diploma
from lifegate.credentials.tests.test_issuer_certificates import PEER, header_chain, peer_credential

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("issuer_settings", "credential_types")]
CRL_URL = f"{BASE_URL}{issuer_certificates.CRL_PATH}"


@pytest.fixture(autouse=True)
def node() -> Any:
    issuer_anchors.forget()
    yield
    issuer_anchors.forget()


def published_crl(client: Any) -> x509.CertificateRevocationList:
    response = client.get(issuer_certificates.CRL_PATH)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pkix-crl"
    assert "max-age" in response["Cache-Control"]
    return x509.load_der_x509_crl(response.content)


def verified_issuer(token: str) -> str:
    return sdjwt.verify(
        token,
        issuer_key=trust.issuer_key,
        certified_key=trust.certified_key,
        require_key_binding=False,
    ).issuer


def refusal(token: str) -> str:
    with pytest.raises(CredentialRejected) as refused:
        verified_issuer(token)
    return refused.value.code


def later(monkeypatch: Any, **delta: float) -> None:
    """Move the clock revocation lists are kept by forward by `delta`."""
    moment = datetime.now(UTC) + timedelta(**delta)
    monkeypatch.setattr(certificate_revocation, "_now", lambda: moment)


def test_issuer_certificates_name_the_revocation_list(person):
    (leaf,) = header_chain(stored_sd_jwt(diploma(person)))

    assert certificates.distribution_points(leaf) == [CRL_URL]


def test_a_certificate_made_before_revocation_lists_is_made_again_and_stays_revocable(person):
    current = keys.ring().current
    filename = f"{current.name}.cert.pem"
    names = [x509.UniformResourceIdentifier(BASE_URL), certificates.host_name()]
    without = certificates.NodeCa(issuer_certificates.CA_KEY_NAME, "lifegate credential issuer CA")
    old = without.end_entity(
        filename, signing_key(current.name), "lifegate credential issuer", names, timedelta(days=9)
    )
    assert certificates.distribution_points(old) == []

    _key, x5c = issuer_certificates.current_signer()

    new = x509.load_der_x509_certificate(base64.b64decode(x5c[0]))
    assert certificates.distribution_points(new) == [CRL_URL]
    assert new.serial_number != old.serial_number
    assert issuer_certificates.CA.serials_issued(filename) == {
        old.serial_number,
        new.serial_number,
    }


def test_the_list_is_signed_by_the_ca_and_lists_nothing_while_no_key_is_withdrawn(client, person):
    diploma(person)

    crl = published_crl(client)

    ca = issuer_certificates.ca_certificate()
    public = ca.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    assert crl.is_signature_valid(public) and crl.issuer == ca.subject
    assert crl.next_update_utc is not None and crl.next_update_utc > datetime.now(UTC)
    assert len(crl) == 0


def test_withdrawing_a_key_lists_every_certificate_made_for_it_and_nothing_else(
    client, person, settings
):
    credential = diploma(person)
    (first,) = header_chain(stored_sd_jwt(credential))
    settings.BASE_URL = "https://nieuw.lifegate.example"  # a new certificate for the same key
    (second,) = header_chain(stored_sd_jwt(diploma(person, "dossier-2")))
    settings.BASE_URL = BASE_URL
    assert (
        published_crl(client).get_revoked_certificate_by_serial_number(first.serial_number) is None
    )

    done = keys.withdraw(credential.kid)
    (replacement,) = header_chain(stored_sd_jwt(diploma(person, "dossier-3")))

    crl = published_crl(client)  # at once: the list is signed again when it changes
    assert {entry.serial_number for entry in crl} == {first.serial_number, second.serial_number}
    assert crl.get_revoked_certificate_by_serial_number(replacement.serial_number) is None
    entry = crl.get_revoked_certificate_by_serial_number(first.serial_number)
    assert entry is not None and done.key.withdrawn_at is not None
    assert abs(entry.revocation_date_utc - done.key.withdrawn_at) < timedelta(seconds=1)
    reason = entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
    assert reason == x509.ReasonFlags.key_compromise


def test_a_node_trusting_this_ca_refuses_a_withdrawn_keys_credential_once_it_sees_the_list(
    person, settings, monkeypatch, tmp_path
):
    nodes = Nodes(PEER).install(monkeypatch)
    credential = peer_credential(person, settings, tmp_path, listed=False)
    token = stored_sd_jwt(credential)
    assert verified_issuer(token) == PEER
    assert f"{PEER}{issuer_certificates.CRL_PATH}" in nodes.calls

    keys.withdraw(credential.kid)

    assert verified_issuer(token) == PEER  # the list it has is kept for a few minutes
    later(monkeypatch, seconds=certificate_revocation.CACHE_SECONDS + 1)
    assert refusal(token) == "withdrawn-key"
    settings.BASE_URL = PEER
    signed_by_the_new_key = stored_sd_jwt(diploma(person, "dossier-2"))
    settings.BASE_URL = BASE_URL
    assert verified_issuer(signed_by_the_new_key) == PEER


def test_without_a_current_list_the_chain_is_refused_not_trusted(
    person, settings, monkeypatch, tmp_path
):
    nodes = Nodes(PEER).install(monkeypatch)
    token = stored_sd_jwt(peer_credential(person, settings, tmp_path, listed=False))
    assert verified_issuer(token) == PEER
    nodes.down.add(PEER)

    later(monkeypatch, seconds=certificate_revocation.CACHE_SECONDS + 1)
    assert verified_issuer(token) == PEER  # the list it has is current until its nextUpdate
    fetches = nodes.calls.count(f"{PEER}{issuer_certificates.CRL_PATH}")
    assert verified_issuer(token) == PEER
    assert nodes.calls.count(f"{PEER}{issuer_certificates.CRL_PATH}") == fetches  # not retried
    later(monkeypatch, days=2)
    assert refusal(token) == "status-unavailable"

    issuer_anchors.forget()
    later(monkeypatch, seconds=0)
    assert refusal(token) == "status-unavailable"  # never had one


def empty_list(real: bytes, key: Any = None, extension: Any = None) -> bytes:
    """An empty list under the name of `real`'s issuer, signed with `key` (the CA's own when
    None), with `extension` (critical) if given."""
    crl = x509.load_der_x509_crl(real)
    now = datetime.now(UTC)
    made = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(crl.issuer)
        .last_update(now)
        .next_update(now + timedelta(days=1))
        .add_extension(x509.CRLNumber(2**80), critical=False)  # outnumbers the real one
    )
    if extension is not None:
        made = made.add_extension(extension, critical=True)
    ca_key = certificates.private_ec_key(signing_key(issuer_certificates.CA_KEY_NAME))
    return made.sign(key or ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def another_version(real: bytes) -> bytes:
    """`real` with a version number no CRL has (cryptography: InvalidVersion)."""
    at = real.index(b"\x02\x01\x01")
    return real[:at] + b"\x02\x01\x05" + real[at + 3 :]


DAMAGED_LISTS = {
    "signed by another key": lambda real: empty_list(real, ec.generate_private_key(ec.SECP256R1())),
    "not DER": lambda _real: b"not a revocation list",
    "another version": another_version,
    "a delta list": lambda real: empty_list(real, extension=x509.DeltaCRLIndicator(1)),
    "only CA certificates": lambda real: empty_list(
        real,
        extension=x509.IssuingDistributionPoint(None, None, False, True, None, False, False),
    ),
    "an unknown critical extension": lambda real: empty_list(
        real, extension=x509.UnrecognizedExtension(x509.ObjectIdentifier("1.2.3.4"), b"\x05\x00")
    ),
}


@pytest.mark.parametrize("damage", DAMAGED_LISTS.values(), ids=DAMAGED_LISTS.keys())
def test_a_list_that_does_not_verify_or_cover_the_certificate_is_not_used(
    person, settings, monkeypatch, tmp_path, damage
):
    nodes = Nodes(PEER).install(monkeypatch)
    credential = peer_credential(person, settings, tmp_path, listed=False)
    keys.withdraw(credential.kid)
    genuine = nodes.fetch_bytes
    monkeypatch.setattr(
        "lifegate.credentials.peer_http.fetch_bytes",
        lambda url, accept: damage(genuine(url, accept)),
    )

    assert refusal(stored_sd_jwt(credential)) == "status-unavailable"


def test_an_older_list_served_again_does_not_undo_a_withdrawal(
    person, settings, monkeypatch, tmp_path
):
    nodes = Nodes(PEER).install(monkeypatch)
    credential = peer_credential(person, settings, tmp_path, listed=False)
    token = stored_sd_jwt(credential)
    before = nodes.fetch_bytes(f"{PEER}{issuer_certificates.CRL_PATH}", "application/pkix-crl")
    keys.withdraw(credential.kid)
    assert refusal(token) == "withdrawn-key"
    monkeypatch.setattr("lifegate.credentials.peer_http.fetch_bytes", lambda url, accept: before)

    later(monkeypatch, seconds=certificate_revocation.CACHE_SECONDS + 1)

    assert refusal(token) == "withdrawn-key"
