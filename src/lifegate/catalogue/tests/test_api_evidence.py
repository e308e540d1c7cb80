"""The public evidence broker and directory API: filters, paging, and problems for bad input."""

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from lifegate.catalogue import models as m
from lifegate.catalogue.loader import load_catalogue

pytestmark = pytest.mark.django_db
API = "/api/catalogue"
EE_FILE = Path(settings.CATALOGUE_DATA_FILE).with_name("catalogue-ee.yaml")


@pytest.fixture
def estonian_node() -> None:
    load_catalogue(EE_FILE)


def get_json(client: Client, path: str, **params: Any) -> dict[str, Any]:
    response = client.get(API + path, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response.json()


def get_problem(client: Client, path: str, status: int, **params: Any) -> dict[str, Any]:
    response = client.get(API + path, params)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


def broker_keys(page: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [
        (row["requirement"]["slug"], row["country"], row["evidence_type"]["slug"])
        for row in page["results"]
    ]


def test_the_broker_lists_every_entry_in_order(client: Client, estonian_node: None) -> None:
    page = get_json(client, "/evidence-broker")
    assert page["count"] == 4 and page["next"] is None
    assert broker_keys(page) == [
        ("residence-registration-birth", "EE", "birth-certificate"),
        ("residence-registration-birth", "NL", "birth-certificate"),
        ("residence-registration-residence", "EE", "residence-certificate"),
        ("residence-registration-residence", "NL", "residence-certificate"),
    ]
    first = page["results"][0]
    assert first["requirement"]["service"]["slug"] == "residence-registration"
    assert first["requirement"]["name"] == {"nl": "Birth certificate", "en": "Birth certificate"}
    assert first["evidence_type"]["name"]["en"] == "Birth certificate"


def test_the_broker_answers_for_a_requirement_and_a_country(
    client: Client, estonian_node: None
) -> None:
    page = get_json(client, "/evidence-broker", requirement="residence-registration-residence")
    assert [key[1] for key in broker_keys(page)] == ["EE", "NL"]
    page = get_json(
        client, "/evidence-broker", requirement="residence-registration-residence", country="nl"
    )
    assert broker_keys(page) == [
        ("residence-registration-residence", "NL", "residence-certificate")
    ]
    assert get_json(client, "/evidence-broker", country="DE")["count"] == 0
    assert get_json(client, "/evidence-broker", requirement="unknown-requirement")["count"] == 0


def test_the_directory_says_which_node_provides_the_evidence(
    client: Client, estonian_node: None
) -> None:
    page = get_json(client, "/evidence-directory", evidence_type="birth-certificate", country="NL")
    [row] = page["results"]
    assert row["evidence_type"]["slug"] == "birth-certificate"
    assert row["country"] == "NL" and row["node"] == "nl"
    assert row["organisation_name"]["en"].startswith("Municipal civil registry")
    everything = get_json(client, "/evidence-directory")
    assert [(r["evidence_type"]["slug"], r["country"]) for r in everything["results"]] == [
        ("birth-certificate", "EE"),
        ("birth-certificate", "NL"),
        ("residence-certificate", "EE"),
        ("residence-certificate", "NL"),
    ]


def test_both_lists_are_paged(client: Client, estonian_node: None) -> None:
    first = get_json(client, "/evidence-directory", page_size=3)
    assert first["count"] == 4 and len(first["results"]) == 3
    assert "page=2" in first["next"] and first["previous"] is None
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 1 and second["previous"]
    get_problem(client, "/evidence-broker", 404, page=3, page_size=3)


@pytest.mark.parametrize("country", ["ZZ", "EST", "e1", "", "N L"])
def test_a_country_that_is_not_an_iso_code_is_a_400_problem(
    client: Client, estonian_node: None, country: str
) -> None:
    for path in ("/evidence-broker", "/evidence-directory"):
        problem = get_problem(client, path, 400, country=country)
        assert [error["location"] for error in problem["errors"]] == ["query.country"]


def test_a_well_formed_code_of_no_country_is_refused_with_the_reason(
    client: Client, estonian_node: None
) -> None:
    problem = get_problem(client, "/evidence-directory", 400, country="ZZ")
    assert "ISO 3166-1 alpha-2" in problem["errors"][0]["message"]


def test_malformed_slugs_are_a_400_problem(client: Client, estonian_node: None) -> None:
    problem = get_problem(client, "/evidence-broker", 400, requirement="Not A Slug")
    assert problem["errors"][0]["location"].endswith("requirement")
    problem = get_problem(client, "/evidence-directory", 400, evidence_type="x" * 81)
    assert problem["errors"][0]["location"].endswith("evidence_type")


def test_a_changed_directory_shows_at_once(
    client: Client, estonian_node: None, django_capture_on_commit_callbacks: Any
) -> None:
    assert get_json(client, "/evidence-directory", country="DE")["count"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        m.EvidenceProvider.objects.create(
            evidence_type=m.EvidenceType.objects.get(slug="birth-certificate"),
            country="DE",
            node="de",
            organisation_name_nl="Standesamt",
            organisation_name_en="Registry office",
        )
    assert get_json(client, "/evidence-directory", country="DE")["results"][0]["node"] == "de"
