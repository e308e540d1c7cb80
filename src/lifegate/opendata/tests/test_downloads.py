"""The usage statistics downloads at their stable addresses: a CSV any spreadsheet or parser
reads, JSON that holds to its published JSON Schema, and both telling the same figures."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from pydantic import ValidationError

from lifegate.opendata import schemas
from lifegate.opendata.downloads import CSV_COLUMNS
from lifegate.opendata.periods import PUBLISHED_MONTHS
from lifegate.opendata.statistics import MEASURES
from lifegate.opendata.tests.factories import (
    day_in_latest_month,
    make_decision,
    make_exchanged_evidence,
    make_journey,
    make_message,
    make_submission,
    make_upload,
    moment,
)


@pytest.fixture
def usage(catalogue):
    day = day_in_latest_month()
    for who in range(12):
        make_journey(catalogue.birth, who, day, finished_on=day if who < 10 else None)
        make_decision(catalogue.child_benefit, who, moment(day), moment(day + timedelta(days=3)))
        make_message(catalogue.svb, who, moment(day), read_after=timedelta(hours=who))
        submission = make_submission(catalogue.student_finance, who, moment(day))
        make_exchanged_evidence(submission)
        if who < 9:
            make_upload(submission)
    return catalogue


def test_the_csv_is_a_download_with_a_header_and_one_row_per_figure(usage, client):
    response = client.get("/opendata/statistics.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert tuple(rows[0].keys()) == CSV_COLUMNS
    events, services, organisations = 5, 6, 4  # in the fixture catalogue
    per_month = events * 2 + services * 2 + organisations * 4
    assert len(rows) == per_month * PUBLISHED_MONTHS
    assert {row["status"] for row in rows} == {"published", "suppressed"}


def test_published_csv_values_are_numbers_and_the_rest_are_empty(usage, client):
    rows = list(
        csv.DictReader(io.StringIO(client.get("/opendata/statistics.csv").content.decode()))
    )

    assert any(row["status"] == "published" for row in rows)
    for row in rows:
        if row["status"] == "published":
            float(row["value"])
        else:
            assert row["value"] == ""


def test_the_csv_has_the_figures_of_the_month_with_names_in_both_languages(usage, client):
    rows = csv.DictReader(io.StringIO(client.get("/opendata/statistics.csv").content.decode()))
    month = day_in_latest_month().strftime("%Y-%m")

    found = {(row["id"], row["measure"]): row for row in rows if row["month"] == month}
    started = found[("birth", "journeys-started")]
    assert (started["value"], started["name_nl"], started["name_en"]) == (
        "12",
        "Geboorte van een kind",
        "A child is born",
    )
    assert found[("birth", "journeys-completed")]["value"] == "10"
    assert found[("child-benefit", "median-days-to-decision")]["value"] == "3.0"
    assert found[("child-benefit", "decisions")]["organisation"] == "svb"
    assert found[("svb", "messages-sent")]["value"] == "12"
    assert found[("duo", "evidence-once-only")]["value"] == "12"
    assert found[("duo", "evidence-once-only")]["unit"] == "evidence"
    assert (
        found[("duo", "evidence-uploaded")]["value"],
        found[("duo", "evidence-uploaded")]["status"],
    ) == ("", "suppressed")
    assert found[("svb", "evidence-once-only")]["status"] == "suppressed"


def test_the_json_holds_to_its_schema_and_tells_the_same_as_the_csv(usage, client):
    document = client.get("/opendata/statistics.json").json()
    rows = csv.DictReader(io.StringIO(client.get("/opendata/statistics.csv").content.decode()))

    schemas.StatisticsDownload.model_validate(document)
    from_json = {
        (o["month"], o["id"], o["measure"]): (o["value"], o["status"])
        for o in document["observations"]
    }
    from_csv = {
        (r["month"], r["id"], r["measure"]): (
            float(r["value"]) if r["value"] else None,
            r["status"],
        )
        for r in rows
    }
    assert from_json == from_csv


def test_the_json_explains_its_measures_and_the_suppression_in_both_languages(usage, client):
    document = client.get("/opendata/statistics.json").json()

    assert document["minimum_people"] == 10
    assert [m["id"] for m in document["measures"]] == [m.id for m in MEASURES]
    assert all(m["available"] and m["note"] is None for m in document["measures"])
    evidence = next(m for m in document["measures"] if m["id"] == "evidence-uploaded")
    assert evidence["label"]["en"] == "Evidence uploaded"
    assert evidence["label"]["nl"] == "Bewijs geüpload"
    assert evidence["description"]["en"].startswith("Documents people uploaded")
    assert all(rule["nl"] and rule["en"] for rule in document["suppression"])
    assert document["licence"].endswith("/licence/CC0")


def test_the_schema_rejects_a_download_of_another_shape(usage, client):
    document = client.get("/opendata/statistics.json").json()
    document["observations"][0]["status"] = "estimated"

    with pytest.raises(ValidationError):
        schemas.StatisticsDownload.model_validate(document)


def test_the_json_schemas_are_published(client):
    for name, title in (
        ("opendata:statistics-schema", "StatisticsDownload"),
        ("opendata:life-events-schema", "LifeEventsDownload"),
    ):
        response = client.get(reverse(name))
        schema = json.loads(response.content)
        assert response["Content-Type"] == "application/schema+json"
        assert schema["title"] == title
        assert schema["$schema"].startswith("https://json-schema.org/")


def test_downloads_are_cacheable_and_revalidate_with_their_etag(usage, client):
    response = client.get("/opendata/statistics.json")

    assert "public" in response["Cache-Control"]
    again = client.get("/opendata/statistics.json", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_downloads_refuse_to_change_anything(client):
    assert client.post("/opendata/statistics.csv").status_code == 405
