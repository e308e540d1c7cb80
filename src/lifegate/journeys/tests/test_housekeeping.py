"""The journeys' housekeeping: evidence files no submitted document refers to (a process killed
between writing the file and committing its row) are removed once old enough; the command
also enqueues due deliveries and lost registry events."""

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from lifegate.journeys.housekeeping import ORPHAN_AGE, remove_orphan_documents
from lifegate.journeys.models import SubmittedDocument, evidence_storage
from lifegate.journeys.tests.conftest import PlanFixture
from lifegate.journeys.tests.evidence_helpers import (
    IDENTITY,
    PDF,
    add_requirements,
    send_step,
    upload,
    use_private_storage,
)
from lifegate.journeys.tests.test_pages import log_in, start
from lifegate.registries.personas import DemoPersona

LATER = ORPHAN_AGE * 2


@pytest.fixture
def storage(settings: Any, tmp_path: Path) -> Path:
    return use_private_storage(settings, tmp_path / "attachments")


@pytest.fixture
def sent_document(
    client: Client, plan: PlanFixture, personas: dict[str, DemoPersona], storage: Path
) -> SubmittedDocument:
    add_requirements(plan)
    log_in(client, personas["parent"])
    journey = start(client, plan)
    send_step(client, journey, {f"document-{IDENTITY}": upload("paspoort.pdf", PDF)})
    return SubmittedDocument.objects.get()


def test_an_evidence_file_without_a_row_is_removed_once_old_enough(
    sent_document: SubmittedDocument,
) -> None:
    files = evidence_storage()
    orphan = files.save("journeys/evidence/2026/11/killed-mid-submission.pdf", ContentFile(PDF))
    kept = str(sent_document.file.name)

    assert remove_orphan_documents() == 0  # too young: its submission may still be committing
    assert files.exists(orphan)
    assert remove_orphan_documents(now=timezone.now() + LATER) == 1

    assert not files.exists(orphan) and files.exists(kept)
    assert remove_orphan_documents(now=timezone.now() + LATER) == 0


def test_without_any_evidence_stored_there_is_nothing_to_do(storage: Path, db: None) -> None:
    assert remove_orphan_documents(now=timezone.now() + LATER) == 0


def test_the_command_reports_each_step(storage: Path, db: None) -> None:
    output = StringIO()

    call_command("journeys_housekeeping", stdout=output)

    assert output.getvalue().strip() == (
        "0 deliveries enqueued, 0 registry events enqueued, 0 orphaned evidence files removed"
    )
