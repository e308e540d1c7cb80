"""A full attachment storage: sends fail with a clear 507 problem and leave nothing behind, no
message without its file and no file without its message; once there is room again, the same
send succeeds."""

import base64
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from lifegate.catalogue.models import PublicOrganisation
from lifegate.core.tests.full_disk import NearlyFullDisk, files_in, use_nearly_full_disk
from lifegate.inbox.models import Attachment, Mailbox, Message, attachment_storage
from lifegate.inbox.sending import NewAttachment, Outcome, send_messages
from lifegate.inbox.tests.conftest import PDF, new_message
from lifegate.inbox.tests.test_agency_api_send import make_token, message_json, problem
from lifegate.registries.personas import DemoPersona
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import Actor

pytestmark = pytest.mark.django_db
FULL = "/attachment-storage-full"


@pytest.fixture
def disk(private_attachment_dir: Path, settings: Any) -> NearlyFullDisk:
    disk = use_nearly_full_disk(settings, private_attachment_dir)
    assert attachment_storage() is disk
    return disk


def test_a_batch_that_does_not_fit_is_refused_whole_and_leaves_no_files(
    personas: dict[str, DemoPersona],
    agency: PublicOrganisation,
    agency_actor: Actor,
    disk: NearlyFullDisk,
    private_attachment_dir: Path,
) -> None:
    disk.room = len(PDF) + len(PDF) // 2  # the first attachment fits, the second half
    persona = personas["parent"]
    attachment = NewAttachment("aanslag.pdf", "application/pdf", PDF)
    batch = [
        new_message(persona, "key-1"),
        new_message(persona, "key-2", attachments=(attachment, attachment)),
        new_message(persona, "key-1"),  # a repeat of the first within the batch
    ]
    results = send_messages(agency, batch, actor=agency_actor)
    assert [r.outcome for r in results] == [Outcome.REJECTED] * 3
    assert all(r.problem and r.problem.status == 507 for r in results)
    assert all(r.problem and r.problem.as_dict()["type"].endswith(FULL) for r in results)
    assert not Message.objects.exists() and not Attachment.objects.exists()
    assert not Mailbox.objects.exists()
    assert not ProcessingRecord.objects.filter(name="inbox.send").exists()
    assert files_in(private_attachment_dir) == []


def test_the_api_answers_507_and_the_same_send_succeeds_once_there_is_room(
    client: Client,
    personas: dict[str, DemoPersona],
    agency: PublicOrganisation,
    disk: NearlyFullDisk,
    private_attachment_dir: Path,
) -> None:
    token = make_token(agency)
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "full-1"}
    body = message_json(personas["parent"])
    response = client.post("/api/agency/messages/", body, "application/json", headers=headers)
    assert problem(response, 507)["type"].endswith(FULL)
    assert not Message.objects.exists() and files_in(private_attachment_dir) == []

    disk.room = 10 * len(PDF)
    response = client.post("/api/agency/messages/", body, "application/json", headers=headers)
    assert response.status_code == 201
    stored = Attachment.objects.get(message_id=response.json()["id"])
    assert stored.file.read() == PDF
    assert files_in(private_attachment_dir) == [Path(stored.file.path)]


def test_a_bulk_send_reports_storage_full_per_message(
    client: Client,
    personas: dict[str, DemoPersona],
    agency: PublicOrganisation,
    disk: NearlyFullDisk,
    private_attachment_dir: Path,
) -> None:
    token = make_token(agency)
    content = base64.b64encode(PDF).decode()
    attachment = {"filename": "a.pdf", "content_type": "application/pdf", "content": content}
    messages = [
        message_json(personas["parent"], idempotency_key=f"bulk-{i}", attachments=[attachment])
        for i in range(3)
    ]
    response = client.post(
        "/api/agency/messages/bulk",
        {"messages": messages},
        "application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["problem"]["status"] for r in results] == [507, 507, 507]
    assert not Message.objects.exists() and files_in(private_attachment_dir) == []
