"""Attempts to single out a person from the published usage statistics, and that they fail:
small groups, counting rows instead of people, subtracting from totals, shares of everyone,
and comparing downloads over time. Each attack looks at every published form: the CSV, the
JSON and the dashboard."""

import csv
import io
import json
import re
from datetime import date, timedelta

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation

from lifegate.opendata.disclosure import MINIMUM_PEOPLE
from lifegate.opendata.downloads import statistics_csv, statistics_json
from lifegate.opendata.statistics import usage_statistics
from lifegate.opendata.tests.factories import (
    IN_MONTH,
    MONTH,
    TODAY,
    day_in_latest_month,
    make_exchanged_evidence,
    make_journey,
    make_message,
    make_submission,
    make_upload,
    moment,
)

BASE = "https://lifegate.example"


def _csv_figures(month: str, measure: str, today: date = TODAY) -> dict[str, tuple[str, str]]:
    """Dimension id → (value, status) of one measure in one month, as the CSV tells it."""
    rows = csv.DictReader(io.StringIO(statistics_csv(usage_statistics(today))))
    return {
        row["id"]: (row["value"], row["status"])
        for row in rows
        if row["month"] == month and row["measure"] == measure
    }


def _json_figures(month: str, measure: str, today: date = TODAY) -> dict[str, tuple[object, str]]:
    document = json.loads(statistics_json(usage_statistics(today), BASE))
    return {
        row["id"]: (row["value"], row["status"])
        for row in document["observations"]
        if row["month"] == month and row["measure"] == measure
    }


def _published_numbers(month: str, today: date = TODAY) -> set[float]:
    """Every number published for `month`, whatever it claims to measure."""
    rows = csv.DictReader(io.StringIO(statistics_csv(usage_statistics(today))))
    return {float(row["value"]) for row in rows if row["month"] == month and row["value"]}


def test_ten_journeys_of_nine_people_are_suppressed_everywhere(catalogue):
    for who in range(9):
        make_journey(catalogue.birth, who, IN_MONTH)
    # One of the nine starts a second journey: ten journeys, still nine people.
    make_journey(catalogue.birth, 0, IN_MONTH, status="cancelled")

    assert _csv_figures(MONTH, "journeys-started")["birth"] == ("", "suppressed")
    assert _json_figures(MONTH, "journeys-started")["birth"] == (None, "suppressed")
    assert not {9.0, 10.0} & _published_numbers(MONTH)


def test_the_tenth_person_makes_the_figure_public(catalogue):
    for who in range(MINIMUM_PEOPLE):
        make_journey(catalogue.birth, who, IN_MONTH)
    make_journey(catalogue.birth, 0, IN_MONTH, status="cancelled")

    assert _csv_figures(MONTH, "journeys-started")["birth"] == ("11", "published")
    assert _json_figures(MONTH, "journeys-started")["birth"] == (11, "published")


def test_one_person_is_indistinguishable_from_nobody(catalogue):
    make_journey(catalogue.moving, 1, IN_MONTH)

    figures = _csv_figures(MONTH, "journeys-started")
    assert figures["moving"] == figures["studying"] == ("", "suppressed")


def test_every_catalogue_row_is_listed_whether_anyone_used_it_or_not(catalogue):
    make_journey(catalogue.moving, 1, IN_MONTH)

    rows = list(csv.DictReader(io.StringIO(statistics_csv(usage_statistics(TODAY)))))
    events = {row["id"] for row in rows if row["dimension"] == "life-event"}
    months = {row["month"] for row in rows}
    assert events == {"birth", "moving", "studying", "retiring", "starting-business"}
    assert len(months) == 24


def test_no_total_lets_a_suppressed_cell_be_worked_out_by_subtraction(catalogue):
    """Twenty people move and nine have a child. With a total of 29 (per month, per
    organisation or for all life events) anyone could subtract the 20 and find the nine."""
    for who in range(20):
        make_journey(catalogue.moving, who, IN_MONTH, finished_on=IN_MONTH)
    for who in range(100, 109):
        make_journey(catalogue.birth, who, IN_MONTH, finished_on=IN_MONTH)

    published = _published_numbers(MONTH)
    assert 20.0 in published
    for hidden in (9, 29):
        assert float(hidden) not in published
    rows = list(csv.DictReader(io.StringIO(statistics_csv(usage_statistics(TODAY)))))
    catalogue_ids = {"birth", "moving", "studying", "retiring", "starting-business"}
    journey_rows = [row for row in rows if row["measure"].startswith("journeys")]
    assert {row["id"] for row in journey_rows} == catalogue_ids


def test_the_dashboard_shows_no_total_either(catalogue, client):
    day = day_in_latest_month()
    for who in range(20):
        make_journey(catalogue.moving, who, day)
    for who in range(100, 109):
        make_journey(catalogue.birth, who, day)

    with translation.override("en"):
        page = client.get(reverse("opendata:dashboard")).content.decode()
    numbers = set(re.findall(r">\s*(\d+)\s*<", page))
    assert "20" in numbers
    assert not {"9", "29"} & numbers
    assert "A child is born" not in page and "Er is een kind geboren" not in page


def test_a_share_of_everyone_is_not_published(catalogue):
    """Twelve recipients who all read their message: "100 %" would tell that anyone known to
    have received one read it."""
    for who in range(12):
        make_message(catalogue.svb, who, moment(IN_MONTH), read_after=timedelta(days=1))

    assert _csv_figures(MONTH, "messages-sent")["svb"] == ("12", "published")
    assert _csv_figures(MONTH, "messages-read-within-7-days")["svb"] == ("", "suppressed")


def test_a_share_with_enough_people_on_both_sides_is_published(catalogue):
    for who in range(10):
        make_message(catalogue.svb, who, moment(IN_MONTH), read_after=timedelta(days=6))
    for who in range(10, 25):
        late = timedelta(days=8) if who % 2 else None
        make_message(catalogue.svb, who, moment(IN_MONTH), read_after=late)

    assert _csv_figures(MONTH, "messages-read-within-7-days")["svb"] == ("40.0", "published")


def _send_with_evidence(service, who: int, day: date, exchanged: int, uploaded: int) -> None:
    """Person `who` sends a request for `service` on `day` with pieces of evidence."""
    submission = make_submission(service, who, moment(day))
    for number in range(exchanged):
        make_exchanged_evidence(submission, f"exchanged-{number}")
    for number in range(uploaded):
        make_upload(submission, f"uploaded-{number}")


def _dashboard_numbers(client) -> set[str]:
    with translation.override("en"):
        page = client.get(reverse("opendata:dashboard")).content.decode()
    return set(re.findall(r">\s*(\d+)\s*<", page))


def test_much_evidence_of_nine_people_is_suppressed_everywhere(catalogue, client):
    """Nine people send eleven requests to the SVB with 22 pieces of evidence exchanged
    once-only and 11 uploads: many pieces, still nine people."""
    day = day_in_latest_month()
    today, month = timezone.localdate(), day.strftime("%Y-%m")
    for who in range(9):
        _send_with_evidence(catalogue.child_benefit, who, day, exchanged=2, uploaded=1)
    for _again in range(2):
        _send_with_evidence(catalogue.state_pension, 0, day, exchanged=2, uploaded=1)

    for measure in ("evidence-once-only", "evidence-uploaded"):
        assert _csv_figures(month, measure, today)["svb"] == ("", "suppressed")
        assert _json_figures(month, measure, today)["svb"] == (None, "suppressed")
    assert not {9.0, 11.0, 18.0, 22.0} & _published_numbers(month, today)
    assert not {"9", "11", "18", "22"} & _dashboard_numbers(client)


def test_the_tenth_person_makes_the_evidence_figures_public(catalogue, client):
    day = day_in_latest_month()
    today, month = timezone.localdate(), day.strftime("%Y-%m")
    for who in range(MINIMUM_PEOPLE):
        _send_with_evidence(catalogue.child_benefit, who, day, exchanged=2, uploaded=1)
    _send_with_evidence(catalogue.state_pension, 0, day, exchanged=1, uploaded=1)

    assert _csv_figures(month, "evidence-once-only", today)["svb"] == ("21", "published")
    assert _json_figures(month, "evidence-uploaded", today)["svb"] == (11, "published")
    assert {"21", "11"} <= _dashboard_numbers(client)


def test_no_evidence_total_reveals_the_uploads_of_a_few_people(catalogue, client):
    """Twelve people's evidence was exchanged once-only; three of them and six others uploaded
    documents. A total of all evidence, or a share exchanged, would give the nine away."""
    day = day_in_latest_month()
    today, month = timezone.localdate(), day.strftime("%Y-%m")
    for who in range(12):
        _send_with_evidence(catalogue.child_benefit, who, day, exchanged=1, uploaded=0)
    for who in range(9, 18):
        _send_with_evidence(catalogue.state_pension, who, day, exchanged=0, uploaded=1)

    assert _csv_figures(month, "evidence-once-only", today)["svb"] == ("12", "published")
    assert _csv_figures(month, "evidence-uploaded", today)["svb"] == ("", "suppressed")
    published = _published_numbers(month, today)
    assert 12.0 in published
    assert not {9.0, 21.0} & published
    assert not {"9", "21"} & _dashboard_numbers(client)


def test_comparing_downloads_over_time_reveals_no_newcomer(catalogue, client):
    """Twelve people started a journey this month; a thirteenth starts one today. The running
    month is not published, so the downloads before and after are the same: comparing them
    does not show that someone started today."""
    today = timezone.localdate()
    for who in range(12):
        make_journey(catalogue.birth, who, today)
    before = client.get(reverse("opendata:statistics-csv")).content

    cache.clear()
    make_journey(catalogue.birth, 99, today)
    after = client.get(reverse("opendata:statistics-csv")).content

    assert before == after


def test_a_month_is_published_only_a_week_after_it_ended(catalogue):
    october_ended_six_days_ago = usage_statistics(date(2026, 11, 7))
    october_ended_a_week_ago = usage_statistics(date(2026, 11, 8))

    assert october_ended_six_days_ago.period.months[-1] == "2026-09"
    assert october_ended_a_week_ago.period.months[-1] == "2026-10"
