"""Fixtures of the exchange tests: two nodes' keys and trust lists in one process
(`nodes_in_process`), and a journey step whose evidence this node provides (`exchange`)."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lifegate.exchange.tests.local_fixtures import ExchangeFixture, exchange
from lifegate.exchange.tests.trust_fixtures import NodesInProcess

__all__ = ["ExchangeFixture", "exchange", "nodes_in_process"]


@pytest.fixture
def nodes_in_process(settings: Any, tmp_path: Path, db: None) -> Iterator[NodesInProcess]:
    """This node "nl" trusting peer "ee", each with its own key in a temporary directory."""
    nodes = NodesInProcess(settings, tmp_path)
    settings.NODE_ID = "nl"
    settings.LIFEGATE_KEY_DIR = nodes.key_dir("nl")
    settings.EXCHANGE_PEERS_FILE = tmp_path / "peers.json"
    nodes.write_peers({"peers": [nodes.peer_entry("ee")]})
    yield nodes
