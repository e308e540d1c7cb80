"""The person's message box API: session-authenticated at level substantial, CSRF-checked,
someone else's message a 404 problem, a damaged cursor a 400 problem."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from lifegate.catalogue.models import PublicOrganisation
from lifegate.inbox.models import Message
from lifegate.inbox.tests.conftest import PDF
from lifegate.inbox.tests.test_pages import deliver
from lifegate.journeys.tests.test_pages import log_in
from lifegate.registries.personas import DemoPersona
from lifegate.transparency.models import ProcessingRecord

pytestmark = pytest.mark.django_db
BASE = "/api/inbox/messages"
PROBLEM = "application/problem+json"


@pytest.fixture
def parent(client: Client, personas: dict[str, DemoPersona]) -> DemoPersona:
    log_in(client, personas["parent"])
    return personas["parent"]


def test_needs_a_session(client: Client, db: None) -> None:
    response = client.get(BASE)

    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM


def test_needs_a_substantial_login(client: Client, personas: dict[str, DemoPersona]) -> None:
    log_in(client, personas["resident-low"], loa="low")

    response = client.get(BASE, headers={"accept-language": "en"})

    assert response.status_code == 403
    assert response.json()["title"] == "Log in again at a higher level of assurance."


def test_the_list_gives_items_unread_first_cursors_and_counts(
    client: Client, parent: DemoPersona, agency: PublicOrganisation
) -> None:
    read = deliver(agency, parent, "read", subject="Gelezen")
    deliver(agency, parent, "unread", subject="Nieuw")
    client.get(f"{BASE}/{read.pk}")
    Message.objects.filter(pk=read.pk).update(sent_at=timezone.now() + timedelta(hours=1))

    body = client.get(BASE, headers={"accept-language": "en"}).json()

    assert [item["subject"] for item in body["items"]] == ["Nieuw", "Gelezen"]
    assert (body["unread_count"], body["message_count"]) == (1, 2)
    assert body["next_cursor"] is None and body["previous_cursor"] is None
    item = body["items"][0]
    assert item["organisation"] == {"slug": agency.slug, "name": "Tax Test"}
    assert item["unread"] is True and item["action_required_by"] == "2027-01-31"
    assert item["category"] == "decision" and item["language"] == "nl"
    assert parent.subject.value not in str(body)


def test_paging_follows_the_cursors_both_ways(
    client: Client, parent: DemoPersona, agency: PublicOrganisation
) -> None:
    for n in range(7):
        deliver(agency, parent, f"key-{n}")

    first = client.get(BASE, {"size": 3}).json()
    second = client.get(BASE, {"size": 3, "after": first["next_cursor"]}).json()
    third = client.get(BASE, {"size": 3, "after": second["next_cursor"]}).json()
    back = client.get(BASE, {"size": 3, "before": third["previous_cursor"]}).json()

    assert [len(page["items"]) for page in (first, second, third)] == [3, 3, 1]
    assert third["next_cursor"] is None
    assert back["items"] == second["items"]
    ids = {item["id"] for page in (first, second, third) for item in page["items"]}
    assert len(ids) == 7


def test_filters_are_query_parameters(
    client: Client, parent: DemoPersona, agency: PublicOrganisation
) -> None:
    deliver(agency, parent, "a", subject="Uw huurtoeslag")
    deliver(agency, parent, "b", subject="Uw betaling", category="payment")
    archived = deliver(agency, parent, "c", subject="Oud bericht")
    Message.objects.filter(pk=archived.pk).update(archived=True)

    def subjects(**params: str) -> list[str]:
        return [item["subject"] for item in client.get(BASE, params).json()["items"]]

    assert subjects(q="huurtoeslag") == ["Uw huurtoeslag"]
    assert subjects(category="payment") == ["Uw betaling"]
    assert subjects(organisation="someone-else") == []
    assert subjects(archived="true") == ["Oud bericht"]
    assert subjects(since="2099-01-01") == []
    # Bounds beyond the years any message can have: before, they were dropped (everything).
    assert subjects(until="1999-12-31") == []
    assert subjects(since="9500-01-01") == []
    assert sorted(subjects(since="0001-01-01", until="9999-12-31")) == [
        "Uw betaling",
        "Uw huurtoeslag",
    ]


def test_bad_parameters_are_400_problems(client: Client, parent: DemoPersona) -> None:
    bad_cursor = client.get(BASE, {"after": "damaged!"}, headers={"accept-language": "en"})
    bad_period = client.get(BASE, {"since": "2026-05-01", "until": "2026-04-01"})
    bad_kind = client.get(BASE, {"category": "spam"})
    too_many = client.get(BASE, {"size": 1000})

    assert bad_cursor.status_code == 400 and bad_cursor["Content-Type"] == PROBLEM
    assert bad_cursor.json()["type"].endswith("/invalid-cursor")
    assert bad_period.status_code == 400
    assert bad_period.json()["errors"][0]["location"] == "query.until"
    assert bad_kind.status_code == 400 and too_many.status_code == 400


def test_opening_a_message_marks_it_read_and_gives_text_and_attachments(
    client: Client, parent: DemoPersona, agency: PublicOrganisation
) -> None:
    message = deliver(agency, parent)

    response = client.get(f"{BASE}/{message.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["body"].startswith("Wij hebben uw **aangifte**")
    assert "<strong>aangifte</strong>" in body["body_html"]
    assert body["unread"] is False and body["read_at"] is not None and body["step"] is None
    (attachment,) = body["attachments"]
    assert attachment["filename"] == "aanslag.pdf" and attachment["size"] == len(PDF)
    assert attachment["content_type"] == "application/pdf"
    assert client.get(attachment["download_url"]).getvalue() == PDF
    assert ProcessingRecord.objects.filter(name="inbox.read").count() == 1
    assert ProcessingRecord.objects.filter(name="inbox.attachment").count() == 1
    assert client.get(BASE).json()["unread_count"] == 0


def test_the_download_is_a_private_pdf(
    client: Client, parent: DemoPersona, agency: PublicOrganisation
) -> None:
    message = deliver(agency, parent)
    attachment = message.attachments.get()

    response = client.get(f"{BASE}/{message.pk}/attachments/{attachment.pk}")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="aanslag.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_archive_moves_the_message_and_back(
    client: Client, parent: DemoPersona, agency: PublicOrganisation
) -> None:
    message = deliver(agency, parent)
    url = f"{BASE}/{message.pk}/archive"

    archived = client.post(url, {"archived": True}, content_type="application/json")
    assert archived.status_code == 200 and archived.json()["archived"] is True
    assert Message.objects.get(pk=message.pk).archived

    restored = client.post(url, {"archived": False}, content_type="application/json")
    assert restored.json()["archived"] is False
    assert not Message.objects.get(pk=message.pk).archived

    loose = client.post(url, {"archived": "yes"}, content_type="application/json")
    assert loose.status_code == 400 and loose["Content-Type"] == PROBLEM


def test_archiving_needs_the_csrf_token(
    personas: dict[str, DemoPersona], agency: PublicOrganisation
) -> None:
    client = Client(enforce_csrf_checks=True)
    log_in(client, personas["parent"])
    message = deliver(agency, personas["parent"])

    response = client.post(
        f"{BASE}/{message.pk}/archive", {"archived": True}, content_type="application/json"
    )

    assert response.status_code == 403 and response["Content-Type"] == PROBLEM
    assert not Message.objects.get(pk=message.pk).archived


def test_someone_elses_message_is_a_404_problem(
    client: Client, personas: dict[str, DemoPersona], agency: PublicOrganisation
) -> None:
    owner = personas["single-parent"]
    message = deliver(agency, owner)
    attachment = message.attachments.get()
    log_in(client, personas["parent"])

    responses = [
        client.get(f"{BASE}/{message.pk}"),
        client.get(f"{BASE}/{message.pk}/attachments/{attachment.pk}"),
        client.post(
            f"{BASE}/{message.pk}/archive", {"archived": True}, content_type="application/json"
        ),
        client.get(f"{BASE}/8a4e4a3c-2b8a-4f43-9d43-2d2c2b1b0a00"),
    ]

    for response in responses:
        assert response.status_code == 404 and response["Content-Type"] == PROBLEM
        assert owner.subject.value not in response.text
    stored = Message.objects.get(pk=message.pk)
    assert stored.unread and not stored.archived
    assert client.get(BASE).json()["items"] == []
    assert not ProcessingRecord.objects.filter(name__in=["inbox.read", "inbox.attachment"])


def test_the_operations_are_documented(client: Client, db: None) -> None:
    document = client.get("/api/openapi.json").json()
    operations = {
        operation["operationId"]: operation
        for path, item in document["paths"].items()
        if path.startswith("/api/inbox/messages")
        for operation in item.values()
    }

    assert set(operations) >= {
        "listMyMessages",
        "getMyMessage",
        "archiveMyMessage",
        "downloadMyAttachment",
    }
    for operation_id in ("listMyMessages", "getMyMessage", "archiveMyMessage"):
        operation = operations[operation_id]
        assert operation["description"] and operation["tags"] == ["inbox"]
        assert PROBLEM in operation["responses"]["403"]["content"]
    download = operations["downloadMyAttachment"]["responses"]["200"]["content"]
    assert list(download) == ["application/pdf"]
