"""Verifying presentations: the verifier side of OpenID4VP 1.0 (DCQL query, response mode
`direct_post.jwt`), under the HAIP 1.0 choices that apply to it.

A verifier (the public page or the API) asks for some claims of one credential type:
`create_request` stores a `PresentationRequest` with its DCQL query, nonce, state and its
own ephemeral P-256 key for encrypted responses (sealed). The wallet gets
`openid4vp://?client_id=...&request_uri=...`, fetches the signed request object
(`request_object`: JAR, typ `oauth-authz-req+jwt`, ES256, client identifier prefix
`x509_hash`, certificate in `x5c`: see `credentials.verifier_identity`; the public key in
`client_metadata.jwks`) and posts its answer to the response_uri (`receive_response`), once,
within REQUEST_LIFETIME: the form field `response`, a compact JWE (ECDH-ES, A128GCM or
A256GCM: `credentials.response_encryption`) of `vp_token` (a JSON object keyed by the
credential query id, holding one SD-JWT+KB) and `state`. A plaintext answer is refused, and
so is anything the request's key does not open; the request then still waits. The key is
dropped once the request is answered or expires.

`verify_response` checks the presentation (`credentials.presentation_checks`).

Processing log: when the presented credential is one this node issued (found by its digest:
no identifier is read from the claims), the verification is recorded in that person's
processing log, valid or not. A peer's credential is not recorded here: this node does not
know the person, and keying a record to the holder key's thumbprint would make an identifier
that links the person across verifiers, kept for nothing; the person's own node records the
presentation when its portal wallet makes it.

The result, with the disclosed claims sealed, is kept for the verifier to read until
LIFEGATE_PRESENTATION_RETENTION_MINUTES after the request's window closed (`purge_stale`)."""

import hmac
import json
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lifegate.catalogue.models import CredentialType
from lifegate.core import json_input
from lifegate.core.sealing import seal, unseal
from lifegate.core.subject import Subject
from lifegate.credentials import (
    dcql,
    response_encryption,
    sdjwt,
    trust,
    verifier_identity,
)
from lifegate.credentials.models import PresentationRequest
from lifegate.credentials.presentation_checks import (
    VerificationResult,
    check_presentation,
)
from lifegate.transparency.services import Actor, record_processing

if TYPE_CHECKING:
    pass

ACTIVITY = "credential-presentation"
REQUEST_LIFETIME = timedelta(minutes=10)
RESULT_PURPOSE = "credentials-presentation-result"
REQUEST_PATH = "/credentials/oid4vp/requests/"
RESPONSE_PATH = "/credentials/oid4vp/responses/"
# OpenID4VP 1.0 section 5.8: the aud of a request object fetched without wallet metadata.
STATIC_AUDIENCE = "https://self-issued.me/v2"
VP_FORMATS = {"dc+sd-jwt": {"sd-jwt_alg_values": ["ES256"], "kb-jwt_alg_values": ["ES256"]}}
RESPONSE_MODE = "direct_post.jwt"
MAX_VP_TOKEN_CHARS = 2 * sdjwt.MAX_TOKEN_BYTES
MAX_VERIFIER_NAME = 200
Status = PresentationRequest.Status


class InvalidRequest(ValueError):
    """A request a verifier cannot make: `code` unknown-credential-type, unknown-claims,
    no-claims or invalid-verifier-name; `detail` says why in the active language, naming no
    value."""

    def __init__(self, code: str, detail: str) -> None:
        self.code = code
        self.detail = detail
        super().__init__(f"{code}: {detail}")


class ResponseRefused(Exception):
    """An answer at the response_uri that is not a usable response to a pending request
    (OpenID4VP error `invalid_request`); `description` is English, without values."""

    def __init__(self, description: str) -> None:
        self.description = description
        super().__init__(description)


# Requests -------------------------------------------------------------------------------


def create_request(
    claims_wanted: Sequence[str], *, verifier_name: str, credential_type: CredentialType | str
) -> PresentationRequest:
    """A new request for `claims_wanted` of a credential of `credential_type` (a catalogue
    type or its slug), from any trusted issuer. Raises InvalidRequest."""
    kind = _credential_type(credential_type)
    claims = _claims(kind, claims_wanted)
    name = " ".join(str(verifier_name).split())
    if not 0 < len(name) <= MAX_VERIFIER_NAME:
        raise InvalidRequest(
            "invalid-verifier-name",
            _("The verifier's name is empty or longer than %(max)d characters.")
            % {"max": MAX_VERIFIER_NAME},
        )
    # Every lifegate node names a type by the same path: accept it from each trusted issuer.
    vct_values = [f"{issuer}/credentials/types/{kind.slug}" for issuer in trust.trusted_issuers()]
    purge_stale()
    now = timezone.now()
    request = PresentationRequest(
        verifier_name=name,
        credential_type=kind,
        dcql_query=dcql.build_query(kind.slug, vct_values, claims),
        client_id=verifier_identity.client_id(),
        created_at=now,
        expires_at=now + REQUEST_LIFETIME,
        response_key_sealed=response_encryption.new_sealed_key(),
    )
    request.response_uri = settings.BASE_URL + RESPONSE_PATH + request.handle
    request.save()
    return request


def _credential_type(value: CredentialType | str) -> CredentialType:
    if isinstance(value, CredentialType):
        return value
    found = CredentialType.objects.filter(slug=str(value)).first()
    if found is None:
        raise InvalidRequest(
            "unknown-credential-type", _("There is no credential type of this name.")
        )
    return found


def _claims(kind: CredentialType, wanted: Sequence[str]) -> list[str]:
    asked = set(wanted)
    if not asked:
        raise InvalidRequest("no-claims", _("Ask for at least one claim."))
    unknown = asked - set(kind.claim_keys)
    if unknown:
        raise InvalidRequest(
            "unknown-claims", _("Not every claim asked for is a claim of this credential type.")
        )
    return [key for key in kind.claim_keys if key in asked]


def request_uri(request: PresentationRequest) -> str:
    """Where the wallet fetches the signed request object."""
    return settings.BASE_URL + REQUEST_PATH + request.handle


def authorization_url(request: PresentationRequest) -> str:
    """The `openid4vp://` URL for an external wallet (QR code or link)."""
    query = urlencode({"client_id": request.client_id, "request_uri": request_uri(request)})
    return f"openid4vp://?{query}"


def wallet_url(request: PresentationRequest) -> str:
    """The same request, opened in this node's portal wallet."""
    query = urlencode({"client_id": request.client_id, "request_uri": request_uri(request)})
    return f"{settings.BASE_URL}{reverse('credentials:present')}?{query}"


def by_handle(handle: str) -> PresentationRequest | None:
    """The request the wallet's URLs name, or None."""
    return (
        PresentationRequest.objects.select_related("credential_type").filter(handle=handle).first()
    )


def current(request: PresentationRequest) -> PresentationRequest:
    """`request`, marked expired (and saved, its response key dropped) when its window has
    closed unanswered."""
    if request.status == Status.PENDING and request.expires_at <= timezone.now():
        PresentationRequest.objects.filter(pk=request.pk, status=Status.PENDING).update(
            status=Status.EXPIRED, response_key_sealed=""
        )
        request.status = Status.EXPIRED
        request.response_key_sealed = ""
    return request


def request_object(request: PresentationRequest) -> str | None:
    """The signed request object (JAR) of a pending request, with the public key to encrypt
    the answer to; None once it is closed (or when the verifier's certificate was renewed
    after it was made)."""
    request = current(request)
    client_id = verifier_identity.client_id()
    if (
        request.status != Status.PENDING
        or client_id != request.client_id
        or not request.response_key_sealed
    ):
        return None
    claims = {
        "iss": client_id,
        "aud": STATIC_AUDIENCE,
        "iat": int(timezone.now().timestamp()),
        "exp": int(request.expires_at.timestamp()),
        "response_type": "vp_token",
        "response_mode": RESPONSE_MODE,
        "client_id": client_id,
        "response_uri": request.response_uri,
        "nonce": request.nonce,
        "state": request.state,
        "dcql_query": request.dcql_query,
        "client_metadata": {
            "client_name": request.verifier_name,
            "vp_formats_supported": VP_FORMATS,
            "jwks": {"keys": [response_encryption.public_jwk(request.response_key_sealed)]},
            "encrypted_response_enc_values_supported": list(response_encryption.ENC_VALUES),
        },
    }
    return verifier_identity.sign_request_object(claims)


def result_of(request: PresentationRequest) -> VerificationResult | None:
    """The outcome of an answered request (None while it waits or once it expired)."""
    if not request.result_sealed:
        return None
    return VerificationResult.from_dict(json.loads(unseal(RESULT_PURPOSE, request.result_sealed)))


def _retention_cutoff() -> datetime:
    """Requests whose window closed before this moment are past the retention period."""
    minutes = int(settings.LIFEGATE_PRESENTATION_RETENTION_MINUTES)
    return timezone.now() - timedelta(minutes=minutes)


def retained(queryset: QuerySet[PresentationRequest]) -> QuerySet[PresentationRequest]:
    """`queryset` without the requests past the retention period: their results are gone
    for the verifier at once, whenever the purge happens to run."""
    return queryset.filter(expires_at__gte=_retention_cutoff())


def purge_stale() -> int:
    """Delete the requests (with their results) past the retention period, and drop the
    response keys of those whose window closed; returns how many were deleted."""
    PresentationRequest.objects.filter(
        status=Status.PENDING, expires_at__lte=timezone.now()
    ).update(status=Status.EXPIRED, response_key_sealed="")
    stale = PresentationRequest.objects.filter(expires_at__lt=_retention_cutoff())
    deleted, _by_model = stale.delete()
    return deleted


# Responses ------------------------------------------------------------------------------


def receive_response(handle: str, form: Mapping[str, str]) -> dict[str, Any]:
    """Handle a wallet's answer at the response_uri (direct_post.jwt): the form field
    `response`, a JWE of `vp_token` and `state`, or of an `error` (the person declined).
    A wallet that cannot encrypt may send its error in the clear (`error` and `state`, no
    `vp_token`; OpenID4VP 1.0 section 8.3.1): it ends the request as declined. Stores and
    records the outcome; returns the JSON body to answer with. Raises ResponseRefused for
    anything that answers no pending request, a plaintext `vp_token` and anything the
    request's key does not open (the request then still waits)."""
    request = by_handle(handle)
    if request is None:
        raise ResponseRefused("no such request")
    plain_error = "response" not in form and "error" in form and "vp_token" not in form
    if "response" not in form and "vp_token" in form:
        raise ResponseRefused("this request takes only an encrypted response (direct_post.jwt)")
    if current(request).status != Status.PENDING or not request.response_key_sealed:
        raise ResponseRefused("the request is no longer open")
    if plain_error:
        answer: dict[str, Any] = {"state": form.get("state", ""), "error": form["error"]}
    else:
        try:
            answer = response_encryption.decrypt(
                str(form.get("response", "")), request.response_key_sealed
            )
        except response_encryption.UndecryptableResponse as undecryptable:
            raise ResponseRefused(undecryptable.description) from None
    if not hmac.compare_digest(str(answer.get("state", "")), request.state):
        raise ResponseRefused("state does not match the request")
    subject = None
    if answer.get("error"):
        result = VerificationResult(valid=False, code="declined")
    else:
        result, subject = check_presentation(request, _decrypted_vp_token(answer.get("vp_token")))
    _store(request, result, subject)
    return {}


def _decrypted_vp_token(value: Any) -> dict[str, Any]:
    """The vp_token of a decrypted response: a JSON object (OpenID4VP 1.0 section 8.3)."""
    if not isinstance(value, dict) or len(json.dumps(value)) > MAX_VP_TOKEN_CHARS:
        raise ResponseRefused("vp_token is missing, not a JSON object or too large")
    return value


def _vp_token(text: str | None) -> dict[str, Any]:
    if not text or len(text) > MAX_VP_TOKEN_CHARS:
        raise ResponseRefused("vp_token is missing or too large")
    try:
        parsed = json_input.loads(text)
    except ValueError:
        raise ResponseRefused("vp_token is not JSON") from None
    if not isinstance(parsed, dict):
        raise ResponseRefused("vp_token is not a JSON object keyed by credential query id")
    return parsed


def _store(
    request: PresentationRequest, result: VerificationResult, subject: Subject | None
) -> None:
    with transaction.atomic():
        locked = PresentationRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != Status.PENDING:
            raise ResponseRefused("the request is no longer open")
        locked.status = Status.ANSWERED
        locked.answered_at = timezone.now()
        locked.valid = result.valid
        locked.reason_code = "" if result.valid else result.code
        locked.result_sealed = seal(RESULT_PURPOSE, json.dumps(result.as_dict()))
        locked.response_key_sealed = ""  # answered: nothing more to decrypt
        locked.save()
        if subject is not None:
            record_processing(
                name=f"credentials.verify.{request.credential_type.slug}"[:120],
                subject=subject,
                activity=ACTIVITY,
                actor=Actor(kind="system"),
                data_categories=dcql.parse_query(request.dcql_query).claims,
                status="OK" if result.valid else "ERROR",
                trace_id=secrets.token_hex(16),
            )


def verify_response(
    request: PresentationRequest, vp_token: Mapping[str, Any] | str
) -> VerificationResult:
    """Verify the `vp_token` answering `request` (see the module's description). Nothing is
    stored or recorded: `receive_response` does that."""
    if isinstance(vp_token, str):
        try:
            vp_token = _vp_token(vp_token)
        except ResponseRefused:
            return VerificationResult(valid=False, code="malformed")
    return check_presentation(request, vp_token)[0]
