"""Template context every portal page needs."""

from django.db import DatabaseError
from django.http import HttpRequest

from lifegate.identity.assurance import loa_satisfies
from lifegate.identity.session import Authentication
from lifegate.inbox.services import unread_count
from lifegate.inbox.views import LEVEL as INBOX_LEVEL
from lifegate.mandates.acting import ActingFor, acting_for, check
from lifegate.mandates.actions import INBOX_READ


def portal(request: HttpRequest) -> dict[str, object]:
    """The logged-in person's authentication (or None), whom they act for (or None), and the
    unread messages of the person whose message box the header links to."""
    authentication = getattr(request, "authentication", None)
    chosen = acting_for(request) if authentication is not None else None
    return {
        "authentication": authentication,
        "acting_for": chosen,
        "inbox_unread": _inbox_unread(request, authentication, chosen),
    }


def _inbox_unread(
    request: HttpRequest, authentication: Authentication | None, chosen: ActingFor | None
) -> int | None:
    """The unread count from the mailbox counter of the person acted for; None when the login
    is below the message box's level (the count is part of the box), nobody is logged in, or
    the representative may not read the box."""
    if authentication is None or not loa_satisfies(authentication.loa, INBOX_LEVEL):
        return None
    try:
        if chosen is None:
            return unread_count(authentication.subject)
        # The same (memoised) question the message box pages ask: one decision per request.
        if not check(request, INBOX_READ):
            return None
        return unread_count(chosen.subject)
    except DatabaseError:
        # The error pages use this shell too; a page must still render without the count.
        return None
