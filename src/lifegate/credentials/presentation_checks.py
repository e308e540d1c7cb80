"""Checking a presentation answering a verifier's request (see `credentials.verifying`).

`verify_response` accepts a presentation only when every check holds: the issuer is on the
trust list and signed it (`credentials.trust`), the disclosures are the issuer's, key binding
is present and made for this verifier (aud = the client_id) and this request (nonce), the
type is one the query accepts, it has not expired, and its status list says valid. Of the
two choices for extra claims, the stricter: a presentation disclosing a claim the query did
not ask for is refused as over-disclosure (showing "valid" would hide the wallet's mistake);
one leaving out a claim asked for is refused too. A valid result holds only the claims
asked for. Each result has a reason code (errors.py's, or PRESENTATION_REASONS for those
only a presentation has) and a readable reason."""

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from lifegate.core.subject import Subject
from lifegate.credentials import dcql, errors, sdjwt, statuslist, trust
from lifegate.credentials.models import IssuedCredential, PresentationRequest
from lifegate.transparency.services import decrypt_subject

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

PRESENTATION_REASONS: "dict[str, _StrPromise]" = {
    "over-disclosure": _(
        "More information was shown than was asked for, so the presentation was refused."
    ),
    "missing-claims": _("Not all the information that was asked for was shown."),
    "declined": _("The holder chose not to share the credential."),
    "issuer-unavailable": _(
        "The issuer could not be reached to check the credential. Please try again later."
    ),
}


def reason(code: str) -> "_StrPromise":
    """The readable text of a rejection code (lazily translated)."""
    return errors.REASONS.get(code) or PRESENTATION_REASONS[code]


@dataclass(frozen=True)
class VerificationResult:
    """What the verifier learns: valid or not (`code` "valid" or a rejection code), the
    issuer and type when the issuer's signature held, and, only when valid, the claims
    asked for."""

    valid: bool
    code: str
    issuer: str = ""
    vct: str = ""
    claims: dict[str, Any] = field(default_factory=dict)

    @property
    def reason(self) -> "_StrPromise | None":
        """Why it is not valid, readable (None when valid)."""
        return None if self.valid else reason(self.code)

    def as_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (sealed in the request row)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "VerificationResult":
        """Inverse of `as_dict`."""
        return cls(
            valid=bool(data["valid"]),
            code=str(data["code"]),
            issuer=str(data.get("issuer", "")),
            vct=str(data.get("vct", "")),
            claims=dict(data.get("claims", {})),
        )


def check_presentation(
    request: PresentationRequest, vp_token: Mapping[str, Any]
) -> tuple[VerificationResult, Subject | None]:
    """The result of checking `vp_token` against `request`, and the person it is about when
    the credential is one this node issued (for the processing log)."""
    query = dcql.parse_query(request.dcql_query)
    presentations = vp_token.get(query.id)
    if (
        set(vp_token) != {query.id}
        or not isinstance(presentations, list)
        or len(presentations) != 1
        or not isinstance(presentations[0], str)
    ):
        return VerificationResult(valid=False, code="malformed"), None
    token = presentations[0]
    subject = _own_holder(token)
    try:
        verified = sdjwt.verify(
            token,
            issuer_key=trust.issuer_key,
            certified_key=trust.certified_key,
            audience=request.client_id,
            nonce=request.nonce,
        )
    except errors.CredentialRejected as rejected:
        return VerificationResult(valid=False, code=rejected.code), subject
    except trust.IssuerUnreachable:
        return VerificationResult(valid=False, code="issuer-unavailable"), subject
    code = _refusal(verified, query)
    if code is not None:
        return VerificationResult(False, code, verified.issuer, verified.vct), subject
    claims = dcql.requested_values(verified.claims, query.claims)
    return VerificationResult(True, "valid", verified.issuer, verified.vct, claims), subject


def _refusal(verified: sdjwt.VerifiedSdJwt, query: dcql.CredentialQuery) -> str | None:
    """Why a presentation whose signatures hold is still refused (None: it is not)."""
    if verified.vct not in query.vct_values:
        return "wrong-type"
    if dcql.over_disclosed(verified.disclosed, query.claims):
        return "over-disclosure"
    if dcql.missing(verified.claims, query.claims):
        return "missing-claims"
    if verified.status is None:
        return None  # a credential without a status list cannot be revoked
    try:
        status = trust.status_of(verified.status, verified.issuer)
    except errors.CredentialRejected as rejected:
        return rejected.code
    if status == statuslist.VALID:
        return None
    return _STATUS_CODES.get(status, "status-unavailable")


_STATUS_CODES = {statuslist.INVALID: "revoked", statuslist.SUSPENDED: "suspended"}


def _own_holder(token: str) -> Subject | None:
    """The person a credential this node issued belongs to, found by the digest of the
    issuer-signed part (identical bytes, so it is that credential); None otherwise."""
    if not token.isascii() or len(token) > sdjwt.MAX_TOKEN_BYTES:
        return None
    digest = sdjwt.digest_of(token).hex()
    sealed = IssuedCredential.objects.filter(digest=digest).values_list("subject_sealed", flat=True)
    found = sealed.first()
    return decrypt_subject(found) if found else None
