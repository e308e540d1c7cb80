"""Assistant benchmark on PostgreSQL, in a database of its own holding the full demo catalogue.

(a) Quality: top-1 and top-3 accuracy on the held-out part of the test set
    (src/lifegate/assistant/data/test_set.yaml), which nothing else reads; "none" phrasings
    count as right when the assistant says nothing matches. The development part's figures
    are reported beside them, for comparison.
(b) Speed, in process: questions per second and p95 latency of `assistant.services.ask` over
    every phrasing of the test set, as a ratio to a bare catalogue text search of the same
    phrasings in the same run (`catalogue.services.search_services`, what /catalogue/search/
    runs). Rounds are interleaved (search, assistant, search, ...), all latencies pooled.
(c) Page: p95 response time of GET /assistant/?q=... through Django's test client, as a ratio
    to GET /catalogue/search/?q=... with the catalogue response cache off (each question is
    asked once per round; a cached search page would measure the cache).

Run by bench/run.py as `python -m bench.assistant <server url>`; it creates and drops its own
database and prints its results as JSON on the last line."""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from bench.inbox import bench_environment, drop_database, recreate_database

DATABASE = "bench_assistant"
ROUNDS = int(os.environ.get("BENCH_ASSISTANT_ROUNDS", "5"))


def setup_django(database_url: str) -> None:
    """Django in this process on `database_url`: migrated, with the demo catalogue, and the
    catalogue response cache off."""
    os.environ.update(
        bench_environment()
        | {"DATABASE_URL": database_url, "LIFEGATE_CATALOGUE_CACHE_SECONDS": "0"}
    )
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", "--noinput", verbosity=0)
    from lifegate.catalogue.loader import load_catalogue

    load_catalogue()


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def _timed(call: Callable[[str, str], Any], questions: list[tuple[str, str]]) -> list[float]:
    """Seconds per call, one per question."""
    seconds = []
    for question, language in questions:
        start = time.perf_counter()
        call(question, language)
        seconds.append(time.perf_counter() - start)
    return seconds


def _interleaved(
    floor: Callable[[str, str], Any], measured: Callable[[str, str], Any], questions: list[Any]
) -> tuple[list[float], list[float]]:
    floor_times: list[float] = []
    measured_times: list[float] = []
    _timed(floor, questions[:10])  # warm up: connections, templates, the index
    _timed(measured, questions[:10])
    for _ in range(ROUNDS):
        floor_times += _timed(floor, questions)
        measured_times += _timed(measured, questions)
    return floor_times, measured_times


def _row(name: str, title: str, unit: str, value: float, floor: float, **extra: Any) -> dict:
    return {
        "name": name,
        "title": title,
        "unit": unit,
        "value": round(value, 2),
        "floor": round(floor, 2),
        "ratio": round(value / floor, 3),
        **extra,
    }


def bench_quality() -> list[dict[str, Any]]:
    """(a) Accuracy on the held-out part, and on the development part for comparison."""
    from lifegate.assistant.evaluation import evaluate

    rows = []
    for part, goal in (("held_out", 0.8), ("development", None)):
        evaluation = evaluate(part)
        unanswerable = evaluation.of(none=True)
        rows.append(
            {
                "name": f"assistant_accuracy_{part}",
                "title": f"Assistant accuracy, {part.replace('_', '-')} part",
                "unit": "share",
                "phrasings": len(evaluation.outcomes),
                "top1": round(evaluation.accuracy(1), 3),
                "top3": round(evaluation.accuracy(3), 3),
                "none_told": round(unanswerable.accuracy(1), 3),
                "none_phrasings": len(unanswerable.outcomes),
                "value": round(evaluation.accuracy(3), 3),
                "floor": None,
                "ratio": round(evaluation.accuracy(3), 3),
                "goal": goal,
            }
        )
    return rows


def _questions() -> list[tuple[str, str]]:
    from lifegate.assistant.evaluation import PARTS, phrasings

    return [(p.question, p.language) for part in PARTS for p in phrasings(part)]


def bench_speed() -> list[dict[str, Any]]:
    """(b) Questions per second and p95 of the assistant against the catalogue text search."""
    from lifegate.assistant.services import ask
    from lifegate.catalogue.services import search_services

    questions = _questions()
    search, assistant = _interleaved(search_services, ask, questions)
    floor_title = "catalogue text search (`search_services`)"
    return [
        _row(
            "assistant_questions_per_second",
            "Assistant: questions per second, full catalogue",
            "questions/s",
            len(assistant) / sum(assistant),
            len(search) / sum(search),
            floor_title=floor_title,
            goal=0.5,
            samples=len(assistant),
        ),
        _row(
            "assistant_p95",
            "Assistant: p95 latency per question",
            "ms",
            p95(assistant) * 1000,
            p95(search) * 1000,
            floor_title=floor_title,
            goal=2.0,
            goal_kind="max",
            samples=len(assistant),
        ),
    ]


def bench_page() -> list[dict[str, Any]]:
    """(c) p95 of the assistant page against the catalogue search page (cache off)."""
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="nl")

    def page(path: str) -> Callable[[str, str], Any]:
        def get(question: str, language: str) -> None:
            response = client.get(path, {"q": question}, HTTP_ACCEPT_LANGUAGE=language)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")

        return get

    search, assistant = _interleaved(page("/catalogue/search/"), page("/assistant/"), _questions())
    return [
        _row(
            "assistant_page_p95",
            "Assistant page: p95 response time",
            "ms",
            p95(assistant) * 1000,
            p95(search) * 1000,
            floor_title="catalogue search page, cache off",
            goal=2.0,
            goal_kind="max",
            samples=len(assistant),
        )
    ]


def main() -> None:
    """Create the database, measure, drop it; the results as JSON on the last line."""
    server_url = sys.argv[1]
    database_url = recreate_database(server_url, DATABASE)
    try:
        setup_django(database_url)
        results = bench_quality() + bench_speed() + bench_page()
        from django.db import connections

        connections.close_all()
    finally:
        drop_database(server_url, DATABASE)
    for result in results:
        print(f"{result['name']}: {result['value']} {result['unit']}", file=sys.stderr)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
