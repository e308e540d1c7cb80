"""Shared by the evidence-upload tests: requirements on the plan fixture's "register the move"
service, a private storage per test, and files of each kind (and of a kind not accepted)."""

from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from lifegate.catalogue.models import ProcessingActivity
from lifegate.catalogue.tests.factories import make_evidence_type, make_requirement
from lifegate.journeys.models import Journey
from lifegate.journeys.tests.conftest import PlanFixture

ACTIVITY = "move-registration-test"
IDENTITY = "move-identity"  # one evidence type
TENANCY = "move-tenancy"  # two evidence types: the person says which
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(32)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(32)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(64)


def add_requirements(plan: PlanFixture) -> None:
    """Give "register the move" a processing activity and two requirements."""
    service = plan.register.service
    service.processing_activity = ProcessingActivity.objects.create(
        slug=ACTIVITY,
        controller=service.competent_authority,
        name_nl="Verhuizing inschrijven",
        name_en="Registering a move",
        purpose_nl="Doel",
        purpose_en="Purpose",
        legal_basis_nl="Grondslag",
        legal_basis_en="Legal basis",
    )
    service.save()
    identity = make_evidence_type("identity-document-test", "Paspoort of ID-kaart", "Passport")
    contract = make_evidence_type("rental-contract-test", "Huurcontract", "Rental contract")
    consent = make_evidence_type("owner-consent-test", "Toestemming eigenaar", "Owner's consent")
    requirement = make_requirement(
        service, IDENTITY, "Identiteitsbewijs", "Identity document", identity
    )
    requirement.description_nl = "Een geldig identiteitsbewijs van u."
    requirement.description_en = "A valid identity document of yours."
    requirement.save()
    make_requirement(
        service, TENANCY, "Bewijs van bewoning", "Proof of residence", contract, consent
    )


def use_private_storage(settings: Any, root: Path) -> Path:
    """Point the `attachments` storage at `root` for one test; returns `root`."""
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": "/no-public-url/"},
        },
    }
    return root


def stored_files(root: Path) -> list[Path]:
    """Every file in the storage."""
    return sorted(path for path in root.rglob("*") if path.is_file())


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    """A file as a browser sends it; the content type is the browser's claim only."""
    return SimpleUploadedFile(name, content, content_type=content_type)


def step_url(journey: Journey) -> str:
    return reverse("journeys:step", args=[journey.pk, "register-move"])


def send_step(
    client: Client, journey: Journey, files: dict[str, Any] | None = None, key: str = "evidence"
) -> Any:
    """Send "register the move" from its page with `files` by field name."""
    data = {"postcode": "3511 AB", "confirm": "yes", "idempotency_key": key}
    return client.post(step_url(journey), data | (files or {}))
