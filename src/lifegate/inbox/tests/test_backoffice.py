"""Messages in the agency back office: staff send one message through a posted form (a form
sent twice makes one message), follow their organisation's messages and how far each got, and
open one; every status shown is recorded; bad input is a 422 at its field, in the staff
member's language, and keeps nothing; another organisation's message is a 404."""

from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from lifegate.catalogue.models import PublicOrganisation
from lifegate.catalogue.tests.factories import make_organisation
from lifegate.inbox import backoffice
from lifegate.inbox.models import Attachment, Message
from lifegate.inbox.sending import send_message
from lifegate.inbox.tests.conftest import PDF, new_message
from lifegate.journeys.models import AgencyStaff
from lifegate.registries.personas import DemoPersona
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import Actor, subject_hash

pytestmark = pytest.mark.django_db
HOME = "/back-office/messages/"


def staff_client(client: Client, organisation: PublicOrganisation, language: str = "en") -> Client:
    user = User.objects.create_user(f"{organisation.slug}-staff")
    AgencyStaff.objects.create(user=user, organisation=organisation)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture
def staff(client: Client, agency: PublicOrganisation) -> Client:
    return staff_client(client, agency)


def form(persona: DemoPersona, key: str = "k1", **changes: Any) -> dict[str, Any]:
    return {
        "scheme": persona.subject.scheme,
        "value": persona.subject.value,
        "subject": "Uw aanslag",
        "body": "Wij hebben uw **aangifte** ontvangen.",
        "category": "decision",
        "language": "nl",
        "action_required_by": "",
        "key": key,
    } | changes


def records(persona: DemoPersona) -> list[str]:
    rows = ProcessingRecord.objects.filter(data_subject_hash=subject_hash(persona.subject))
    return sorted(row.name for row in rows)


def test_staff_send_a_message_with_an_attachment_and_see_it(
    staff: Client, personas: dict[str, DemoPersona]
) -> None:
    persona = personas["resident-high"]
    page = staff.get(HOME + "new")
    key = page.context["form"].initial["key"]
    pdf = SimpleUploadedFile("aanslag.pdf", PDF, content_type="application/pdf")

    response = staff.post(HOME + "new", form(persona, key, attachment=pdf))

    message = Message.objects.get()
    assert response.status_code == 302
    assert response.url == f"{HOME}{message.pk}/"  # type: ignore[attr-defined]
    assert persona.subject.value not in response.url  # type: ignore[attr-defined]
    assert message.recipient_hash == subject_hash(persona.subject)
    assert message.idempotency_key == f"back-office:{key}"
    assert Attachment.objects.get(message=message).size == len(PDF)
    assert "inbox.send" in records(persona)
    shown = staff.get(response.url).content.decode()  # type: ignore[attr-defined]
    assert "The message is in the person&#x27;s message box." in shown
    assert "<strong>aangifte</strong>" in shown and persona.subject.value in shown
    assert "inbox.status by belastingdienst-test-staff" in records(persona)


def test_a_form_sent_twice_makes_one_message(
    staff: Client, personas: dict[str, DemoPersona]
) -> None:
    persona = personas["resident-high"]
    first = staff.post(HOME + "new", form(persona))
    again = staff.post(HOME + "new", form(persona))

    assert first.url == again.url  # type: ignore[attr-defined]
    assert Message.objects.count() == 1
    shown = staff.get(again.url).content.decode()  # type: ignore[attr-defined]
    assert "This message was sent before; it was not sent again." in shown

    changed = staff.post(HOME + "new", form(persona, subject="Iets anders"))
    assert changed.status_code == 422 and Message.objects.count() == 1
    assert "This form was sent before with other content." in changed.content.decode()
    assert changed.context["form"]["key"].value() != "k1"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"value": "123456789"}, "value", "This is not a BSN"),
        ({"subject": ""}, "subject", "This field is required."),
        ({"body": "<script>alert(1)</script>"}, "body", "Malformed body"),
        (
            {"attachment": SimpleUploadedFile("a.pdf", b"not a pdf", "application/pdf")},
            "attachment",
            "is not a PDF",
        ),
    ],
)
def test_bad_input_is_a_422_at_its_field_and_keeps_nothing(
    staff: Client,
    personas: dict[str, DemoPersona],
    changes: dict[str, Any],
    field: str,
    message: str,
) -> None:
    response = staff.post(HOME + "new", form(personas["resident-high"], **changes))

    assert response.status_code == 422
    errors = response.context["form"].errors
    assert message in " ".join(errors.get(field, errors.get("__all__", [])))
    assert Message.objects.count() == 0 and Attachment.objects.count() == 0


def test_an_unknown_recipient_is_told_at_the_identifier(staff: Client, agency: Any) -> None:
    response = staff.post(
        HOME + "new", {**form_for_bsn("999990019"), "subject": "Hallo", "key": "k9"}
    )

    assert response.status_code == 422
    assert "No registered person has this identifier." in response.context["form"].errors["value"]
    assert Message.objects.count() == 0 and ProcessingRecord.objects.count() == 0


def form_for_bsn(bsn: str) -> dict[str, str]:
    return {
        "scheme": "bsn",
        "value": bsn,
        "body": "Tekst.",
        "category": "announcement",
        "language": "en",
    }


def test_the_errors_speak_dutch(
    client: Client, agency: PublicOrganisation, personas: dict[str, DemoPersona]
) -> None:
    staff = staff_client(client, agency, "nl")

    response = staff.post(HOME + "new", form(personas["resident-high"], value="123456789"))

    assert response.status_code == 422
    assert "Dit is geen BSN" in response.content.decode()
    assert "Bericht versturen" in response.content.decode()


def test_the_list_shows_only_own_messages_how_far_they_got_and_records_each_status(
    staff: Client, agency: PublicOrganisation, personas: dict[str, DemoPersona]
) -> None:
    reader, other = personas["resident-high"], personas["student"]
    actor = Actor(kind="agency", organisation=agency.slug)
    read = send_message(agency, new_message(reader, "r"), actor=actor)
    unread = send_message(agency, new_message(other, "u"), actor=actor)
    assert read.message_id is not None
    Message.objects.filter(pk=read.message_id).update(unread=False, read_at=timezone.now())
    elsewhere = make_organisation("elsewhere")
    theirs = send_message(elsewhere, new_message(reader, "t"), actor=actor)
    ProcessingRecord.objects.all().delete()

    page = staff.get(HOME).content.decode()
    only_unread = staff.get(HOME, {"state": "unread"}).content.decode()

    assert f'id="message-{read.message_id}"' in page and f'id="message-{unread.message_id}"' in page
    assert str(theirs.message_id) not in page
    assert reader.subject.value not in page and other.subject.value not in page
    row = page.split(f'id="message-{read.message_id}"', 1)[1].split("</tr>", 1)[0]
    assert "Read" in row
    assert str(read.message_id) not in only_unread and str(unread.message_id) in only_unread
    assert records(reader) == ["inbox.status by belastingdienst-test-staff"]
    assert records(other) == ["inbox.status by belastingdienst-test-staff"] * 2
    assert staff.get(f"{HOME}{theirs.message_id}/").status_code == 404


def test_only_agency_staff_get_in(client: Client, agency: PublicOrganisation) -> None:
    assert client.get(HOME).url.startswith("/back-office/login/")  # type: ignore[attr-defined]
    client.force_login(User.objects.create_user("someone"))
    assert client.get(HOME).status_code == 403
    assert client.post(HOME + "new", {}).status_code == 403


def test_the_list_pages_keep_the_filter(
    staff: Client,
    agency: PublicOrganisation,
    personas: dict[str, DemoPersona],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(backoffice, "PAGE_SIZE", 1)
    actor = Actor(kind="agency", organisation=agency.slug)
    for key in ("a", "b"):
        send_message(agency, new_message(personas["resident-high"], key), actor=actor)

    first = staff.get(HOME, {"state": "unread"}).content.decode()
    second = staff.get(HOME, {"state": "unread", "page": "2"}).content.decode()

    assert 'href="?state=unread&amp;page=2"' in first and "page=1" not in first
    assert 'href="?state=unread&amp;page=1"' in second and "page=3" not in second
