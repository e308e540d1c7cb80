"""The agency mandates API: a municipality's counter asks whether a representative may act for
a person at one of its services, and gets the portal's own decision; other organisations'
services, clients without the scope and malformed questions are refused.

The principal is the "elderly" persona. She authorised the student for the municipality's
birth service, resident-substantial for her message box only; resident-high's mandate for the
birth service has expired, and eu-es's was ended by her."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from lifegate.catalogue.models import PublicOrganisation
from lifegate.core.subject import Subject
from lifegate.journeys.models import AgencyClient
from lifegate.journeys.tests.agency_factories import make_client
from lifegate.mandates import services
from lifegate.mandates.decision import EXPLANATIONS
from lifegate.mandates.models import Mandate, ScopeKind
from lifegate.mandates.scopes import Scope
from lifegate.mandates.tests.conftest import (
    BIRTH_SERVICE,
    MUNICIPALITY,
    TAX_SERVICE,
    Catalogue,
    grant_active,
    period,
    person,
)
from lifegate.registries.personas import DemoPersona
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import subject_hash

pytestmark = pytest.mark.django_db
CHECK = "/api/agency/mandates/check"


@dataclass(frozen=True)
class Counter:
    """The municipality's client credential and the people who come to its counter."""

    token: str
    principal: Subject
    people: dict[str, Subject]
    # The student's mandate for the birth service.
    in_scope: Mandate


@pytest.fixture
def counter(
    personas: dict[str, DemoPersona],
    catalogue: Catalogue,
    minor_child: Subject,
    parent_of_student: Subject,
) -> Counter:
    principal = personas["elderly"].subject
    by_her = person(principal)
    people = {key: p.subject for key, p in personas.items()}
    birth = Scope(ScopeKind.SERVICE, BIRTH_SERVICE)
    granted = grant_active(principal, people["student"], [birth], *period(), by_her)
    inbox = Scope(ScopeKind.INBOX_READ)
    grant_active(principal, people["resident-substantial"], [inbox], *period(), by_her)
    expired = grant_active(principal, people["resident-high"], [birth], *period(), by_her)
    last_month = timezone.localdate() - timedelta(days=31)
    Mandate.objects.filter(pk__in=[m.pk for m in expired.mandates]).update(
        valid_from=last_month, valid_until=last_month + timedelta(days=30)
    )
    ended = grant_active(principal, people["eu-es"], [birth], *period(), by_her)
    for mandate in ended.mandates:
        services.end(mandate.pk, principal, by_her)
    people |= {"minor child": minor_child, "parent of student": parent_of_student}
    municipality = PublicOrganisation.objects.get(slug=MUNICIPALITY)
    _, token = make_client(municipality, [AgencyClient.Scope.MANDATES])
    return Counter(token, principal, people, granted.mandates[0])


def ask(
    client: Client,
    token: str,
    representative: Subject | dict[str, str],
    principal: Subject | dict[str, str],
    service: str = BIRTH_SERVICE,
    language: str = "en",
    **extra: str,
) -> Any:
    def identify(who: Subject | dict[str, str]) -> dict[str, str]:
        return who.as_dict() if isinstance(who, Subject) else who

    body = {"representative": identify(representative), "principal": identify(principal)}
    return client.post(
        CHECK,
        data=body | {"service": service} | extra,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "Accept-Language": language},
    )


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


# Decisions per relation -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("representative", "principal", "allowed", "reason"),
    [
        ("student", "", True, "mandate"),
        ("resident-substantial", "", False, "out-of-scope"),
        ("resident-high", "", False, "expired"),
        ("eu-es", "", False, "ended"),
        ("parent", "minor child", True, "parental-authority"),
        ("parent of student", "student", False, "no-relation"),
        ("resident-low", "", False, "no-relation"),
        ("elderly", "", True, "self"),
    ],
)
def test_the_counter_gets_the_portals_decision_for_each_relation(
    client: Client,
    counter: Counter,
    representative: str,
    principal: str,
    allowed: bool,
    reason: str,
) -> None:
    on = counter.people[principal] if principal else counter.principal
    response = ask(client, counter.token, counter.people[representative], on)
    assert response.status_code == 200, response.content
    answer = response.json()
    assert (answer["allowed"], answer["reason"]) == (allowed, reason)
    assert answer["basis"] == (reason if allowed else "")
    with translation.override("en"):
        assert answer["explanation"] == str(EXPLANATIONS[reason])


def test_an_allowing_mandate_comes_with_its_last_day(client: Client, counter: Counter) -> None:
    answer = ask(client, counter.token, counter.people["student"], counter.principal).json()
    assert answer["valid_until"] == counter.in_scope.valid_until.isoformat()
    by_law = ask(client, counter.token, counter.people["parent"], counter.people["minor child"])
    assert by_law.json()["valid_until"] is None


def test_viewing_and_submitting_are_both_covered_by_a_service_mandate(
    client: Client, counter: Counter
) -> None:
    student = counter.people["student"]
    for action in ("journeys.view", "journeys.submit"):
        answer = ask(client, counter.token, student, counter.principal, action=action).json()
        assert answer["allowed"], action


def test_the_explanation_is_in_the_requests_language(client: Client, counter: Counter) -> None:
    student = counter.people["student"]
    dutch = ask(client, counter.token, student, counter.principal, language="nl").json()
    english = ask(client, counter.token, student, counter.principal, language="en").json()
    assert english["explanation"] == "You have been authorised for this."
    assert dutch["explanation"] != english["explanation"]


def test_a_check_is_recorded_for_both_people_and_is_not_a_first_use(
    client: Client, counter: Counter
) -> None:
    student = counter.people["student"]
    ask(client, counter.token, student, counter.principal)
    records = ProcessingRecord.objects.filter(name="mandates.agency-api.check")
    assert sorted(r.data_subject_hash for r in records) == sorted(
        [subject_hash(counter.principal), subject_hash(student)]
    )
    assert {(r.organisation, r.actor_kind, r.processing_activity_id) for r in records} == {
        (MUNICIPALITY, "agency", "mandates")
    }
    # Asking is not acting: the principal is not told of a "first use".
    counter.in_scope.refresh_from_db()
    assert counter.in_scope.first_used_at is None


# Refusals ---------------------------------------------------------------------------------


def test_another_organisations_service_is_a_403_problem_and_nothing_is_recorded(
    client: Client, counter: Counter
) -> None:
    response = ask(client, counter.token, counter.people["student"], counter.principal, TAX_SERVICE)
    body = problem(response, 403)
    assert body["reason"] == "not-own-service"
    assert body["type"].endswith("/not-permitted")
    assert "allowed" not in body
    assert not ProcessingRecord.objects.filter(name="mandates.agency-api.check").exists()


def test_an_unknown_service_is_a_404_problem(client: Client, counter: Counter) -> None:
    response = ask(client, counter.token, counter.people["student"], counter.principal, "nope")
    problem(response, 404)


def test_a_client_without_the_mandates_scope_gets_a_403_problem(
    client: Client, counter: Counter
) -> None:
    municipality = PublicOrganisation.objects.get(slug=MUNICIPALITY)
    _, token = make_client(municipality, [AgencyClient.Scope.SUBMISSIONS], name="queue")
    problem(ask(client, token, counter.people["student"], counter.principal), 403)


def test_a_request_without_credential_is_a_401_problem(client: Client, counter: Counter) -> None:
    problem(ask(client, "lg-unknown.secret", counter.people["student"], counter.principal), 401)


@pytest.mark.parametrize(
    ("representative", "principal", "extra"),
    [
        ({"scheme": "bsn", "value": "123456789"}, None, {}),  # fails the elfproef
        ({"scheme": "bsn", "value": "12345"}, None, {}),
        (None, {"scheme": "eidas", "value": "not an identifier"}, {}),
        (None, {"scheme": "passport", "value": "X1234567"}, {}),
        (None, None, {"action": "inbox.read"}),
    ],
)
def test_malformed_input_is_a_400_problem_that_does_not_repeat_it(
    client: Client,
    counter: Counter,
    representative: dict[str, str] | None,
    principal: dict[str, str] | None,
    extra: dict[str, str],
) -> None:
    response = ask(
        client,
        counter.token,
        representative or counter.people["student"],
        principal or counter.principal,
        **extra,
    )
    body = problem(response, 400)
    assert body["errors"]
    for value in ("123456789", "12345", "not an identifier", "X1234567"):
        assert value not in response.content.decode()
    assert not ProcessingRecord.objects.filter(name="mandates.agency-api.check").exists()


def test_the_openapi_document_describes_the_check(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    operation = schema["paths"][CHECK]["post"]
    assert operation["operationId"] == "checkAgencyMandate"
    assert "application/problem+json" in operation["responses"]["403"]["content"]
