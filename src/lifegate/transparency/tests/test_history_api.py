"""The person's "who used my data" API: session-authenticated at level substantial, the records
in the documented shape, keyset paging both ways, the CSV download, every call recorded, and
problem details (400) for parameters that cannot apply."""

from typing import Any

import pytest
from django.test import Client

from lifegate.catalogue.models import PublicOrganisation
from lifegate.core.subject import Subject
from lifegate.mandates.tests import conftest as mandates_fixtures
from lifegate.mandates.tests.web import log_in_as
from lifegate.registries.personas import DemoPersona
from lifegate.transparency import chain, history, history_export
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import Actor, ForeignOperation, subject_hash
from lifegate.transparency.tests import test_history_pages as pages
from lifegate.transparency.tests.test_history_pages import ENGLISH, make_record

# Fixtures shared with the mandates tests: the demo personas, and the organisation that tells
# principals about their mandates (autouse there, and so here).
personas = mandates_fixtures.personas
notice_sender = mandates_fixtures.notice_sender
resident = pages.resident
tax_office = pages.tax_office

pytestmark = pytest.mark.django_db
BASE = "/api/transparency/records"
CSV = "/api/transparency/records.csv"
PROBLEM = "application/problem+json"


def tax_items(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [item for item in body["items"] if item["organisation"]["code"] == "belasting-test"]


def test_needs_a_session(client: Client, db: None) -> None:
    response = client.get(BASE)

    assert response.status_code == 401 and response["Content-Type"] == PROBLEM


def test_needs_a_substantial_login(
    client: Client,
    personas: dict[str, DemoPersona],
) -> None:
    log_in_as(client, personas["resident-low"].subject, loa="low")

    response = client.get(BASE, headers=ENGLISH)

    assert response.status_code == 403 and response["Content-Type"] == PROBLEM
    assert response.json()["title"] == "Log in again at a higher level of assurance."


def test_a_record_has_its_activity_actor_data_and_foreign_operation(
    client: Client, resident: Subject, tax_office: PublicOrganisation
) -> None:
    made = make_record(
        resident,
        foreign=ForeignOperation("a" * 32, "b" * 16, "https://ee.lifegate.example"),
    )

    body = client.get(BASE, headers=ENGLISH).json()

    [item] = tax_items(body)
    assert item["span_id"] == made.span_id and item["operation"] == "tax.assessment"
    assert item["organisation"] == {"code": "belasting-test", "name": "Tax Office Test"}
    assert item["processing_activity"] == {
        "id": "income-tax-test",
        "name": "Levying income tax",
        "purpose": "Setting your assessment.",
        "legal_basis": "Legal obligation (GDPR article 6(1)(c))",
        "registered": True,
    }
    assert item["acted_by"] == {"role": "agency", "description": "The organisation"}
    assert item["data_categories"] == [
        {"code": "date_of_birth", "name": "Date of birth"},
        {"code": "income", "name": "Income"},
    ]
    assert item["status"] == {"code": "OK", "name": "Completed"}
    assert item["foreign_operation"] == {
        "direction": "related",
        "entity": "https://ee.lifegate.example",
        "trace_id": "a" * 32,
        "span_id": "b" * 16,
        "description": "Related to an operation at https://ee.lifegate.example",
    }
    assert resident.value not in str(body)


def test_each_call_is_recorded(client: Client, resident: Subject) -> None:
    client.get(BASE)
    client.get(CSV)

    names = ProcessingRecord.objects.filter(
        data_subject_hash=subject_hash(resident), processing_activity_id=history.ACTIVITY
    ).values_list("name", flat=True)
    assert sorted(names) == ["transparency.export", "transparency.history"]


def test_paging_follows_the_cursors_both_ways(
    client: Client, resident: Subject, tax_office: PublicOrganisation
) -> None:
    for minute in range(7):
        make_record(resident, minutes=minute)
    only_tax: dict[str, str | int] = {"organisation": "belasting-test", "size": 3}

    first = client.get(BASE, only_tax).json()
    second = client.get(BASE, only_tax | {"after": first["next_cursor"]}).json()
    third = client.get(BASE, only_tax | {"after": second["next_cursor"]}).json()
    back = client.get(BASE, only_tax | {"before": third["previous_cursor"]}).json()

    assert [len(page["items"]) for page in (first, second, third)] == [3, 3, 1]
    assert first["previous_cursor"] is None and third["next_cursor"] is None
    assert back["items"] == second["items"]
    assert len({item["span_id"] for p in (first, second, third) for item in p["items"]}) == 7


def test_filters_by_period_and_activity(
    client: Client, resident: Subject, tax_office: PublicOrganisation
) -> None:
    make_record(resident)
    make_record(resident, minutes=2 * 24 * 60, activity="inbox-reading", actor=Actor("system"))

    by_period = client.get(BASE, {"since": "2026-03-02", "until": "2026-03-03"}).json()
    by_activity = client.get(BASE, {"activity": "income-tax-test"}).json()

    assert [i["processing_activity"]["id"] for i in by_period["items"]] == ["inbox-reading"]
    assert [i["processing_activity"]["id"] for i in by_activity["items"]] == ["income-tax-test"]


def test_the_csv_endpoint_gives_every_matching_record(
    client: Client, resident: Subject, tax_office: PublicOrganisation
) -> None:
    for minute in range(3):
        make_record(resident, minutes=minute)

    response = client.get(CSV, {"organisation": "belasting-test"})

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode().splitlines()  # type: ignore[attr-defined]
    assert lines[0] == ",".join(history_export.EXPORT_FIELDS) and len(lines) == 4
    assert resident.value not in response["Content-Disposition"]


@pytest.mark.parametrize(
    ("query", "location"),
    [
        ({"since": "not-a-date"}, "query.since"),
        ({"until": "2026-02-30"}, "query.until"),
        ({"since": "2026-03-02", "until": "2026-03-01"}, "query.until"),
        ({"organisation": "not-in-my-records"}, "query.organisation"),
        ({"activity": "not-in-my-records"}, "query.activity"),
        ({"purpose": "x"}, "query"),
        ({"size": "0"}, "query.size"),
        ({"size": "100000"}, "query.size"),
    ],
)
@pytest.mark.parametrize("address", [BASE, CSV])
def test_parameters_that_cannot_apply_are_400_problems(
    client: Client,
    resident: Subject,
    tax_office: PublicOrganisation,
    address: str,
    query: dict[str, str],
    location: str,
) -> None:
    make_record(resident)
    if address == CSV and "size" in query:
        location = "query"  # the download has no pages: `size` is unknown there

    response = client.get(address, query, headers=ENGLISH)

    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == 400 and problem["type"].endswith("/invalid-request")
    assert [error["location"] for error in problem["errors"]] == [location]
    assert "not-in-my-records" not in response.content.decode()  # input is never echoed


def test_a_cursor_that_was_not_handed_out_is_a_400_problem(
    client: Client, resident: Subject
) -> None:
    response = client.get(BASE, {"after": "damaged"}, headers=ENGLISH)

    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    assert response.json()["type"].endswith("/invalid-cursor")


def test_the_page_names_the_checkpoint_that_seals_its_records(
    client: Client, resident: Subject, tax_office: PublicOrganisation
) -> None:
    older = make_record(resident)
    checkpoint = chain.seal()
    newer = make_record(resident, minutes=1)

    body = client.get(BASE, {"organisation": "belasting-test"}).json()

    assert body["checkpoint"]["number"] == checkpoint.number == 1
    assert {item["span_id"]: item["sealed"] for item in body["items"]} == {
        older.span_id: True,
        newer.span_id: False,
    }


def test_without_a_checkpoint_the_page_says_null(
    client: Client, resident: Subject, tax_office: PublicOrganisation
) -> None:
    make_record(resident)

    body = client.get(BASE).json()

    assert body["checkpoint"] is None
    assert [item["sealed"] for item in body["items"]] == [False]
