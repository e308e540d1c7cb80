"""The assistant is tested on the real demo catalogue (catalogue/data/catalogue.yaml): the
test set's labels are its slugs, and answers depend on all of its texts."""

from typing import Any

import pytest
from django.test import Client

from lifegate.catalogue.loader import LoadReport, load_catalogue


@pytest.fixture
def catalogue(db: None) -> LoadReport:
    return load_catalogue()


def ask_api(client: Client, **params: Any) -> Any:
    """POST /api/assistant/ and return the response."""
    return client.post("/api/assistant/", params, content_type="application/json")


def ask_api_by_link(client: Client, **params: Any) -> Any:
    """GET /api/assistant/?q=... and return the response."""
    return client.get("/api/assistant/", params)
