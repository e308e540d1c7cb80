"""The logged-in session: who (subject), how sure (level of assurance), since when.

This is the contract the other building blocks rely on: `current_authentication(request)`.
Residents and EU citizens are not Django users; their session holds their `Subject`."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest

from lifegate.core.subject import Subject
from lifegate.identity.assurance import LEVELS, LevelOfAssurance

SESSION_KEY = "lifegate.authentication"


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


def current_authentication(request: HttpRequest) -> Authentication | None:
    """The authentication of this request's session, or None when nobody is logged in."""
    session: SessionBase = request.session
    data = session.get(SESSION_KEY)
    if not data:
        return None
    try:
        return Authentication.from_dict(data)
    except (KeyError, ValueError, TypeError):
        session.flush()
        return None


def start_session(request: HttpRequest, authentication: Authentication) -> None:
    """Log in: a fresh session id (against fixation) holding the authentication."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = authentication.as_dict()
    request.authentication = authentication  # type: ignore[attr-defined]


def end_session(request: HttpRequest) -> None:
    """Log out: the session and its cookie are gone, also for the rest of this request."""
    request.session.flush()
    request.authentication = None  # type: ignore[attr-defined]
