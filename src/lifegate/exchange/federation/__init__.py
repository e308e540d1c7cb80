"""Two lifegate nodes on loopback, the Dutch "nl" and the Estonian "ee", each with its own
database, keys, web server, task worker and a trust list naming the other: the harness of the
federation tests (tests/federation) and of `make demo-federation` (`python -m
lifegate.exchange.federation demo`)."""

from lifegate.exchange.federation.harness import (
    EE,
    NL,
    Federation,
    HarnessError,
    Node,
    NodeSpec,
    free_port,
)
from lifegate.exchange.federation.proxy import DelayingProxy

__all__ = [
    "EE",
    "NL",
    "DelayingProxy",
    "Federation",
    "HarnessError",
    "Node",
    "NodeSpec",
    "free_port",
]
