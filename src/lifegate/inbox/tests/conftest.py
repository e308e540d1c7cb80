"""Shared fixtures of the message box tests: a sending agency, the demo population, the people
around the personas (for acting for someone), and a helper that builds a message to a
persona."""

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from lifegate.catalogue.models import PublicOrganisation
from lifegate.catalogue.tests.factories import make_organisation
from lifegate.core.subject import Subject
from lifegate.inbox.models import Attachment, attachment_storage
from lifegate.inbox.sending import NewAttachment, NewMessage
from lifegate.registries.demo_loader import load_demo_population
from lifegate.registries.personas import DemoPersona, demo_personas
from lifegate.registries.services import population_register
from lifegate.registries.tests.conftest import SEED
from lifegate.transparency.services import Actor

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def private_attachment_dir(tmp_path: Path) -> Iterator[Path]:
    """Each test's attachment files in a fresh directory, so files of earlier tests (whose
    rows were rolled back) never look like this test's."""
    storages = {attachment_storage(), Attachment._meta.get_field("file").storage}
    saved = [(storage, storage.__dict__.copy()) for storage in storages]
    for storage in storages:
        storage._location = str(tmp_path / "attachments")  # type: ignore[attr-defined]
        for cached in ("base_location", "location"):
            storage.__dict__.pop(cached, None)
    yield tmp_path / "attachments"
    for storage, state in saved:
        storage.__dict__.clear()
        storage.__dict__.update(state)


@pytest.fixture
def personas(db: None) -> dict[str, DemoPersona]:
    load_demo_population(seed=SEED)
    return {persona.key: persona for persona in demo_personas()}


@pytest.fixture
def agency(db: None) -> PublicOrganisation:
    return make_organisation("belastingdienst-test", "Belastingdienst Test", "Tax Test")


@pytest.fixture
def agency_actor(agency: PublicOrganisation) -> Actor:
    return Actor(kind="agency", organisation=agency.slug)


@pytest.fixture
def notice_sender(db: None) -> PublicOrganisation:
    """The organisation that tells principals about their mandates in their message box."""
    return make_organisation(settings.MANDATES_NOTICE_SENDER, "Logius", "Logius")


@pytest.fixture
def minor_child(personas: dict[str, DemoPersona]) -> Subject:
    """A minor child of the "parent" persona, who holds parental authority over it."""
    parent = personas["parent"].subject.value
    today = timezone.localdate()
    child = next(
        c
        for c in population_register().children_of(parent)
        if c.is_minor_on(today) and parent in c.parental_authority_holders
    )
    return Subject("bsn", child.bsn)


@pytest.fixture
def parent_of_student(personas: dict[str, DemoPersona]) -> Subject:
    """A parent of the "student" persona, an adult: no parental authority any more."""
    parents = population_register().parents_of(personas["student"].subject.value)
    return Subject("bsn", parents[0].bsn)


def new_message(persona: DemoPersona, key: str = "key-1", **fields: Any) -> NewMessage:
    """A valid message to `persona`; `fields` override any part of it."""
    values: dict[str, Any] = {
        "recipient": persona.subject,
        "subject": "Uw aanslag inkomstenbelasting",
        "body": "Wij hebben uw **aangifte** ontvangen.\n\nZie de bijlage.",
        "category": "decision",
        "idempotency_key": key,
        "language": "nl",
        "action_required_by": date(2027, 1, 31),
        "attachments": (NewAttachment("aanslag.pdf", "application/pdf", PDF),),
    }
    return NewMessage(**(values | fields))
