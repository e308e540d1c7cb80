"""The agency messages API, sending one message: credentials, creation, idempotent replays and
each way a message can be refused, always as problem details that never repeat the BSN."""

import base64
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings

from lifegate.catalogue.models import PublicOrganisation
from lifegate.catalogue.tests.factories import make_organisation, make_service
from lifegate.inbox.models import Attachment, Message
from lifegate.inbox.tests.conftest import PDF
from lifegate.journeys import agency as agency_clients
from lifegate.journeys.models import AgencyClient
from lifegate.journeys.tests.agency_factories import make_submission
from lifegate.registries.personas import DemoPersona

pytestmark = pytest.mark.django_db
API = "/api/agency/messages"


def make_token(organisation: PublicOrganisation, scopes: tuple[str, ...] = ("messages",)) -> str:
    """A bearer credential of a new client of `organisation`."""
    client, secret = agency_clients.create_client(organisation, "test", list(scopes))
    return agency_clients.bearer_token(client, secret)


def message_json(persona: DemoPersona, **fields: Any) -> dict[str, Any]:
    """A valid message body to `persona`; `fields` override any part of it."""
    return {
        "recipient": persona.subject.as_dict(),
        "subject": "Uw aanslag inkomstenbelasting",
        "body": "Wij hebben uw **aangifte** ontvangen.",
        "category": "decision",
        "action_required_by": "2027-01-31",
        "attachments": [
            {
                "filename": "aanslag.pdf",
                "content_type": "application/pdf",
                "content": base64.b64encode(PDF).decode(),
            }
        ],
    } | fields


def problem(response: Any, status: int) -> dict[str, Any]:
    """The problem details of `response`, which must have `status`."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"]
    return body


@pytest.fixture
def token(agency: PublicOrganisation) -> str:
    return make_token(agency)


def post(
    client: Client, token: str | None, body: Any, key: str | None = "key-1", **headers: str
) -> Any:
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post(API + "/", body, content_type="application/json", headers=headers)


# Credentials ------------------------------------------------------------------------------


def test_a_request_without_credential_is_a_401_problem(
    client: Client, personas: dict[str, DemoPersona]
) -> None:
    response = post(client, None, message_json(personas["parent"]))
    problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not Message.objects.exists()


def test_a_client_without_the_messages_scope_gets_a_403_problem(
    client: Client, personas: dict[str, DemoPersona], agency: PublicOrganisation
) -> None:
    token = make_token(agency, (AgencyClient.Scope.SUBMISSIONS,))
    problem(post(client, token, message_json(personas["parent"])), 403)
    problem(client.get(API + "/", headers={"Authorization": f"Bearer {token}"}), 403)
    assert not Message.objects.exists()


def test_the_demo_agency_clients_may_send_messages_also_in_a_demo_set_up_before(
    client: Client,
    personas: dict[str, DemoPersona],
    agency: PublicOrganisation,
    tmp_path: Path,
) -> None:
    make_service("test-service", agency)
    with override_settings(VAR_DIR=tmp_path):
        token = agency_clients.ensure_demo_clients()[agency.slug]["token"]
        AgencyClient.objects.update(scopes=[AgencyClient.Scope.SUBMISSIONS])
        assert token == agency_clients.ensure_demo_clients()[agency.slug]["token"]
    assert post(client, token, message_json(personas["parent"])).status_code == 201


# Creation and replays ---------------------------------------------------------------------


def test_post_message_creates_it_and_returns_201_with_its_status_and_location(
    client: Client, personas: dict[str, DemoPersona], agency: PublicOrganisation, token: str
) -> None:
    persona = personas["parent"]
    response = post(client, token, message_json(persona))
    assert response.status_code == 201, response.content
    body = response.json()
    message = Message.objects.get()
    assert body["id"] == str(message.pk) and body["idempotency_key"] == "key-1"
    assert body["status"] == {
        "delivered": True,
        "notified": False,
        "reminded": False,
        "read": False,
        "unread_reported": False,
    }
    assert body["action_required_by"] == "2027-01-31"
    assert persona.subject.value not in response.content.decode()
    assert response["Location"].endswith(f"{API}/{message.pk}")
    assert message.organisation == agency and message.sender_client is not None
    assert Attachment.objects.get(message=message).file.read() == PDF
    followed = client.get(response["Location"], headers={"Authorization": f"Bearer {token}"})
    assert followed.status_code == 200 and followed.json()["id"] == body["id"]


def test_repeating_a_post_with_the_same_key_returns_200_with_the_same_message(
    client: Client, personas: dict[str, DemoPersona], token: str
) -> None:
    first = post(client, token, message_json(personas["parent"]))
    again = post(client, token, message_json(personas["parent"]))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true" and again["Location"] == first["Location"]
    assert not first.has_header("Idempotent-Replayed")
    assert Message.objects.count() == 1


def test_reusing_a_key_for_another_message_returns_422(
    client: Client, personas: dict[str, DemoPersona], token: str
) -> None:
    post(client, token, message_json(personas["parent"]))
    response = post(client, token, message_json(personas["parent"], subject="Iets anders"))
    assert problem(response, 422)["type"].endswith("/idempotency-key-reused")
    assert Message.objects.get().subject == "Uw aanslag inkomstenbelasting"


def test_the_same_key_of_another_organisation_makes_its_own_message(
    client: Client, personas: dict[str, DemoPersona], token: str
) -> None:
    other = make_organisation("svb-test", "SVB Test", "SVB Test")
    post(client, token, message_json(personas["parent"]))
    response = post(client, make_token(other), message_json(personas["parent"]))
    assert response.status_code == 201
    assert Message.objects.count() == 2


def test_post_message_linked_to_a_submission_shows_with_its_journey_step(
    client: Client, personas: dict[str, DemoPersona], agency: PublicOrganisation, token: str
) -> None:
    persona = personas["parent"]
    submission = make_submission(make_service("test-service", agency), subject=persona.subject)
    body = message_json(persona, submission_id=str(submission.pk))
    assert post(client, token, body).status_code == 201
    assert Message.objects.get().step == submission.step


def test_post_message_linked_to_someone_elses_submission_returns_422(
    client: Client, personas: dict[str, DemoPersona], agency: PublicOrganisation, token: str
) -> None:
    other_person = personas["single-parent"].subject
    submission = make_submission(make_service("test-service", agency), subject=other_person)
    body = message_json(personas["parent"], submission_id=str(submission.pk))
    assert problem(post(client, token, body), 422)["type"].endswith("/unknown-submission")
    assert not Message.objects.exists()


def test_an_attachment_above_djangos_upload_limit_but_within_ours_is_accepted(
    client: Client, personas: dict[str, DemoPersona], token: str
) -> None:
    pdf = PDF + b"0" * (4 * 1024 * 1024)  # 5.3 MB as base64: above DATA_UPLOAD_MAX_MEMORY_SIZE
    attachment = {"filename": "groot.pdf", "content_type": "application/pdf"}
    attachment["content"] = base64.b64encode(pdf).decode()
    response = post(client, token, message_json(personas["parent"], attachments=[attachment]))
    assert response.status_code == 201, response.content
    assert Attachment.objects.get().size == len(pdf)


# Refusals ---------------------------------------------------------------------------------


def test_post_message_with_unknown_recipient_returns_404(
    client: Client, personas: dict[str, DemoPersona], token: str
) -> None:
    body = message_json(personas["parent"], recipient={"scheme": "bsn", "value": "111222333"})
    response = post(client, token, body)
    assert problem(response, 404)["type"].endswith("/unknown-recipient")
    assert "111222333" not in response.content.decode()
    assert not Message.objects.exists()


def test_post_message_with_oversize_attachment_returns_413(
    client: Client, personas: dict[str, DemoPersona], token: str
) -> None:
    big = PDF + b"0" * (10 * 1024 * 1024)
    fine = {"filename": "a.pdf", "content_type": "application/pdf"}
    fine["content"] = base64.b64encode(PDF).decode()
    attachment = {"filename": "aanslag-999990019.pdf", "content_type": "application/pdf"}
    attachment["content"] = base64.b64encode(big).decode()
    body = message_json(personas["parent"], attachments=[fine, attachment])
    response = post(client, token, body, **{"Accept-Language": "en"})
    found = problem(response, 413)
    assert found["type"].endswith("/attachment-too-large")
    assert found["detail"].startswith("Attachment 2 is ")
    # A file name may hold a BSN or a name: the problem names the attachment by its number.
    assert "999990019" not in response.content.decode()
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("filename", "content_type", "content"),
    [
        ("brief.docx", "application/pdf", PDF),
        ("brief.pdf", "text/html", PDF),
        ("brief.pdf", "application/pdf", b"MZ\x90\x00 not a pdf"),
    ],
)
def test_post_message_with_a_non_pdf_attachment_returns_415(
    client: Client,
    personas: dict[str, DemoPersona],
    token: str,
    filename: str,
    content_type: str,
    content: bytes,
) -> None:
    attachment = {"filename": "jansen-" + filename, "content_type": content_type}
    attachment["content"] = base64.b64encode(content).decode()
    body = message_json(personas["parent"], attachments=[attachment])
    response = post(client, token, body, **{"Accept-Language": "en"})
    found = problem(response, 415)
    assert found["type"].endswith("/attachment-type")
    assert found["detail"].startswith("Attachment 1 is not a PDF")
    assert "jansen" not in response.content.decode()
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"body": "Zie <script>alert(1)</script>"},
        {"body": "<p>Beste meneer,</p>"},
        {"body": "   "},
        {"subject": ""},
        {"subject": "x" * 201},
    ],
)
def test_post_message_with_html_or_empty_texts_returns_422(
    client: Client, personas: dict[str, DemoPersona], token: str, fields: dict[str, str]
) -> None:
    response = post(client, token, message_json(personas["parent"], **fields))
    assert problem(response, 422)["type"].endswith("/malformed-message")
    assert not Message.objects.exists()


def test_post_message_without_idempotency_key_returns_400(
    client: Client, personas: dict[str, DemoPersona], token: str
) -> None:
    body = problem(post(client, token, message_json(personas["parent"]), key=None), 400)
    assert any("Idempotency-Key" in error["location"] for error in body["errors"])
    assert not Message.objects.exists()


def test_post_message_with_an_overlong_idempotency_key_returns_422(
    client: Client, personas: dict[str, DemoPersona], token: str
) -> None:
    problem(post(client, token, message_json(personas["parent"]), key="k" * 201), 422)


BAD_BASE64_ATTACHMENT = {
    "filename": "a.pdf",
    "content_type": "application/pdf",
    "content": "JVBER!i0xLjcK",
}


@pytest.mark.parametrize(
    ("fields", "location"),
    [
        # Valid base64 of a PDF but for the "!": a lenient decoder would drop it.
        ({"attachments": [BAD_BASE64_ATTACHMENT]}, "attachments.0.content"),
        ({"category": "spam"}, "category"),
        ({"language": "de"}, "language"),
        ({"recipient": {"scheme": "passport", "value": "X"}}, "recipient.scheme"),
        ({"action_required_by": "next week"}, "action_required_by"),
        ({"submission_id": "123"}, "submission_id"),
        ({"subject": None}, "subject"),
    ],
)
def test_post_message_not_in_the_documented_shape_returns_400_naming_the_field(
    client: Client,
    personas: dict[str, DemoPersona],
    token: str,
    fields: dict[str, Any],
    location: str,
) -> None:
    body = problem(post(client, token, message_json(personas["parent"], **fields)), 400)
    assert body["type"].endswith("/invalid-message")
    assert location in [error["location"] for error in body["errors"]]
    assert personas["parent"].subject.value not in str(body)
    assert not Message.objects.exists()


@pytest.mark.parametrize("body", ["{not json", "[" * 100_000])
def test_post_message_that_is_not_json_returns_400(client: Client, token: str, body: str) -> None:
    response = post(client, token, body)
    assert problem(response, 400)["type"].endswith("/invalid-json")


def test_post_message_as_form_data_returns_415(
    client: Client, personas: dict[str, DemoPersona], token: str
) -> None:
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "key-1"}
    response = client.post(API + "/", {"subject": "Hallo"}, headers=headers)
    problem(response, 415)
    assert not Message.objects.exists()


@override_settings(INBOX_BULK_MAX_BYTES=1000)
def test_post_message_above_the_request_size_limit_returns_413(
    client: Client, personas: dict[str, DemoPersona], token: str
) -> None:
    response = post(client, token, message_json(personas["parent"], body="x" * 1000))
    assert problem(response, 413)["type"].endswith("/request-too-large")
    assert not Message.objects.exists()
