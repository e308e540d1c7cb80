"""The public dashboard in Dutch and English: charts drawn on the server with a table of the
same figures beside each, the month to show, links to every download and the catalogue, and
nothing the strict content security policy would block."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import translation

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
        make_journey(catalogue.birth, who, day, finished_on=day if who < 5 else None)
        make_decision(catalogue.child_benefit, who, moment(day), moment(day + timedelta(days=2)))
        make_message(catalogue.svb, who, moment(day), read_after=None)
        submission = make_submission(catalogue.child_benefit, who, moment(day))
        make_exchanged_evidence(submission, "birth-certificate")
        make_exchanged_evidence(submission, "residence")
        if who < 9:
            make_upload(submission)
    return catalogue


def _page(client, language: str, query: str = "") -> str:
    client.cookies["django_language"] = language
    response = client.get(reverse("opendata:dashboard") + query)
    assert response.status_code == 200
    return response.content.decode()


def _table(page: str, table_id: str) -> list[list[str]]:
    """The rows of a table as lists of cell texts."""
    table = page.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    ]


def test_the_dashboard_shows_the_latest_month_in_english(usage, client):
    with translation.override("en"):
        page = _page(client, "en")

    assert '<h1 class="utrecht-heading-1">Open data and usage figures</h1>' in page
    assert _table(page, "journeys-table") == [
        ["Life event", "Journeys started", "Journeys completed"],
        ["A child is born", "12", "suppressed"],
    ]
    assert _table(page, "decisions-table")[1] == [
        "Applying for child benefit",
        "Social Insurance Bank",
        "12",
        "2.0",
    ]
    assert _table(page, "messages-table")[1] == ["Social Insurance Bank", "12", "suppressed"]
    assert _table(page, "evidence-table") == [
        ["Organisation", "Evidence exchanged once-only", "Evidence uploaded"],
        ["Social Insurance Bank", "24", "suppressed"],
    ]


def test_the_dashboard_speaks_dutch_with_dutch_numbers(usage, client):
    page = _page(client, "nl")

    assert '<html lang="nl">' in page
    assert _table(page, "journeys-table")[1][0] == "Geboorte van een kind"
    assert _table(page, "decisions-table")[1][-1] == "2,0"
    assert _table(page, "evidence-table") == [
        ["Organisatie", "Bewijs eenmalig uitgewisseld", "Bewijs geüpload"],
        ["Sociale Verzekeringsbank", "24", "afgeschermd"],
    ]


def test_each_chart_is_an_svg_image_with_its_table_alternative(usage, client):
    page = _page(client, "en")

    charts = re.findall(r'<svg class="lg-chart"[^>]*role="img"[^>]*aria-labelledby="([^"]+)"', page)
    assert len(charts) == 4
    for labels in charts:
        for label in labels.split():
            assert f'id="{label}"' in page
    # The bar of 12 journeys started, drawn to full length; none for the suppressed figure.
    journeys_chart = page.split('id="journeys-chart-title"', 1)[1].split("</svg>", 1)[0]
    assert journeys_chart.count('<rect class="lg-chart-bar lg-chart-bar--0" x="0"') == 2
    assert 'width="490"' in journeys_chart
    assert ">suppressed</text>" in journeys_chart


def test_svg_coordinates_stay_numbers_in_dutch(usage, client):
    page = _page(client, "nl")

    svg = page.split('<svg class="lg-chart"', 1)[1].split("</svg>", 1)[0]
    attributes = re.findall(r'\b(?:x|y|width|height)="([^"]*)"', svg)
    assert attributes
    assert all(re.fullmatch(r"\d+", value) for value in attributes)


def test_the_page_needs_no_script_and_no_inline_style(usage, client):
    page = _page(client, "en")

    assert "<script" not in page
    assert "style=" not in page
    assert "<style" not in page


def test_the_page_links_to_every_download_and_the_dcat_catalogue(usage, client):
    page = _page(client, "en")

    for name in (
        "opendata:statistics-csv",
        "opendata:statistics-json",
        "opendata:life-events-json",
        "opendata:catalog-ttl",
        "opendata:catalog-jsonld",
        "catalogue:cpsv-ap-ttl",
    ):
        assert f'href="{reverse(name)}"' in page


def test_the_evidence_chart_draws_the_once_only_bar_beside_the_suppressed_uploads(usage, client):
    with translation.override("en"):
        page = _page(client, "en")

    chart = page.split('id="evidence-chart-title"', 1)[1].split("</svg>", 1)[0]
    legend, rows = chart.split("lg-chart-label", 1)
    assert ">Evidence exchanged once-only</text>" in legend
    assert ">Evidence uploaded</text>" in legend
    # One bar, the 24 pieces exchanged once-only, drawn to full length; none for the uploads.
    bars = re.findall(
        r'<rect class="lg-chart-bar lg-chart-bar--(\d)" x="0" y="\d+" width="(\d+)"', rows
    )
    assert bars == [("0", "490")]
    assert ">24</text>" in rows and ">suppressed</text>" in rows
    assert "Not yet available" not in page
    assert 'id="evidence-not-available"' not in page


def test_a_month_with_nothing_published_says_so(usage, client):
    earlier = (day_in_latest_month() - timedelta(days=40)).strftime("%Y-%m")

    page = _page(client, "en", f"?month={earlier}")

    assert 'id="journeys-none"' in page
    assert 'id="journeys-table"' not in page
    assert f'<option value="{earlier}" selected>' in page


def test_an_unknown_month_is_not_found(usage, client):
    response = client.get(reverse("opendata:dashboard") + "?month=1999-01")

    assert response.status_code == 404
