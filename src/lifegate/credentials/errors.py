"""Why a credential, a presentation or a status list is refused.

Every check in the credentials building block raises `CredentialRejected` with a stable
kebab-case `code` (APIs, logs and tests rely on it), an English `detail` for logs and API
problem details, and a readable `reason` for the person in front of a verifier page.
Details name claims and checks, never claim values: those may be personal data."""

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

REASONS: "dict[str, _StrPromise]" = {
    "oversized": _("The credential is larger than this service accepts."),
    "malformed": _("The credential is damaged or not in a format this service can read."),
    "unsupported-algorithm": _(
        "The credential is signed with a method this service does not accept."
    ),
    "unknown-issuer": _("The credential comes from an issuer this service does not trust."),
    "withdrawn-key": _(
        "The credential was signed with a key its issuer has withdrawn. Ask the issuer for a "
        "new copy."
    ),
    "bad-signature": _(
        "The issuer's signature does not match: the credential was changed after it was issued."
    ),
    "wrong-type": _("This is not the kind of credential that was asked for."),
    "disclosure-not-referenced": _(
        "Some of the information shown was not issued with this credential: it was changed "
        "or added."
    ),
    "duplicate-disclosure": _("Some of the information was shown more than once."),
    "duplicate-digest": _("The credential refers to the same information twice."),
    "key-binding-missing": _("The holder did not prove that this credential is theirs."),
    "key-binding-invalid": _("The holder's proof that this credential is theirs is not valid."),
    "key-binding-mismatch": _("The holder's proof was made for a different presentation."),
    "wrong-audience": _("The credential was presented to a different verifier."),
    "wrong-nonce": _("The credential was presented for a different request."),
    "stale-key-binding": _(
        "The holder's proof is too old or dated in the future. Please present the credential again."
    ),
    "expired": _("The credential has expired."),
    "not-yet-valid": _("The credential is not valid yet."),
    "revoked": _("The issuer has revoked this credential."),
    "suspended": _("The issuer has suspended this credential."),
    "status-unavailable": _(
        "It could not be checked whether the issuer has revoked this credential."
    ),
}


def reason(code: str) -> "_StrPromise":
    """The readable text for a rejection `code`: lazily translated, so it renders in the
    language active where it is shown."""
    return REASONS[code]


class CredentialRejected(Exception):
    """A credential, presentation or status list that fails a check.

    `code` is one of REASONS' keys; `detail` says in English which check failed."""

    code: str
    detail: str

    def __init__(self, code: str, detail: str = "") -> None:
        if code not in REASONS:
            raise ValueError(f"unknown rejection code {code!r}")
        self.code = code
        self.detail = detail or code
        super().__init__(f"{code}: {self.detail}")

    @property
    def reason(self) -> "_StrPromise":
        """The readable text for this rejection (lazily translated)."""
        return reason(self.code)
