"""Template context every portal page needs."""

from django.db import DatabaseError
from django.http import HttpRequest

from lifegate.identity.assurance import loa_satisfies
from lifegate.identity.session import Authentication
from lifegate.inbox.services import unread_count
from lifegate.inbox.views import LEVEL as INBOX_LEVEL


def portal(request: HttpRequest) -> dict[str, object]:
    """The logged-in person's authentication (or None) and their unread messages for the
    page shell."""
    authentication = getattr(request, "authentication", None)
    return {"authentication": authentication, "inbox_unread": _inbox_unread(authentication)}


def _inbox_unread(authentication: Authentication | None) -> int | None:
    """The unread count from the person's mailbox counter; None when the login is below the
    message box's level (the count is part of the box) or nobody is logged in."""
    if authentication is None or not loa_satisfies(authentication.loa, INBOX_LEVEL):
        return None
    try:
        return unread_count(authentication.subject)
    except DatabaseError:
        # The error pages use this shell too; a page must still render without the count.
        return None
