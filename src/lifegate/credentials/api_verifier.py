"""The verifier API under /api/credentials/verifier/: a verifier's system asks a person for
some claims of a credential type (OpenID4VP 1.0, DCQL, direct_post.jwt) and reads the outcome.

- POST requests: make a request; the answer holds the `openid4vp://` URL to show as a QR code
  or link (and the link into this node's portal wallet).
- GET requests/{id}: the request's status and, once answered, the result: valid or not, a
  reason code and its text in the request's language, and (only when valid) the claims
  asked for.

No login, like the verifier page: the request's `id` is the capability that reads its
result (the wallet only ever sees another value, the handle in request_uri). Results are
kept for a limited time (LIFEGATE_PRESENTATION_RETENTION_MINUTES after the request expired).
New requests are limited per address. Errors are RFC 9457 problem details in the request's
language (Accept-Language; Dutch by default)."""

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from lifegate.core.problem_schema import problem_responses
from lifegate.core.problems import problem_response
from lifegate.credentials import dcql, verifying
from lifegate.credentials.models import PresentationRequest
from lifegate.credentials.views_verifier import too_many_requests

router = Router(tags=["credentials verifier"])

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
StatusName = Literal["pending", "answered", "expired"]


def _errors(*statuses: int) -> dict[str, Any]:
    extra = problem_responses(*[status for status in statuses if status != 429])
    content = next(iter(extra["responses"].values()))["content"]
    if 429 in statuses:
        extra["responses"][429] = {
            "description": "Too many new requests from this address; see Retry-After "
            "(problem details).",
            "content": content,
        }
    return extra


class VerifierRequestIn(Schema):
    """What to ask for: claims of one credential type, and who asks."""

    credential_type: str = Field(max_length=80, pattern=SLUG, examples=["diploma"])
    claims: list[str] = Field(
        min_length=1,
        max_length=dcql.MAX_CLAIMS,
        description="Claim keys of the credential type (see "
        "`/.well-known/openid-credential-issuer`).",
        examples=[["title", "level_eqf"]],
    )
    verifier_name: str = Field(
        min_length=1,
        max_length=verifying.MAX_VERIFIER_NAME,
        description="Your name as the person's wallet shows it (stated by you).",
        examples=["Acme Employer B.V."],
    )


class VerificationResultOut(Schema):
    """The outcome of the verification."""

    valid: bool
    reason: str = Field(
        description="`valid`, or why not: a rejection code such as `revoked`, `suspended`, "
        "`expired`, `bad-signature`, `unknown-issuer`, `withdrawn-key`, `over-disclosure`, "
        "`declined`."
    )
    reason_text: str | None = Field(description="The reason in the request's language.")
    issuer: str | None = Field(description="The issuer, when its signature held.")
    vct: str | None = Field(description="The credential's type (vct), when known.")
    claims: dict[str, Any] = Field(description="Only when valid: the claims asked for.")


class VerifierRequestOut(Schema):
    """A request and, once answered, its result."""

    id: UUID
    status: StatusName
    credential_type: str
    verifier_name: str
    created_at: datetime
    expires_at: datetime
    client_id: str = Field(description="The verifier's client identifier (`x509_hash:`).")
    request_uri: str = Field(description="Where wallets fetch the signed request object.")
    authorization_request: str = Field(
        description="The `openid4vp://` URL to show as a QR code or link."
    )
    wallet_url: str = Field(description="The same request in this node's portal wallet.")
    dcql_query: dict[str, Any]
    result: VerificationResultOut | None = Field(description="null until answered.")


def _out(found: PresentationRequest) -> dict[str, Any]:
    found = verifying.current(found)
    result = verifying.result_of(found)
    return {
        "id": found.pk,
        "status": found.status,
        "credential_type": found.credential_type.slug,
        "verifier_name": found.verifier_name,
        "created_at": found.created_at,
        "expires_at": found.expires_at,
        "client_id": found.client_id,
        "request_uri": verifying.request_uri(found),
        "authorization_request": verifying.authorization_url(found),
        "wallet_url": verifying.wallet_url(found),
        "dcql_query": found.dcql_query,
        "result": None
        if result is None
        else {
            "valid": result.valid,
            "reason": result.code,
            "reason_text": None if result.reason is None else str(result.reason),
            "issuer": result.issuer or None,
            "vct": result.vct or None,
            "claims": result.claims,
        },
    }


@router.post(
    "/requests",
    response={201: VerifierRequestOut},
    summary="Ask a person for claims of a credential",
    openapi_extra=_errors(400, 404, 422, 429),
    operation_id="createPresentationRequest",
)
def create_request(request: HttpRequest, body: VerifierRequestIn, response: HttpResponse) -> Any:
    """Make a presentation request (OpenID4VP 1.0, DCQL) for `claims` of a credential of
    `credential_type`, accepted from this node's and every trusted issuer. Show the answer's
    `authorization_request` as a QR code; poll `GET /requests/{id}` for the result."""
    wait = too_many_requests(request)
    if wait:
        refused = problem_response(
            request,
            429,
            _("Too many requests"),
            _("Too many new requests. Try again in a few minutes."),
            "too-many-requests",
        )
        refused["Retry-After"] = str(wait)
        return refused
    try:
        made = verifying.create_request(
            body.claims, verifier_name=body.verifier_name, credential_type=body.credential_type
        )
    except verifying.InvalidRequest as invalid:
        status = 404 if invalid.code == "unknown-credential-type" else 422
        return problem_response(request, status, _("Invalid request"), invalid.detail, invalid.code)
    add_never_cache_headers(response)
    return Status(201, _out(made))


@router.get(
    "/requests/{request_id}",
    response=VerifierRequestOut,
    summary="A presentation request's status and result",
    openapi_extra=_errors(404),
    operation_id="getPresentationRequest",
)
def read_request(request: HttpRequest, request_id: UUID, response: HttpResponse) -> Any:
    """The request's status (pending, answered, expired) and, once answered, its result.
    Unknown ids, and requests past the retention period, are 404."""
    queryset = PresentationRequest.objects.select_related("credential_type")
    found = verifying.retained(queryset).filter(pk=request_id).first()
    if found is None:
        raise Http404(_("No such presentation request."))
    add_never_cache_headers(response)  # a result holds personal data
    return _out(found)
