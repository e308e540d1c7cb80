"""Evidence exchange benchmark: two lifegate nodes on loopback, each on a PostgreSQL database
of its own, as a ratio to a floor measured in the same run.

The Dutch node ("nl") asks the Estonian node ("ee") for an Estonian newcomer's birth
certificate (`exchange.services.request_evidence`): it reads the person, records the
processing, stores an EvidenceRequest, signs an evidence-request and POSTs it; the provider
verifies it (and remembers its id against replays), matches the person on the eIDAS minimum
data set in its register, records the match, opens a preview and answers, signed; the Dutch
node verifies the answer (and remembers its id) and stores the outcome. The person's consent
at the preview is not part of the round trip. The floor is the signed echo between the same
two servers (`exchange.ping.send_ping`): signed ping, verified by the peer and remembered,
signed pong, verified and remembered at the sender; same process, same HTTP client.
Rounds are interleaved (ping, request, request, ping, ...) in one process inside the Dutch
node, so that a noisy machine moves floor and figure alike; p95 and p50 are compared.

Run by bench/run.py as `python -m bench.exchange <postgres server url>`; it sets up both nodes
(lifegate.exchange.federation), drops their databases afterwards and prints its results as
JSON on the last line. `--profile` instead profiles both sides: the requester's
`request_evidence` (cProfile inside the Dutch node, in process) and the provider's handling of
the same requests (cProfile inside the Estonian node, through Django's test client)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / ".work" / "exchange"
ROUNDS = int(os.environ.get("BENCH_EXCHANGE_ROUNDS", "500"))
WARM_UP = 20
PROFILED = 200
DATABASE_PREFIX = "bench_exchange"
GOAL = 2.0
# What the Dutch node asks for: the test of the cross-border journey asks the same
# (tests/federation/test_evidence_exchange.py).
PERSONA = "ee-newcomer"
LIFE_EVENT = "moving-to-the-netherlands"
SERVICE = "first-registration"
REQUIREMENT = "first-registration-birth"
PROVIDER = "ee"
# The nodes import this module (the round trips run inside the Dutch node's Django).
NODE_ENV = {"PYTHONPATH": f"{ROOT / 'src'}:{ROOT}"}


# --- inside the Dutch node ---------------------------------------------------------------


def _asker() -> Callable[[], None]:
    """A function that asks the provider once for the persona's birth certificate and fails
    unless the answer is a preview at the provider (a new EvidenceRequest every call, in the
    same journey step)."""
    from django.conf import settings

    from lifegate.catalogue.models import LifeEvent
    from lifegate.exchange import services
    from lifegate.journeys.plan import Start, running_journey, start_journey
    from lifegate.registries.personas import demo_personas
    from lifegate.transparency.services import Actor

    persona = {p.key: p for p in demo_personas()}[PERSONA]
    actor = Actor("person", subject=persona.subject)
    event = LifeEvent.objects.get(slug=LIFE_EVENT)
    answers = {"arrival_date": "2026-12-01", "country_of_origin": "EE"}
    journey = running_journey(persona.subject, event) or start_journey(
        event, Start(subject=persona.subject, actor=actor, answers=answers)
    )
    step = journey.steps.get(service_slug=SERVICE)
    return_url = f"{settings.BASE_URL}/journeys/{journey.pk}/steps/{SERVICE}/"

    def ask() -> None:
        asked = services.request_evidence(
            journey, step, REQUIREMENT, actor=actor, return_url=return_url
        )
        if asked.status != "awaiting-consent" or not asked.preview_url:
            raise RuntimeError(f"evidence request answered {asked.status} ({asked.problem})")

    return ask


def round_trips(rounds: int, warm_up: int) -> dict[str, list[float]]:
    """Milliseconds of `rounds` signed pings and as many evidence requests to the provider,
    interleaved (the order alternates per round), after `warm_up` of each."""
    from lifegate.exchange.ping import send_ping

    ask = _asker()

    def ping() -> None:
        send_ping(PROVIDER)

    for _ in range(warm_up):
        ping()
        ask()
    times: dict[str, list[float]] = {"ping": [], "evidence": []}
    calls = [("ping", ping), ("evidence", ask)]
    for round_ in range(rounds):
        for name, call in calls if round_ % 2 == 0 else calls[::-1]:
            began = time.perf_counter()
            call()
            times[name].append((time.perf_counter() - began) * 1000)
    return times


def profile_requester(count: int) -> str:
    """cProfile of `count` evidence requests in this (Dutch) node, after a warm-up."""
    import cProfile
    import io
    import pstats

    ask = _asker()
    for _ in range(WARM_UP):
        ask()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(count):
        ask()
    profiler.disable()
    return _stats(profiler, io, pstats)


def signed_requests(count: int) -> list[str]:
    """`count` evidence-request messages to the provider as `request_evidence` sends them
    (each for a new EvidenceRequest), signed but not sent: the provider's side is profiled
    on its own (`profile_provider`)."""
    from unittest import mock

    from lifegate.exchange import client

    tokens: list[str] = []

    def capture(peer: Any, path: str, token: Any) -> str:
        tokens.append(token() if callable(token) else token)
        raise client.PeerUnavailable("captured")

    ask = _asker()
    with mock.patch.object(client, "post_message", capture):
        for _ in range(count):
            with contextlib.suppress(RuntimeError):  # "unavailable": captured, not sent
                ask()
    return tokens


# --- inside the Estonian node ------------------------------------------------------------


def profile_provider(tokens: list[str]) -> str:
    """cProfile of the provider answering `tokens` (evidence requests from the Dutch node)
    through Django's test client: verification, matching, records, preview, signed answer."""
    import cProfile
    import io
    import pstats

    from django.test import Client

    client = Client()

    def post(token: str) -> None:
        response = client.post(
            "/api/exchange/requests", data=token, content_type="application/jose"
        )
        if response.status_code != 200:
            raise RuntimeError(f"the provider answered {response.status_code}")

    warm, measured = tokens[:WARM_UP], tokens[WARM_UP:]
    for token in warm:
        post(token)
    profiler = cProfile.Profile()
    profiler.enable()
    for token in measured:
        post(token)
    profiler.disable()
    return _stats(profiler, io, pstats)


def _stats(profiler: Any, io: Any, pstats: Any) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)
    return str(out.getvalue())


# --- the harness (outside the nodes) -------------------------------------------------------


def _federation(server_url: str) -> Any:
    from lifegate.exchange.federation import Federation

    shutil.rmtree(WORK, ignore_errors=True)
    # Hundreds of requests a minute from one address: the exchange's rate limit stays out of it.
    unlimited = {"LIFEGATE_EXCHANGE_RATE_LIMIT": "1000000000"}
    return Federation(
        WORK, database_server=server_url, database_prefix=DATABASE_PREFIX, extra_env=unlimited
    )


def _in_node(node: Any, code: str) -> Any:
    """Run `code` (which prints JSON last) inside `node`'s Django; the decoded JSON."""
    output = node.shell(code, env=NODE_ENV)
    return json.loads(output.strip().splitlines()[-1])


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def run(server_url: str) -> list[dict[str, Any]]:
    """Set up both nodes, measure, tear down; the results."""
    began = time.perf_counter()
    with _federation(server_url) as federation:
        setup = time.perf_counter() - began
        print(f"exchange: both nodes up in {setup:.0f} s", file=sys.stderr)
        times = _in_node(
            federation.nl,
            "import json; from bench.exchange import round_trips; "
            f"print(json.dumps(round_trips({ROUNDS}, {WARM_UP})))",
        )
    ping, evidence = times["ping"], times["evidence"]
    common = {
        "path": "exchange.services.request_evidence (nl -> ee)",
        "unit": "ms",
        "goal_kind": "max",
        "samples": len(evidence),
        "setup_seconds": round(setup, 1),
    }
    results = [
        common
        | {
            "name": "exchange_evidence_request_p95",
            "title": "Evidence request between two nodes, p95 round trip",
            "unit": "ms (p95)",
            "value": round(p95(evidence), 2),
            "floor": round(p95(ping), 2),
            "floor_title": "signed ping/pong between the same two nodes",
            "ratio": round(p95(evidence) / p95(ping), 3),
            "goal": GOAL,
        },
        common
        | {
            "name": "exchange_evidence_request_p50",
            "title": "Evidence request between two nodes, p50 round trip",
            "unit": "ms (p50)",
            "value": round(statistics.median(evidence), 2),
            "floor": round(statistics.median(ping), 2),
            "floor_title": "signed ping/pong between the same two nodes",
            "ratio": round(statistics.median(evidence) / statistics.median(ping), 3),
            "goal": None,
        },
    ]
    for result in results:
        print(
            f"{result['name']}: {result['value']} ms, floor {result['floor']} ms, "
            f"ratio {result['ratio']:.2f}",
            file=sys.stderr,
        )
    return results


def profile(server_url: str) -> None:
    """Where the time of an evidence request goes, on either side."""
    with _federation(server_url) as federation:
        requester = _in_node(
            federation.nl,
            "import json; from bench.exchange import profile_requester; "
            f"print(json.dumps(profile_requester({PROFILED})))",
        )
        tokens = _in_node(
            federation.nl,
            "import json; from bench.exchange import signed_requests; "
            f"print(json.dumps(signed_requests({PROFILED + WARM_UP})))",
        )
        (WORK / "tokens.json").write_text(json.dumps(tokens))
        provider = _in_node(
            federation.ee,
            "import json, pathlib; from bench.exchange import profile_provider; "
            f"tokens = json.loads(pathlib.Path({str(WORK / 'tokens.json')!r}).read_text()); "
            "print(json.dumps(profile_provider(tokens)))",
        )
    print(f"=== requester (nl): {PROFILED} calls of request_evidence, in process ===")
    print(requester)
    print(f"=== provider (ee): {PROFILED} evidence requests through the test client ===")
    print(provider)


def main() -> None:
    """Measure (or, with `--profile`, profile); the results as JSON on the last line."""
    if len(sys.argv) < 2:
        sys.exit("usage: python -m bench.exchange <postgres server url> [--profile]")
    if "--profile" in sys.argv[2:]:
        profile(sys.argv[1])
        return
    print(json.dumps(run(sys.argv[1])))


if __name__ == "__main__":
    main()
