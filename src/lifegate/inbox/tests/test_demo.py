"""The demo post: every persona gets a few messages, once, with a PDF that viewers can open."""

import re

import pytest

from lifegate.catalogue.loader import load_catalogue
from lifegate.inbox.demo import demo_pdf, load_demo_messages
from lifegate.inbox.models import Attachment, Message
from lifegate.registries.personas import DemoPersona
from lifegate.transparency.services import subject_hash

pytestmark = pytest.mark.django_db


def test_every_persona_gets_demo_post_once(personas: dict[str, DemoPersona]) -> None:
    load_catalogue()
    created = load_demo_messages()

    assert created == 3 * len(personas)
    assert load_demo_messages() == 0
    parent = Message.objects.filter(recipient_hash=subject_hash(personas["parent"].subject))
    assert parent.count() == 3
    assert parent.filter(action_required_by__isnull=False).count() == 1
    assert Attachment.objects.filter(message__in=parent).count() == 1


def test_the_demo_pdf_has_a_correct_cross_reference_table() -> None:
    pdf = demo_pdf("Voorlopige aanslag (demo)")
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    startxref = int(re.search(rb"startxref\n(\d+)", pdf).group(1))  # type: ignore[union-attr]
    assert pdf[startxref:].startswith(b"xref")
    offsets = [int(o) for o in re.findall(rb"(\d{10}) 00000 n", pdf)]
    assert [pdf[o:].split(b" ")[0] for o in offsets] == [b"1", b"2", b"3", b"4", b"5"]
