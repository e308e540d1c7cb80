"""The logged-in session: who (subject), how sure (level of assurance), since when.

This is the contract the other building blocks rely on: `current_authentication(request)`.
Residents and EU citizens are not Django users; their session holds their `Subject`.

Django's database sessions are signed, not encrypted: anyone who reads the session table (a
backup, a database console) could read the BSN and name. So the authentication is sealed
(`core.sealing`) before it goes into the session.

A session ends after 15 minutes without a request (SESSION_COOKIE_AGE, sliding) and, however
active, LIFEGATE_SESSION_MAX_SECONDS after the login that started it: a session kept alive by
a forgotten open tab on a shared computer does not last for days. The start is this login's,
not the provider's `auth_time` (a single sign-on login may be older)."""

import json
import time
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest

from lifegate.core.sealing import UnsealError, seal, unseal
from lifegate.core.subject import Subject
from lifegate.identity.assurance import LEVELS, LevelOfAssurance

SESSION_KEY = "lifegate.authentication"
# When this login's session started (Unix seconds).
STARTED_KEY = "lifegate.session-started"
SEAL_PURPOSE = "session"


@dataclass(frozen=True)
class Authentication:
    """A completed login, as stored in the session."""

    subject: Subject
    loa: LevelOfAssurance
    authenticated_at: datetime
    issuer: str
    given_name: str = ""
    family_name: str = ""

    def as_dict(self) -> dict[str, object]:
        """JSON-serialisable form for the session."""
        return {
            "subject": self.subject.as_dict(),
            "loa": self.loa,
            "authenticated_at": self.authenticated_at.isoformat(),
            "issuer": self.issuer,
            "given_name": self.given_name,
            "family_name": self.family_name,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Authentication":
        """Inverse of `as_dict`; raises ValueError/KeyError for a damaged session."""
        loa = data["loa"]
        if loa not in LEVELS:
            raise ValueError("unknown level of assurance")
        return cls(
            subject=Subject.from_dict(data["subject"]),
            loa=loa,
            authenticated_at=datetime.fromisoformat(data["authenticated_at"]),
            issuer=data["issuer"],
            given_name=data.get("given_name", ""),
            family_name=data.get("family_name", ""),
        )


def session_value(authentication: Authentication) -> str:
    """What the session holds under `SESSION_KEY`: the authentication, sealed."""
    return seal(SEAL_PURPOSE, json.dumps(authentication.as_dict()))


def current_authentication(request: HttpRequest) -> Authentication | None:
    """The authentication of this request's session, or None when nobody is logged in.

    A value that cannot be unsealed or read (damaged, sealed with another key, or stored
    before sessions were sealed) ends the session, and so does reaching the session's
    maximum age."""
    session: SessionBase = request.session
    sealed = session.get(SESSION_KEY)
    if not sealed:
        return None
    authentication = _unsealed(sealed)
    if authentication is None or _past_maximum_age(session):
        session.flush()
        return None
    return authentication


def _past_maximum_age(session: SessionBase) -> bool:
    started = session.get(STARTED_KEY)
    if not isinstance(started, int):  # a session from before the start was kept: from now
        session[STARTED_KEY] = int(time.time())
        return False
    return time.time() - started > settings.LIFEGATE_SESSION_MAX_SECONDS


def _unsealed(sealed: object) -> Authentication | None:
    if not isinstance(sealed, str):  # e.g. a plain dict, as stored before sessions were sealed
        return None
    try:
        return Authentication.from_dict(json.loads(unseal(SEAL_PURPOSE, sealed)))
    except (UnsealError, json.JSONDecodeError, KeyError, ValueError, TypeError):
        return None


def start_session(request: HttpRequest, authentication: Authentication) -> None:
    """Log in: a fresh session id (against fixation) holding the authentication."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = session_value(authentication)
    request.session[STARTED_KEY] = int(time.time())
    request.authentication = authentication  # type: ignore[attr-defined]


def end_session(request: HttpRequest) -> None:
    """Log out: the session and its cookie are gone, also for the rest of this request."""
    request.session.flush()
    request.authentication = None  # type: ignore[attr-defined]
