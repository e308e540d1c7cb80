"""Two real lifegate nodes for the whole test session: "nl" and "ee", each with its own
gunicorn, task worker, database (SQLite, or a fresh PostgreSQL database on the test run's
server when DATABASE_URL points at PostgreSQL), keys and trust list naming the other.

    def test_something(federation):
        federation.nl.base_url                       # http://127.0.0.1:<port>
        federation.nl.manage("exchange_ping", "ee")  # a management command on a node
        federation.ee.stop(); ...; federation.ee.start()

Every test here is marked `federation` (select with `-m federation`, skip with
`-m "not federation"`) and, for pytest-xdist, put in one group so that one worker runs them.
Setting up takes a while (both nodes migrate and load their data, in parallel); it happens
once per session."""

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from lifegate.exchange.federation import Federation

HERE = Path(__file__).parent


GROUP = "federation"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.federation)
            item.add_marker(pytest.mark.xdist_group(GROUP))
            _in_xdist_group(config, item)


def _in_xdist_group(config: pytest.Config, item: pytest.Item) -> None:
    """Put the test in the group under `--dist loadgroup`, so that one worker runs every
    federation test and sets the nodes up once. pytest-xdist 3.8 does this itself by writing
    `item._nodeid`, which pytest 9 no longer reads (its node id lives in `item._id`), so the
    `xdist_group` mark alone groups nothing here."""
    if not config.getoption("loadgroup", False) or "@" in item.nodeid:
        return
    from _pytest.nodeid import NodeId

    item._id = NodeId.parse(f"{item.nodeid}@{GROUP}")


def _postgres_server() -> tuple[str, str]:
    """The test run's PostgreSQL server (without database) and a database name prefix of
    this run's own, and of this xdist worker's own (as pytest-django names its test
    databases), or ("", "") for SQLite."""
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        return "", ""
    server = urlunsplit((parts.scheme, parts.netloc, "", parts.query, ""))
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    suffix = f"_{worker}" if worker else ""
    return server, f"{parts.path.strip('/') or 'lifegate'}_federation{suffix}"


@pytest.fixture(scope="session")
def federation_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Federation]:
    server, prefix = _postgres_server()
    federation = Federation(
        tmp_path_factory.mktemp("federation"),
        database_server=server,
        database_prefix=prefix or "lifegate_federation",
    )
    with federation:
        yield federation


@pytest.fixture
def federation(federation_session: Federation) -> Iterator[Federation]:
    """Both nodes running and trusting each other at the start of the test, whatever the
    previous test stopped or changed."""
    federation_session.nl.trust(federation_session.ee)
    federation_session.ee.trust(federation_session.nl)
    federation_session.start()
    yield federation_session
