"""Suite-wide fixtures."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache (cached catalogue pages must not leak between tests)."""
    cache.clear()
    yield
    cache.clear()
