"""X.509 certificates for the issuer's keys, as HAIP 1.0 asks: every credential and status
list token carries the certificate of the key that signed it in its `x5c` header, so that a
wallet or verifier that trusts issuers through X.509 (the EU trust lists) can check it
without lifegate's issuer metadata.

The node has its own issuing CA (`certificates.NodeCa`: a key `credentials-issuer-ca`, on
disk like every key, and a self-signed CA certificate). It certifies each issuer key of the
ring (`keys`) with an end-entity certificate that names the node's base URL (the
credentials' `iss`) as a URI in its subject alternative names, as SD-JWT VC asks. `x5c`
holds that certificate only: the CA certificate is the trust anchor, which a verifier gets
from configuration, never from the token. The CA certificate is published (`ca_pem`, at
/credentials/issuer-ca.pem) for the operators of other nodes to add to their trust anchors.
A deployment inside a national PKI puts a CA certificate for the same key issued by that PKI
in the CA certificate's file instead: `x5c` then carries it after the end-entity
certificate, and the PKI's root is the anchor.

Certificates are PEM files beside the keys (`certificates.stored_certificate`) and are made
again when they no longer fit: another key, another base URL, another CA, or close to
their end. A credential keeps the certificate it was signed with; a verifier that checks
`x5c` accepts it while that certificate is valid (END_ENTITY_LIFETIME), and lifegate's own
verifiers fall back to the issuer's published keys (`trust`), which verify it until it
expires.

Each end-entity certificate names the CA's revocation list (CRL_PATH, `revocation_list`),
which lists every certificate the CA made for a withdrawn key (`keys.withdraw`; the CA
records the serial numbers it gives, `certificates.NodeCa.serials_issued`): a verifier that
trusts this node through its CA refuses the key too (`certificate_revocation`)."""

import threading
import time
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from joserfc.jwk import ECKey

from lifegate.core.keys import signing_key
from lifegate.credentials import certificates, keys

CRL_PATH = "/credentials/issuer-ca.crl"
CA = certificates.NodeCa("credentials-issuer-ca", "lifegate credential issuer CA", CRL_PATH)
CA_KEY_NAME = CA.key_name
CA_CERTIFICATE_FILE = CA.certificate_file
END_ENTITY_LIFETIME = timedelta(days=3 * 365)
PEM_MEDIA_TYPE = "application/pem-certificate-chain"
# The revocation list is signed again at least this often, so that its nextUpdate stays
# well ahead of any verifier's clock.
CRL_RESIGN_AFTER = timedelta(hours=1)

_crl_lock = threading.Lock()
# (what the list says, the CA certificate) -> (when it was signed, the list in DER)
_crl: dict[tuple[frozenset[tuple[int, datetime]], bytes], tuple[datetime, bytes]] = {}


def ca_certificate() -> x509.Certificate:
    """The node's issuing CA certificate (`certificates.NodeCa.certificate`)."""
    return CA.certificate()


def ca_pem() -> str:
    """The CA certificate in PEM: what other nodes add to their trust anchors."""
    return CA.pem()


def issuer_x5c(ring_key: keys.RingKey) -> list[str]:
    """The `x5c` header for what `ring_key` signs: its end-entity certificate, which names
    the base URL (the credentials' `iss`) and the host."""
    cert = CA.end_entity(
        f"{ring_key.name}.cert.pem",
        signing_key(ring_key.name),
        "lifegate credential issuer",
        [x509.UniformResourceIdentifier(settings.BASE_URL), certificates.host_name()],
        END_ENTITY_LIFETIME,
    )
    return CA.x5c(cert)


def current_signer() -> tuple[ECKey, list[str]]:
    """The issuer key that signs now, with its `x5c` header."""
    current = keys.ring().current
    return signing_key(current.name), issuer_x5c(current)


def revocation_list() -> bytes:
    """The issuing CA's revocation list (DER) at `CRL_PATH`: the certificates of the
    withdrawn issuer keys (every one the CA made for such a key), so that a verifier that
    trusts this node through its CA, not its published keys, refuses them too. Signed again
    when what it lists changes and at least every CRL_RESIGN_AFTER."""
    revoked = frozenset(
        (serial, ring_key.withdrawn_at)
        for ring_key in keys.ring().keys
        if ring_key.withdrawn_at is not None
        for serial in CA.serials_issued(f"{ring_key.name}.cert.pem")
    )
    ca = certificates.der(ca_certificate())
    now = datetime.now(UTC)
    with _crl_lock:
        found = _crl.get((revoked, ca))
        if found is not None and now - found[0] < CRL_RESIGN_AFTER:
            return found[1]
        # The CRL number grows with what the list holds first, then with time: a list made
        # after a withdrawal outnumbers one from before it, whichever process made either.
        crl = CA.revocation_list(revoked, number=(len(revoked) << 64) + time.time_ns())
        made = crl.public_bytes(serialization.Encoding.DER)
        _crl.clear()
        _crl[(revoked, ca)] = (now, made)
        return made
