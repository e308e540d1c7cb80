"""Every bad input is refused with a clear reason, and leaves no mandate, invitation or
processing record behind."""

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from django.utils import timezone, translation

from lifegate.core.subject import Subject
from lifegate.mandates import services
from lifegate.mandates.models import Mandate, MandateInvitation, ScopeKind
from lifegate.mandates.scopes import Scope
from lifegate.mandates.tests.conftest import Catalogue, grant_active, period, person
from lifegate.registries.personas import DemoPersona
from lifegate.transparency.models import ProcessingRecord

pytestmark = pytest.mark.django_db

INBOX = Scope(ScopeKind.INBOX_READ)
UNKNOWN_BSN = Subject("bsn", "111222333")  # passes the elfproef, but nobody has it


def state() -> tuple[int, int, int]:
    return (
        Mandate.objects.count(),
        MandateInvitation.objects.count(),
        ProcessingRecord.objects.filter(processing_activity_id="mandates").count(),
    )


def refused_grant(personas: dict[str, DemoPersona], **changes: Any) -> str:
    """Grant with `changes` to a valid request; assert nothing changed; return the code."""
    principal = personas["elderly"].subject
    today, until = period()
    request: dict[str, Any] = {
        "principal": principal,
        "representative": personas["student"].subject,
        "scopes": [INBOX],
        "valid_from": today,
        "valid_until": until,
        "actor": person(principal),
    }
    before = state()
    with pytest.raises(services.MandateRefused) as refused:
        services.grant(**(request | changes))
    assert state() == before
    assert refused.value.message
    return refused.value.code


def test_unknown_bsn_is_refused(personas: dict[str, DemoPersona]) -> None:
    assert refused_grant(personas, representative=UNKNOWN_BSN) == "unknown-person"


def test_self_mandate_is_refused(personas: dict[str, DemoPersona]) -> None:
    assert refused_grant(personas, representative=personas["elderly"].subject) == "self-mandate"


def test_overlapping_duplicate_is_refused_without_keeping_the_other_scopes(
    personas: dict[str, DemoPersona], catalogue: Catalogue
) -> None:
    elderly, student = personas["elderly"].subject, personas["student"].subject
    today, until = period()
    grant_active(elderly, student, [INBOX], today, until, person(elderly))
    # Starts later, but overlaps; the service scope listed first must not survive either.
    scopes = [Scope(ScopeKind.SERVICE, catalogue.tax_service), INBOX]
    later = today + timedelta(days=10)

    code = refused_grant(personas, scopes=scopes, valid_from=later, valid_until=later)

    assert code == "duplicate"


def test_the_same_scope_twice_in_one_grant_makes_one_mandate(
    personas: dict[str, DemoPersona],
) -> None:
    elderly, student = personas["elderly"].subject, personas["student"].subject
    granted = services.grant(elderly, student, [INBOX, INBOX], *period(), person(elderly))
    assert len(granted.mandates) == 1


@pytest.mark.parametrize(
    "scope",
    [
        Scope(ScopeKind.SERVICE, "no-such-service"),
        Scope(ScopeKind.LIFE_EVENT, "no-such-event"),
        Scope(ScopeKind.SERVICE, ""),
        Scope(ScopeKind.INBOX_READ, "something"),
        Scope("everything"),
    ],
)
def test_scope_outside_the_catalogue_is_refused(
    personas: dict[str, DemoPersona], catalogue: Catalogue, scope: Scope
) -> None:
    assert refused_grant(personas, scopes=[INBOX, scope]) == "unknown-scope"


def test_no_scope_is_refused(personas: dict[str, DemoPersona]) -> None:
    assert refused_grant(personas, scopes=[]) == "no-scope"


def test_period_ending_before_it_starts_is_refused(personas: dict[str, DemoPersona]) -> None:
    today = timezone.localdate()
    code = refused_grant(personas, valid_from=today + timedelta(days=2), valid_until=today)
    assert code == "period-reversed"


def test_period_starting_in_the_past_is_refused(personas: dict[str, DemoPersona]) -> None:
    past = timezone.localdate() - timedelta(days=1)
    assert refused_grant(personas, valid_from=past, valid_until=past) == "period-start-past"


@override_settings(MANDATES_MAX_DAYS=30)
def test_period_starting_beyond_the_maximum_is_refused(personas: dict[str, DemoPersona]) -> None:
    later = timezone.localdate() + timedelta(days=31)
    assert refused_grant(personas, valid_from=later, valid_until=later) == "period-start-far"


@override_settings(MANDATES_MAX_DAYS=30)
def test_period_longer_than_the_maximum_is_refused(personas: dict[str, DemoPersona]) -> None:
    today = timezone.localdate()
    code = refused_grant(personas, valid_until=today + timedelta(days=31))
    assert code == "period-too-long"


@override_settings(MANDATES_MAX_DAYS=30)
def test_period_of_exactly_the_maximum_is_granted(personas: dict[str, DemoPersona]) -> None:
    elderly, student = personas["elderly"].subject, personas["student"].subject
    today = timezone.localdate()
    until = today + timedelta(days=30)
    granted = grant_active(elderly, student, [INBOX], today, until, person(elderly))
    assert granted.mandates[0].valid_until == until


def test_refusal_message_is_in_the_active_language(personas: dict[str, DemoPersona]) -> None:
    elderly = personas["elderly"].subject
    with translation.override("nl"), pytest.raises(services.MandateRefused) as refused:
        services.grant(elderly, elderly, [INBOX], *period(), person(elderly))
    assert refused.value.message == "U kunt uzelf niet machtigen."


def invite(personas: dict[str, DemoPersona]) -> str:
    elderly = personas["elderly"].subject
    return grant_active(elderly, None, [INBOX], *period(), person(elderly)).invitation_code


def refused_accept(code: str, representative: Subject) -> str:
    before = state()
    with pytest.raises(services.MandateRefused) as refused:
        services.accept(code, representative, person(representative))
    assert state() == before
    assert Mandate.objects.filter(representative_hash="", status="invited").count() == before[0]
    return refused.value.code


def test_unknown_code_is_refused(personas: dict[str, DemoPersona]) -> None:
    invite(personas)
    assert refused_accept("AAAA-BBBB-CCCC-DDDD", personas["student"].subject) == "code-unknown"


def test_expired_code_is_refused(personas: dict[str, DemoPersona]) -> None:
    code = invite(personas)
    MandateInvitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert refused_accept(code, personas["student"].subject) == "code-expired"


def test_code_whose_period_has_passed_is_refused(personas: dict[str, DemoPersona]) -> None:
    code = invite(personas)
    yesterday = timezone.localdate() - timedelta(days=1)
    Mandate.objects.update(valid_from=yesterday, valid_until=yesterday)
    assert refused_accept(code, personas["student"].subject) == "period-past"


def test_a_period_that_ended_yesterday_is_past_just_after_midnight_in_the_netherlands(
    personas: dict[str, DemoPersona], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Mandate periods are Dutch calendar days: at half past midnight there, when it is still
    the day before in UTC, a mandate that ended yesterday has ended."""
    code = invite(personas)
    half_past_midnight = datetime(2026, 11, 24, 0, 30, tzinfo=ZoneInfo("Europe/Amsterdam"))
    monkeypatch.setattr(timezone, "now", lambda: half_past_midnight.astimezone(UTC))
    Mandate.objects.update(valid_from=date(2026, 11, 23), valid_until=date(2026, 11, 23))

    assert refused_accept(code, personas["student"].subject) == "period-past"


def test_used_code_is_refused(personas: dict[str, DemoPersona]) -> None:
    code = invite(personas)
    services.accept(code, personas["student"].subject, person(personas["student"].subject))
    before = state()
    with pytest.raises(services.MandateRefused) as refused:
        services.accept(code, personas["eu-de"].subject, person(personas["eu-de"].subject))
    assert refused.value.code == "code-used"
    assert state() == before


def test_principal_cannot_accept_their_own_code(personas: dict[str, DemoPersona]) -> None:
    code = invite(personas)
    assert refused_accept(code, personas["elderly"].subject) == "self-mandate"


def test_accepting_a_duplicate_is_refused(personas: dict[str, DemoPersona]) -> None:
    elderly, student = personas["elderly"].subject, personas["student"].subject
    grant_active(elderly, student, [INBOX], *period(), person(elderly))
    code = invite(personas)
    before = state()
    with pytest.raises(services.MandateRefused) as refused:
        services.accept(code, student, person(student))
    assert refused.value.code == "duplicate"
    assert state() == before
    assert MandateInvitation.objects.filter(used_at__isnull=True).count() == 1


def test_only_a_party_can_end_a_mandate(personas: dict[str, DemoPersona]) -> None:
    elderly, student = personas["elderly"].subject, personas["student"].subject
    mandate = grant_active(elderly, student, [INBOX], *period(), person(elderly)).mandates[0]
    other = personas["eu-ee"].subject
    with pytest.raises(services.MandateRefused) as refused:
        services.end(mandate.pk, other, person(other))
    assert refused.value.code == "unknown-mandate"
    assert Mandate.objects.get().status == Mandate.Status.ACTIVE


def test_ending_twice_is_refused(personas: dict[str, DemoPersona]) -> None:
    elderly, student = personas["elderly"].subject, personas["student"].subject
    mandate = grant_active(elderly, student, [INBOX], *period(), person(elderly)).mandates[0]
    services.end(mandate.pk, elderly, person(elderly))
    with pytest.raises(services.MandateRefused) as refused:
        services.end(mandate.pk, student, person(student))
    assert refused.value.code == "already-ended"
    assert Mandate.objects.get().ended_by == "principal"
