"""Suite-wide fixtures and hooks."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache (cached catalogue pages must not leak between tests)
    and trust memo (`credentials.trust`), and with no catalogue change pending in its
    transaction (`catalogue.caching`)."""
    from lifegate.catalogue.caching import forget_pending_changes
    from lifegate.credentials import trust

    cache.clear()
    trust.forget()
    forget_pending_changes()
    yield
    cache.clear()
    trust.forget()
    forget_pending_changes()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Make `@pytest.mark.xdist_group("name")` keep its tests on one worker under
    `--dist loadgroup` (as `make test` runs the suite).

    pytest-xdist 3.8 groups by appending "@name" to the node id, but writes the old
    `item._nodeid`, which pytest 9 no longer reads (pytest-xdist issue #1386): the mark alone
    groups nothing. This writes the suffix where pytest 9 keeps the id, unless it is already
    there (a pytest-xdist with the fix, or a conftest that did it)."""
    if not config.getoption("loadgroup", False):
        return
    from _pytest.nodeid import NodeId

    for item in items:
        names = {
            str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
            for mark in item.iter_markers("xdist_group")
        }
        suffix = "@" + "_".join(sorted(names))
        if names and not item.nodeid.endswith(suffix):
            item._id = NodeId.parse(item.nodeid + suffix)
