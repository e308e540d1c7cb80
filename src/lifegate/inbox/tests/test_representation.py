"""The message box pages while acting for someone: a mandate for reading lists and opens the
principal's post (recorded with both people), only a mandate for the whole box archives and
changes the settings, parents read their minor child's box, and everything else is refused
with the reason, also at the next click after a mandate ended."""

import json
from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from lifegate.catalogue.models import PublicOrganisation
from lifegate.catalogue.tests.factories import make_service
from lifegate.core.sealing import seal
from lifegate.core.subject import Subject
from lifegate.identity.session import SESSION_KEY, Authentication, session_value
from lifegate.inbox.models import Mailbox, Message
from lifegate.inbox.tests.test_pages import attachment_url, deliver, message_url
from lifegate.mandates import acting, services
from lifegate.mandates.models import Mandate, ScopeKind
from lifegate.mandates.scopes import Scope
from lifegate.mandates.tests.conftest import grant_active, period, person
from lifegate.registries.personas import DemoPersona
from lifegate.registries.services import population_register
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import decrypt_subject, subject_hash

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notice_sender")]
LIST = reverse("inbox:list")
SETTINGS = reverse("inbox-settings:settings")
ENGLISH = {"accept-language": "en"}
ONLY_SELF = "You can only do this for yourself. Switch back to acting for yourself."


def log_in_as(client: Client, subject: Subject) -> None:
    """A substantial login of `subject` (also people who are not a demo persona)."""
    session = client.session
    session[SESSION_KEY] = session_value(
        Authentication(subject, "substantial", datetime.now(UTC), "test")
    )
    session.save()


def act_for(client: Client, subject: Subject) -> None:
    response = client.post(reverse("mandates:choose"), {"person": subject_hash(subject)})
    assert response.status_code == 302, response.content


def grant(principal: DemoPersona, representative: DemoPersona, kind: str) -> Mandate:
    granted = grant_active(
        principal.subject,
        representative.subject,
        [Scope(kind)],
        *period(),
        person(principal.subject),
    )
    return granted.mandates[0]


def name_of(subject: Subject) -> str:
    found = population_register().get_person(subject.value)
    assert found is not None
    return found.full_name


def only_record(name: str) -> ProcessingRecord:
    [record] = ProcessingRecord.objects.filter(name=name)
    return record


def assert_on_behalf(record: ProcessingRecord, actor: Subject, principal: Subject) -> None:
    assert record.data_subject_hash == subject_hash(principal)
    assert record.actor_hash == subject_hash(actor)
    assert record.on_behalf_of_hash == subject_hash(principal)


def assert_refused(response: object, reason: str, explanation: str) -> None:
    html = response.content.decode()  # type: ignore[attr-defined]
    assert response.status_code == 403  # type: ignore[attr-defined]
    assert f'data-reason="{reason}"' in html
    assert explanation in html


@pytest.fixture
def elderly(personas: dict[str, DemoPersona]) -> DemoPersona:
    return personas["elderly"]


@pytest.fixture
def student(client: Client, personas: dict[str, DemoPersona]) -> DemoPersona:
    """The representative, logged in."""
    log_in_as(client, personas["student"].subject)
    return personas["student"]


@pytest.fixture
def reading(client: Client, elderly: DemoPersona, student: DemoPersona) -> Mandate:
    """The student acts for the elderly persona with a mandate to read the message box."""
    mandate = grant(elderly, student, ScopeKind.INBOX_READ)
    act_for(client, elderly.subject)
    return mandate


def test_a_reader_sees_the_principals_box_with_their_name_and_no_settings_link(
    client: Client,
    elderly: DemoPersona,
    student: DemoPersona,
    reading: Mandate,
    agency: PublicOrganisation,
) -> None:
    deliver(agency, elderly, subject="Uw pensioen")

    html = client.get(LIST, headers=ENGLISH).content.decode()

    with translation.override("en"):
        assert f"Message box of {name_of(elderly.subject)}" in html
    assert "Uw pensioen" in html
    assert 'id="notification-settings"' not in html
    assert_on_behalf(only_record("inbox.list"), student.subject, elderly.subject)


def test_a_reader_opens_the_message_like_the_recipient_and_both_are_stored(
    client: Client,
    elderly: DemoPersona,
    student: DemoPersona,
    reading: Mandate,
    agency: PublicOrganisation,
) -> None:
    message = deliver(agency, elderly)

    response = client.get(message_url(message), headers=ENGLISH)
    download = client.get(attachment_url(message))

    assert response.status_code == 200 and download.status_code == 200
    assert 'id="archive-form"' not in response.content.decode()
    opened = Message.objects.get(pk=message.pk)
    assert not opened.unread and opened.read_at is not None
    assert opened.read_on_behalf
    assert decrypt_subject(opened.read_by_sealed) == student.subject
    assert decrypt_subject(opened.recipient_sealed) == elderly.subject
    assert Mailbox.objects.get(recipient_hash=subject_hash(elderly.subject)).unread_count == (
        Message.objects.filter(recipient_hash=subject_hash(elderly.subject), unread=True).count()
    )
    assert_on_behalf(only_record("inbox.read"), student.subject, elderly.subject)
    assert_on_behalf(only_record("inbox.attachment"), student.subject, elderly.subject)


def test_the_recipient_opening_their_own_message_is_stored_as_the_reader(
    client: Client, elderly: DemoPersona, agency: PublicOrganisation
) -> None:
    message = deliver(agency, elderly)
    log_in_as(client, elderly.subject)

    client.get(message_url(message))

    opened = Message.objects.get(pk=message.pk)
    assert not opened.read_on_behalf
    assert decrypt_subject(opened.read_by_sealed) == elderly.subject
    assert only_record("inbox.read").on_behalf_of_hash == ""


def test_a_reader_cannot_archive(
    client: Client, elderly: DemoPersona, reading: Mandate, agency: PublicOrganisation
) -> None:
    message = deliver(agency, elderly)

    response = client.post(
        reverse("inbox:archive", args=[message.pk]), {"archived": "1"}, headers=ENGLISH
    )

    assert_refused(response, "out-of-scope", "Your authorisation does not cover this.")
    assert not Message.objects.get(pk=message.pk).archived
    assert not ProcessingRecord.objects.filter(name="inbox.archive").exists()


def test_a_reader_cannot_see_or_change_the_notification_settings(
    client: Client, elderly: DemoPersona, reading: Mandate, agency: PublicOrganisation
) -> None:
    deliver(agency, elderly)

    page = client.get(SETTINGS, headers=ENGLISH)
    saved = client.post(SETTINGS, {"notify": "never", "language": "en"}, headers=ENGLISH)

    assert_refused(page, "only-self", ONLY_SELF)
    assert_refused(saved, "only-self", ONLY_SELF)
    mailbox = Mailbox.objects.get(recipient_hash=subject_hash(elderly.subject))
    assert (mailbox.notify, mailbox.notify_language) == ("every", "nl")


def test_a_mandate_for_the_whole_box_archives_but_never_touches_the_settings(
    client: Client,
    elderly: DemoPersona,
    student: DemoPersona,
    agency: PublicOrganisation,
) -> None:
    grant(elderly, student, ScopeKind.INBOX_FULL)
    act_for(client, elderly.subject)
    message = deliver(agency, elderly)

    shown = client.get(message_url(message)).content.decode()
    archived = client.post(reverse("inbox:archive", args=[message.pk]), {"archived": "1"})
    # The settings are how the owner learns what representatives do: never theirs to change.
    saved = client.post(SETTINGS, {"notify": "never", "language": "en"}, headers=ENGLISH)

    assert 'id="archive-form"' in shown
    assert archived.status_code == 302 and Message.objects.get(pk=message.pk).archived
    assert_on_behalf(only_record("inbox.archive"), student.subject, elderly.subject)
    assert_refused(saved, "only-self", ONLY_SELF)
    mailbox = Mailbox.objects.get(recipient_hash=subject_hash(elderly.subject))
    assert mailbox.notify == "every"
    assert 'id="notification-settings"' not in client.get(LIST).content.decode()


def test_a_mandate_ended_during_the_session_is_refused_at_the_next_click(
    client: Client, elderly: DemoPersona, reading: Mandate, agency: PublicOrganisation
) -> None:
    message = deliver(agency, elderly)
    assert client.get(LIST).status_code == 200

    services.end(reading.pk, elderly.subject, person(elderly.subject))

    assert_refused(client.get(LIST, headers=ENGLISH), "ended", "Your authorisation has been ended.")
    assert_refused(
        client.get(message_url(message), headers=ENGLISH),
        "ended",
        "Your authorisation has been ended.",
    )
    assert Message.objects.get(pk=message.pk).unread


def test_a_parent_reads_the_box_of_their_minor_child(
    client: Client,
    personas: dict[str, DemoPersona],
    minor_child: Subject,
    agency: PublicOrganisation,
) -> None:
    parent = personas["parent"]
    log_in_as(client, parent.subject)
    act_for(client, minor_child)
    message = deliver(agency, parent, recipient=minor_child, subject="Inschrijving school")

    listed = client.get(LIST, headers=ENGLISH).content.decode()
    opened = client.get(message_url(message))

    with translation.override("en"):
        assert f"Message box of {name_of(minor_child)}" in listed
    assert "Inschrijving school" in listed
    assert opened.status_code == 200
    read = Message.objects.get(pk=message.pk)
    assert read.read_on_behalf and decrypt_subject(read.read_by_sealed) == parent.subject
    assert_on_behalf(only_record("inbox.read"), parent.subject, minor_child)


def test_a_parent_of_an_adult_child_cannot_choose_to_act_for_them(
    client: Client,
    personas: dict[str, DemoPersona],
    parent_of_student: Subject,
    agency: PublicOrganisation,
) -> None:
    student = personas["student"]
    deliver(agency, student, subject="Studiefinanciering")
    log_in_as(client, parent_of_student)

    chosen = client.post(reverse("mandates:choose"), {"person": subject_hash(student.subject)})
    listed = client.get(LIST).content.decode()

    assert chosen.status_code == 422
    assert "Studiefinanciering" not in listed


def test_another_resident_cannot_choose_someone_they_have_no_relation_to(
    client: Client, personas: dict[str, DemoPersona], elderly: DemoPersona
) -> None:
    log_in_as(client, personas["resident-substantial"].subject)

    chosen = client.post(reverse("mandates:choose"), {"person": subject_hash(elderly.subject)})

    assert chosen.status_code == 422
    assert acting.SESSION_KEY not in client.session


def test_a_choice_kept_from_before_the_relation_ended_is_refused(
    client: Client,
    personas: dict[str, DemoPersona],
    parent_of_student: Subject,
    agency: PublicOrganisation,
) -> None:
    """As when a child turns 18 during the session: the sealed choice is no permission."""
    student = personas["student"]
    message = deliver(agency, student)
    log_in_as(client, parent_of_student)
    session = client.session
    session[acting.SESSION_KEY] = seal(
        acting.SEAL_PURPOSE,
        json.dumps(
            {
                "representative": subject_hash(parent_of_student),
                "subject": student.subject.as_dict(),
                "name": "Student",
            }
        ),
    )
    session.save()

    listed = client.get(LIST, headers=ENGLISH)
    opened = client.get(message_url(message), headers=ENGLISH)

    assert_refused(listed, "no-relation", "You may not act for this person.")
    assert_refused(opened, "no-relation", "You may not act for this person.")
    assert Message.objects.get(pk=message.pk).unread


def test_a_mandate_for_a_service_does_not_open_the_message_box(
    client: Client, elderly: DemoPersona, student: DemoPersona, agency: PublicOrganisation
) -> None:
    make_service("income-tax-test", agency, "Inkomstenbelasting", "Income tax")
    grant_active(
        elderly.subject,
        student.subject,
        [Scope(ScopeKind.SERVICE, "income-tax-test")],
        *period(),
        person(elderly.subject),
    )
    act_for(client, elderly.subject)
    message = deliver(agency, elderly)

    assert_refused(
        client.get(LIST, headers=ENGLISH),
        "out-of-scope",
        "Your authorisation does not cover this.",
    )
    assert client.get(attachment_url(message)).status_code == 403
    reads = ("inbox.list", "inbox.read", "inbox.attachment")
    assert not ProcessingRecord.objects.filter(name__in=reads).exists()
