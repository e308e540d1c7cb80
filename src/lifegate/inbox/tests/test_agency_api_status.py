"""The agency messages API, following sent messages: the organisation's own list with filters
and cursor paging, one message's status, and every status read in the person's processing log."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from lifegate.catalogue.models import PublicOrganisation
from lifegate.catalogue.tests.factories import make_organisation
from lifegate.inbox.models import Message
from lifegate.inbox.reminders import send_reminders
from lifegate.inbox.sending import send_messages
from lifegate.inbox.tests.conftest import new_message
from lifegate.inbox.tests.test_agency_api_send import make_token, problem
from lifegate.registries.personas import DemoPersona
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import Actor, records_about

pytestmark = pytest.mark.django_db
API = "/api/agency/messages"


@pytest.fixture
def token(agency: PublicOrganisation) -> str:
    return make_token(agency)


def get(client: Client, token: str, path: str = "/", **params: Any) -> Any:
    return client.get(API + path, params, headers={"Authorization": f"Bearer {token}"})


def sent(organisation: PublicOrganisation, persona: DemoPersona, *keys: str) -> list[Message]:
    """Messages from `organisation` to `persona`, a minute apart in the order of `keys` and
    after those sent before."""
    actor = Actor(kind="agency", organisation=organisation.slug)
    earlier = Message.objects.count()
    batch = [new_message(persona, key) for key in keys]
    ids = [str(result.message_id) for result in send_messages(organisation, batch, actor=actor)]
    start = timezone.now() - timedelta(hours=1)
    for minute, message_id in enumerate(ids):
        Message.objects.filter(pk=message_id).update(
            sent_at=start + timedelta(minutes=earlier + minute)
        )
    return [Message.objects.get(pk=message_id) for message_id in ids]


def status_reads() -> list[ProcessingRecord]:
    return list(ProcessingRecord.objects.filter(name="inbox.status"))


# One message ------------------------------------------------------------------------------


def test_a_message_status_shows_how_far_it_got_without_naming_the_recipient(
    client: Client, personas: dict[str, DemoPersona], agency: PublicOrganisation, token: str
) -> None:
    persona = personas["parent"]
    [message] = sent(agency, persona, "aanslag-1")
    now = timezone.now()
    Message.objects.filter(pk=message.pk).update(
        notification_state="sent",
        notified_at=now,
        reminded_at=now,
        reminder_sent=True,
        unread=False,
        read_at=now,
    )
    response = get(client, token, f"/{message.pk}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["idempotency_key"] == "aanslag-1" and body["category"] == "decision"
    assert body["notification_state"] == "sent" and body["read_at"] is not None
    assert body["status"] == {
        "delivered": True,
        "notified": True,
        "reminded": True,
        "read": True,
        "unread_reported": False,
    }
    assert "recipient" not in body and persona.subject.value not in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_a_reminder_moment_without_an_e_mail_is_not_shown_as_reminded(
    client: Client, personas: dict[str, DemoPersona], agency: PublicOrganisation, token: str
) -> None:
    [message] = sent(agency, personas["parent"], "aanslag-1")  # no address: no reminder mail
    send_reminders(timezone.now() + timedelta(days=30))

    body = get(client, token, f"/{message.pk}").json()

    assert body["reminded_at"] is not None  # the unread report will follow from it
    assert body["status"]["reminded"] is False


def test_another_organisations_message_is_a_404_like_an_unknown_one(
    client: Client, personas: dict[str, DemoPersona], agency: PublicOrganisation, token: str
) -> None:
    other = make_organisation("svb-test", "SVB Test", "SVB Test")
    [theirs] = sent(other, personas["parent"], "theirs")
    problem(get(client, token, f"/{theirs.pk}"), 404)
    problem(get(client, token, "/6f1c2a4e-3b9d-4c47-9a51-0d2f8e7b1c35"), 404)
    assert get(client, make_token(other), f"/{theirs.pk}").status_code == 200
    assert len(status_reads()) == 1  # only the owner's read


def test_reading_a_message_status_is_recorded_in_the_persons_processing_log(
    client: Client, personas: dict[str, DemoPersona], agency: PublicOrganisation, token: str
) -> None:
    persona = personas["parent"]
    [message] = sent(agency, persona, "aanslag-1")
    get(client, token, f"/{message.pk}")
    [record] = [r for r in records_about(persona.subject) if r.name == "inbox.status"]
    assert record.processing_activity_id == "inbox-delivery"
    assert (record.organisation, record.actor_kind) == (agency.slug, "agency")
    assert record.data_categories == ["read-status"]


def test_replaying_a_send_reads_the_status_and_is_recorded(
    client: Client, personas: dict[str, DemoPersona], agency: PublicOrganisation, token: str
) -> None:
    from lifegate.inbox.tests.test_agency_api_send import message_json, post

    post(client, token, message_json(personas["parent"]))
    assert status_reads() == []  # the send itself is recorded as inbox.send
    post(client, token, message_json(personas["parent"]))
    assert len(status_reads()) == 1


# The list ---------------------------------------------------------------------------------


def test_the_list_shows_only_the_organisations_own_messages_oldest_first(
    client: Client, personas: dict[str, DemoPersona], agency: PublicOrganisation, token: str
) -> None:
    mine = sent(agency, personas["parent"], "first", "second")
    sent(make_organisation("svb-test", "SVB Test", "SVB Test"), personas["parent"], "theirs")
    response = get(client, token)
    assert response.status_code == 200
    body = response.json()
    assert [m["id"] for m in body["results"]] == [str(m.pk) for m in mine]
    assert body["next_cursor"] is None and body["next"] is None
    assert personas["parent"].subject.value not in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_the_list_pages_with_a_cursor_through_every_message_once(
    client: Client, personas: dict[str, DemoPersona], agency: PublicOrganisation, token: str
) -> None:
    messages = sent(agency, personas["parent"], *[f"key-{n}" for n in range(5)])
    seen: list[str] = []
    page = get(client, token, limit=2).json()
    while True:
        seen += [m["id"] for m in page["results"]]
        if not page["next"]:
            break
        assert "after=" in page["next"]
        page = client.get(page["next"], headers={"Authorization": f"Bearer {token}"}).json()
    assert seen == [str(m.pk) for m in messages]


def test_the_list_refuses_a_cursor_it_did_not_hand_out(client: Client, token: str) -> None:
    problem(get(client, token, after="not-a-cursor"), 400)


def test_the_list_filters_on_read_and_unread(
    client: Client, personas: dict[str, DemoPersona], agency: PublicOrganisation, token: str
) -> None:
    read, unread = sent(agency, personas["parent"], "read", "unread")
    Message.objects.filter(pk=read.pk).update(unread=False, read_at=timezone.now())
    assert [m["id"] for m in get(client, token, state="read").json()["results"]] == [str(read.pk)]
    unread_ids = [m["id"] for m in get(client, token, state="unread").json()["results"]]
    assert unread_ids == [str(unread.pk)]
    problem(get(client, token, state="lost"), 400)


def test_the_list_gives_the_messages_reported_unread_so_the_sender_can_send_paper(
    client: Client, personas: dict[str, DemoPersona], agency: PublicOrganisation, token: str
) -> None:
    reported, read_late, fresh = sent(agency, personas["parent"], "reported", "late", "fresh")
    now = timezone.now()
    Message.objects.filter(pk__in=[reported.pk, read_late.pk]).update(
        reminded_at=now, unread_reported_at=now
    )
    Message.objects.filter(pk=read_late.pk).update(unread=False, read_at=now)
    reported_ids = [m["id"] for m in get(client, token, unread_reported="true").json()["results"]]
    assert reported_ids == [str(reported.pk), str(read_late.pk)]
    still_unread = get(client, token, unread_reported="true", state="unread").json()["results"]
    assert [m["id"] for m in still_unread] == [str(reported.pk)]
    assert still_unread[0]["status"]["unread_reported"] is True
    never = get(client, token, unread_reported="false").json()["results"]
    assert [m["id"] for m in never] == [str(fresh.pk)]


def test_the_list_filters_on_messages_sent_since_a_moment(
    client: Client, personas: dict[str, DemoPersona], agency: PublicOrganisation, token: str
) -> None:
    old, new = sent(agency, personas["parent"], "old", "new")
    since = (old.sent_at + timedelta(seconds=30)).isoformat()
    assert [m["id"] for m in get(client, token, since=since).json()["results"]] == [str(new.pk)]
    problem(get(client, token, since="yesterday"), 400)
    assert get(client, token, since="9500-01-01T00:00:00Z").json()["results"] == []
    everything = get(client, token, since="0001-01-02T00:00:00Z").json()["results"]
    assert {m["id"] for m in everything} == {str(old.pk), str(new.pk)}


def test_every_status_in_a_listed_page_is_recorded_in_its_persons_processing_log(
    client: Client, personas: dict[str, DemoPersona], agency: PublicOrganisation, token: str
) -> None:
    sent(agency, personas["parent"], "a", "b")
    sent(agency, personas["single-parent"], "c")
    get(client, token, limit=2)
    records = status_reads()
    assert len(records) == 2
    parent_reads = [r for r in records_about(personas["parent"].subject) if r in records]
    assert len(parent_reads) == 2
    assert {(r.organisation, r.processing_activity_id) for r in records} == {
        (agency.slug, "inbox-delivery")
    }
