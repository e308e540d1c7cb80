"""Documents as evidence on the step page: a slot per requirement, checked uploads stored with
the submission (and logged), and nothing at all kept when something is wrong."""

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from lifegate.core.tests.full_disk import NearlyFullDisk, use_nearly_full_disk
from lifegate.journeys import services
from lifegate.journeys.evidence import original_filename
from lifegate.journeys.models import Journey, Step, Submission, SubmittedDocument
from lifegate.journeys.tests.conftest import PlanFixture, person_actor
from lifegate.journeys.tests.evidence_helpers import (
    ACTIVITY,
    EXE,
    IDENTITY,
    JPEG,
    PDF,
    PNG,
    TENANCY,
    add_requirements,
    send_step,
    step_url,
    stored_files,
    upload,
    use_private_storage,
)
from lifegate.journeys.tests.test_pages import log_in, start
from lifegate.registries.personas import DemoPersona
from lifegate.transparency.services import records_about

pytestmark = pytest.mark.django_db


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


def nothing_was_sent(journey: Journey, storage: Path) -> bool:
    step = journey.steps.get(service_slug="register-move")
    return (
        not Submission.objects.exists()
        and not SubmittedDocument.objects.exists()
        and stored_files(storage) == []
        and step.status == Step.Status.TODO
    )


# The page ---------------------------------------------------------------------------------


def test_the_step_page_offers_an_upload_per_requirement_in_english(
    client: Client, journey: Journey
) -> None:
    client.cookies["django_language"] = "en"

    html = client.get(step_url(journey)).content.decode()

    assert 'enctype="multipart/form-data"' in html
    assert f'id="evidence-{IDENTITY}"' in html and f'id="evidence-{TENANCY}"' in html
    assert f'type="file" name="document-{IDENTITY}"' in html
    assert 'accept="application/pdf,image/png,image/jpeg' in html
    assert "Identity document" in html and "A valid identity document of yours." in html
    assert "Owner&#x27;s consent, Rental contract" in html  # accepted evidence, both named
    assert f'name="evidence-type-{TENANCY}"' in html  # several types: which one is it?
    assert f'name="evidence-type-{IDENTITY}"' not in html
    assert "Add a document" in html and "10.0\xa0MB" in html
    assert f'id="evidence-{IDENTITY}-actions"' in html  # the place for further actions


def test_the_step_page_names_the_requirements_in_dutch(client: Client, journey: Journey) -> None:
    client.cookies["django_language"] = "nl"

    html = client.get(step_url(journey)).content.decode()

    assert "Identiteitsbewijs" in html and "Een geldig identiteitsbewijs van u." in html
    assert "Toestemming eigenaar, Huurcontract" in html
    assert "Identity document" not in html


def test_a_service_without_requirements_shows_no_documents_section(
    client: Client, plan: PlanFixture, personas: dict[str, DemoPersona]
) -> None:
    log_in(client, personas["parent"])
    journey = start(client, plan)

    html = client.get(step_url(journey)).content.decode()

    assert 'id="evidence"' not in html
    assert send_step(client, journey).status_code == 302


# Sending documents ------------------------------------------------------------------------


def test_documents_are_stored_with_the_submission(
    client: Client, journey: Journey, storage: Path
) -> None:
    response = send_step(
        client,
        journey,
        {
            f"document-{IDENTITY}": upload("paspoort Jan.pdf", PDF),
            f"document-{TENANCY}": upload("huur.png", PNG, "application/octet-stream"),
            f"evidence-type-{TENANCY}": "owner-consent-test",
        },
    )

    assert response.status_code == 302
    submission = Submission.objects.get()
    documents = {d.requirement_slug: d for d in submission.documents.all()}
    identity, tenancy = documents[IDENTITY], documents[TENANCY]
    assert (identity.content_type, identity.size) == ("application/pdf", len(PDF))
    assert identity.evidence_type_slug == "identity-document-test"  # the only one it can be
    assert (tenancy.content_type, tenancy.evidence_type_slug) == ("image/png", "owner-consent-test")
    assert identity.sha256 == hashlib.sha256(PDF).hexdigest()
    # The file is in the private storage under a random name; the person's name is sealed.
    assert sorted(p.read_bytes() for p in stored_files(storage)) == sorted([PDF, PNG])
    stored_name = str(identity.file.name)
    assert stored_name.startswith("journeys/evidence/") and "Jan" not in stored_name
    assert "Jan" not in identity.filename_sealed
    assert original_filename(identity) == "paspoort Jan.pdf"


def test_each_stored_document_is_recorded_under_the_services_processing_activity(
    client: Client, journey: Journey, personas: dict[str, DemoPersona]
) -> None:
    send_step(client, journey, {f"document-{IDENTITY}": upload("id.jpg", JPEG, "image/jpeg")})

    records = [
        r for r in records_about(personas["parent"].subject) if r.name.startswith("journeys.evid")
    ]
    assert [(r.name, r.processing_activity_id) for r in records] == [
        ("journeys.evidence.upload.register-move", ACTIVITY)
    ]
    assert records[0].data_categories == ["evidence-document", IDENTITY]
    assert records[0].actor_kind == "person"


def test_documents_are_optional(client: Client, journey: Journey, storage: Path) -> None:
    response = send_step(client, journey)

    assert response.status_code == 302
    assert Submission.objects.count() == 1 and not SubmittedDocument.objects.exists()
    assert stored_files(storage) == []


# Wrong files: a 422 in the person's language, and nothing kept ---------------------------


@pytest.mark.parametrize(
    ("files", "message"),
    [
        pytest.param(
            {f"document-{IDENTITY}": upload("paspoort.pdf", EXE)},
            "This file is not a PDF, PNG or JPEG document.",
            id="a program renamed to .pdf",
        ),
        pytest.param(
            {
                f"document-{IDENTITY}": upload("id.pdf", PDF),
                f"document-{TENANCY}": upload("contract.pdf", b"<html>not a pdf</html>"),
            },
            "This file is not a PDF, PNG or JPEG document.",
            id="one good and one bad file",
        ),
        pytest.param(
            {f"document-{IDENTITY}": upload("big.pdf", PDF + bytes(2000))},
            "This file is too large (2.0\xa0KB): a document may be at most 1000\xa0bytes.",
            id="too large",
        ),
        pytest.param(
            {f"document-{IDENTITY}": [upload("a.pdf", PDF), upload("b.pdf", PDF)]},
            "Add one file per requirement.",
            id="two files for one requirement",
        ),
    ],
)
def test_a_wrong_file_is_a_form_error_and_nothing_is_kept(
    client: Client,
    journey: Journey,
    storage: Path,
    settings: Any,
    files: dict[str, Any],
    message: str,
) -> None:
    settings.JOURNEYS_EVIDENCE_MAX_BYTES = 1000
    client.cookies["django_language"] = "en"

    response = send_step(client, journey, files)

    assert response.status_code == 422
    html = response.content.decode()
    assert message in html
    assert 'id="evidence-errors"' in html and 'role="alert"' in html
    assert nothing_was_sent(journey, storage)


def test_an_empty_file_is_refused_in_dutch(client: Client, journey: Journey, storage: Path) -> None:
    client.cookies["django_language"] = "nl"

    response = send_step(client, journey, {f"document-{IDENTITY}": upload("leeg.pdf", b"")})

    assert response.status_code == 422
    assert "Het verstuurde bestand is leeg." in response.content.decode()
    assert nothing_was_sent(journey, storage)


def test_a_good_file_is_not_kept_when_another_field_is_wrong(
    client: Client, journey: Journey, storage: Path
) -> None:
    client.cookies["django_language"] = "en"
    data = {"postcode": "nope", "confirm": "yes", "idempotency_key": "k"}

    response = client.post(step_url(journey), data | {f"document-{IDENTITY}": upload("i.pdf", PDF)})

    assert response.status_code == 422
    assert 'id="evidence-choose-again"' in response.content.decode()
    assert nothing_was_sent(journey, storage)


def test_a_refused_step_keeps_the_record_that_the_register_was_read_for_it(
    client: Client, journey: Journey, storage: Path, personas: dict[str, DemoPersona]
) -> None:
    subject = personas["parent"].subject
    before = {record.pk for record in records_about(subject)}
    data = {"postcode": "nope", "confirm": "yes", "idempotency_key": "k"}

    response = client.post(step_url(journey), data)

    assert response.status_code == 422  # the page shows the prefilled details again
    new = [record.name for record in records_about(subject) if record.pk not in before]
    assert "journeys.prefill.register-move" in new


# A full storage: nothing kept, not even the part of a file that fitted -------------------


@pytest.fixture
def nearly_full(settings: Any, storage: Path) -> NearlyFullDisk:
    """Room for one of the two documents and half of the other."""
    return use_nearly_full_disk(settings, storage, room=len(PDF) + len(PDF) // 2)


def two_documents() -> dict[str, Any]:
    return {
        f"document-{IDENTITY}": upload("id.pdf", PDF),
        f"document-{TENANCY}": upload("huur.pdf", PDF),
    }


def test_documents_that_do_not_fit_leave_nothing_behind(
    journey: Journey, storage: Path, nearly_full: NearlyFullDisk, personas: dict[str, DemoPersona]
) -> None:
    step = journey.steps.get(service_slug="register-move")

    with pytest.raises(services.DocumentsNotStored):
        services.submit_step(
            journey,
            step,
            actor=person_actor(personas["parent"]),
            data={"postcode": "3511 AB"},
            files=two_documents(),
            language="nl",
            idempotency_key="disk-full",
        )

    assert nothing_was_sent(journey, storage)  # the first file and the half second are gone
    # The register was read for the refused step: that record stays, the uploads' do not.
    names = [r.name for r in records_about(personas["parent"].subject)]
    assert "journeys.prefill.register-move" in names
    assert not [name for name in names if name.startswith("journeys.evidence")]


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Your documents could not be stored just now, so nothing was sent."),
        ("nl", "Uw documenten konden nu niet worden bewaard, dus er is niets verstuurd."),
    ],
)
def test_the_page_says_nothing_was_sent_keeps_the_typed_fields_and_a_retry_works(
    client: Client,
    journey: Journey,
    storage: Path,
    nearly_full: NearlyFullDisk,
    language: str,
    message: str,
) -> None:
    client.cookies["django_language"] = language

    response = send_step(client, journey, two_documents(), key="full")

    assert response.status_code == 507
    html = response.content.decode()
    assert message in html and 'value="3511 AB"' in html
    assert nothing_was_sent(journey, storage)

    nearly_full.room = 10 * len(PDF)
    again = send_step(client, journey, two_documents(), key="full")
    assert again.status_code == 302
    assert SubmittedDocument.objects.count() == 2 and len(stored_files(storage)) == 2
