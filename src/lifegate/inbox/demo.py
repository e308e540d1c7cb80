"""Demo post: a few messages from different agencies in every demo persona's message box, so
the demo shows an inbox with unread and read messages, an action-required badge and a PDF.

Sent through the same service as agencies use, with fixed idempotency keys: loading twice
adds nothing."""

from datetime import timedelta

from django.utils import timezone

from lifegate.catalogue.models import PublicOrganisation
from lifegate.inbox.models import Category
from lifegate.inbox.sending import NewAttachment, NewMessage, Outcome, send_messages
from lifegate.registries.personas import DemoPersona, demo_personas
from lifegate.transparency.services import Actor


def demo_pdf(title: str) -> bytes:
    """A small, valid one-page PDF showing `title` (ASCII), with a correct cross-reference
    table, so browsers and PDF viewers open it."""
    text = title.replace("\\", "").replace("(", "").replace(")", "")
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _messages_for(persona: DemoPersona) -> dict[str, list[NewMessage]]:
    """Per sending organisation, the demo messages for `persona`."""
    due = timezone.localdate() + timedelta(days=21)
    key = f"demo-{persona.key}"
    return {
        "belastingdienst": [
            NewMessage(
                recipient=persona.subject,
                subject="Voorlopige aanslag inkomstenbelasting 2027",
                body=(
                    "Geachte heer/mevrouw,\n\n"
                    "In de bijlage vindt u uw **voorlopige aanslag** inkomstenbelasting 2027.\n\n"
                    "Klopt er iets niet? Pas uw gegevens dan vóór de vervaldatum aan."
                ),
                category=Category.DECISION,
                idempotency_key=f"{key}-aanslag",
                action_required_by=due,
                attachments=(
                    NewAttachment(
                        "voorlopige-aanslag-2027.pdf",
                        "application/pdf",
                        demo_pdf("Voorlopige aanslag 2027 (demo)"),
                    ),
                ),
            )
        ],
        "gemeente-utrecht": [
            NewMessage(
                recipient=persona.subject,
                subject="Uw paspoort verloopt binnenkort",
                body=(
                    "Uw paspoort verloopt over drie maanden. Maak op tijd een afspraak "
                    "om een nieuw paspoort aan te vragen.\n\n"
                    "- Neem een pasfoto mee\n- Neem uw huidige paspoort mee"
                ),
                category=Category.ANNOUNCEMENT,
                idempotency_key=f"{key}-paspoort",
            )
        ],
        "duo": [
            NewMessage(
                recipient=persona.subject,
                subject="Your study finance statement",
                body="Your annual study finance statement is available. No action is needed.",
                category=Category.PAYMENT,
                idempotency_key=f"{key}-duo",
                language="en",
            )
        ],
    }


def load_demo_messages() -> int:
    """Send the demo messages to every demo persona; returns how many were new."""
    batches: dict[str, list[NewMessage]] = {}
    for persona in demo_personas():
        for slug, messages in _messages_for(persona).items():
            batches.setdefault(slug, []).extend(messages)
    created = 0
    for slug, messages in batches.items():
        organisation = PublicOrganisation.objects.filter(slug=slug).first()
        if organisation is None:
            continue
        actor = Actor(kind="agency", organisation=slug)
        results = send_messages(organisation, messages, actor=actor, recipients_known=True)
        created += sum(result.outcome == Outcome.CREATED for result in results)
    return created
