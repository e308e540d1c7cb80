"""The OpenAPI document: generated, committed as docs/openapi.json, checked for drift."""

import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

COMMITTED = Path(settings.BASE_DIR) / "docs" / "openapi.json"
REGENERATE = (
    "PYTHONPATH=src DJANGO_SETTINGS_MODULE=lifegate.settings_test "
    ".venv/bin/python -m django export_openapi > docs/openapi.json"
)


@pytest.fixture
def served(client: Client) -> dict[str, Any]:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def catalogue_operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        operation
        for path, item in document["paths"].items()
        if path.startswith("/api/catalogue/")
        for operation in item.values()
    ]


def test_served_document_equals_the_committed_one(served: dict[str, Any]) -> None:
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert served == committed, f"docs/openapi.json is out of date; regenerate it: {REGENERATE}"


def test_document_is_openapi_3_1(served: dict[str, Any]) -> None:
    assert served["openapi"].startswith("3.1.")


def test_catalogue_has_its_eight_operations_with_stable_ids(served: dict[str, Any]) -> None:
    ids = {operation["operationId"] for operation in catalogue_operations(served)}
    assert ids == {
        "listLifeEvents",
        "getLifeEvent",
        "listServices",
        "getService",
        "listOrganisations",
        "getOrganisation",
        "listEvidenceBrokerEntries",
        "listEvidenceProviders",
    }


def test_every_catalogue_operation_is_described(served: dict[str, Any]) -> None:
    for operation in catalogue_operations(served):
        assert operation.get("description"), operation["operationId"]
        assert operation["tags"] == ["catalogue"]


@pytest.mark.parametrize("status", ["400", "404"])
def test_every_catalogue_operation_documents_its_problem_responses(
    served: dict[str, Any], status: str
) -> None:
    for operation in catalogue_operations(served):
        content = operation["responses"][status]["content"]
        assert list(content) == ["application/problem+json"], operation["operationId"]
        reference = content["application/problem+json"]["schema"]["$ref"]
        schema = served["components"]["schemas"][reference.rsplit("/", 1)[-1]]
        assert {"type", "title", "status"} <= set(schema["required"])


def test_paging_limits_are_documented(served: dict[str, Any]) -> None:
    parameters = served["paths"]["/api/catalogue/services"]["get"]["parameters"]
    page_size = next(p for p in parameters if p["name"] == "page_size")
    assert page_size["schema"]["maximum"] == settings.API_MAX_PAGE_SIZE
    assert page_size["schema"]["minimum"] == 1
