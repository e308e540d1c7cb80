"""The message box pages: the list (unread first, filters, paging, archive), a message, its
attachments, archiving, and the unread count in the page shell and on the home page."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lifegate.catalogue.models import PublicOrganisation
from lifegate.inbox.models import Message
from lifegate.inbox.sending import send_message
from lifegate.inbox.tests.conftest import PDF, new_message
from lifegate.journeys.models import Journey, Step
from lifegate.journeys.tests.test_pages import log_in
from lifegate.registries.personas import DemoPersona
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import Actor, subject_hash

pytestmark = pytest.mark.django_db
LIST = reverse("inbox:list")
ENGLISH = {"accept-language": "en"}


def deliver(
    organisation: PublicOrganisation, persona: DemoPersona, key: str = "key-1", **fields: Any
) -> Message:
    result = send_message(organisation, new_message(persona, key, **fields), actor=Actor("agency"))
    assert result.message_id, result.problem
    return Message.objects.get(pk=result.message_id)


def message_url(message: Message) -> str:
    return reverse("inbox:message", args=[message.pk])


def attachment_url(message: Message) -> str:
    return reverse("inbox:attachment", args=[message.pk, message.attachments.get().pk])


@pytest.fixture
def parent(client: Client, personas: dict[str, DemoPersona]) -> DemoPersona:
    log_in(client, personas["parent"])
    return personas["parent"]


def test_the_message_box_needs_a_substantial_login(
    client: Client, personas: dict[str, DemoPersona]
) -> None:
    assert client.get(LIST)["Location"].startswith(reverse("identity:login"))

    log_in(client, personas["resident-low"], loa="low")
    response = client.get(LIST)

    assert response.status_code == 302 and "level=substantial" in response["Location"]


def test_the_list_shows_unread_first_with_sender_badges_and_counts(
    client: Client, parent: DemoPersona, agency: PublicOrganisation
) -> None:
    read = deliver(agency, parent, "read", subject="Gelezen bericht", action_required_by=None)
    unread = deliver(agency, parent, "unread", subject="Nieuw bericht")
    client.get(message_url(read))
    Message.objects.filter(pk=read.pk).update(sent_at=timezone.now() + timedelta(hours=1))

    html = client.get(LIST, headers=ENGLISH).content.decode()

    assert html.index("Nieuw bericht") < html.index("Gelezen bericht")
    assert "Tax Test" in html and "Belastingdienst Test" not in html
    assert html.count("Unread:") == 1
    assert html.count("Action required by 31 January 2027") == 1
    assert "You have 1 unread message." in html and "2 messages in total." in html
    assert f'href="{message_url(unread)}"' in html
    assert parent.subject.value not in html


def test_the_list_speaks_dutch_by_default(
    client: Client, parent: DemoPersona, agency: PublicOrganisation
) -> None:
    deliver(agency, parent)

    html = client.get(LIST).content.decode()

    assert '<html lang="nl">' in html
    assert "Belastingdienst Test" in html and "Tax Test" not in html


def test_an_empty_box_says_so(client: Client, parent: DemoPersona) -> None:
    response = client.get(LIST, headers=ENGLISH)

    assert response.status_code == 200
    assert 'id="no-messages"' in response.text and "No messages" in response.text
    assert "You have no unread messages." in response.text


def test_filters_narrow_the_list_and_keep_their_values(
    client: Client, parent: DemoPersona, agency: PublicOrganisation
) -> None:
    deliver(agency, parent, "a", subject="Uw huurtoeslag")
    deliver(agency, parent, "b", subject="Uw aanslag", category="payment")

    by_text = client.get(LIST, {"q": "HUURTOESLAG"}, headers=ENGLISH).text
    by_kind = client.get(LIST, {"category": "payment"}, headers=ENGLISH).text
    by_sender = client.get(LIST, {"organisation": agency.slug}, headers=ENGLISH).text

    assert "Uw huurtoeslag" in by_text and "Uw aanslag" not in by_text
    assert 'value="HUURTOESLAG"' in by_text
    assert "Uw aanslag" in by_kind and "Uw huurtoeslag" not in by_kind
    assert "Uw aanslag" in by_sender and "Uw huurtoeslag" in by_sender
    assert f'<option value="{agency.slug}" selected>Tax Test</option>' in by_sender


def test_a_filter_that_matches_nothing_offers_to_clear_it(
    client: Client, parent: DemoPersona, agency: PublicOrganisation
) -> None:
    deliver(agency, parent)

    html = client.get(LIST, {"since": "2099-01-01"}, headers=ENGLISH).text

    assert "No messages match these filters." in html and "Clear the filters" in html


def test_an_invalid_filter_is_a_readable_error(client: Client, parent: DemoPersona) -> None:
    bad_date = client.get(LIST, {"since": "31-31-2026"}, headers=ENGLISH)
    reversed_period = client.get(
        LIST, {"since": "2026-05-01", "until": "2026-04-01"}, headers=ENGLISH
    )
    unknown_kind = client.get(LIST, {"category": "spam"}, headers=ENGLISH)

    assert bad_date.status_code == 400 and "Enter a valid date." in bad_date.text
    assert "The start date must be on or before the end date." in reversed_period.text
    assert unknown_kind.status_code == 400 and "Select a valid choice." in unknown_kind.text
    assert 'aria-invalid="true"' in bad_date.text


def test_pages_link_to_each_other_with_cursors(
    client: Client, parent: DemoPersona, agency: PublicOrganisation
) -> None:
    for n in range(30):
        deliver(agency, parent, f"key-{n}", subject=f"Bericht nummer {n:02d}")

    first = client.get(LIST, {"q": "nummer"}, headers=ENGLISH)
    next_link = first.context["page"].next_cursor
    second = client.get(LIST, {"q": "nummer", "after": next_link}, headers=ENGLISH)

    assert len(first.context["rows"]) == 25 and len(second.context["rows"]) == 5
    assert "Next page" in first.text and "Previous page" not in first.text
    assert "Previous page" in second.text and "Next page" not in second.text
    assert "q=nummer&amp;after=" in first.text
    shown = {row.message.pk for row in first.context["rows"] + second.context["rows"]}
    assert len(shown) == 30


def test_a_damaged_cursor_shows_the_first_page_with_a_message(
    client: Client, parent: DemoPersona, agency: PublicOrganisation
) -> None:
    deliver(agency, parent)

    response = client.get(LIST, {"after": "damaged!"}, headers=ENGLISH)

    assert response.status_code == 400
    assert 'id="cursor-invalid"' in response.text
    assert len(response.context["rows"]) == 1


def test_archived_messages_are_listed_in_the_archive_only(
    client: Client, parent: DemoPersona, agency: PublicOrganisation
) -> None:
    deliver(agency, parent, "kept", subject="In de inbox")
    archived = deliver(agency, parent, "gone", subject="In het archief")
    Message.objects.filter(pk=archived.pk).update(archived=True)

    inbox = client.get(LIST, headers=ENGLISH).text
    archive = client.get(LIST, {"archived": "1"}, headers=ENGLISH).text

    assert "In de inbox" in inbox and "In het archief" not in inbox
    assert "In het archief" in archive and "In de inbox" not in archive
    assert '<input type="hidden" name="archived" value="1">' in archive


def test_important_messages_removed_soon_carry_a_note(
    client: Client, parent: DemoPersona, agency: PublicOrganisation
) -> None:
    soon = deliver(agency, parent, "soon")
    deliver(agency, parent, "later")
    Message.objects.filter(pk=soon.pk).update(expires_at=timezone.now() + timedelta(days=10))

    html = client.get(LIST, headers=ENGLISH).text

    assert html.count("Will be removed on") == 1
    assert "This message will be removed on" in client.get(message_url(soon), headers=ENGLISH).text


def test_opening_a_message_shows_it_marks_it_read_and_records_the_read(
    client: Client, parent: DemoPersona, agency: PublicOrganisation
) -> None:
    message = deliver(agency, parent)

    response = client.get(message_url(message), headers=ENGLISH)

    assert response.status_code == 200
    assert "<strong>aangifte</strong>" in response.text
    assert "Tax Test" in response.text and "Decision" in response.text
    assert "Action required by 31 January 2027" in response.text
    assert f'href="{attachment_url(message)}"' in response.text and "aanslag.pdf" in response.text
    assert f"(PDF, {len(PDF)}" in response.text
    assert 'id="removal-date"' in response.text and 'id="archive-form"' in response.text
    assert parent.subject.value not in response.text
    assert not Message.objects.get(pk=message.pk).unread
    record = ProcessingRecord.objects.get(name="inbox.read")
    assert record.data_subject_hash == subject_hash(parent.subject)


def test_a_message_about_a_step_links_to_it_in_the_plan(
    client: Client, parent: DemoPersona, agency: PublicOrganisation
) -> None:
    journey = Journey.objects.create(
        life_event_slug="moving-test",
        name_nl="Verhuizen",
        name_en="Moving",
        subject_hash=subject_hash(parent.subject),
        subject_sealed="sealed",
        started_on=date(2026, 3, 1),
    )
    step = Step.objects.create(
        journey=journey,
        service_slug="register-move",
        name_nl="Verhuizing doorgeven",
        name_en="Register your move",
        organisation_nl="Gemeente",
        organisation_en="Municipality",
    )
    message = deliver(agency, parent)
    Message.objects.filter(pk=message.pk).update(step=step)

    html = client.get(message_url(message), headers=ENGLISH).text

    plan = reverse("journeys:journey", args=[journey.pk])
    assert f'href="{plan}#step-register-move"' in html and "Register your move" in html


def test_someone_elses_or_an_unknown_message_is_not_found(
    client: Client, personas: dict[str, DemoPersona], agency: PublicOrganisation
) -> None:
    message = deliver(agency, personas["single-parent"])
    log_in(client, personas["parent"])

    for url in (
        message_url(message),
        attachment_url(message),
        reverse("inbox:message", args=["8a4e4a3c-2b8a-4f43-9d43-2d2c2b1b0a00"]),
    ):
        response = client.get(url, headers=ENGLISH)
        assert response.status_code == 404 and "Page not found" in response.text
        assert personas["single-parent"].subject.value not in response.text
    assert (
        client.post(reverse("inbox:archive", args=[message.pk]), {"archived": "1"}).status_code
        == 404
    )
    assert Message.objects.get(pk=message.pk).unread
    assert not ProcessingRecord.objects.filter(name__in=["inbox.read", "inbox.attachment"])


def test_an_attachment_downloads_privately_as_pdf(
    client: Client, parent: DemoPersona, agency: PublicOrganisation
) -> None:
    message = deliver(agency, parent)

    response = client.get(attachment_url(message))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="aanslag.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    cache = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache
    assert ProcessingRecord.objects.filter(name="inbox.attachment").count() == 1


def test_archiving_and_restoring_go_back_to_the_message(
    client: Client, parent: DemoPersona, agency: PublicOrganisation
) -> None:
    message = deliver(agency, parent)
    archive_url = reverse("inbox:archive", args=[message.pk])

    archived = client.post(archive_url, {"archived": "1"}, headers=ENGLISH)
    page = client.get(message_url(message), headers=ENGLISH).text
    assert archived.status_code == 302 and archived["Location"] == message_url(message)
    assert Message.objects.get(pk=message.pk).archived
    assert "moved to your archive" in page and "Move back to the inbox" in page

    client.post(archive_url, {"archived": "0"})
    assert not Message.objects.get(pk=message.pk).archived
    assert client.post(archive_url, {"archived": "maybe"}).status_code == 400
    assert client.get(archive_url).status_code == 405


def test_archiving_needs_the_csrf_token(
    personas: dict[str, DemoPersona], agency: PublicOrganisation
) -> None:
    client = Client(enforce_csrf_checks=True)
    log_in(client, personas["parent"])
    message = deliver(agency, personas["parent"])

    response = client.post(reverse("inbox:archive", args=[message.pk]), {"archived": "1"})

    assert response.status_code == 403
    assert not Message.objects.get(pk=message.pk).archived


def test_the_navigation_and_home_page_show_the_unread_count(
    client: Client, parent: DemoPersona, agency: PublicOrganisation
) -> None:
    deliver(agency, parent, "one")
    deliver(agency, parent, "two")

    home = client.get("/", headers=ENGLISH).text

    assert (
        '<span class="utrecht-badge-counter">2<span class="lg-visually-hidden"> unread messages'
        in home
    )
    assert 'id="home-unread"' in home and "You have 2 unread messages." in home
    assert f'href="{LIST}"' in home
    assert parent.subject.value not in home


def test_a_low_login_sees_the_link_but_not_the_count(
    client: Client, personas: dict[str, DemoPersona], agency: PublicOrganisation
) -> None:
    persona = personas["resident-low"]
    deliver(agency, persona)
    log_in(client, persona, loa="low")

    home = client.get("/", headers=ENGLISH).text

    assert 'id="nav-inbox"' in home
    assert "utrecht-badge-counter" not in home and 'id="home-unread"' not in home


def test_the_admin_lists_messages_without_recipients_subjects_texts_or_file_names(
    client: Client, personas: dict[str, DemoPersona], agency: PublicOrganisation
) -> None:
    persona = personas["parent"]
    message = deliver(agency, persona)
    operator = get_user_model().objects.create_superuser("admin", "admin@lifegate.invalid", "pw")
    client.force_login(operator)
    recipient = subject_hash(persona.subject)

    pages = [
        reverse("admin:inbox_message_changelist") + f"?organisation__id__exact={agency.pk}",
        reverse("admin:inbox_message_change", args=[message.pk]),
        reverse("admin:inbox_attachment_changelist"),
        reverse("admin:inbox_mailbox_changelist"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        post = (message.subject, "aangifte", "aanslag.pdf")
        for secret in (recipient, message.recipient_sealed, persona.subject.value, *post):
            assert secret not in response.text, (url, secret)
    assert str(message.pk) in client.get(pages[0]).text
    assert client.get(reverse("admin:inbox_mailbox_change", args=[recipient])).status_code != 200
    assert client.post(pages[1], {"body": "changed"}).status_code == 403
    assert Message.objects.get(pk=message.pk).body == message.body
