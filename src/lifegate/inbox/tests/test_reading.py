"""Reading the message box: pages unread first and newest first in both directions, filters,
opening and archiving, the mailbox counters, and nobody reading anyone else's post."""

import base64
import json
from datetime import date, datetime, timedelta
from uuid import UUID

import pytest
from django.utils import timezone

from lifegate.catalogue.models import PublicOrganisation
from lifegate.catalogue.tests.factories import make_organisation
from lifegate.inbox.models import Attachment, Mailbox, Message
from lifegate.inbox.reading import (
    InboxFilter,
    InvalidCursor,
    attachment_of,
    inbox_page,
    open_message,
    set_archived,
    unread_count,
)
from lifegate.inbox.sending import send_messages
from lifegate.inbox.tests.conftest import PDF, new_message
from lifegate.registries.personas import DemoPersona
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import Actor, subject_hash

pytestmark = pytest.mark.django_db
START = timezone.make_aware(datetime(2026, 3, 1, 9, 0))


def reader(persona: DemoPersona) -> Actor:
    return Actor(kind="person", subject=persona.subject)


def send(
    organisation: PublicOrganisation, persona: DemoPersona, count: int, prefix: str = "m", **fields
) -> list[UUID]:
    """`count` messages, sent one hour apart (the first is the oldest); returns their ids."""
    batch = [new_message(persona, f"{prefix}-{n}", **fields) for n in range(count)]
    results = send_messages(organisation, batch, actor=Actor(kind="agency"))
    ids = [result.message_id for result in results if result.message_id]
    assert len(ids) == count
    for n, message_id in enumerate(ids):
        Message.objects.filter(pk=message_id).update(sent_at=START + timedelta(hours=n))
    return ids


def page_order(persona: DemoPersona) -> list[UUID]:
    rows = Message.objects.filter(recipient_hash=subject_hash(persona.subject), archived=False)
    return list(rows.order_by("-unread", "-sent_at", "-id").values_list("id", flat=True))


@pytest.fixture
def sixty(
    personas: dict[str, DemoPersona], agency: PublicOrganisation
) -> tuple[DemoPersona, list[UUID]]:
    """60 messages to the parent, every third one read; two pairs share a sending time."""
    persona = personas["parent"]
    ids = send(agency, persona, 60)
    Message.objects.filter(pk__in=[ids[10], ids[11]]).update(sent_at=START)
    Message.objects.filter(pk__in=[ids[30], ids[33]]).update(sent_at=START + timedelta(hours=5))
    for message_id in ids[::3]:
        open_message(persona.subject, message_id, actor=reader(persona))
    return persona, ids


def test_pages_forwards_show_unread_first_then_newest_first(
    sixty: tuple[DemoPersona, list[UUID]],
) -> None:
    persona, _ = sixty
    seen, after, sizes = [], None, []
    while True:
        page = inbox_page(persona.subject, InboxFilter(), actor=reader(persona), after=after)
        seen += [message.pk for message in page.messages]
        sizes.append(len(page.messages))
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert sizes == [25, 25, 10]
    assert seen == page_order(persona)
    assert [m.unread for m in Message.objects.filter(pk__in=seen[:40])] == [True] * 40


def test_pages_backwards_give_the_same_pages(sixty: tuple[DemoPersona, list[UUID]]) -> None:
    persona, _ = sixty
    actor = reader(persona)
    first = inbox_page(persona.subject, InboxFilter(), actor=actor)
    second = inbox_page(persona.subject, InboxFilter(), actor=actor, after=first.next_cursor)
    last = inbox_page(persona.subject, InboxFilter(), actor=actor, after=second.next_cursor)
    assert last.next_cursor is None and last.previous_cursor is not None

    back = inbox_page(persona.subject, InboxFilter(), actor=actor, before=last.previous_cursor)
    assert [m.pk for m in back.messages] == [m.pk for m in second.messages]
    assert back.next_cursor is not None
    front = inbox_page(persona.subject, InboxFilter(), actor=actor, before=back.previous_cursor)
    assert [m.pk for m in front.messages] == [m.pk for m in first.messages]
    assert front.previous_cursor is None and first.previous_cursor is None


def test_a_cursor_not_handed_out_is_refused(personas: dict[str, DemoPersona]) -> None:
    persona = personas["parent"]
    for cursor in ("not-a-cursor", "eyJ4IjogMX0", "W3RydWUsICJ0b2RheSIsICJ4Il0"):
        with pytest.raises(InvalidCursor):
            inbox_page(persona.subject, InboxFilter(), actor=reader(persona), after=cursor)
        with pytest.raises(InvalidCursor):
            inbox_page(persona.subject, InboxFilter(), actor=reader(persona), before=cursor)


def test_the_text_filter_searches_subject_and_body_ignoring_case(
    personas: dict[str, DemoPersona], agency: PublicOrganisation
) -> None:
    persona = personas["parent"]
    by_subject = send(agency, persona, 1, "a", subject="Uw huurtoeslag 2027")
    by_body = send(agency, persona, 1, "b", body="Over uw **HUURTOESLAG** van dit jaar.")
    send(agency, persona, 2, "c")

    page = inbox_page(persona.subject, InboxFilter(text=" huurtoeslag "), actor=reader(persona))

    assert {m.pk for m in page.messages} == {*by_subject, *by_body}


def test_the_sender_and_category_filters_narrow_the_list(
    personas: dict[str, DemoPersona], agency: PublicOrganisation
) -> None:
    persona = personas["parent"]
    municipality = make_organisation("gemeente-test", "Gemeente Test", "Municipality of Test")
    from_municipality = send(municipality, persona, 2, "g", category="payment")
    send(agency, persona, 3, "t", category="decision")
    actor = reader(persona)

    by_sender = inbox_page(persona.subject, InboxFilter(organisation="gemeente-test"), actor=actor)
    by_kind = inbox_page(persona.subject, InboxFilter(category="payment"), actor=actor)
    both = InboxFilter(organisation=agency.slug, category="payment")

    assert {m.pk for m in by_sender.messages} == set(from_municipality)
    assert {m.pk for m in by_kind.messages} == set(from_municipality)
    assert inbox_page(persona.subject, both, actor=actor).messages == []


def test_the_period_filter_includes_both_days(
    personas: dict[str, DemoPersona], agency: PublicOrganisation
) -> None:
    persona = personas["parent"]
    ids = send(agency, persona, 4)
    for day, message_id in zip((1, 2, 3, 4), ids, strict=True):
        at = timezone.make_aware(datetime(2026, 3, day, 23, 30))
        Message.objects.filter(pk=message_id).update(sent_at=at)
    period = InboxFilter(since=date(2026, 3, 2), until=date(2026, 3, 3))

    page = inbox_page(persona.subject, period, actor=reader(persona))

    assert [m.pk for m in page.messages] == [ids[2], ids[1]]


def test_archived_messages_leave_the_inbox_and_come_back(
    personas: dict[str, DemoPersona], agency: PublicOrganisation
) -> None:
    persona = personas["parent"]
    kept, archived = send(agency, persona, 2)
    actor = reader(persona)

    set_archived(persona.subject, archived, True, actor=actor)

    inbox = inbox_page(persona.subject, InboxFilter(), actor=actor)
    archive = inbox_page(persona.subject, InboxFilter(archived=True), actor=actor)
    assert [m.pk for m in inbox.messages] == [kept]
    assert [m.pk for m in archive.messages] == [archived]
    assert ProcessingRecord.objects.filter(name="inbox.archive").count() == 1

    set_archived(persona.subject, archived, False, actor=actor)
    inbox = inbox_page(persona.subject, InboxFilter(), actor=actor)
    assert {m.pk for m in inbox.messages} == {kept, archived}
    assert ProcessingRecord.objects.filter(name="inbox.unarchive").count() == 1


def test_opening_marks_read_once_and_counts_down_the_mailbox(
    personas: dict[str, DemoPersona], agency: PublicOrganisation
) -> None:
    persona = personas["parent"]
    first, _ = send(agency, persona, 2)
    assert unread_count(persona.subject) == 2

    opened = open_message(persona.subject, first, actor=reader(persona))
    open_message(persona.subject, first, actor=reader(persona))

    assert not opened.unread and opened.read_at is not None
    assert unread_count(persona.subject) == 1
    page = inbox_page(persona.subject, InboxFilter(), actor=reader(persona))
    assert (page.unread_count, page.message_count) == (1, 2)
    assert ProcessingRecord.objects.filter(name="inbox.read").count() == 2


def test_archiving_does_not_change_the_counters(
    personas: dict[str, DemoPersona], agency: PublicOrganisation
) -> None:
    persona = personas["parent"]
    (message_id,) = send(agency, persona, 1)

    set_archived(persona.subject, message_id, True, actor=reader(persona))

    mailbox = Mailbox.objects.get(recipient_hash=subject_hash(persona.subject))
    assert (mailbox.unread_count, mailbox.message_count) == (1, 1)


def test_a_person_without_post_has_an_empty_box(personas: dict[str, DemoPersona]) -> None:
    persona = personas["student"]

    page = inbox_page(persona.subject, InboxFilter(), actor=reader(persona))

    assert page.messages == [] and page.next_cursor is None and page.previous_cursor is None
    assert (page.unread_count, page.message_count, unread_count(persona.subject)) == (0, 0, 0)
    assert ProcessingRecord.objects.filter(name="inbox.list").count() == 1


def test_nobody_reads_or_archives_anyone_elses_message(
    personas: dict[str, DemoPersona], agency: PublicOrganisation
) -> None:
    owner, other = personas["parent"], personas["single-parent"]
    (message_id,) = send(agency, owner, 1)
    attachment = Message.objects.get(pk=message_id).attachments.get()

    with pytest.raises(Message.DoesNotExist):
        open_message(other.subject, message_id, actor=reader(other))
    with pytest.raises(Message.DoesNotExist):
        set_archived(other.subject, message_id, True, actor=reader(other))
    with pytest.raises(attachment.DoesNotExist):
        attachment_of(other.subject, message_id, attachment.pk, actor=reader(other))

    message = Message.objects.get(pk=message_id)
    assert message.unread and not message.archived
    assert inbox_page(other.subject, InboxFilter(), actor=reader(other)).messages == []
    assert not ProcessingRecord.objects.filter(name__in=["inbox.read", "inbox.attachment"])


def test_the_owner_gets_the_attachment_and_the_read_is_recorded(
    personas: dict[str, DemoPersona], agency: PublicOrganisation
) -> None:
    persona = personas["parent"]
    (message_id,) = send(agency, persona, 1)
    attachment_id = Message.objects.get(pk=message_id).attachments.get().pk

    attachment = attachment_of(persona.subject, message_id, attachment_id, actor=reader(persona))

    assert attachment.file.read() == PDF
    record = ProcessingRecord.objects.get(name="inbox.attachment")
    assert record.data_subject_hash == subject_hash(persona.subject)


def test_filter_dates_at_the_ends_of_the_calendar_filter_nothing(
    personas: dict[str, DemoPersona], agency: PublicOrganisation
) -> None:
    persona = personas["parent"]
    send(agency, persona, 2)
    wide = InboxFilter(since=date(1, 1, 1), until=date(9999, 12, 31))

    page = inbox_page(persona.subject, wide, actor=reader(persona))

    assert len(page.messages) == 2


@pytest.mark.parametrize(
    "moment", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "2026-03-01T09:00:00"]
)
def test_a_cursor_with_a_moment_out_of_range_is_invalid(
    personas: dict[str, DemoPersona], moment: str
) -> None:
    raw = json.dumps([True, moment, "00000000-0000-0000-0000-000000000000"]).encode()
    cursor = base64.urlsafe_b64encode(raw).decode()
    persona = personas["parent"]

    with pytest.raises(InvalidCursor):
        inbox_page(persona.subject, InboxFilter(), actor=reader(persona), after=cursor)


def test_an_expired_message_is_gone_for_the_person_before_the_removal_task_runs(
    personas: dict[str, DemoPersona], agency: PublicOrganisation
) -> None:
    persona = personas["parent"]
    [expired, kept] = send(agency, persona, 2)
    Message.objects.filter(pk=expired).update(expires_at=timezone.now() - timedelta(seconds=1))
    attachment = Message.objects.get(pk=expired).attachments.get()

    page = inbox_page(persona.subject, InboxFilter(), actor=reader(persona))

    assert [m.pk for m in page.messages] == [kept]
    with pytest.raises(Message.DoesNotExist):
        open_message(persona.subject, expired, actor=reader(persona))
    with pytest.raises(Attachment.DoesNotExist):
        attachment_of(persona.subject, expired, attachment.pk, actor=reader(persona))


def test_an_attachment_whose_file_is_gone_is_not_found(
    personas: dict[str, DemoPersona], agency: PublicOrganisation
) -> None:
    persona = personas["parent"]
    [message_id] = send(agency, persona, 1)
    attachment = Message.objects.get(pk=message_id).attachments.get()
    attachment.file.storage.delete(str(attachment.file.name))

    with pytest.raises(Attachment.DoesNotExist):
        attachment_of(persona.subject, message_id, attachment.pk, actor=reader(persona))
