"""Granting, accepting, ending and listing mandates, and the processing records they leave."""

from datetime import timedelta

import pytest
from django.utils import timezone

from lifegate.mandates import services
from lifegate.mandates.models import Mandate, MandateInvitation, ScopeKind
from lifegate.mandates.scopes import Scope
from lifegate.mandates.tests.conftest import Catalogue, grant_active, period, person
from lifegate.registries.personas import DemoPersona
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import records_about

pytestmark = pytest.mark.django_db

INBOX = Scope(ScopeKind.INBOX_READ)


def mandate_records(persona: DemoPersona) -> list[str]:
    """The lifecycle records about `persona` (granted, accepted, ended), newest first."""
    return [
        r.name
        for r in records_about(persona.subject)
        if r.processing_activity_id == "mandates" and r.name.startswith("mandate ")
    ]


def test_grant_by_bsn_makes_an_active_mandate_per_scope(
    personas: dict[str, DemoPersona], catalogue: Catalogue
) -> None:
    principal, representative = personas["elderly"], personas["student"]
    scopes = [INBOX, Scope(ScopeKind.SERVICE, catalogue.tax_service)]

    granted = grant_active(
        principal.subject, representative.subject, scopes, *period(), person(principal.subject)
    )

    assert granted.invitation_code == ""
    assert {m.scope_kind for m in granted.mandates} == {"inbox-read", "service"}
    for mandate in granted.mandates:
        assert mandate.status == Mandate.Status.ACTIVE
        assert mandate.accepted_at is not None
        assert services.principal_of(mandate) == principal.subject
        assert services.representative_of(mandate) == representative.subject
    assert (
        representative.subject.value
        not in Mandate.objects.get(scope_kind="service").__dict__.values()
    )


def test_grant_is_recorded_for_principal_and_representative(
    personas: dict[str, DemoPersona],
) -> None:
    principal, representative = personas["elderly"], personas["student"]

    services.grant(
        principal.subject, representative.subject, [INBOX], *period(), person(principal.subject)
    )

    assert mandate_records(principal) == ["mandate granted"]
    assert mandate_records(representative) == ["mandate granted"]
    record = ProcessingRecord.objects.filter(processing_activity_id="mandates").first()
    assert record is not None and record.actor_kind == "person"


def test_a_mandate_offered_by_bsn_waits_for_its_representative_alone(
    personas: dict[str, DemoPersona], catalogue: Catalogue
) -> None:
    principal, representative = personas["elderly"], personas["student"]
    scopes = [INBOX, Scope(ScopeKind.SERVICE, catalogue.tax_service)]
    offered = services.grant(
        principal.subject, representative.subject, scopes, *period(), person(principal.subject)
    )
    assert offered.invitation_code == ""
    assert {m.status for m in offered.mandates} == {Mandate.Status.INVITED}

    other = personas["resident-low"].subject
    with pytest.raises(services.MandateRefused) as refused:
        services.accept_offer(offered.mandates[0].pk, other, person(other))
    assert refused.value.code == "unknown-mandate"

    accepted = services.accept_offer(
        offered.mandates[1].pk, representative.subject, person(representative.subject)
    )

    assert {m.pk for m in accepted} == {m.pk for m in offered.mandates}
    assert set(Mandate.objects.values_list("status", flat=True)) == {Mandate.Status.ACTIVE}
    assert mandate_records(representative)[:2] == ["mandate accepted"] * 2
    with pytest.raises(services.MandateRefused) as again:
        services.accept_offer(
            offered.mandates[0].pk, representative.subject, person(representative.subject)
        )
    assert again.value.code == "unknown-mandate"


def test_an_offer_not_accepted_in_time_expires(personas: dict[str, DemoPersona]) -> None:
    principal, representative = personas["elderly"], personas["student"]
    offered = services.grant(
        principal.subject, representative.subject, [INBOX], *period(), person(principal.subject)
    )
    MandateInvitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    with pytest.raises(services.MandateRefused) as refused:
        services.accept_offer(
            offered.mandates[0].pk, representative.subject, person(representative.subject)
        )

    assert refused.value.code == "offer-expired"
    assert Mandate.objects.get().status == Mandate.Status.INVITED


def test_invitation_code_is_shown_once_and_only_its_hash_is_stored(
    personas: dict[str, DemoPersona],
) -> None:
    principal = personas["elderly"]

    granted = grant_active(principal.subject, None, [INBOX], *period(), person(principal.subject))

    code = granted.invitation_code
    assert len(code) == 19 and code.count("-") == 3
    invitation = MandateInvitation.objects.get()
    assert invitation.code_hash == services.hash_code(code) != code
    assert granted.mandates[0].status == Mandate.Status.INVITED
    assert services.representative_of(granted.mandates[0]) is None


def test_accepting_the_code_activates_the_mandates(personas: dict[str, DemoPersona]) -> None:
    principal, representative = personas["elderly"], personas["eu-de"]
    granted = grant_active(principal.subject, None, [INBOX], *period(), person(principal.subject))

    # Typed by hand: lower case, spaces instead of hyphens.
    typed = granted.invitation_code.lower().replace("-", " ")
    accepted = services.accept(typed, representative.subject, person(representative.subject))

    mandate = Mandate.objects.get(pk=accepted[0].pk)
    assert mandate.status == Mandate.Status.ACTIVE
    assert services.representative_of(mandate) == representative.subject
    assert MandateInvitation.objects.get().used_at is not None
    assert mandate_records(representative) == ["mandate accepted"]
    assert mandate_records(principal) == ["mandate accepted", "mandate granted"]


@pytest.mark.parametrize("by", ["principal", "representative"])
def test_either_side_can_end_a_mandate_at_once(personas: dict[str, DemoPersona], by: str) -> None:
    principal, representative = personas["elderly"], personas["student"]
    granted = grant_active(
        principal.subject, representative.subject, [INBOX], *period(), person(principal.subject)
    )
    ender = principal if by == "principal" else representative

    ended = services.end(granted.mandates[0].pk, ender.subject, person(ender.subject))

    assert ended.status == Mandate.Status.ENDED
    assert ended.ended_by == by
    assert ended.ended_at is not None and ended.ended_at <= timezone.now()
    assert mandate_records(principal)[0] == "mandate ended"
    assert mandate_records(representative)[0] == "mandate ended"


def test_principal_can_withdraw_an_invitation(personas: dict[str, DemoPersona]) -> None:
    principal = personas["elderly"]
    granted = grant_active(principal.subject, None, [INBOX], *period(), person(principal.subject))

    services.end(granted.mandates[0].pk, principal.subject, person(principal.subject))

    with pytest.raises(services.MandateRefused) as refused:
        services.accept(
            granted.invitation_code,
            personas["student"].subject,
            person(personas["student"].subject),
        )
    assert refused.value.code == "code-unknown"


def test_a_new_mandate_after_an_ended_one_is_no_duplicate(personas: dict[str, DemoPersona]) -> None:
    principal, representative = personas["elderly"], personas["student"]
    actor = person(principal.subject)
    first = grant_active(principal.subject, representative.subject, [INBOX], *period(), actor)
    services.end(first.mandates[0].pk, principal.subject, actor)

    again = grant_active(principal.subject, representative.subject, [INBOX], *period(), actor)

    assert again.mandates[0].status == Mandate.Status.ACTIVE


def test_mandates_for_lists_given_and_received(personas: dict[str, DemoPersona]) -> None:
    elderly, student, resident = personas["elderly"], personas["student"], personas["resident-low"]
    today, until = period()
    grant_active(elderly.subject, student.subject, [INBOX], today, until, person(elderly.subject))
    later = until + timedelta(days=1)
    grant_active(student.subject, resident.subject, [INBOX], today, later, person(student.subject))

    of_student = services.mandates_for(student.subject)

    assert [m.valid_until for m in of_student.received] == [until]
    assert [m.valid_until for m in of_student.given] == [later]
    assert services.mandates_for(personas["eu-ee"].subject) == services.MandatesOf([], [])
