"""Issuers trusted through X.509 trust anchors (HAIP 1.0 6.1.1): a credential whose x5c chain
leads to a configured anchor and names its issuer verifies; every other chain is refused with
the reason, and without anchors nothing is trusted this way."""

import base64
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from django.core.checks.registry import registry
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from joserfc.jwk import ECKey

from lifegate.credentials import compact, issuer_anchors, sdjwt, trust
from lifegate.credentials.apps import issuer_trust_anchors_check
from lifegate.credentials.errors import CredentialRejected
from lifegate.credentials.tests.conftest import DIPLOMA_CLAIMS
from lifegate.credentials.tests.pki import (
    FOREIGN,
    NOW,
    Authority,
    authority,
    end_entity,
    x5c,
)

FUZZ = hypothesis_settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def credential(key: ec.EllipticCurvePrivateKey, chain: Any, issuer: str = FOREIGN) -> str:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    payload = {"iss": issuer, "vct": f"{issuer}/diploma", "iat": int(NOW.timestamp()) - 5}
    return sdjwt.issue(
        payload | DIPLOMA_CLAIMS,
        disclosable=list(DIPLOMA_CLAIMS),
        key=ECKey.import_key(pem, {"alg": "ES256"}),
        x5c=chain,
    )


def verify(token: str) -> sdjwt.VerifiedSdJwt:
    return sdjwt.verify(
        token,
        issuer_key=trust.issuer_key,
        certified_key=trust.certified_key,
        require_key_binding=False,
    )


@pytest.fixture
def ca(settings: Any, tmp_path: Path) -> Iterator[Authority]:
    """A CA configured as this verifier's only issuer trust anchor."""
    made = authority()
    settings.LIFEGATE_ISSUER_TRUST_ANCHORS = made.pem_file(tmp_path)
    settings.LIFEGATE_TRUSTED_ISSUERS = []
    issuer_anchors.forget()
    yield made
    issuer_anchors.forget()


def rejection(token: str) -> tuple[str, str]:
    with pytest.raises(CredentialRejected) as rejected:
        verify(token)
    return rejected.value.code, rejected.value.detail


def test_a_chain_to_a_trust_anchor_naming_the_issuer_verifies(ca):
    key, cert = end_entity(ca)

    verified = verify(credential(key, x5c(cert)))

    assert verified.issuer == FOREIGN
    assert verified.claims["title"] == DIPLOMA_CLAIMS["title"]


def test_a_dns_name_names_only_an_issuer_given_as_a_dns_uri(ca):
    key, cert = end_entity(ca, names=[x509.DNSName("ISSUER.example.eu")])

    assert verify(credential(key, x5c(cert), "dns:issuer.example.eu")).issuer == (
        "dns:issuer.example.eu"
    )
    code, why = rejection(credential(key, x5c(cert)))  # https://issuer.example.eu
    assert (code, why) == ("unknown-issuer", "the certificate does not name the issuer")


def test_an_intermediate_ca_in_the_chain_is_followed(ca):
    middle = authority("Test intermediate CA", parent=ca)
    key, cert = end_entity(middle)

    assert verify(credential(key, x5c(cert, middle.cert))).issuer == FOREIGN
    assert rejection(credential(key, x5c(cert)))[0] == "unknown-issuer"  # without it


def test_without_anchors_an_unknown_issuer_is_not_trusted_through_its_certificate(ca, settings):
    key, cert = end_entity(ca)
    settings.LIFEGATE_ISSUER_TRUST_ANCHORS = ""

    assert rejection(credential(key, x5c(cert)))[0] == "unknown-issuer"


@pytest.mark.parametrize(
    ("make", "detail"),
    [
        (lambda ca: end_entity(authority("Other CA")), "does not lead to a trust anchor"),
        (lambda ca: end_entity(ca, ends=NOW - timedelta(hours=1)), "does not lead"),
        (lambda ca: end_entity(ca, self_signed=True), "self-signed"),
        (
            lambda ca: end_entity(ca, names=[x509.UniformResourceIdentifier("https://x.eu")]),
            "does not name the issuer",
        ),
        (lambda ca: end_entity(ca, is_ca=True), "CA certificate"),
        (lambda ca: end_entity(ca, signs=False), "may not sign"),
    ],
    ids=["other-ca", "expired", "self-signed", "other-issuer", "ca-as-signer", "no-signing"],
)
def test_chains_that_do_not_hold_are_refused_with_the_reason(ca, make, detail):
    key, cert = make(ca)

    code, why = rejection(credential(key, x5c(cert)))

    assert code == "unknown-issuer"
    assert detail in why


@pytest.mark.parametrize(
    "chain",
    [
        "not a list",
        [],
        [17],
        ["***not base64***"],
        [base64.b64encode(b"not a certificate").decode()],
        ["MIIB"] * 5,
    ],
    ids=["string", "empty", "number", "not-base64", "not-der", "too-long"],
)
def test_a_malformed_x5c_is_refused_as_malformed(ca, chain):
    key, cert = end_entity(ca)
    token = credential(key, x5c(cert))

    assert rejection(with_x5c(token, chain, key))[0] == "malformed"


def with_x5c(token: str, chain: Any, key: ec.EllipticCurvePrivateKey) -> str:
    """`token` with `chain` as its x5c, signed again by `key` (a signer would refuse it)."""
    jws, _separator, disclosures = token.partition("~")
    header = compact.decode(jws, "test").header | {"x5c": chain}
    signing_input = f"{compact.b64url_encode(compact.json_dumps(header))}.{jws.split('.')[1]}"
    r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    signature = compact.b64url_encode(r.to_bytes(32, "big") + s.to_bytes(32, "big"))
    return f"{signing_input}.{signature}~{disclosures}"


def test_a_certificate_for_another_key_does_not_verify_the_signature(ca):
    _key, cert = end_entity(ca)
    other = ec.generate_private_key(ec.SECP256R1())

    assert rejection(credential(other, x5c(cert)))[0] == "bad-signature"


def test_a_validated_chain_is_remembered_until_a_certificate_ends(ca, monkeypatch):
    _key, cert = end_entity(ca, ends=NOW + timedelta(days=2))
    chain = x5c(cert)
    validations: list[tuple[Any, ...]] = []
    validate = issuer_anchors._validate

    def counted(*arguments: Any) -> Any:
        validations.append(arguments)
        return validate(*arguments)

    monkeypatch.setattr(issuer_anchors, "_validate", counted)

    first = issuer_anchors.certified_key(FOREIGN, chain)
    again = issuer_anchors.certified_key(FOREIGN, chain, now=NOW + timedelta(days=1))
    with pytest.raises(CredentialRejected):
        issuer_anchors.certified_key(FOREIGN, chain, now=NOW + timedelta(days=3))

    assert first is again is not None
    assert len(validations) == 2  # the first and the one past the end


def test_a_changed_anchors_file_counts_at_once(ca, settings, tmp_path):
    key, cert = end_entity(ca)
    token = credential(key, x5c(cert))
    assert verify(token).issuer == FOREIGN
    other = tmp_path / "other"
    other.mkdir()
    # Same file name, an anchor removed (and, as a copy keeping times might, same mtime).
    Path(settings.LIFEGATE_ISSUER_TRUST_ANCHORS).write_bytes(
        authority("Other CA").cert.public_bytes(serialization.Encoding.PEM)
    )

    assert rejection(token)[0] == "unknown-issuer"


def test_a_certificate_for_a_key_that_is_not_p256_is_refused(ca):
    _key, cert = end_entity(ca, curve=ec.SECP384R1())
    p256 = ec.generate_private_key(ec.SECP256R1())

    assert rejection(credential(p256, x5c(cert)))[0] == "unsupported-algorithm"


def test_an_unreadable_issuer_url_or_certificate_is_refused_not_an_error(ca):
    key, cert = end_entity(ca)
    version_five = bytearray(cert.public_bytes(serialization.Encoding.DER))
    version_five[version_five.index(bytes([0xA0, 0x03, 0x02, 0x01, 0x02])) + 4] = 4

    bad_name = bytearray(cert.public_bytes(serialization.Encoding.DER))
    bad_name[bad_name.rindex(b"Test issuer")] = 0xFF  # the subject: not UTF-8 any more
    token = credential(key, x5c(cert))

    assert rejection(credential(key, x5c(cert), "https://[x"))[0] == "unknown-issuer"
    assert rejection(with_x5c(token, [_b64(version_five)], key))[0] == "malformed"
    assert rejection(with_x5c(token, [_b64(bad_name)], key)) == (
        "unknown-issuer",
        "a certificate in x5c cannot be read",
    )


def _b64(data: bytes | bytearray) -> str:
    return base64.b64encode(bytes(data)).decode()


@given(
    damage=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=4),
    cut=st.integers(0, 10_000),
    issuer=st.one_of(st.just(FOREIGN), st.text(max_size=30)),
)
@FUZZ
def test_damaged_chains_and_issuers_give_a_refusal_or_a_key_never_an_error(
    fuzz_ca, damage, cut, issuer
):
    der = bytearray(fuzz_ca[1].public_bytes(serialization.Encoding.DER))
    for position, value in damage:
        der[position % len(der)] = value
    chain = [_b64(der[: max(cut, 1)] if cut < len(der) else der)]

    try:
        found = issuer_anchors.certified_key(issuer, chain)
    except CredentialRejected as rejected:
        assert rejected.code in {"malformed", "unknown-issuer", "unsupported-algorithm"}
    else:
        assert found is not None


@pytest.fixture(scope="module")
def fuzz_ca(tmp_path_factory: Any) -> Iterator[tuple[Authority, x509.Certificate]]:
    """A CA configured as anchor for the whole fuzz test, and an end entity it certified."""
    from django.conf import settings as django_settings

    made = authority()
    folder = tmp_path_factory.mktemp("anchors")
    before = django_settings.LIFEGATE_ISSUER_TRUST_ANCHORS
    django_settings.LIFEGATE_ISSUER_TRUST_ANCHORS = made.pem_file(folder)
    issuer_anchors.forget()
    yield made, end_entity(made)[1]
    django_settings.LIFEGATE_ISSUER_TRUST_ANCHORS = before
    issuer_anchors.forget()


def test_an_unreadable_anchors_file_trusts_no_one_and_says_so(ca, settings, tmp_path, caplog):
    key, cert = end_entity(ca)
    settings.LIFEGATE_ISSUER_TRUST_ANCHORS = str(tmp_path / "missing.pem")

    assert rejection(credential(key, x5c(cert)))[0] == "unknown-issuer"
    assert "trust anchors unusable: " + str(tmp_path) in caplog.text


def test_the_system_check_reports_an_unusable_anchors_file(settings, tmp_path):
    def check() -> list[str | None]:
        return [message.id for message in issuer_trust_anchors_check()]

    settings.LIFEGATE_ISSUER_TRUST_ANCHORS = str(tmp_path / "missing.pem")
    missing = check()
    (tmp_path / "empty.pem").write_text("no certificates here\n")
    settings.LIFEGATE_ISSUER_TRUST_ANCHORS = str(tmp_path / "empty.pem")
    empty = check()
    settings.LIFEGATE_ISSUER_TRUST_ANCHORS = authority().pem_file(tmp_path)

    assert missing == empty == ["credentials.E001"]
    assert check() == []
    assert issuer_trust_anchors_check in registry.get_checks()
