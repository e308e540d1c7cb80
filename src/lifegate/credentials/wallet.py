"""The portal wallet presenting a person's credential: the wallet side of OpenID4VP 1.0.

The person arrives with a request_uri (and the client_id it should carry). The wallet
accepts requests only from this node and from the lifegate nodes it trusts
(settings.LIFEGATE_TRUSTED_VERIFIERS, by default LIFEGATE_TRUSTED_ISSUERS): a portal that
fetched any URL it is handed could be made to probe other hosts. It reads the request object
(this node's directly, another node's over HTTP), checks it as an `x509_hash` client's
request must be checked (signed with the key of the certificate in `x5c`, whose hash is the
client_id; the certificate's own signature and dates), and that it answers to the same node
it came from (response_uri). It answers only in response mode `direct_post.jwt` (HAIP 1.0),
to the verifier's P-256 key for ECDH-ES in `client_metadata.jwks`, with A128GCM unless the
verifier takes only A256GCM. It then shows exactly which claims are asked, and only the
person's click on "Share" builds the presentation (`sdjwt.select` for just those claims,
`sdjwt.bind` with the stored holder key, for this client_id and nonce) and posts it,
encrypted (`response_encryption.encrypt`), as the form field `response`; a refusal to share
goes the same way. A presentation is recorded in the person's processing log."""

import base64
import binascii
import contextlib
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from joserfc.jwk import ECKey

from lifegate.catalogue.models import CredentialType
from lifegate.core.origins import origin_of
from lifegate.core.subject import Subject
from lifegate.credentials import (
    compact,
    dcql,
    issuing,
    peer_http,
    response_encryption,
    sdjwt,
    verifying,
)
from lifegate.credentials.errors import CredentialRejected
from lifegate.credentials.models import IssuedCredential
from lifegate.credentials.verifier_identity import REQUEST_OBJECT_TYPE, client_id_for
from lifegate.transparency.services import Actor, record_processing, subject_hash

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

REQUEST_OBJECT_ACCEPT = f"application/{REQUEST_OBJECT_TYPE}"
MAX_CERTIFICATES = 5
TYPE_PATH = "/credentials/types/"

WALLET_REASONS: "dict[str, _StrPromise]" = {
    "untrusted-verifier": _(
        "This request does not come from a verifier this portal knows. Nothing was shared."
    ),
    "request-unavailable": _(
        "The request could not be fetched from the verifier. Please try again later."
    ),
    "invalid-request": _("The request is damaged or not signed correctly. Nothing was shared."),
    "request-closed": _(
        "This request has expired or was already answered. Ask the verifier for a new one."
    ),
    "unsupported-request": _("The portal cannot answer this kind of request."),
    "not-available": _("This credential cannot be used to answer this request."),
    "send-failed": _("Your answer could not be delivered to the verifier. Please try again."),
    "refused-by-verifier": _(
        "The verifier did not accept the answer, for example because the request had just expired."
    ),
}


class WalletRefusal(Exception):
    """The wallet cannot go on with this request; `code` is one of WALLET_REASONS."""

    def __init__(self, code: str, detail: str = "") -> None:
        self.code = code
        super().__init__(f"{code}: {detail or code}")

    @property
    def reason(self) -> "_StrPromise":
        """Readable text for the person (lazily translated)."""
        return WALLET_REASONS[self.code]


@dataclass(frozen=True)
class WalletRequest:
    """A verified request: who asks (as the verifier names itself), what, and where the
    answer goes, encrypted to which key with which content encryption."""

    request_uri: str
    client_id: str
    verifier_name: str
    response_uri: str
    nonce: str
    state: str
    query: dcql.CredentialQuery
    response_key: ECKey
    response_enc: str


def trusted_verifier_origins() -> set[str]:
    """The origins whose requests the portal wallet reads: this node and trusted nodes."""
    nodes = settings.LIFEGATE_TRUSTED_VERIFIERS or settings.LIFEGATE_TRUSTED_ISSUERS
    return {origin for url in [settings.BASE_URL, *nodes] if (origin := origin_of(str(url)))}


def load_request(request_uri: str, client_id: str | None = None) -> WalletRequest:
    """Fetch and check the request at `request_uri` (whose client_id, when the link gave one,
    must be `client_id`). Raises WalletRefusal."""
    origin = origin_of(request_uri)
    if origin is None or origin not in trusted_verifier_origins():
        raise WalletRefusal("untrusted-verifier")
    return parse_request_object(_fetch_request_object(request_uri), request_uri, client_id)


def _fetch_request_object(request_uri: str) -> str:
    own = settings.BASE_URL + verifying.REQUEST_PATH
    if request_uri.startswith(own):
        found = verifying.by_handle(request_uri.removeprefix(own))
        token = verifying.request_object(found) if found is not None else None
        if token is None:
            raise WalletRefusal("request-closed")
        return token
    try:
        return peer_http.fetch(request_uri, REQUEST_OBJECT_ACCEPT).strip()
    except peer_http.PeerUnreachable:
        raise WalletRefusal("request-unavailable") from None


def parse_request_object(token: str, request_uri: str, client_id: str | None) -> WalletRequest:
    """Check a request object (JAR) fetched from `request_uri`; raises WalletRefusal."""
    try:
        jws = compact.decode(token, "request object")
    except CredentialRejected:
        raise WalletRefusal("invalid-request", "not an ES256 JWS") from None
    if compact.media_type(jws.header) != REQUEST_OBJECT_TYPE:
        raise WalletRefusal("invalid-request", "not a request object (typ)")
    leaf_der, leaf_key = _checked_chain(jws.header.get("x5c"))
    if not compact.signature_valid(jws, ECKey.import_key(leaf_key)):
        raise WalletRefusal("invalid-request", "the signature does not verify")
    claims = jws.payload
    if claims.get("client_id") != client_id_for(leaf_der):
        raise WalletRefusal("invalid-request", "client_id is not the certificate's hash")
    if client_id is not None and claims["client_id"] != client_id:
        raise WalletRefusal("invalid-request", "client_id differs from the link's")
    return _wallet_request(claims, request_uri)


def _checked_chain(x5c: Any) -> tuple[bytes, ec.EllipticCurvePublicKey]:
    """The leaf certificate (DER) and its P-256 key, of a chain whose every signature and
    date holds."""
    if not isinstance(x5c, list) or not 0 < len(x5c) <= MAX_CERTIFICATES:
        raise WalletRefusal("invalid-request", "no certificate chain")
    try:
        ders = [base64.b64decode(item, validate=True) for item in x5c]
        chain = [x509.load_der_x509_certificate(der) for der in ders]
    except (TypeError, ValueError, binascii.Error):
        raise WalletRefusal("invalid-request", "x5c is not a certificate chain") from None
    now = datetime.now(UTC)
    issuers = [*chain[1:], chain[-1]]  # the last one is self-signed, or trusted by origin
    for cert, issuer in zip(chain, issuers, strict=True):
        if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
            raise WalletRefusal("invalid-request", "a certificate is not valid now")
        if cert is issuer and cert.issuer != cert.subject:
            break  # the chain ends at an issuer the wallet does not hold: origin trust
        try:
            cert.verify_directly_issued_by(issuer)
        except (ValueError, TypeError, InvalidSignature):
            raise WalletRefusal("invalid-request", "a certificate signature fails") from None
    public = chain[0].public_key()
    if not isinstance(public, ec.EllipticCurvePublicKey) or public.curve.name != "secp256r1":
        raise WalletRefusal("invalid-request", "the certificate key is not P-256")
    return ders[0], public


def _wallet_request(claims: Mapping[str, Any], request_uri: str) -> WalletRequest:
    expires = claims.get("exp")
    if isinstance(expires, int | float) and expires < time.time():
        raise WalletRefusal("request-closed")
    if (
        claims.get("response_type") != "vp_token"
        or claims.get("response_mode") != verifying.RESPONSE_MODE
    ):
        raise WalletRefusal("unsupported-request", "only vp_token with direct_post.jwt")
    response_uri, nonce, state = (claims.get(n) for n in ("response_uri", "nonce", "state"))
    if not all(isinstance(value, str) and value for value in (response_uri, nonce, state)):
        raise WalletRefusal("invalid-request", "response_uri, nonce or state missing")
    if origin_of(str(response_uri)) != origin_of(request_uri):
        # The answer goes back to the node the request came from, nowhere else.
        raise WalletRefusal("invalid-request", "response_uri is on another origin")
    try:
        query = dcql.parse_query(claims.get("dcql_query"))
    except dcql.UnsupportedQuery:
        raise WalletRefusal("unsupported-request", "the DCQL query") from None
    metadata = claims.get("client_metadata")
    if not isinstance(metadata, dict):
        raise WalletRefusal("invalid-request", "client_metadata missing")
    name = metadata.get("client_name")
    return WalletRequest(
        request_uri=request_uri,
        client_id=str(claims["client_id"]),
        verifier_name=name[:200] if isinstance(name, str) else "",
        response_uri=str(response_uri),
        nonce=str(nonce),
        state=str(state),
        query=query,
        response_key=_response_key(metadata.get("jwks")),
        response_enc=_response_enc(metadata.get("encrypted_response_enc_values_supported")),
    )


def _response_key(jwks: Any) -> ECKey:
    """The verifier's key to encrypt the answer to: a P-256 key for ECDH-ES, use enc."""
    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    if not isinstance(keys, list) or not keys:
        raise WalletRefusal("invalid-request", "no jwks to encrypt the response to")
    usable = [
        jwk
        for jwk in keys
        if isinstance(jwk, dict)
        and (jwk.get("kty"), jwk.get("crv")) == ("EC", response_encryption.CURVE)
        and jwk.get("alg") == response_encryption.ALGORITHM
        and jwk.get("use") == "enc"
    ]
    if not usable:
        raise WalletRefusal("unsupported-request", "no P-256 ECDH-ES encryption key")
    public = {name: usable[0][name] for name in ("kty", "crv", "x", "y") if name in usable[0]}
    kid = usable[0].get("kid")
    try:
        return ECKey.import_key(public, {"use": "enc", **({"kid": kid} if kid else {})})
    except (ValueError, TypeError, KeyError):
        raise WalletRefusal("invalid-request", "the encryption key is damaged") from None


def _response_enc(supported: Any) -> str:
    """A128GCM (the default) unless the verifier takes only A256GCM."""
    if supported is None:
        return response_encryption.DEFAULT_ENC
    offered = supported if isinstance(supported, list) else []
    for enc in response_encryption.ENC_VALUES:
        if enc in offered:
            return enc
    raise WalletRefusal("unsupported-request", "no content encryption the wallet uses")


def credential_type_of(query: dcql.CredentialQuery) -> CredentialType | None:
    """The catalogue type the query asks for: lifegate nodes name a type by the same path
    (`<issuer>/credentials/types/<slug>`), so this node's catalogue has its labels."""
    slugs = [vct.rpartition(TYPE_PATH)[2] for vct in query.vct_values if TYPE_PATH in vct]
    return CredentialType.objects.filter(slug__in=slugs).order_by("slug").first()


def matching_credentials(subject: Subject, request: WalletRequest) -> list[IssuedCredential]:
    """The person's portal-wallet credentials of an accepted type that hold every claim
    asked for."""
    return [
        credential
        for credential in issuing.credentials_of(subject)
        if _answers(credential, request.query)
    ]


def _answers(credential: IssuedCredential, query: dcql.CredentialQuery) -> bool:
    kind = credential.credential_type
    return (
        kind.vct in query.vct_values
        and bool(credential.holder_key_sealed)
        and set(query.claims) <= set(kind.claim_keys)
    )


def shared_rows(credential: IssuedCredential, query: dcql.CredentialQuery) -> list[tuple[str, Any]]:
    """(label, value) of exactly the claims that "Share" would send, in the active language."""
    claims = issuing.subject_claims(credential)
    kind = credential.credential_type
    return [(kind.claim_label(name), claims[name]) for name in query.claims if name in claims]


def choices(
    subject: Subject, request: WalletRequest, *, actor: Actor
) -> list[tuple[IssuedCredential, list[tuple[str, Any]]]]:
    """The person's credentials that can answer `request`, each with the rows "Share" would
    send. Showing them reads the claims: recorded per credential, shared or not."""
    offered = []
    for credential in matching_credentials(subject, request):
        rows = shared_rows(credential, request.query)
        record_processing(
            name=f"credentials.present-preview.{credential.credential_type.slug}"[:120],
            subject=subject,
            activity=issuing.ACTIVITY,
            actor=actor,
            data_categories=list(request.query.claims),
        )
        offered.append((credential, rows))
    return offered


def own_credential(subject: Subject, credential_id: UUID | str) -> IssuedCredential:
    """One of the person's portal-wallet credentials; WalletRefusal (not-available) else."""
    found = (
        IssuedCredential.objects.select_related("credential_type")
        .filter(pk=credential_id, subject_hash=subject_hash(subject), copy_of__isnull=True)
        .first()
    )
    if found is None:
        raise WalletRefusal("not-available")
    return found


def share(
    subject: Subject, request: WalletRequest, credential: IssuedCredential, *, actor: Actor
) -> None:
    """Present the claims asked for of `credential` (the person's, checked) to the
    verifier, and record it. Raises WalletRefusal when it cannot be delivered."""
    key = issuing.holder_key(credential)
    if key is None or not _answers(credential, request.query):
        raise WalletRefusal("not-available")
    selected = sdjwt.select(issuing.stored_sd_jwt(credential), request.query.claims)
    presentation = sdjwt.bind(
        selected,
        holder_key=key,
        audience=request.client_id,
        nonce=request.nonce,
        issued_at=int(time.time()),
    )
    answer = {"vp_token": {request.query.id: [presentation]}, "state": request.state}
    try:
        _send(request, answer)
    except WalletRefusal:
        # It may have arrived (or been read before it was refused): recorded all the same.
        _record(subject, credential, request, actor, ok=False)
        raise
    _record(subject, credential, request, actor, ok=True)


def decline(request: WalletRequest) -> None:
    """Tell the verifier the person does not share (OpenID4VP error access_denied), so its
    page stops waiting. Best effort: nothing depends on its arrival."""
    with contextlib.suppress(WalletRefusal):
        _send(request, {"error": "access_denied", "state": request.state})


def _send(request: WalletRequest, answer: dict[str, Any]) -> None:
    """Post `answer`, encrypted to the verifier's key, as direct_post.jwt's `response`."""
    response = response_encryption.encrypt(answer, request.response_key, request.response_enc)
    form = {"response": response}
    response_uri = request.response_uri
    own = settings.BASE_URL + verifying.RESPONSE_PATH
    if response_uri.startswith(own):
        try:
            verifying.receive_response(response_uri.removeprefix(own), form)
        except verifying.ResponseRefused:
            raise WalletRefusal("refused-by-verifier") from None
        return
    try:
        status, _answer = peer_http.post_form(response_uri, form)
    except peer_http.PeerUnreachable:
        raise WalletRefusal("send-failed") from None
    if status != 200:
        raise WalletRefusal("refused-by-verifier", f"status {status}")


def _record(
    subject: Subject,
    credential: IssuedCredential,
    request: WalletRequest,
    actor: Actor,
    *,
    ok: bool,
) -> None:
    with transaction.atomic():
        record_processing(
            name=f"credentials.present.{credential.credential_type.slug}"[:120],
            subject=subject,
            activity=verifying.ACTIVITY,
            actor=actor,
            data_categories=request.query.claims,
            status="OK" if ok else "ERROR",
        )
