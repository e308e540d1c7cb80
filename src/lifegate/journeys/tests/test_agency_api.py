"""The agency API: credentials, the organisation's own queue, reading a submission (logged),
status updates, and the deliveries an agency can watch and retry."""

import base64
import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from lifegate.catalogue.models import PublicService
from lifegate.core.subject import Subject
from lifegate.journeys.models import AgencyClient, Delivery, StatusChange, Step, Submission
from lifegate.journeys.tests.agency_factories import (
    FIELDS,
    PERSON,
    Agencies,
    make_agencies,
    make_client,
    make_submission,
)
from lifegate.transparency.services import records_about

pytestmark = pytest.mark.django_db
API = "/api/agency"
REPRESENTATIVE = Subject("bsn", "999990020")


@pytest.fixture
def agencies() -> Agencies:
    return make_agencies()


@pytest.fixture
def token(agencies: Agencies) -> str:
    return make_client(agencies.mine)[1]


def call(client: Client, method: str, path: str, credential: str | None, **kwargs: Any) -> Any:
    headers = {"Authorization": f"Bearer {credential}"} if credential else {}
    return getattr(client, method)(API + path, headers=headers, **kwargs)


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"]
    return body


# Credentials ------------------------------------------------------------------------------


def test_a_request_without_credential_is_a_401_problem_naming_the_bearer_scheme(
    client: Client, agencies: Agencies
) -> None:
    response = call(client, "get", "/submissions", None)
    problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "credential",
    ["wrong", "lg-nonexistent.secret", "{client_id}.wrong-secret", "{client_id}", "{client_id}."],
)
def test_a_wrong_credential_is_a_401_problem(
    client: Client, agencies: Agencies, token: str, credential: str
) -> None:
    client_id = token.split(".")[0]
    response = call(client, "get", "/submissions", credential.format(client_id=client_id))
    problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_credential_in_another_scheme_is_a_401_problem(client: Client, token: str) -> None:
    response = client.get(API + "/submissions", headers={"Authorization": f"Basic {token}"})
    problem(response, 401)


def test_an_inactive_clients_credential_is_a_401_problem(client: Client, token: str) -> None:
    AgencyClient.objects.update(active=False)
    problem(call(client, "get", "/submissions", token), 401)


def test_a_client_without_the_submissions_scope_gets_a_403_problem(
    client: Client, agencies: Agencies
) -> None:
    _, events_only = make_client(agencies.mine, [AgencyClient.Scope.EVENTS], name="brp")
    problem(call(client, "get", "/submissions", events_only), 403)


# The queue --------------------------------------------------------------------------------


def test_the_queue_lists_only_the_clients_own_organisations_submissions(
    client: Client, agencies: Agencies, token: str
) -> None:
    mine = make_submission(agencies.service)
    make_submission(agencies.other_service)
    response = call(client, "get", "/submissions", token)
    assert response.status_code == 200
    page = response.json()
    assert [row["id"] for row in page["results"]] == [str(mine.pk)]
    assert page["results"][0]["service"] == agencies.service.slug
    assert PERSON.value not in response.content.decode()


def test_the_queue_pages_oldest_first_with_a_cursor_and_filters_by_status(
    client: Client, agencies: Agencies, token: str
) -> None:
    start = timezone.now() - timedelta(days=1)
    made = [
        make_submission(agencies.service, submitted_at=start + timedelta(minutes=n))
        for n in (3, 1, 4, 2, 0)
    ]
    # Two with the same moment: the id decides, and the cursor must not skip either.
    twin = make_submission(agencies.service, submitted_at=made[0].submitted_at)
    expected = [s.pk for s in sorted([*made, twin], key=lambda s: (s.submitted_at, s.pk))]
    seen, path, pages = [], "/submissions?limit=2", 0
    while path:
        page = call(client, "get", path, token).json()
        seen += [row["id"] for row in page["results"]]
        pages += 1
        path = f"/submissions?limit=2&after={page['next_cursor']}" if page["next_cursor"] else ""
        assert (page["next"] is None) == (page["next_cursor"] is None)
    assert seen == [str(pk) for pk in expected]
    assert pages == 3

    Submission.objects.filter(pk=made[2].pk).update(status="received")
    received = call(client, "get", "/submissions?status=received", token).json()
    assert [row["id"] for row in received["results"]] == [str(made[2].pk)]


def test_a_malformed_cursor_or_status_is_a_400_problem(client: Client, token: str) -> None:
    problem(call(client, "get", "/submissions?after=bm9uc2Vuc2U", token), 400)
    # A moment that overflows when turned into UTC (a 500 on SQLite before).
    raw = json.dumps(["0001-01-01T00:00:00+01:00", str(uuid.uuid4())]).encode()
    extreme = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    problem(call(client, "get", f"/submissions?after={extreme}", token), 400)
    problem(call(client, "get", "/submissions?status=lost", token), 400)
    problem(call(client, "get", "/submissions?limit=0", token), 400)


# Reading a submission ---------------------------------------------------------------------


def test_a_submission_shows_fields_sources_person_history_and_deliveries(
    client: Client, agencies: Agencies, token: str
) -> None:
    submission = make_submission(agencies.service, language="en")
    webhook_client, _ = make_client(agencies.mine, webhook_url="https://example.test/hook")
    Delivery.objects.create(submission=submission, client=webhook_client, state="dead")
    StatusChange.objects.create(submission=submission, status="received", changed_by="x")
    response = call(client, "get", f"/submissions/{submission.pk}", token)
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    assert body["fields"] == FIELDS
    assert body["sources"]["child_birth_date"]["source"] == "population-register"
    assert body["subject"] == {"scheme": "bsn", "value": PERSON.value}
    assert body["submitted_by"] == body["subject"]
    assert body["on_behalf"] is False
    assert body["language"] == "en"
    assert [c["status"] for c in body["history"]] == ["received"]
    assert body["deliveries"][0]["state"] == "dead"
    assert body["deliveries"][0]["client_id"] == webhook_client.client_id


def test_reading_a_submission_is_recorded_in_the_persons_processing_log(
    client: Client, agencies: Agencies, token: str
) -> None:
    submission = make_submission(agencies.service)
    assert records_about(PERSON) == []
    call(client, "get", f"/submissions/{submission.pk}", token)
    [record] = records_about(PERSON)
    assert record.actor_kind == "agency"
    assert record.organisation == agencies.mine.slug
    assert record.processing_activity_id == "birth-registration-test"
    assert sorted(record.data_categories) == sorted(FIELDS)


def test_a_submission_by_a_representative_names_them_and_is_in_their_log_too(
    client: Client, agencies: Agencies, token: str
) -> None:
    submission = make_submission(agencies.service, actor=REPRESENTATIVE)
    body = call(client, "get", f"/submissions/{submission.pk}", token).json()
    assert body["subject"] == {"scheme": "bsn", "value": PERSON.value}
    assert body["submitted_by"] == {"scheme": "bsn", "value": REPRESENTATIVE.value}
    assert body["on_behalf"] is True
    [record] = records_about(REPRESENTATIVE)
    assert record.organisation == agencies.mine.slug
    assert record.data_categories == ["representative"]
    assert len(records_about(PERSON)) == 1


def test_another_organisations_submission_is_a_404_like_an_unknown_one(
    client: Client, agencies: Agencies, token: str
) -> None:
    theirs = make_submission(agencies.other_service)
    other = problem(call(client, "get", f"/submissions/{theirs.pk}", token), 404)
    unknown = problem(
        call(client, "get", "/submissions/00000000-0000-4000-8000-000000000000", token), 404
    )
    assert other == unknown
    assert records_about(PERSON) == []


def test_a_service_no_longer_the_agencys_is_refused_by_the_decision_point(
    client: Client, agencies: Agencies, token: str
) -> None:
    submission = make_submission(agencies.service)
    # The catalogue now names another organisation competent for the service: the decision
    # point no longer lets the agency read or change its old submissions.
    PublicService.objects.filter(pk=agencies.service.pk).update(competent_authority=agencies.other)

    problem(call(client, "get", f"/submissions/{submission.pk}", token), 404)
    moved = call(
        client,
        "post",
        f"/submissions/{submission.pk}/status",
        token,
        data={"status": "received"},
        content_type="application/json",
    )
    problem(moved, 404)
    assert records_about(PERSON) == []


# Status updates ---------------------------------------------------------------------------


def test_an_agency_moves_a_submission_on_and_the_persons_step_follows(
    client: Client, agencies: Agencies, token: str
) -> None:
    submission = make_submission(agencies.service)
    path = f"/submissions/{submission.pk}/status"
    response = call(
        client, "post", path, token, data={"status": "received"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "received"
    message = "De geboorte is ingeschreven."
    body = {"status": "decided", "message": message}
    assert (
        call(client, "post", path, token, data=body, content_type="application/json").json()[
            "status"
        ]
        == "decided"
    )
    submission.refresh_from_db()
    assert submission.status == "decided"
    assert [c.status for c in submission.changes.all()] == ["received", "decided"]
    assert submission.changes.last().changed_by.startswith("api:")  # type: ignore[union-attr]
    step = Step.objects.get(pk=submission.step_id)
    assert (step.status, step.status_message) == (Step.Status.DECIDED, message)


def test_a_change_after_a_decision_is_a_409_problem(
    client: Client, agencies: Agencies, token: str
) -> None:
    submission = make_submission(agencies.service, status="decided")
    response = call(
        client,
        "post",
        f"/submissions/{submission.pk}/status",
        token,
        data={"status": "received"},
        content_type="application/json",
    )
    assert problem(response, 409)["detail"]
    submission.refresh_from_db()
    assert submission.status == "decided"


def test_a_rejection_without_a_reason_is_a_422_problem(
    client: Client, agencies: Agencies, token: str
) -> None:
    submission = make_submission(agencies.service)
    response = call(
        client,
        "post",
        f"/submissions/{submission.pk}/status",
        token,
        data={"status": "rejected", "message": "  "},
        content_type="application/json",
    )
    assert problem(response, 422)["errors"][0]["location"] == "body.message"
    assert Submission.objects.get(pk=submission.pk).status == "submitted"


@pytest.mark.parametrize(
    ("language", "conflict", "missing_reason"),
    [
        ("en", "Status change not allowed", "Reason required"),
        ("nl", "Statuswijziging niet toegestaan", "Reden verplicht"),
    ],
)
def test_status_problems_are_in_the_requests_language(
    client: Client,
    agencies: Agencies,
    token: str,
    language: str,
    conflict: str,
    missing_reason: str,
) -> None:
    decided = make_submission(agencies.service, status="decided")
    submitted = make_submission(agencies.service)

    def post(submission: Submission, data: dict[str, str]) -> Any:
        return client.post(
            f"{API}/submissions/{submission.pk}/status",
            data=data,
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}", "Accept-Language": language},
        )

    after_decision = problem(post(decided, {"status": "received"}), 409)
    no_reason = problem(post(submitted, {"status": "rejected", "message": ""}), 422)

    assert after_decision["title"] == conflict
    assert no_reason["title"] == missing_reason
    assert no_reason["type"].endswith("/reason-required")


def test_an_unknown_status_is_a_400_problem(client: Client, agencies: Agencies, token: str) -> None:
    submission = make_submission(agencies.service)
    response = call(
        client,
        "post",
        f"/submissions/{submission.pk}/status",
        token,
        data={"status": "submitted"},
        content_type="application/json",
    )
    problem(response, 400)


def test_another_organisations_submission_cannot_be_updated(
    client: Client, agencies: Agencies, token: str
) -> None:
    theirs = make_submission(agencies.other_service)
    response = call(
        client,
        "post",
        f"/submissions/{theirs.pk}/status",
        token,
        data={"status": "received"},
        content_type="application/json",
    )
    problem(response, 404)
    assert Submission.objects.get(pk=theirs.pk).status == "submitted"


# Deliveries -------------------------------------------------------------------------------


@pytest.fixture
def deliveries(agencies: Agencies) -> dict[str, Delivery]:
    hook, _ = make_client(agencies.mine, webhook_url="https://example.test/hook", name="hook")
    their_hook, _ = make_client(agencies.other, webhook_url="https://svb.test/hook", name="hook")
    return {
        state: Delivery.objects.create(
            submission=make_submission(agencies.service), client=hook, state=state
        )
        for state in ("dead", "delivered", "retrying")
    } | {
        "theirs": Delivery.objects.create(
            submission=make_submission(agencies.other_service), client=their_hook, state="dead"
        )
    }


def test_deliveries_are_listed_for_the_own_organisation_by_state(
    client: Client, token: str, deliveries: dict[str, Delivery]
) -> None:
    everything = call(client, "get", "/deliveries", token).json()["results"]
    assert {row["id"] for row in everything} == {
        str(deliveries[state].pk) for state in ("dead", "delivered", "retrying")
    }
    dead = call(client, "get", "/deliveries?state=dead", token).json()["results"]
    assert [row["id"] for row in dead] == [str(deliveries["dead"].pk)]


def test_retrying_a_dead_delivery_starts_it_over_and_enqueues_it(
    client: Client,
    token: str,
    deliveries: dict[str, Delivery],
    django_capture_on_commit_callbacks: Any,
) -> None:
    dead = deliveries["dead"]
    Delivery.objects.filter(pk=dead.pk).update(attempts=8, last_error="HTTP 500")
    with django_capture_on_commit_callbacks(execute=True):
        response = call(client, "post", f"/deliveries/{dead.pk}/retry", token)
    assert response.status_code == 202, response.content
    assert response.json()["state"] == "pending"
    dead.refresh_from_db()
    assert (dead.state, dead.attempts, dead.last_error) == ("pending", 0, "")
    queued = DBTaskResult.objects.filter(task_path="lifegate.journeys.tasks.deliver")
    assert [row.args_kwargs["args"] for row in queued] == [[str(dead.pk)]]


def test_a_delivered_delivery_cannot_be_retried(
    client: Client, token: str, deliveries: dict[str, Delivery]
) -> None:
    delivered = deliveries["delivered"]
    problem(call(client, "post", f"/deliveries/{delivered.pk}/retry", token), 409)
    assert Delivery.objects.get(pk=delivered.pk).state == "delivered"


@pytest.mark.parametrize("state", ["pending", "retrying"])
def test_a_delivery_that_is_not_dead_cannot_be_retried_while_its_attempt_may_run(
    client: Client, token: str, deliveries: dict[str, Delivery], state: str
) -> None:
    waiting = deliveries["retrying"]
    Delivery.objects.filter(pk=waiting.pk).update(state=state, attempts=3)

    body = problem(call(client, "post", f"/deliveries/{waiting.pk}/retry", token), 409)

    assert body["type"].endswith("/not-retryable")
    waiting.refresh_from_db()
    assert (waiting.state, waiting.attempts) == (state, 3)
    assert not DBTaskResult.objects.filter(task_path="lifegate.journeys.tasks.deliver").exists()


def test_another_organisations_delivery_cannot_be_retried(
    client: Client, token: str, deliveries: dict[str, Delivery]
) -> None:
    problem(call(client, "post", f"/deliveries/{deliveries['theirs'].pk}/retry", token), 404)
    assert Delivery.objects.get(pk=deliveries["theirs"].pk).state == "dead"


def test_the_openapi_document_describes_the_agency_api(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    assert "/api/agency/submissions/{submission_id}/status" in schema["paths"]
    assert schema["components"]["securitySchemes"]["AgencyBearer"]["scheme"] == "bearer"
    responses = schema["paths"]["/api/agency/submissions"]["get"]["responses"]
    assert "application/problem+json" in responses["401"]["content"]
