"""The authorisation matrix: for each kind of actor, which actions on whose data the decision
point allows, and why it refuses the rest.

The principal is the "elderly" persona. She authorised the student for her message box
(read only) and the income tax service, and resident-substantial for the life event "birth"
only; resident-high's mandate has expired, and eu-es's was ended by her."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation

from lifegate.core.subject import Subject
from lifegate.mandates import services
from lifegate.mandates.actions import (
    INBOX_MANAGE,
    INBOX_READ,
    JOURNEYS_SUBMIT,
    JOURNEYS_VIEW,
    TRANSPARENCY_READ,
)
from lifegate.mandates.decision import Decision, may
from lifegate.mandates.models import Mandate, ScopeKind
from lifegate.mandates.scopes import Scope
from lifegate.mandates.tests.conftest import (
    BIRTH_EVENT,
    BIRTH_SERVICE,
    MUNICIPALITY,
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

# (action, service): what each actor tries on the subject's data.
INBOX_READING = (INBOX_READ, "")
INBOX_MANAGING = (INBOX_MANAGE, "")
TAX_VIEW = (JOURNEYS_VIEW, TAX_SERVICE)
TAX_SUBMIT = (JOURNEYS_SUBMIT, TAX_SERVICE)
BIRTH_VIEW = (JOURNEYS_VIEW, BIRTH_SERVICE)
# Seeing who used her data: none of the mandates below is for her processing log.
LOG_READING = (TRANSPARENCY_READ, "")
ATTEMPTS = (INBOX_READING, INBOX_MANAGING, TAX_VIEW, TAX_SUBMIT, BIRTH_VIEW, LOG_READING)


@dataclass(frozen=True)
class World:
    principal: Subject
    actors: dict[str, Actor]
    subjects: dict[str, Subject]


@pytest.fixture
def world(
    personas: dict[str, DemoPersona],
    catalogue: Catalogue,
    minor_child: Subject,
    parent_of_student: Subject,
) -> World:
    principal = personas["elderly"].subject
    by_her = person(principal)
    subject_of = {key: p.subject for key, p in personas.items()}
    inbox, tax = Scope(ScopeKind.INBOX_READ), Scope(ScopeKind.SERVICE, TAX_SERVICE)
    grant_active(principal, subject_of["student"], [inbox, tax], *period(), by_her)
    birth = Scope(ScopeKind.LIFE_EVENT, BIRTH_EVENT)
    grant_active(principal, subject_of["resident-substantial"], [birth], *period(), by_her)
    expired = grant_active(principal, subject_of["resident-high"], [inbox, tax], *period(), by_her)
    last_month = timezone.localdate() - timedelta(days=31)
    Mandate.objects.filter(pk__in=[m.pk for m in expired.mandates]).update(
        valid_from=last_month, valid_until=last_month + timedelta(days=30)
    )
    ended = grant_active(principal, subject_of["eu-es"], [inbox, tax], *period(), by_her)
    for mandate in ended.mandates:
        services.end(mandate.pk, principal, by_her)
    actors = {
        "the person": by_her,
        "representative in scope": person(subject_of["student"]),
        "representative out of scope": person(subject_of["resident-substantial"]),
        "expired representative": person(subject_of["resident-high"]),
        "ended representative": person(subject_of["eu-es"]),
        "parent of a minor": person(subject_of["parent"]),
        "parent of an adult": person(parent_of_student),
        "another resident": person(subject_of["resident-low"]),
        "agency of the service": Actor(kind="agency", organisation=TAX_OFFICE),
        "agency of another service": Actor(kind="agency", organisation=MUNICIPALITY),
    }
    subjects = {"minor": minor_child, "adult child": subject_of["student"]}
    return World(principal, actors, subjects)


def decide(world: World, actor: str, attempt: tuple[str, str], subject: str = "") -> Decision:
    action, service = attempt
    on = world.subjects[subject] if subject else world.principal
    return may(world.actors[actor], action, on, service=service)


def reasons(world: World, actor: str, subject: str = "") -> dict[tuple[str, str], str]:
    """Each attempt's outcome as "allowed:reason" or "refused:reason"."""
    outcome = {}
    for attempt in ATTEMPTS:
        decision = decide(world, actor, attempt, subject)
        outcome[attempt] = f"{'allowed' if decision else 'refused'}:{decision.reason}"
    return outcome


def test_the_person_may_do_everything_on_their_own_data(world: World) -> None:
    assert set(reasons(world, "the person").values()) == {"allowed:self"}


def test_a_representative_may_do_only_what_the_mandate_covers(world: World) -> None:
    assert reasons(world, "representative in scope") == {
        INBOX_READING: "allowed:mandate",
        INBOX_MANAGING: "refused:out-of-scope",
        TAX_VIEW: "allowed:mandate",
        TAX_SUBMIT: "allowed:mandate",
        BIRTH_VIEW: "refused:out-of-scope",
        LOG_READING: "refused:out-of-scope",
    }


def test_a_mandate_for_a_life_event_covers_its_services_only(world: World) -> None:
    assert reasons(world, "representative out of scope") == {
        INBOX_READING: "refused:out-of-scope",
        INBOX_MANAGING: "refused:out-of-scope",
        TAX_VIEW: "refused:out-of-scope",
        TAX_SUBMIT: "refused:out-of-scope",
        BIRTH_VIEW: "allowed:mandate",
        LOG_READING: "refused:out-of-scope",
    }
    actor = world.actors["representative out of scope"]
    assert may(actor, JOURNEYS_VIEW, world.principal, life_event=BIRTH_EVENT).allowed


def test_an_expired_mandate_allows_nothing(world: World) -> None:
    assert reasons(world, "expired representative") == {
        INBOX_READING: "refused:expired",
        INBOX_MANAGING: "refused:out-of-scope",
        TAX_VIEW: "refused:expired",
        TAX_SUBMIT: "refused:expired",
        BIRTH_VIEW: "refused:out-of-scope",
        LOG_READING: "refused:out-of-scope",
    }


def test_an_ended_mandate_allows_nothing_from_the_moment_it_ends(world: World) -> None:
    assert reasons(world, "ended representative") == {
        INBOX_READING: "refused:ended",
        INBOX_MANAGING: "refused:out-of-scope",
        TAX_VIEW: "refused:ended",
        TAX_SUBMIT: "refused:ended",
        BIRTH_VIEW: "refused:out-of-scope",
        LOG_READING: "refused:out-of-scope",
    }


def test_a_mandate_not_started_yet_allows_nothing(world: World) -> None:
    actor = world.actors["representative in scope"]
    yesterday = timezone.localdate() - timedelta(days=1)
    decision = may(actor, INBOX_READ, world.principal, today=yesterday)
    assert (decision.allowed, decision.reason) == (False, "not-yet-valid")


def test_a_parent_may_do_everything_for_a_minor_child_by_law(world: World) -> None:
    outcome = reasons(world, "parent of a minor", subject="minor")
    assert set(outcome.values()) == {"allowed:parental-authority"}
    assert decide(world, "parent of a minor", INBOX_READING, "minor").basis == "law"


def test_a_parent_may_not_act_for_others_by_law(world: World) -> None:
    assert set(reasons(world, "parent of a minor").values()) == {"refused:no-relation"}


def test_a_parent_of_an_adult_child_may_do_nothing_for_them(world: World) -> None:
    outcome = reasons(world, "parent of an adult", subject="adult child")
    assert set(outcome.values()) == {"refused:no-relation"}


def test_another_resident_may_do_nothing(world: World) -> None:
    assert set(reasons(world, "another resident").values()) == {"refused:no-relation"}


def test_an_agency_may_handle_its_own_service_only(world: World) -> None:
    assert reasons(world, "agency of the service") == {
        INBOX_READING: "refused:out-of-scope",
        INBOX_MANAGING: "refused:out-of-scope",
        TAX_VIEW: "allowed:agency-own-service",
        TAX_SUBMIT: "allowed:agency-own-service",
        BIRTH_VIEW: "refused:not-own-service",
        LOG_READING: "refused:out-of-scope",
    }


def test_an_agency_of_another_service_may_not_handle_it(world: World) -> None:
    assert reasons(world, "agency of another service") == {
        INBOX_READING: "refused:out-of-scope",
        INBOX_MANAGING: "refused:out-of-scope",
        TAX_VIEW: "refused:not-own-service",
        TAX_SUBMIT: "refused:not-own-service",
        BIRTH_VIEW: "allowed:agency-own-service",
        LOG_READING: "refused:out-of-scope",
    }


def test_the_basis_of_a_mandate_decision_is_the_mandate(world: World) -> None:
    decision = decide(world, "representative in scope", INBOX_READING)
    given = services.mandates_for(world.principal).given
    ids = {str(m.pk) for m in given if m.scope_kind == "inbox-read"}
    assert decision.basis in ids


def test_the_explanation_is_readable_in_both_languages(world: World) -> None:
    decision = decide(world, "ended representative", INBOX_READING)
    with translation.override("nl"):
        assert decision.explanation == "Uw machtiging is beëindigd."
    with translation.override("en"):
        assert decision.explanation == "Your authorisation has been ended."


def test_a_mandate_decision_takes_one_query(world: World, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        assert decide(world, "representative in scope", TAX_VIEW).allowed


def test_an_unknown_action_is_a_programming_error(world: World) -> None:
    with pytest.raises(ValueError, match="unknown action"):
        may(world.actors["the person"], "inbox.delete", world.principal)
