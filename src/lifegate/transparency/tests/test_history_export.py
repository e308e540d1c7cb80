"""The downloads of "who used my data": every matching record (not one page) as CSV and JSON,
with the filters of the page, private and never cached, named without an identifier, and
recorded themselves."""

import csv
import io
import json

import pytest
from django.http import HttpResponseBase, StreamingHttpResponse
from django.test import Client
from django.urls import reverse

from lifegate.catalogue.models import PublicOrganisation
from lifegate.core.subject import Subject
from lifegate.mandates.tests import conftest as mandates_fixtures
from lifegate.transparency import history, history_export
from lifegate.transparency.models import ProcessingRecord
from lifegate.transparency.services import Actor
from lifegate.transparency.tests import test_history_pages as pages
from lifegate.transparency.tests.test_history_pages import ENGLISH, make_record

# Fixtures shared with the mandates tests: the demo personas, and the organisation that tells
# principals about their mandates (autouse there, and so here).
personas = mandates_fixtures.personas
notice_sender = mandates_fixtures.notice_sender
resident = pages.resident
tax_office = pages.tax_office

pytestmark = pytest.mark.django_db
CSV = reverse("transparency:export-csv")
JSON = reverse("transparency:export-json")


def body(response: HttpResponseBase) -> str:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content).decode()  # type: ignore[arg-type]


def test_the_csv_holds_every_record_with_a_header(
    client: Client, resident: Subject, tax_office: PublicOrganisation
) -> None:
    for minute in range(history.PAGE_SIZE + 5):  # more than a page
        make_record(resident, minutes=minute)

    response = client.get(CSV, headers=ENGLISH)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = body(response)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == list(history_export.EXPORT_FIELDS)
    tax_rows = [row for row in rows if row["organisation"] == "belasting-test"]
    assert len(tax_rows) == history.PAGE_SIZE + 5
    first = tax_rows[0]
    assert first["organisation_name"] == "Tax Office Test"
    assert first["processing_activity_name"] == "Levying income tax"
    assert first["purpose"] == "Setting your assessment."
    assert first["data_categories"] == "date_of_birth; income"
    assert first["data_category_names"] == "Date of birth; Income"
    assert first["acted_by"] == "agency" and first["status"] == "OK"
    assert first["started_at"] > tax_rows[-1]["started_at"]  # newest first
    assert resident.value not in text


def test_the_download_is_private_and_named_without_an_identifier(
    client: Client, resident: Subject
) -> None:
    response = client.get(CSV)

    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="who-used-my-data-')
    assert disposition.endswith('.csv"') and resident.value not in disposition
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_the_downloads_keep_the_filters(
    client: Client, resident: Subject, tax_office: PublicOrganisation
) -> None:
    make_record(resident)
    make_record(resident, minutes=1, activity="inbox-reading", actor=Actor(kind="system"))

    text = body(client.get(CSV, {"activity": "inbox-reading"}))
    document = json.loads(body(client.get(JSON, {"organisation": "belasting-test"})))

    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["processing_activity"] for row in rows] == ["inbox-reading"]
    assert [r["processing_activity"] for r in document["records"]] == ["income-tax-test"]
    assert document["filters"]["organisation"] == "belasting-test"


def test_the_json_says_you_and_holds_the_records_with_lists(
    client: Client, resident: Subject, tax_office: PublicOrganisation
) -> None:
    made = make_record(resident)

    response = client.get(JSON, headers=ENGLISH)

    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].endswith('.json"')
    text = body(response)
    document = json.loads(text)
    assert document["data_subject"] == "you" and document["language"] == "en"
    [tax] = [r for r in document["records"] if r["span_id"] == made.span_id]
    assert tax["data_categories"] == ["date_of_birth", "income"]
    assert tax["legal_basis"] == "Legal obligation (GDPR article 6(1)(c))"
    assert set(tax) == set(history_export.EXPORT_FIELDS)
    assert resident.value not in text


def test_each_download_is_recorded_and_lists_itself(client: Client, resident: Subject) -> None:
    document = json.loads(body(client.get(JSON)))

    [exported] = ProcessingRecord.objects.filter(name="transparency.export")
    assert [r["span_id"] for r in document["records"]] == [exported.span_id]
    assert exported.processing_activity_id == "transparency-access"


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_defused(
    client: Client, resident: Subject
) -> None:
    make_record(resident, actor=Actor(kind="agency", organisation="=HYPERLINK(1)"))

    rows = list(csv.DictReader(io.StringIO(body(client.get(CSV)))))

    assert "'=HYPERLINK(1)" in [row["organisation"] for row in rows]


@pytest.mark.parametrize("address", [CSV, JSON])
def test_a_filter_that_cannot_apply_is_a_400(
    client: Client, resident: Subject, address: str
) -> None:
    response = client.get(address, {"since": "2026-03-02", "until": "2026-03-01"})

    assert response.status_code == 400
    assert not ProcessingRecord.objects.filter(name="transparency.export").exists()


@pytest.mark.parametrize("address", [CSV, JSON])
def test_anonymous_visitors_log_in_first(client: Client, address: str) -> None:
    response = client.get(address)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("identity:login"))
