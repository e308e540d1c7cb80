"""What the page and API tests of the authorisations share: logging a test client in as any
person, mandates and invitations made directly, counting what a refused request must leave
untouched, and a frozen clock for the attempt limiter."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any
from unittest import mock

import django_ratelimit.core
from django.test import Client

from lifegate.core.subject import Subject
from lifegate.identity.assurance import LevelOfAssurance
from lifegate.identity.session import SESSION_KEY, Authentication, session_value
from lifegate.mandates.models import Mandate, MandateInvitation, ScopeKind
from lifegate.mandates.scopes import Scope
from lifegate.mandates.tests.conftest import grant_active, period, person
from lifegate.registries.services import population_register

CODE = re.compile(r'id="invitation-code">([A-Z0-9-]+)<')


def log_in_as(client: Client, subject: Subject, loa: LevelOfAssurance = "substantial") -> None:
    session = client.session
    session[SESSION_KEY] = session_value(
        Authentication(subject=subject, loa=loa, authenticated_at=datetime.now(UTC), issuer="test")
    )
    session.save()


def counts() -> tuple[int, int]:
    """Mandates and invitations stored: a refusal leaves both as they were."""
    return Mandate.objects.count(), MandateInvitation.objects.count()


def name_of(subject: Subject) -> str:
    person = population_register().get_person(subject.value)
    assert person is not None
    return person.full_name


@contextmanager
def frozen_limiter_clock() -> Iterator[None]:
    """The attempt limiter's clock stands still, so a test never straddles two windows."""
    clock = SimpleNamespace(time=lambda: 1_900_000_000.0)
    with mock.patch.object(django_ratelimit.core, "time", clock):
        yield


def grant_form(**changes: Any) -> dict[str, Any]:
    today, until = period(60)
    return {
        "representative": "bsn",
        "bsn": "",
        "inbox": [ScopeKind.INBOX_READ.value],
        "valid_from": today.isoformat(),
        "valid_until": until.isoformat(),
    } | changes


def grant_inbox(principal: Subject, representative: Subject) -> Mandate:
    granted = grant_active(
        principal, representative, [Scope(ScopeKind.INBOX_READ)], *period(), person(principal)
    )
    return granted.mandates[0]


def invite(principal: Subject) -> tuple[str, Mandate]:
    granted = grant_active(
        principal, None, [Scope(ScopeKind.INBOX_READ)], *period(), person(principal)
    )
    return granted.invitation_code, granted.mandates[0]
