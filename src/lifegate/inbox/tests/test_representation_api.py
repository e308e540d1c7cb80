"""The person APIs of the message box while acting for someone, with refusals as problem
details carrying their `reason`; and what the sending agency learns: whether the recipient or
a representative opened the message, never who."""

import pytest
from django.test import Client

from lifegate.catalogue.models import PublicOrganisation
from lifegate.inbox.models import Mailbox, Message
from lifegate.inbox.tests.test_agency_api_send import make_token
from lifegate.inbox.tests.test_agency_api_status import get
from lifegate.inbox.tests.test_pages import deliver
from lifegate.inbox.tests.test_representation import act_for, assert_on_behalf, grant, log_in_as
from lifegate.mandates import services
from lifegate.mandates.models import Mandate, ScopeKind
from lifegate.mandates.tests.conftest import person
from lifegate.registries.personas import DemoPersona
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import subject_hash

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notice_sender")]
BASE = "/api/inbox/messages"
SETTINGS = "/api/inbox/notifications/"
PROBLEM = "application/problem+json"
ENGLISH = {"accept-language": "en"}


def assert_problem(response: object, reason: str, detail: str) -> None:
    assert response.status_code == 403  # type: ignore[attr-defined]
    assert response["Content-Type"] == PROBLEM  # type: ignore[index]
    body = response.json()  # type: ignore[attr-defined]
    assert body["type"].endswith("/not-permitted")
    assert (body["reason"], body["detail"]) == (reason, detail)


@pytest.fixture
def elderly(personas: dict[str, DemoPersona]) -> DemoPersona:
    return personas["elderly"]


@pytest.fixture
def student(client: Client, personas: dict[str, DemoPersona]) -> DemoPersona:
    log_in_as(client, personas["student"].subject)
    return personas["student"]


@pytest.fixture
def reading(client: Client, elderly: DemoPersona, student: DemoPersona) -> Mandate:
    mandate = grant(elderly, student, ScopeKind.INBOX_READ)
    act_for(client, elderly.subject)
    return mandate


def test_a_reader_lists_and_opens_the_principals_messages(
    client: Client,
    elderly: DemoPersona,
    student: DemoPersona,
    reading: Mandate,
    agency: PublicOrganisation,
) -> None:
    message = deliver(agency, elderly, subject="Uw pensioen")

    listed = client.get(BASE)
    opened = client.get(f"{BASE}/{message.pk}")

    assert "Uw pensioen" in [item["subject"] for item in listed.json()["items"]]
    assert opened.status_code == 200 and opened.json()["unread"] is False
    assert Message.objects.get(pk=message.pk).read_on_behalf
    assert_on_behalf(
        ProcessingRecord.objects.get(name="inbox.read"), student.subject, elderly.subject
    )


def test_a_reader_may_not_archive_or_touch_the_settings(
    client: Client, elderly: DemoPersona, reading: Mandate, agency: PublicOrganisation
) -> None:
    message = deliver(agency, elderly)
    refusal = "Your authorisation does not cover this."

    archived = client.post(
        f"{BASE}/{message.pk}/archive",
        {"archived": True},
        content_type="application/json",
        headers=ENGLISH,
    )
    settings = client.get(SETTINGS, headers=ENGLISH)
    changed = client.put(
        SETTINGS,
        {"notify": "never", "language": "en"},
        content_type="application/json",
        headers=ENGLISH,
    )

    only_self = "You can only do this for yourself. Switch back to acting for yourself."
    assert_problem(archived, "out-of-scope", refusal)
    assert_problem(settings, "only-self", only_self)
    assert_problem(changed, "only-self", only_self)
    assert not Message.objects.get(pk=message.pk).archived
    assert Mailbox.objects.get(recipient_hash=subject_hash(elderly.subject)).notify == "every"


def test_a_mandate_for_the_whole_box_archives_but_never_manages_the_settings(
    client: Client, elderly: DemoPersona, student: DemoPersona, agency: PublicOrganisation
) -> None:
    grant(elderly, student, ScopeKind.INBOX_FULL)
    act_for(client, elderly.subject)
    message = deliver(agency, elderly)

    archived = client.post(
        f"{BASE}/{message.pk}/archive", {"archived": True}, content_type="application/json"
    )
    changed = client.put(
        SETTINGS,
        {"notify": "never", "language": "en"},
        content_type="application/json",
        headers=ENGLISH,
    )

    assert archived.status_code == 200 and archived.json()["archived"] is True
    only_self = "You can only do this for yourself. Switch back to acting for yourself."
    assert_problem(changed, "only-self", only_self)
    assert Mailbox.objects.get(recipient_hash=subject_hash(elderly.subject)).notify != "never"


def test_a_mandate_ended_during_the_session_is_refused_at_the_next_call(
    client: Client, elderly: DemoPersona, reading: Mandate, agency: PublicOrganisation
) -> None:
    message = deliver(agency, elderly)
    assert client.get(BASE).status_code == 200

    services.end(reading.pk, elderly.subject, person(elderly.subject))

    ended = "Your authorisation has been ended."
    assert_problem(client.get(BASE, headers=ENGLISH), "ended", ended)
    assert_problem(client.get(f"{BASE}/{message.pk}", headers=ENGLISH), "ended", ended)
    assert Message.objects.get(pk=message.pk).unread


def test_the_sender_learns_a_representative_read_it_but_not_who(
    client: Client,
    elderly: DemoPersona,
    student: DemoPersona,
    reading: Mandate,
    agency: PublicOrganisation,
) -> None:
    token = make_token(agency)
    by_representative = deliver(agency, elderly, "by-representative")
    by_recipient = deliver(agency, elderly, "by-recipient")
    unopened = deliver(agency, elderly, "unopened")
    client.get(f"{BASE}/{by_representative.pk}")
    log_in_as(client, elderly.subject)
    client.get(f"{BASE}/{by_recipient.pk}")

    statuses = {
        message: get(client, token, f"/{message.pk}")
        for message in (by_representative, by_recipient, unopened)
    }

    assert statuses[by_representative].json()["read_by"] == "representative"
    assert statuses[by_recipient].json()["read_by"] == "recipient"
    assert statuses[unopened].json()["read_by"] is None
    text = statuses[by_representative].content.decode()
    assert student.subject.value not in text and subject_hash(student.subject) not in text
