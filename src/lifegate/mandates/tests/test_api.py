"""The person's authorisations API: session-authenticated at level substantial, CSRF-checked,
each refusal a problem with its `code` and nothing stored, the attempt limit a 429 with
Retry-After, and nothing of it while acting for someone else."""

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone, translation

from lifegate.core.subject import Subject
from lifegate.inbox.models import Message
from lifegate.mandates import services
from lifegate.mandates.errors import MandateRefused
from lifegate.mandates.models import Mandate, MandateInvitation, ScopeKind
from lifegate.mandates.scopes import Scope
from lifegate.mandates.tests.conftest import Catalogue, grant_active, period, person
from lifegate.mandates.tests.web import counts, frozen_limiter_clock, log_in_as, name_of
from lifegate.registries.personas import DemoPersona
from lifegate.transparency.services import Actor, record_processing, subject_hash

pytestmark = pytest.mark.django_db

BASE = "/api/mandates/"
PROBLEM = "application/problem+json"
EN = {"accept-language": "en"}
UNKNOWN_BSN = "111222333"


@pytest.fixture(autouse=True)
def no_attempts_counted() -> None:
    cache.clear()


@pytest.fixture
def elderly(client: Client, personas: dict[str, DemoPersona]) -> Subject:
    """The principal of these tests, logged in on `client`."""
    subject = personas["elderly"].subject
    log_in_as(client, subject)
    return subject


@pytest.fixture
def student(personas: dict[str, DemoPersona]) -> Subject:
    return personas["student"].subject


def body(**changes: Any) -> dict[str, Any]:
    today, until = period(60)
    return {
        "scopes": [{"kind": "inbox-read"}],
        "valid_from": today.isoformat(),
        "valid_until": until.isoformat(),
    } | changes


def post(client: Client, path: str, data: dict[str, Any], language: str = "en") -> Any:
    return client.post(
        BASE + path, data, content_type="application/json", headers={"accept-language": language}
    )


def grant_inbox(principal: Subject, representative: Subject | None) -> services.Granted:
    return grant_active(
        principal, representative, [Scope(ScopeKind.INBOX_READ)], *period(), person(principal)
    )


def test_needs_a_session(client: Client, db: None) -> None:
    response = client.get(BASE)

    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM


def test_needs_a_substantial_login(client: Client, personas: dict[str, DemoPersona]) -> None:
    log_in_as(client, personas["resident-low"].subject, loa="low")

    response = client.get(BASE, headers=EN)

    assert response.status_code == 403
    assert response.json()["title"] == "Log in again at a higher level of assurance."


def test_changes_need_a_csrf_token(personas: dict[str, DemoPersona], student: Subject) -> None:
    client = Client(enforce_csrf_checks=True)
    log_in_as(client, personas["elderly"].subject)

    response = post(client, "", body(representative_bsn=student.value))

    assert response.status_code == 403
    assert counts() == (0, 0)


def test_the_list_gives_both_sides_with_names_and_no_identifiers(
    client: Client, elderly: Subject, student: Subject, personas: dict[str, DemoPersona]
) -> None:
    grant_inbox(elderly, student)
    grant_inbox(personas["parent"].subject, elderly)

    response = client.get(BASE, headers=EN)

    assert response.status_code == 200
    data = response.json()
    [given], [received] = data["given"], data["received"]
    assert given["person"] == name_of(student) and given["status"] == "active"
    assert given["scope"] == {"kind": "inbox-read", "slug": "", "label": "reading your message box"}
    assert received["person"] == name_of(personas["parent"].subject)
    assert received["scope"]["label"] == "reading the message box"
    assert student.value not in response.content.decode()
    assert elderly.value not in response.content.decode()


def test_granting_by_bsn_offers_mandates_the_representative_accepts(
    client: Client, elderly: Subject, student: Subject, catalogue: Catalogue
) -> None:
    scopes = [{"kind": "inbox-full"}, {"kind": "life-event", "slug": catalogue.birth_event}]

    response = post(client, "", body(representative_bsn=student.value, scopes=scopes))

    assert response.status_code == 201
    data = response.json()
    assert data["invitation_code"] is None
    assert [m["status"] for m in data["mandates"]] == ["invited", "invited"]
    assert Mandate.objects.filter(representative_hash=subject_hash(student)).count() == 2
    assert Message.objects.filter(recipient_hash=subject_hash(elderly)).count() == 2

    representative = Client()
    log_in_as(representative, student)
    offer = data["mandates"][0]["id"]
    mine = post(client, f"{offer}/accept", {})
    accepted = post(representative, f"{offer}/accept", {})

    assert mine.status_code == 404 and mine.json()["code"] == "unknown-mandate"
    assert accepted.status_code == 200
    assert [m["status"] for m in accepted.json()] == ["active", "active"]
    assert Message.objects.filter(recipient_hash=subject_hash(elderly)).count() == 4


def test_granting_with_a_code_returns_it_once_and_another_person_accepts_it(
    client: Client, elderly: Subject, student: Subject
) -> None:
    response = post(client, "", body())

    assert response.status_code == 201
    data = response.json()
    code = data["invitation_code"]
    assert code and data["invitation_expires_at"]
    assert data["mandates"][0]["status"] == "invited" and data["mandates"][0]["person"] is None
    assert code not in client.get(BASE).content.decode()

    representative = Client()
    log_in_as(representative, student)
    accepted = post(representative, "accept", {"code": code.lower()})

    assert accepted.status_code == 200
    assert [m["status"] for m in accepted.json()] == ["active"]
    assert Mandate.objects.get().representative_hash == subject_hash(student)
    again = post(representative, "accept", {"code": code})
    assert again.status_code == 409 and again.json()["code"] == "code-used"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"representative_bsn": UNKNOWN_BSN}, "unknown-person"),
        ({"representative_bsn": "SELF"}, "self-mandate"),
        ({"scopes": [{"kind": "service", "slug": "no-such-service"}]}, "unknown-scope"),
        ({"scopes": [{"kind": "inbox-read", "slug": "extra"}]}, "unknown-scope"),
        ({"scopes": []}, "no-scope"),
        ({"valid_until": "2000-01-01"}, "period-reversed"),
        ({"valid_until": "2999-01-01"}, "period-too-long"),
    ],
)
@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_refused_grant_is_a_422_problem_with_its_code_and_stores_nothing(
    client: Client,
    elderly: Subject,
    student: Subject,
    catalogue: Catalogue,
    changes: dict[str, Any],
    code: str,
    language: str,
) -> None:
    changes = {"representative_bsn": student.value} | changes
    if changes["representative_bsn"] == "SELF":
        changes["representative_bsn"] = elderly.value
    before = counts()

    response = post(client, "", body(**changes), language)

    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM
    assert counts() == before
    problem = response.json()
    assert problem["code"] == code
    with translation.override(language):
        assert problem["detail"] == MandateRefused(code, days=settings.MANDATES_MAX_DAYS).message
    assert student.value not in response.content.decode()


def test_a_duplicate_grant_is_a_409_problem(
    client: Client, elderly: Subject, student: Subject
) -> None:
    grant_inbox(elderly, student)
    before = counts()

    response = post(client, "", body(representative_bsn=student.value))

    assert response.status_code == 409
    assert response.json()["code"] == "duplicate"
    assert counts() == before


@pytest.mark.parametrize("bsn", ["123456789", "12345", "abcdefghi"])
def test_a_malformed_bsn_is_a_400_without_echoing_it(
    client: Client, elderly: Subject, bsn: str
) -> None:
    response = post(client, "", body(representative_bsn=bsn))

    assert response.status_code == 400
    assert response.json()["type"].endswith("/invalid-request")
    assert response.json()["errors"][0]["location"] == "body.representative_bsn"
    assert bsn not in response.content.decode()
    assert counts() == (0, 0)


def test_an_unknown_scope_kind_is_a_400(client: Client, elderly: Subject) -> None:
    response = post(client, "", body(scopes=[{"kind": "everything"}]))

    assert response.status_code == 400
    assert counts() == (0, 0)


@pytest.mark.parametrize("refusal", ["code-unknown", "code-expired", "code-used"])
def test_a_bad_code_is_refused_and_changes_nothing(
    client: Client, personas: dict[str, DemoPersona], student: Subject, refusal: str
) -> None:
    granted = grant_inbox(personas["elderly"].subject, None)
    code = granted.invitation_code
    if refusal == "code-unknown":
        code = "ABCD-EFGH-JKMN-PQRS"
    elif refusal == "code-expired":
        MandateInvitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    else:
        parent = personas["parent"].subject
        services.accept(code, parent, person(parent))
    log_in_as(client, student)
    before = list(Mandate.objects.values_list("status", "representative_hash"))

    response = post(client, "accept", {"code": code}, "nl")

    assert response.status_code == (409 if refusal == "code-used" else 422)
    assert response.json()["code"] == refusal
    with translation.override("nl"):
        assert response.json()["detail"] == MandateRefused(refusal).message
    assert list(Mandate.objects.values_list("status", "representative_hash")) == before


@override_settings(MANDATES_ACCEPT_ATTEMPTS=3, MANDATES_ACCEPT_WINDOW_SECONDS=600)
def test_too_many_codes_are_a_429_with_retry_after_counted_with_the_page(
    client: Client, personas: dict[str, DemoPersona], student: Subject
) -> None:
    code = grant_inbox(personas["elderly"].subject, None).invitation_code
    log_in_as(client, student)
    with frozen_limiter_clock():
        page = client.post(reverse("mandates:accept"), {"code": "WRONG"})
        tries = [post(client, "accept", {"code": "WRONG"}) for _ in range(2)]
        limited = post(client, "accept", {"code": code})

    assert page.status_code == 422 and [r.status_code for r in tries] == [422, 422]
    assert limited.status_code == 429
    assert limited["Content-Type"] == PROBLEM
    assert 1 <= int(limited["Retry-After"]) <= 600
    problem = limited.json()
    assert problem["type"].endswith("/too-many-attempts") and problem["status"] == 429
    assert "too many invitation codes" in problem["detail"]
    assert Mandate.objects.get().status == Mandate.Status.INVITED


@pytest.mark.parametrize("by", ["principal", "representative"])
def test_either_side_can_end_a_mandate(
    client: Client, personas: dict[str, DemoPersona], student: Subject, by: str
) -> None:
    principal = personas["elderly"].subject
    mandate = grant_inbox(principal, student).mandates[0]
    log_in_as(client, principal if by == "principal" else student)

    response = post(client, f"{mandate.pk}/end", {})

    assert response.status_code == 200
    assert response.json()["status"] == "ended" and response.json()["ended_by"] == by
    again = post(client, f"{mandate.pk}/end", {})
    assert again.status_code == 409 and again.json()["code"] == "already-ended"


def test_ending_someone_elses_mandate_is_a_404(
    client: Client, personas: dict[str, DemoPersona], student: Subject
) -> None:
    mandate = grant_inbox(personas["elderly"].subject, student).mandates[0]
    log_in_as(client, personas["parent"].subject)

    response = post(client, f"{mandate.pk}/end", {})

    assert response.status_code == 404 and response.json()["code"] == "unknown-mandate"
    mandate.refresh_from_db()
    assert mandate.status == Mandate.Status.ACTIVE


def test_done_on_my_behalf_names_the_representative_and_pages(
    client: Client, elderly: Subject, student: Subject
) -> None:
    grant_inbox(elderly, student)
    actor = Actor(kind="person", subject=student, on_behalf_of=elderly)
    for n in range(51):
        record_processing(
            name=f"inbox.open-{n}",
            subject=elderly,
            activity="inbox-delivery",
            actor=actor,
            data_categories=("message",),
        )

    first = client.get(BASE + "on-my-behalf").json()
    second = client.get(BASE + "on-my-behalf", {"page": first["next_page"]}).json()

    assert len(first["items"]) == 50 and first["next_page"] == 2
    assert {item["by"] for item in first["items"]} == {name_of(student)}
    assert len(second["items"]) == 1 and second["next_page"] is None
    assert second["items"][0]["name"] == "inbox.open-0"


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", ""), ("post", ""), ("post", "accept"), ("post", "END"), ("get", "on-my-behalf")],
)
def test_every_endpoint_is_refused_while_acting_for_someone(
    client: Client, personas: dict[str, DemoPersona], student: Subject, method: str, path: str
) -> None:
    principal = personas["elderly"].subject
    mandate = grant_inbox(principal, student).mandates[0]
    log_in_as(client, student)
    client.post(reverse("mandates:choose"), {"person": subject_hash(principal)})
    path = f"{mandate.pk}/end" if path == "END" else path
    before = counts()

    if method == "post":
        data = body(representative_bsn=personas["parent"].subject.value, code="ABCD")
        response = post(client, path, data)
    else:
        response = client.get(BASE + path, headers=EN)

    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert response.json()["reason"] == "only-self"
    assert counts() == before
    mandate.refresh_from_db()
    assert mandate.status == Mandate.Status.ACTIVE
