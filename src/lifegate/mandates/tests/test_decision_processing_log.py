"""Seeing who used someone's data (`transparency.read`): the person themselves, a parent with
authority over a minor child by law, and a representative with a mandate for the processing
log itself. No narrower mandate covers the log, and a mandate for the log covers nothing else.

The principal is the "elderly" persona; the student is the representative of these tests."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from lifegate.core.subject import Subject
from lifegate.mandates import services
from lifegate.mandates.actions import (
    INBOX_MANAGE,
    INBOX_READ,
    INBOX_SETTINGS,
    JOURNEYS_SUBMIT,
    JOURNEYS_VIEW,
    MANDATES_MANAGE,
    TRANSPARENCY_READ,
)
from lifegate.mandates.decision import may
from lifegate.mandates.errors import MandateRefused
from lifegate.mandates.models import Mandate, ScopeKind
from lifegate.mandates.scopes import Scope, validate_scope
from lifegate.mandates.tests.conftest import (
    BIRTH_EVENT,
    BIRTH_SERVICE,
    TAX_OFFICE,
    TAX_SERVICE,
    Catalogue,
    grant_active,
    period,
    person,
)
from lifegate.registries.personas import DemoPersona
from lifegate.transparency.services import Actor

pytestmark = pytest.mark.django_db

LOG = Scope(ScopeKind.PROCESSING_LOG)


@pytest.fixture
def elderly(personas: dict[str, DemoPersona]) -> Subject:
    return personas["elderly"].subject


@pytest.fixture
def student(personas: dict[str, DemoPersona]) -> Subject:
    return personas["student"].subject


def grant_log(principal: Subject, representative: Subject) -> Mandate:
    [mandate] = grant_active(
        principal, representative, [LOG], *period(), person(principal)
    ).mandates
    return mandate


def outcome(
    actor: Actor, action: str, subject: Subject, *, service: str = "", life_event: str = ""
) -> str:
    decision = may(actor, action, subject, service=service, life_event=life_event)
    return f"{'allowed' if decision else 'refused'}:{decision.reason}"


def test_a_mandate_for_the_processing_log_lets_the_representative_see_it(
    elderly: Subject, student: Subject
) -> None:
    mandate = grant_log(elderly, student)

    decision = may(person(student), TRANSPARENCY_READ, elderly)

    assert (decision.allowed, decision.reason) == (True, "mandate")
    assert decision.basis == str(mandate.pk)
    assert decision.first_use


@pytest.mark.parametrize(
    ("action", "about"),
    [
        (INBOX_READ, {}),
        (INBOX_MANAGE, {}),
        (JOURNEYS_VIEW, {}),
        (JOURNEYS_VIEW, {"service": TAX_SERVICE}),
        (JOURNEYS_SUBMIT, {"service": TAX_SERVICE}),
        (JOURNEYS_VIEW, {"life_event": BIRTH_EVENT}),
    ],
)
def test_a_mandate_for_the_processing_log_covers_nothing_else(
    elderly: Subject,
    student: Subject,
    catalogue: Catalogue,
    action: str,
    about: dict[str, str],
) -> None:
    grant_log(elderly, student)

    assert outcome(person(student), action, elderly, **about) == "refused:out-of-scope"


@pytest.mark.parametrize("action", [MANDATES_MANAGE, INBOX_SETTINGS])
def test_a_mandate_for_the_processing_log_does_not_reach_what_is_only_ones_own(
    elderly: Subject, student: Subject, action: str
) -> None:
    grant_log(elderly, student)

    assert outcome(person(student), action, elderly) == "refused:only-self"


@pytest.mark.parametrize(
    "scope",
    [
        Scope(ScopeKind.INBOX_READ),
        Scope(ScopeKind.INBOX_FULL),
        Scope(ScopeKind.SERVICE, TAX_SERVICE),
        Scope(ScopeKind.LIFE_EVENT, BIRTH_EVENT),
    ],
    ids=lambda scope: scope.kind,
)
@pytest.mark.parametrize(
    "about",
    [{}, {"service": TAX_SERVICE}, {"service": BIRTH_SERVICE}, {"life_event": BIRTH_EVENT}],
    ids=["nothing named", "tax service", "birth service", "birth event"],
)
def test_no_other_mandate_covers_the_processing_log(
    elderly: Subject,
    student: Subject,
    catalogue: Catalogue,
    scope: Scope,
    about: dict[str, str],
) -> None:
    grant_active(elderly, student, [scope], *period(), person(elderly))

    # Not even when the caller names the service or life event the mandate is for.
    assert outcome(person(student), TRANSPARENCY_READ, elderly, **about) == "refused:out-of-scope"


def test_every_scope_kind_but_the_processing_log_is_refused_for_it(
    elderly: Subject, student: Subject, catalogue: Catalogue
) -> None:
    slugs = {ScopeKind.SERVICE: TAX_SERVICE, ScopeKind.LIFE_EVENT: BIRTH_EVENT}
    covering = []
    for kind in ScopeKind:
        Mandate.objects.all().delete()
        grant_active(
            elderly, student, [Scope(kind, slugs.get(kind, ""))], *period(), person(elderly)
        )
        if may(person(student), TRANSPARENCY_READ, elderly):
            covering.append(kind)

    assert covering == [ScopeKind.PROCESSING_LOG]


def test_an_expired_mandate_for_the_processing_log_allows_nothing(
    elderly: Subject, student: Subject
) -> None:
    mandate = grant_log(elderly, student)
    last_month = timezone.localdate() - timedelta(days=31)
    Mandate.objects.filter(pk=mandate.pk).update(
        valid_from=last_month, valid_until=last_month + timedelta(days=30)
    )

    assert outcome(person(student), TRANSPARENCY_READ, elderly) == "refused:expired"


def test_an_ended_mandate_for_the_processing_log_allows_nothing(
    elderly: Subject, student: Subject
) -> None:
    mandate = grant_log(elderly, student)
    services.end(mandate.pk, elderly, person(elderly))

    assert outcome(person(student), TRANSPARENCY_READ, elderly) == "refused:ended"


def test_a_mandate_for_the_processing_log_not_started_yet_allows_nothing(
    elderly: Subject, student: Subject
) -> None:
    grant_log(elderly, student)
    yesterday = timezone.localdate() - timedelta(days=1)

    decision = may(person(student), TRANSPARENCY_READ, elderly, today=yesterday)

    assert (decision.allowed, decision.reason) == (False, "not-yet-valid")


def test_an_offer_not_accepted_yet_allows_nothing(elderly: Subject, student: Subject) -> None:
    services.grant(elderly, student, [LOG], *period(), person(elderly))

    assert outcome(person(student), TRANSPARENCY_READ, elderly) == "refused:out-of-scope"


def test_the_mandate_lets_only_its_representative_see_only_its_principals_log(
    elderly: Subject, student: Subject, personas: dict[str, DemoPersona]
) -> None:
    grant_log(elderly, student)
    other = personas["resident-low"].subject

    assert outcome(person(other), TRANSPARENCY_READ, elderly) == "refused:no-relation"
    assert outcome(person(elderly), TRANSPARENCY_READ, student) == "refused:no-relation"


def test_the_person_may_see_their_own_log(elderly: Subject) -> None:
    assert outcome(person(elderly), TRANSPARENCY_READ, elderly) == "allowed:self"


def test_a_parent_may_see_a_minor_childs_log_by_law(
    personas: dict[str, DemoPersona], minor_child: Subject
) -> None:
    decision = may(person(personas["parent"].subject), TRANSPARENCY_READ, minor_child)

    assert (decision.allowed, decision.reason, decision.basis) == (
        True,
        "parental-authority",
        "law",
    )


def test_a_parent_may_not_see_an_adult_childs_log(
    student: Subject, parent_of_student: Subject
) -> None:
    assert outcome(person(parent_of_student), TRANSPARENCY_READ, student) == "refused:no-relation"


def test_an_agency_may_not_see_a_persons_log_not_even_for_its_own_service(
    elderly: Subject, catalogue: Catalogue
) -> None:
    agency = Actor(kind="agency", organisation=TAX_OFFICE)

    assert outcome(agency, TRANSPARENCY_READ, elderly) == "refused:out-of-scope"
    assert outcome(agency, TRANSPARENCY_READ, elderly, service=TAX_SERVICE) == (
        "refused:out-of-scope"
    )


def test_the_decision_by_a_log_mandate_takes_one_query(
    elderly: Subject, student: Subject, django_assert_num_queries: Any
) -> None:
    grant_log(elderly, student)

    with django_assert_num_queries(1):
        assert may(person(student), TRANSPARENCY_READ, elderly).allowed


def test_a_processing_log_scope_names_nothing_in_the_catalogue(catalogue: Catalogue) -> None:
    validate_scope(LOG)

    with pytest.raises(MandateRefused) as refused:
        validate_scope(Scope(ScopeKind.PROCESSING_LOG, TAX_SERVICE))
    assert refused.value.code == "unknown-scope"
