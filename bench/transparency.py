"""Processing log benchmarks on PostgreSQL, in a database of its own, each a ratio to a floor
measured in the same run.

(a) Recording overhead: requests per second of the person's home page whose register read is
    recorded in the processing log (`record_processing` in the read's transaction, as
    `registries.services.read_person` does), as a ratio to the same page without the record.
    Both pages are bench-only views (bench/urls.py) doing what the portal's home page does for
    a logged-in person (the demo parent): the session read and saved, their registration read
    from the population register, their plans, the portal's template with the unread count in
    its header. Both are served by one gunicorn on loopback and loaded by wrk in interleaved
    rounds (the order alternating), medians compared. Before the rounds, one request to each
    checks that the page shows the person's name and that only the recorded page adds a record.
(b) Chain verification: records per second of `verify_chain` over a sealed log of 200,000
    processing records (written with COPY through `record_processing_many`, then linked and a
    checkpoint signed with `chain.seal`), as a ratio to reading the same records with one
    streamed query and SHA-256 of their canonical bytes (lifegate.transparency.chain_bench),
    interleaved rounds, medians compared. SHA-256 alone over the canonical bytes already in
    memory is reported beside it, without a goal: the gap to the floor is what reading the
    records costs.

Run by bench/run.py as `python -m bench.transparency <server url>`; it creates and drops its
own database and prints its results as JSON on the last line."""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import time
from typing import Any

import psycopg

from bench.inbox import (
    drop_database,
    recreate_database,
    request,
    serve,
    setup_django,
    stop,
)

DATABASE = "bench_transparency"
RECORDS = int(os.environ.get("BENCH_TRANSPARENCY_RECORDS", "200000"))
PAGE_ROUNDS = int(os.environ.get("BENCH_TRANSPARENCY_ROUNDS", "7"))
CHAIN_ROUNDS = int(os.environ.get("BENCH_CHAIN_ROUNDS", "3"))
DURATION_S = int(os.environ.get("BENCH_SECONDS", "5"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
PAGES = {"recorded": "/bench/home-recorded", "unrecorded": "/bench/home-unrecorded"}
# Records per `record_processing_many` call while filling the log: one bulk operation each.
FILL_BATCH = 10_000
# What the filled records say they were: operations of the kinds the platform records most.
FILL_OPERATIONS = [
    ("inbox.send", "inbox-delivery", ["name", "messages"]),
    ("portal.home", "portal-home", ["name", "gender", "date_of_birth", "address"]),
    ("journeys.plan", "journeys-plan", ["name", "date_of_birth", "family_relations"]),
    ("exchange.evidence", "exchange-evidence", ["name", "date_of_birth", "identifiers"]),
]


# --- (a) the page with and without its processing record -----------------------------------


def viewer() -> tuple[Any, str, str]:
    """The demo parent (a register person), their registered name, and the session key of
    a login of theirs at level high (the unread count in the page header needs it)."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from lifegate.identity.session import SESSION_KEY, Authentication, session_value
    from lifegate.registries.personas import demo_personas
    from lifegate.registries.services import population_register

    subject = next(p for p in demo_personas() if p.key == "parent").subject
    person = population_register().get_person(subject.value, family=False)
    if person is None:
        raise RuntimeError("the demo parent is not in the population register")
    session = SessionStore()
    session[SESSION_KEY] = session_value(Authentication(subject, "high", timezone.now(), "bench"))
    session.save()
    return subject, person.full_name, session.session_key or ""


def _record_count(database_url: str) -> int:
    with psycopg.connect(database_url) as connection:
        row = connection.execute("SELECT count(*) FROM transparency_processingrecord").fetchone()
    assert row is not None
    return int(row[0])


def check_pages(database_url: str, port: int, cookie: str, name: str) -> None:
    """One request to each page: both show the person's name, and only the recorded page
    adds a processing record (exactly one)."""
    for kind, page in PAGES.items():
        before = _record_count(database_url)
        status, body = request(port, "GET", page, headers={"Cookie": cookie})
        added = _record_count(database_url) - before
        if status != 200 or name.encode() not in body:
            raise RuntimeError(f"{page} answered {status} without the person's name")
        if added != (1 if kind == "recorded" else 0):
            raise RuntimeError(f"{page} added {added} processing records")


def requests_per_second(port: int, page: str, cookie: str) -> float:
    """Requests per second that wrk measures at `page`; any non-2xx answer fails the run."""
    command = ["wrk", "-t", "2", "-c", str(CONNECTIONS), "-d", f"{DURATION_S}s"]
    command += ["-H", f"Cookie: {cookie}", f"http://127.0.0.1:{port}{page}"]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    if "Non-2xx" in output:
        raise RuntimeError(f"{page} answered errors during the benchmark:\n{output}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if not match:
        raise RuntimeError(f"could not read wrk output:\n{output}")
    return float(match.group(1))


def page_rates(database_url: str, cookie: str, name: str) -> dict[str, list[float]]:
    """Requests/s of both pages on one server, interleaved rounds after a warm-up."""
    rates: dict[str, list[float]] = {kind: [] for kind in PAGES}
    server, port = serve(database_url, workers=WORKERS)
    try:
        check_pages(database_url, port, cookie, name)
        for page in PAGES.values():
            requests_per_second(port, page, cookie)  # warm up
        order = list(PAGES)
        for round_ in range(PAGE_ROUNDS):
            for kind in order if round_ % 2 == 0 else order[::-1]:
                rates[kind].append(requests_per_second(port, PAGES[kind], cookie))
            print(
                f"round {round_ + 1}: recorded {rates['recorded'][-1]:.0f}/s, "
                f"unrecorded {rates['unrecorded'][-1]:.0f}/s",
                file=sys.stderr,
            )
    finally:
        stop(server)
    return rates


def page_result(rates: dict[str, list[float]]) -> dict[str, Any]:
    value, floor = statistics.median(rates["recorded"]), statistics.median(rates["unrecorded"])
    return {
        "name": "transparency_recording_overhead",
        "title": "Home page recording its register read in the processing log",
        "path": PAGES["recorded"],
        "unit": "requests/s",
        "value": round(value, 1),
        "floor": round(floor, 1),
        "floor_title": "same page and session, the read not recorded",
        "ratio": round(value / floor, 3),
        "goal": 0.9,
        "goal_kind": "min",
        "samples": len(rates["recorded"]),
        "recorded_runs": [round(v) for v in rates["recorded"]],
        "unrecorded_runs": [round(v) for v in rates["unrecorded"]],
    }


# --- (b) chain verification against hashing ------------------------------------------------


def fill_log(total: int) -> None:
    """Add processing records until the log holds `total`: bulk operations on the registered
    persons (COPY through `record_processing_many`), as a bulk send writes them."""
    from django.db import transaction

    from lifegate.core.subject import Subject
    from lifegate.registries.models import RegisteredPerson
    from lifegate.transparency.models import ProcessingRecord
    from lifegate.transparency.services import Actor, record_processing_many

    subjects = [
        Subject("bsn", bsn) for bsn in RegisteredPerson.objects.values_list("bsn", flat=True)
    ]
    missing, number = total - ProcessingRecord.objects.count(), 0
    while missing > 0:
        name, activity, categories = FILL_OPERATIONS[number % len(FILL_OPERATIONS)]
        size = min(FILL_BATCH, missing)
        batch = [subjects[(number * FILL_BATCH + i) % len(subjects)] for i in range(size)]
        with transaction.atomic():
            record_processing_many(
                name=name,
                subjects=batch,
                activity=activity,
                actor=Actor(kind="system"),
                data_categories=categories,
            )
        missing, number = missing - size, number + 1


def chain_rates(rounds: int) -> dict[str, list[float]]:
    """Records/s of verification, of the floor and of hashing in memory, interleaved rounds
    (the order alternating) after a checked verification that also warms up."""
    from lifegate.transparency.chain import verify_chain
    from lifegate.transparency.chain_bench import (
        hashing_rate,
        in_memory_hashing_rate,
        verification_rate,
    )

    report = verify_chain()
    if not report.ok or report.not_linked or report.linked_not_sealed:
        raise RuntimeError(f"the log does not verify: {report.checked()} {report.problems[:3]}")
    runs = {"verify": verification_rate, "hash": hashing_rate}
    rates: dict[str, list[float]] = {"verify": [], "hash": [], "hash_in_memory": []}
    for round_ in range(rounds):
        order = list(runs) if round_ % 2 == 0 else list(runs)[::-1]
        for name in order:
            rates[name].append(runs[name]().per_second)
        rates["hash_in_memory"].append(in_memory_hashing_rate().per_second)
        print(
            f"round {round_ + 1}: verify {rates['verify'][-1]:.0f}/s, "
            f"hash {rates['hash'][-1]:.0f}/s, in memory {rates['hash_in_memory'][-1]:.0f}/s",
            file=sys.stderr,
        )
    return rates


def chain_results(
    rates: dict[str, list[float]], records: int, seal_seconds: float
) -> list[dict[str, Any]]:
    verify = statistics.median(rates["verify"])
    common = {
        "path": "transparency.chain.verify_chain",
        "unit": "records/s",
        "value": round(verify, 1),
        "goal_kind": "min",
        "samples": len(rates["verify"]),
        "records": records,
        "seal_seconds": round(seal_seconds, 1),
        "verify_runs": [round(v) for v in rates["verify"]],
    }
    floors = {
        "hash": (
            "transparency_chain_verification",
            f"Chain verification of {records:,} sealed records",
            "the same records read with one streamed query, canonical bytes SHA-256 hashed",
            0.5,
        ),
        "hash_in_memory": (
            "transparency_chain_verification_vs_memory",
            "Chain verification, against SHA-256 of bytes already in memory",
            "SHA-256 alone over the records' canonical bytes held in memory",
            None,
        ),
    }
    results = []
    for key, (name, title, floor_title, goal) in floors.items():
        floor = statistics.median(rates[key])
        results.append(
            common
            | {
                "name": name,
                "title": title,
                "floor": round(floor, 1),
                "floor_title": floor_title,
                "ratio": round(verify / floor, 3),
                "goal": goal,
                "floor_runs": [round(v) for v in rates[key]],
            }
        )
    return results


# --- running -------------------------------------------------------------------------------


def run(server_url: str) -> list[dict[str, Any]]:
    """Prepare the database, load the two pages, then fill, seal and verify the log."""
    from django.conf import settings
    from django.db import connections

    url = recreate_database(server_url, DATABASE)
    try:
        setup_django(url)
        _subject, name, session_key = viewer()
        connections.close_all()
        cookie = f"{settings.SESSION_COOKIE_NAME}={session_key}"
        results = [page_result(page_rates(url, cookie, name))]

        from lifegate.transparency.chain import seal
        from lifegate.transparency.models import ProcessingRecord

        began = time.perf_counter()
        fill_log(RECORDS)
        print(f"{RECORDS:,} records in {time.perf_counter() - began:.0f} s", file=sys.stderr)
        began = time.perf_counter()
        seal()
        seal_seconds = time.perf_counter() - began
        print(f"sealed in {seal_seconds:.0f} s", file=sys.stderr)
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute("VACUUM (ANALYZE)")  # steady state: hint bits, statistics
        records = ProcessingRecord.objects.count()
        results += chain_results(chain_rates(CHAIN_ROUNDS), records, seal_seconds)
    finally:
        connections.close_all()
        drop_database(server_url, DATABASE)
    return results


def main() -> None:
    """Run both benchmarks; print the results as JSON on the last line."""
    if len(sys.argv) < 2:
        sys.exit("usage: python -m bench.transparency <postgres server url>")
    print(json.dumps(run(sys.argv[1])))


if __name__ == "__main__":
    main()
