"""Documents as evidence through the APIs: the person sends them with a step (multipart), the
agency of the service lists and downloads them (logged), nobody else can; the back office
shows them too."""

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from lifegate.core.tests.full_disk import use_nearly_full_disk
from lifegate.journeys.models import AgencyStaff, Journey, Submission, SubmittedDocument
from lifegate.journeys.tests.agency_factories import make_client
from lifegate.journeys.tests.conftest import PlanFixture
from lifegate.journeys.tests.evidence_helpers import (
    ACTIVITY,
    EXE,
    IDENTITY,
    PDF,
    PNG,
    TENANCY,
    add_requirements,
    send_step,
    stored_files,
    upload,
    use_private_storage,
)
from lifegate.journeys.tests.test_pages import log_in, start
from lifegate.registries.personas import DemoPersona
from lifegate.transparency.services import records_about

pytestmark = pytest.mark.django_db
BASE = "/api/journeys/"
AGENCY = "/api/agency"


@pytest.fixture
def storage(settings: Any, tmp_path: Path) -> Path:
    return use_private_storage(settings, tmp_path / "attachments")


@pytest.fixture
def journey(
    client: Client, plan: PlanFixture, personas: dict[str, DemoPersona], storage: Path
) -> Journey:
    add_requirements(plan)
    log_in(client, personas["parent"])
    return start(client, plan)


def submissions_url(journey: Journey) -> str:
    return f"{BASE}{journey.pk}/steps/register-move/submissions/multipart"


def submission_part(key: str = "api-evidence-key", **extra: Any) -> str:
    body = {"fields": {"postcode": "3511 AB"}, "idempotency_key": key, "confirmed": True}
    return json.dumps(body | extra)


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


# The person's API -------------------------------------------------------------------------


def test_the_step_form_lists_the_requirements_and_their_upload_parts(
    client: Client, journey: Journey
) -> None:
    form = client.get(
        f"{BASE}{journey.pk}/steps/register-move/form", headers={"accept-language": "en"}
    ).json()

    requirements = {r["requirement"]: r for r in form["requirements"]}
    assert requirements[IDENTITY]["name"] == "Identity document"
    assert requirements[IDENTITY]["upload_part"] == f"document-{IDENTITY}"
    assert [t["slug"] for t in requirements[TENANCY]["evidence_types"]] == [
        "owner-consent-test",
        "rental-contract-test",
    ]
    assert form["max_document_bytes"] == 10 * 1024 * 1024


def test_a_step_is_sent_with_documents_as_multipart(
    client: Client, journey: Journey, storage: Path
) -> None:
    data = {
        "submission": submission_part(evidence_types={TENANCY: "rental-contract-test"}),
        f"document-{IDENTITY}": upload("id.pdf", PDF),
        f"document-{TENANCY}": upload("huur.png", PNG, "image/png"),
    }

    first = client.post(submissions_url(journey), data)
    again = client.post(
        submissions_url(journey),
        {"submission": data["submission"], f"document-{IDENTITY}": upload("id.pdf", PDF)},
    )

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    documents = {d.requirement_slug: d for d in SubmittedDocument.objects.all()}
    assert set(documents) == {IDENTITY, TENANCY}  # the repeat stored nothing more
    assert documents[TENANCY].evidence_type_slug == "rental-contract-test"
    assert len(stored_files(storage)) == 2


@pytest.mark.parametrize(
    ("part", "content", "requirement"),
    [
        (f"document-{IDENTITY}", EXE, IDENTITY),
        (f"document-{TENANCY}", PDF + bytes(2000), TENANCY),
        ("document-no-such-requirement", PDF, "no-such-requirement"),
    ],
    ids=["not a document", "too large", "unknown requirement"],
)
def test_a_wrong_file_is_a_422_naming_the_requirement_and_nothing_is_kept(
    client: Client,
    journey: Journey,
    storage: Path,
    settings: Any,
    part: str,
    content: bytes,
    requirement: str,
) -> None:
    settings.JOURNEYS_EVIDENCE_MAX_BYTES = 1000
    data = {"submission": submission_part(), part: upload("file.pdf", content)}

    response = client.post(submissions_url(journey), data, headers={"accept-language": "en"})

    body = problem(response, 422)
    assert [(e["location"], e["requirement"]) for e in body["errors"]] == [(part, requirement)]
    assert requirement in body["errors"][0]["message"] or "file" in body["errors"][0]["message"]
    assert not Submission.objects.exists() and stored_files(storage) == []


def test_a_full_storage_is_a_507_that_keeps_nothing_and_the_same_request_succeeds_later(
    client: Client, journey: Journey, storage: Path, settings: Any
) -> None:
    disk = use_nearly_full_disk(settings, storage, room=len(PDF) // 2)
    data = {"submission": submission_part("full-key"), f"document-{IDENTITY}": upload("i.pdf", PDF)}

    response = client.post(submissions_url(journey), data, headers={"accept-language": "en"})

    body = problem(response, 507)
    assert body["type"].endswith("/document-storage-full")
    assert body["detail"].startswith("Your documents could not be stored just now")
    assert not Submission.objects.exists() and stored_files(storage) == []

    disk.room = 10 * len(PDF)
    data[f"document-{IDENTITY}"] = upload("i.pdf", PDF)
    assert client.post(submissions_url(journey), data).status_code == 201
    assert len(stored_files(storage)) == 1


@pytest.mark.parametrize(
    ("requirement", "kind"),
    [(IDENTITY, "rental-contract-test"), (TENANCY, "passport-9999")],
    ids=["the only type is another", "not among the choices"],
)
def test_an_evidence_type_that_does_not_meet_the_requirement_is_one_422_error(
    client: Client, journey: Journey, storage: Path, requirement: str, kind: str
) -> None:
    data = {
        "submission": submission_part(evidence_types={requirement: kind}),
        f"document-{requirement}": upload("doc.pdf", PDF),
    }

    response = client.post(submissions_url(journey), data, headers={"accept-language": "en"})

    assert problem(response, 422)["errors"] == [
        {
            "location": f"evidence_types.{requirement}",
            "requirement": requirement,
            "message": "This is not one of the requirement's evidence types.",
        }
    ]
    assert kind not in response.content.decode()  # said once, without repeating the input
    assert not Submission.objects.exists() and stored_files(storage) == []


def test_field_errors_and_file_errors_come_back_together_in_dutch(
    client: Client, journey: Journey, storage: Path
) -> None:
    data = {
        "submission": json.dumps(
            {"fields": {"postcode": "nope"}, "idempotency_key": "nl-errors", "confirmed": True}
        ),
        f"document-{IDENTITY}": upload("leeg.pdf", b""),
    }

    response = client.post(submissions_url(journey), data, headers={"accept-language": "nl"})

    errors = {e["location"]: e for e in problem(response, 422)["errors"]}
    assert set(errors) == {"postcode", f"document-{IDENTITY}"}
    assert errors[f"document-{IDENTITY}"]["message"] == "Het verstuurde bestand is leeg."
    assert not Submission.objects.exists() and stored_files(storage) == []


@pytest.mark.parametrize(
    "data",
    [{}, {"submission": "{not json"}, {"submission": json.dumps({"fields": {}})}],
    ids=["no submission part", "not JSON", "incomplete"],
)
def test_a_malformed_submission_part_is_a_400(
    client: Client, journey: Journey, data: dict[str, str]
) -> None:
    body = problem(client.post(submissions_url(journey), data), 400)

    assert body["errors"] and all(
        e["location"].startswith("form.submission") for e in body["errors"]
    )
    assert not Submission.objects.exists()


@pytest.mark.parametrize(
    "extra",
    [{"idempotency_key": "key-\u0000"}, {"fields": {"postcode": "3511 AB\ud800"}}],
    ids=["NUL", "unpaired surrogate"],
)
def test_text_no_database_takes_in_the_submission_part_is_a_400(
    client: Client, journey: Journey, storage: Path, extra: dict[str, Any]
) -> None:
    data = {"submission": submission_part(**extra), f"document-{IDENTITY}": upload("id.pdf", PDF)}
    body = problem(
        client.post(submissions_url(journey), data, headers={"accept-language": "en"}), 400
    )

    assert "U+0000" in body["detail"]
    assert not Submission.objects.exists() and stored_files(storage) == []


def test_the_multipart_operation_is_documented(client: Client) -> None:
    document = client.get("/api/openapi.json").json()

    operation = document["paths"]["/api/journeys/{journey_id}/steps/{slug}/submissions/multipart"]
    schema = operation["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert schema["required"] == ["submission"]
    assert "^document-[a-z0-9-]+$" in schema["patternProperties"]
    assert document["components"]["schemas"]["SubmitIn"]


# The agency -------------------------------------------------------------------------------


@pytest.fixture
def sent(client: Client, journey: Journey) -> Submission:
    response = send_step(client, journey, {f"document-{IDENTITY}": upload("paspoort.pdf", PDF)})
    assert response.status_code == 302
    return Submission.objects.get()


def agency_get(path: str, token: str) -> Any:
    return Client().get(AGENCY + path, headers={"Authorization": f"Bearer {token}"})


def test_the_agency_lists_and_downloads_the_documents_and_the_reads_are_logged(
    sent: Submission, plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    token = make_client(plan.register.service.competent_authority)[1]

    detail = agency_get(f"/submissions/{sent.pk}", token).json()
    [listed] = detail["documents"]
    download = agency_get(listed["download"].removeprefix(AGENCY), token)

    assert listed["requirement"] == IDENTITY
    assert listed["evidence_type"] == "identity-document-test"
    assert (listed["content_type"], listed["size"]) == ("application/pdf", len(PDF))
    assert listed["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert listed["filename"] == "paspoort.pdf"
    assert download.status_code == 200
    assert download.getvalue() == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Cache-Control"] == "private, no-store"
    names = [r.name for r in records_about(personas["parent"].subject)]
    assert "journeys.agency-api.document.register-move" in names
    record = next(
        r
        for r in records_about(personas["parent"].subject)
        if r.name == "journeys.agency-api.document.register-move"
    )
    assert (record.processing_activity_id, record.actor_kind) == (ACTIVITY, "agency")


def test_another_agency_cannot_see_or_download_the_documents(
    sent: Submission, plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    document = sent.documents.get()
    other = make_client(plan.benefit.service.competent_authority)[1]
    before = len(records_about(personas["parent"].subject))

    problem(agency_get(f"/submissions/{sent.pk}", other), 404)
    problem(agency_get(f"/submissions/{sent.pk}/documents/{document.pk}", other), 404)
    assert len(records_about(personas["parent"].subject)) == before


def test_a_document_of_another_submission_is_a_404(
    sent: Submission, plan: PlanFixture, client: Client, journey: Journey
) -> None:
    token = make_client(plan.register.service.competent_authority)[1]
    document = sent.documents.get()
    # A second submission of the same organisation, without documents.
    journey.steps.filter(service_slug="register-move").update(status="todo")
    assert send_step(client, journey, key="second").status_code == 302
    second = Submission.objects.exclude(pk=sent.pk).get()

    response = agency_get(f"/submissions/{second.pk}/documents/{document.pk}", token)

    problem(response, 404)


def test_a_client_without_credentials_gets_no_document(sent: Submission) -> None:
    document = sent.documents.get()

    response = Client().get(f"{AGENCY}/submissions/{sent.pk}/documents/{document.pk}")

    problem(response, 401)


# The back office --------------------------------------------------------------------------


def staff_of(organisation: Any) -> Client:
    user = User.objects.create_user(f"{organisation.slug}-staff", password="a-long-password")
    AgencyStaff.objects.create(user=user, organisation=organisation)
    client = Client()
    client.force_login(user)
    return client


def test_the_back_office_shows_and_serves_the_documents(
    sent: Submission, plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    staff = staff_of(plan.register.service.competent_authority)
    staff.cookies["django_language"] = "en"
    document = sent.documents.get()
    link = f"/back-office/submissions/{sent.pk}/documents/{document.pk}"

    page = staff.get(f"/back-office/submissions/{sent.pk}/").content.decode()
    download = staff.get(link)

    assert 'id="submission-documents"' in page and "Identity document" in page
    assert f'href="{link}"' in page and "paspoort.pdf" in page
    assert download.status_code == 200 and download.getvalue() == PDF
    names = [r.name for r in records_about(personas["parent"].subject)]
    assert any(name.startswith("journeys.backoffice.document.register-move") for name in names)


def test_other_staff_cannot_download_the_documents(sent: Submission, plan: PlanFixture) -> None:
    staff = staff_of(plan.benefit.service.competent_authority)
    document = sent.documents.get()

    response = staff.get(f"/back-office/submissions/{sent.pk}/documents/{document.pk}")

    assert response.status_code == 404
