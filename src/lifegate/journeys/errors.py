"""What can go wrong in a journey, with a message for the person."""

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from lifegate.journeys.models import Journey
    from lifegate.journeys.submissions import StepForm


class JourneyError(Exception):
    """A journey operation that cannot be done; the message is for the person."""


class JourneyAlreadyRunning(JourneyError):
    """The person already has this life event running: offer that journey instead."""

    def __init__(self, journey: "Journey") -> None:
        super().__init__(_("You already have this life event running."))
        self.journey = journey


class StepNotOpen(JourneyError):
    """The step cannot be submitted now (waiting, already sent, withdrawn, not a request)."""


class InvalidTransition(JourneyError):
    """An agency status update that does not follow the submission's life cycle."""


class FormInvalid(JourneyError):
    """The submitted form has errors; `prepared.form` carries them per field."""

    def __init__(self, prepared: "StepForm") -> None:
        super().__init__(_("Please correct the errors in the form."))
        self.prepared = prepared


class DocumentsNotStored(JourneyError):
    """The form was valid, but its documents did not fit in the storage (it is full): nothing
    was sent or kept. `prepared.form` carries the form as filled in, with this message."""

    def __init__(self, prepared: "StepForm") -> None:
        super().__init__(
            _(
                "Your documents could not be stored just now, so nothing was sent. Please try "
                "again later; you will need to add the documents again."
            )
        )
        self.prepared = prepared
