"""The fixture catalogue for the open-data tests: life events, services people request through
lifegate, and the organisations behind them."""

import pytest

from lifegate.catalogue.tests.factories import CatalogueFixture, build_catalogue


@pytest.fixture
def catalogue(db: None) -> CatalogueFixture:
    return build_catalogue()
