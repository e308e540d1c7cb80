"""Why a mandate operation is refused: a stable code for callers and APIs, and a message for
the person in the active language."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

MESSAGES: dict[str, Promise] = {
    "unknown-person": _("We cannot find a person with this citizen service number (BSN)."),
    "self-mandate": _("You cannot authorise yourself."),
    "duplicate": _("This person is already authorised for this during (part of) this period."),
    "unknown-scope": _("This is not a service or life event in the catalogue."),
    "no-scope": _("Choose at least one thing the authorisation covers."),
    "period-reversed": _("The authorisation cannot end before it starts."),
    "period-too-long": _("The authorisation may run for at most %(days)s days."),
    "period-past": _("The authorisation cannot end in the past."),
    "period-start-past": _("The authorisation cannot start in the past."),
    "period-start-far": _("The authorisation must start within %(days)s days from today."),
    "code-unknown": _("This invitation code is not known. Check the code and try again."),
    "code-used": _("This invitation code has already been used."),
    "code-expired": _("This invitation code has expired. Ask for a new one."),
    "offer-expired": _("This offer has expired. Ask for a new one."),
    "unknown-mandate": _("This authorisation does not exist or is not yours."),
    "already-ended": _("This authorisation has already ended."),
}


class MandateRefused(Exception):
    """A mandate operation that was not done; nothing of it was stored.

    `code` is one of `MESSAGES`' keys; `message` is for the person, in the active language."""

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.message = str(MESSAGES[code]) % params if params else str(MESSAGES[code])
        super().__init__(self.message)
