"""The public catalogue API: lists, filters, details, paging and problem details."""

from typing import Any

import pytest
from django.test import Client

from lifegate.catalogue.tests.factories import (
    CatalogueFixture,
    build_catalogue,
    make_life_event,
    make_service,
)

pytestmark = pytest.mark.django_db
API = "/api/catalogue"


@pytest.fixture
def catalogue() -> CatalogueFixture:
    return build_catalogue()


def get_json(client: Client, path: str, **params: Any) -> dict[str, Any]:
    response = client.get(API + path, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response.json()


def get_problem(client: Client, path: str, status: int, **params: Any) -> dict[str, Any]:
    response = client.get(API + path, params)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status and problem["type"] and problem["title"]
    return problem


def slugs(page: dict[str, Any]) -> list[str]:
    return [item["slug"] for item in page["results"]]


def test_life_events_list_gives_both_languages_in_overview_order(
    client: Client, catalogue: CatalogueFixture
) -> None:
    page = get_json(client, "/life-events")
    assert page["count"] == 5
    assert slugs(page)[:4] == ["birth", "moving", "studying", "retiring"]
    birth = page["results"][0]
    assert birth["name"] == {"nl": "Geboorte van een kind", "en": "A child is born"}
    assert birth["kind"] == "life"


def test_life_events_filter_by_kind(client: Client, catalogue: CatalogueFixture) -> None:
    assert slugs(get_json(client, "/life-events", kind="business")) == ["starting-business"]
    assert "starting-business" not in slugs(get_json(client, "/life-events", kind="life"))


def test_life_events_with_unknown_kind_are_a_400_problem(
    client: Client, catalogue: CatalogueFixture
) -> None:
    problem = get_problem(client, "/life-events", 400, kind="nonsense")
    assert problem["errors"][0]["location"].endswith("kind")


def test_life_event_detail_lists_services_in_position_order(
    client: Client, catalogue: CatalogueFixture
) -> None:
    event = get_json(client, "/life-events/birth")
    assert [service["slug"] for service in event["services"]] == ["register-birth", "child-benefit"]
    first = event["services"][0]
    assert first["competent_authority"]["name"]["en"] == "Municipality of Utrecht"
    assert first["deadline"] == {
        "nl": "Binnen 3 dagen na de geboorte",
        "en": "Within 3 days of the birth",
    }


def test_services_list_and_filters(client: Client, catalogue: CatalogueFixture) -> None:
    assert get_json(client, "/services")["count"] == 7
    assert slugs(get_json(client, "/services", life_event="birth")) == [
        "child-benefit",
        "register-birth",
    ]
    assert slugs(get_json(client, "/services", organisation="svb")) == [
        "child-benefit",
        "state-pension",
    ]
    assert slugs(get_json(client, "/services", organisation="svb", q="pensioen")) == [
        "state-pension"
    ]
    assert slugs(get_json(client, "/services", life_event="no-such-event")) == []


def test_services_text_search_in_both_languages_or_one(
    client: Client, catalogue: CatalogueFixture
) -> None:
    assert slugs(get_json(client, "/services", q="Moving")) == ["change-address"]
    assert slugs(get_json(client, "/services", q="studiefinanciering")) == ["student-finance"]
    assert slugs(get_json(client, "/services", q="pension", language="nl")) == []
    assert slugs(get_json(client, "/services", q="pension", language="en")) == ["state-pension"]


def test_service_detail_has_everything(client: Client, catalogue: CatalogueFixture) -> None:
    service = get_json(client, "/services/register-birth")
    assert service["name"] == {"nl": "Aangifte van geboorte", "en": "Registering a birth"}
    assert service["minimum_assurance_level"] == "low"
    assert service["costs"] == [
        {
            "value": "0.00",
            "currency": "EUR",
            "description": {"nl": "Gratis", "en": "Free of charge"},
        }
    ]
    assert {channel["kind"] for channel in service["channels"]} == {"website", "phone", "counter"}
    requirement = service["requirements"][0]
    assert requirement["evidence_types"][0]["name"]["en"] == "Birth statement"
    assert service["legal_resources"][0]["uri"] == "https://wetten.overheid.nl/bw-boek-1"
    assert service["life_events"] == [
        {
            "slug": "birth",
            "kind": "life",
            "name": {"nl": "Geboorte van een kind", "en": "A child is born"},
        }
    ]
    assert service["processing_activity"] == "birth-registration"


def test_service_detail_of_one_not_online(client: Client, catalogue: CatalogueFixture) -> None:
    service = get_json(client, "/services/passport")
    assert service["online_url"] is None
    assert service["costs"][0]["value"] == "84.50"
    assert service["deadline"] is None


def test_organisations_list_and_detail(client: Client, catalogue: CatalogueFixture) -> None:
    assert slugs(get_json(client, "/organisations")) == ["duo", "gemeente-utrecht", "kvk", "svb"]
    organisation = get_json(client, "/organisations/svb")
    assert organisation["name"] == {"nl": "Sociale Verzekeringsbank", "en": "Social Insurance Bank"}
    assert [service["slug"] for service in organisation["services"]] == [
        "child-benefit",
        "state-pension",
    ]


def test_paging_fields_and_links(client: Client, catalogue: CatalogueFixture) -> None:
    first = get_json(client, "/services", page_size=3, organisation="gemeente-utrecht")
    assert (first["count"], first["page"], first["page_size"], first["previous"]) == (3, 1, 3, None)
    assert first["next"] is None
    second = get_json(client, "/services", page_size=2, page=2)
    assert second["count"] == 7 and second["page"] == 2 and len(second["results"]) == 2
    assert second["next"] == "http://testserver/api/catalogue/services?page_size=2&page=3"
    assert second["previous"] == "http://testserver/api/catalogue/services?page_size=2&page=1"
    last = get_json(client, "/services", page_size=2, page=4)
    assert len(last["results"]) == 1 and last["next"] is None


def test_page_one_of_an_empty_list_is_empty_not_missing(
    client: Client, catalogue: CatalogueFixture
) -> None:
    page = get_json(client, "/services", q="ruimtevaart")
    assert (page["count"], page["results"], page["next"]) == (0, [], None)


def test_page_past_the_end_is_a_404_problem(client: Client, catalogue: CatalogueFixture) -> None:
    problem = get_problem(client, "/life-events", 404, page=3, page_size=4)
    assert "last page is 2" in problem["detail"]


@pytest.mark.parametrize(
    "params",
    [
        {"page_size": 101},
        {"page_size": 0},
        {"page": 0},
        {"page": -1},
        {"page_size": "abc"},
        {"page": "x"},
    ],
)
def test_bad_paging_is_a_400_problem(
    client: Client, catalogue: CatalogueFixture, params: dict[str, Any]
) -> None:
    problem = get_problem(client, "/services", 400, **params)
    assert problem["errors"]


@pytest.mark.parametrize(
    ("language", "title"), [("nl", "Ongeldig verzoek"), ("en", "Invalid request")]
)
def test_page_size_101_names_the_parameter(
    client: Client, catalogue: CatalogueFixture, language: str, title: str
) -> None:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    problem = get_problem(client, "/life-events", 400, page_size=101)
    assert problem["title"] == title
    assert problem["errors"][0]["location"].endswith("page_size")


def test_overlong_text_query_is_a_400_problem(client: Client, catalogue: CatalogueFixture) -> None:
    get_problem(client, "/services", 400, q="x" * 201)


@pytest.mark.parametrize(
    "path",
    [
        "/life-events/no-such-event",
        "/services/no-such-service",
        "/organisations/no-such-organisation",
    ],
)
def test_unknown_slug_is_a_404_problem(
    client: Client, catalogue: CatalogueFixture, path: str
) -> None:
    problem = get_problem(client, path, 404)
    # The problem names no input: neither the path nor the slug is echoed.
    assert "instance" not in problem
    assert path.rsplit("/", 1)[1] not in problem["detail"]


def test_malformed_slug_is_a_400_problem(client: Client, catalogue: CatalogueFixture) -> None:
    get_problem(client, "/services/Not_A_Slug", 400)


def test_service_list_takes_a_fixed_number_of_queries(
    client: Client, catalogue: CatalogueFixture, django_assert_max_num_queries
) -> None:
    for number in range(30):
        make_service(f"extra-{number}", catalogue.svb)
    with django_assert_max_num_queries(2):
        assert len(get_json(client, "/services", page_size=100)["results"]) == 37


def test_life_event_list_and_detail_take_a_fixed_number_of_queries(
    client: Client, catalogue: CatalogueFixture, django_assert_max_num_queries
) -> None:
    for number in range(20):
        make_life_event(f"extra-{number}", f"Gebeurtenis {number}", f"Event {number}", 10 + number)
    with django_assert_max_num_queries(2):
        get_json(client, "/life-events", page_size=50)
    with django_assert_max_num_queries(2):
        get_json(client, "/life-events/birth")


def test_service_detail_takes_a_fixed_number_of_queries(
    client: Client, catalogue: CatalogueFixture, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(10):
        get_json(client, "/services/register-birth")
