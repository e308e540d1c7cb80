"""`make bench`: requests per second of lifegate endpoints under gunicorn on loopback, each as a
ratio to a minimal Django view (the floor) served by the same server in the same run; then the
journey, message box, mandates, assistant, evidence exchange and processing log benchmarks on
PostgreSQL (bench/journeys.py, bench/inbox.py, bench/mandates.py, bench/assistant.py,
bench/exchange.py, bench/transparency.py).

Runs are interleaved (floor, endpoint, floor, endpoint, ...) and the median taken, so a noisy
shared machine moves floor and endpoint alike. Writes bench/results.json and docs/benchmarks.md.

`python bench/run.py exchange` (or any of POSTGRES_BENCHMARKS) measures only those again and
writes them in place of their previous results, keeping everything else from the last run."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / ".work"
PYTHON = sys.executable
DURATION_S = int(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
# The PostgreSQL server of the journey benchmarks (trust auth); they use a database of their own.
POSTGRES_SERVER = os.environ.get("BENCH_POSTGRES_SERVER", "postgres://postgres@127.0.0.1:5432")
# Section of the results -> the module that measures it on PostgreSQL (`python -m <module>`).
POSTGRES_BENCHMARKS = {
    "journeys": "bench.journeys",
    "inbox": "bench.inbox",
    "mandates": "bench.mandates",
    "assistant": "bench.assistant",
    "exchange": "bench.exchange",
    "transparency": "bench.transparency",
    "credentials": "bench.credentials",
}

BENCHMARKS: list[dict[str, Any]] = [
    {
        "name": "catalogue_api_list",
        "title": "Catalogue API: list services (page of 20)",
        "path": "/api/catalogue/services?page_size=20",
        "goal": 0.5,
    },
    {
        "name": "service_page",
        "title": "Public service page (Dutch)",
        "path": "/catalogue/services/{service_slug}/",
        "goal": 0.5,
    },
    # The same two with the catalogue response cache switched off: what a cache miss costs.
    # Informational (no goal): every edit of the catalogue empties the cache once.
    {
        "name": "catalogue_api_list_uncached",
        "title": "Catalogue API list, cache off (cost of a miss)",
        "path": "/api/catalogue/services?page_size=20",
        "goal": None,
        "uncached": True,
    },
    {
        "name": "service_page_uncached",
        "title": "Public service page, cache off (cost of a miss)",
        "path": "/catalogue/services/{service_slug}/",
        "goal": None,
        "uncached": True,
    },
]


def environment(uncached: bool = False) -> dict[str, str]:
    """Environment of the benchmark's own processes (settings, data directory, database)."""
    env = dict(os.environ)
    # The benchmark fills its own database: SQLite under bench/.work, or BENCH_DATABASE_URL
    # (never an operator's DATABASE_URL by accident).
    env.pop("DATABASE_URL", None)
    if os.environ.get("BENCH_DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    if uncached:
        env["LIFEGATE_CATALOGUE_CACHE_SECONDS"] = "0"
    env.update(
        {
            "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}",
            "DJANGO_SETTINGS_MODULE": "bench.settings_bench",
            "LIFEGATE_VAR_DIR": str(WORK),
            "LIFEGATE_DEMO_POPULATION": "300",
        }
    )
    return env


def manage(*args: str) -> str:
    """Run a Django management command in the benchmark environment; returns its output."""
    result = subprocess.run(
        [PYTHON, "-m", "django", *args],
        env=environment(),
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


def prepare_database() -> str:
    """Migrate and load the demo data into a fresh database; returns a service slug to request."""
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True, exist_ok=True)
    manage("migrate", "--noinput")
    manage("load_catalogue")
    manage("collectstatic", "--noinput")
    slug = manage(
        "shell",
        "-c",
        "from lifegate.catalogue.models import PublicService as S; "
        "print(S.objects.order_by('slug').first().slug)",
    )
    return slug.strip().splitlines()[-1]  # the shell may print notices first


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int, uncached: bool = False) -> subprocess.Popen[bytes]:
    """Start gunicorn on `port` and wait until it answers the floor view."""
    command = [
        PYTHON,
        "-m",
        "gunicorn",
        "lifegate.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(WORKERS),
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, env=environment(uncached))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/bench/floor", timeout=1
            ) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def requests_per_second(url: str) -> float:
    """Requests per second that wrk measures at `url`; any non-2xx answer fails the run."""
    output = subprocess.run(
        ["wrk", "-t", "2", "-c", str(CONNECTIONS), "-d", f"{DURATION_S}s", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    if "Non-2xx" in output:
        raise RuntimeError(f"{url} answered errors during the benchmark:\n{output}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if not match:
        raise RuntimeError(f"could not read wrk output:\n{output}")
    return float(match.group(1))


def measure(base: str, path: str) -> tuple[float, float]:
    """Median requests/s of the floor and of `path`, over interleaved rounds."""
    floors, values = [], []
    requests_per_second(base + path)  # warm up caches and connections
    for _ in range(ROUNDS):
        floors.append(requests_per_second(base + "/bench/floor"))
        values.append(requests_per_second(base + path))
    return statistics.median(values), statistics.median(floors)


def database_name() -> str:
    """Which database the figures were measured on."""
    url = os.environ.get("BENCH_DATABASE_URL", "")
    return "postgresql" if url.startswith("postgres") else "sqlite"


def _met(result: dict[str, Any]) -> tuple[str, str]:
    if result["goal"] is None:
        return "—", "—"
    ratio, goal = float(result["ratio"]), float(result["goal"])
    if result.get("goal_kind") == "max":
        return f"≤ {goal}", "yes" if ratio <= goal else "**no**"
    return f"≥ {goal}", "yes" if ratio >= goal else "**no**"


def write_results(results: list[dict[str, Any]]) -> None:
    """Write bench/results.json and the summary in docs/benchmarks.md."""
    (ROOT / "bench" / "results.json").write_text(
        json.dumps({"benchmarks": results}, indent=2) + "\n"
    )
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (bench/run.py); do not edit by hand. Each figure is a ratio",
        "to a floor measured in the same run on the same server, because absolute times drift",
        f"on shared machines. Setup: gunicorn with {WORKERS} sync workers on loopback, load from",
        f"`wrk` ({CONNECTIONS} connections, {DURATION_S} s per run, median of {ROUNDS} interleaved",
        "rounds). The floor is a minimal Django view (`bench/urls.py`) behind the same middleware.",
        "Public catalogue responses are cached per URL, language and catalogue revision",
        '(`catalogue/caching.py`); the rows marked "cache off" show what a miss costs.',
        "",
        "| benchmark | requests/s | floor requests/s | ratio | goal | met | database | date |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        if r["unit"] != "requests/s":
            continue
        goal, met = _met(r)
        lines.append(
            f"| {r['title']} | {r['value']:.0f} | {r['floor']:.0f} | {r['ratio']:.2f} "
            f"| {goal} | {met} | {r['database']} | {r['date']} |"
        )
    lines += [
        "",
        "## Journeys",
        "",
        "`bench/journeys.py`, on PostgreSQL in a database of its own. Proactive starts: birth",
        "events (each starting a journey for both parents) accepted by `journeys.events.receive`",
        "(what `POST /api/events/` runs) and turned into journeys by the durable task worker",
        "(`db_worker --batch`), one transaction per event; the floor inserts as many plain",
        "rows per transaction as processing wrote (journeys and steps), interleaved in five",
        "rounds. Plan page: p95 of `GET /journeys/<id>/` for a logged-in register person through",
        "Django's test client, at 100,000 persons and 200,000 journeys (with their steps, written",
        "with COPY) against the same page at 1,000 persons and 2,000 journeys; a ratio near 1",
        "means the page does not slow down as the platform fills up.",
        "",
    ]
    lines += _ratio_table([r for r in results if r.get("section") == "journeys"])
    inbox = [r for r in results if r.get("section") == "inbox"]
    lines += ["", *_inbox_text(inbox), "", *_ratio_table(inbox)]
    mandates = [r for r in results if r.get("section") == "mandates"]
    lines += ["", *_mandates_text(mandates), "", *_ratio_table(mandates)]
    assistant = [r for r in results if r.get("section") == "assistant"]
    lines += ["", *_assistant_text(assistant)]
    exchange = [r for r in results if r.get("section") == "exchange"]
    if exchange:
        lines += ["", *_exchange_text(exchange), "", *_ratio_table(exchange)]
    transparency = [r for r in results if r.get("section") == "transparency"]
    if transparency:
        lines += ["", *_transparency_text(transparency), "", *_ratio_table(transparency)]
    credentials = [r for r in results if r.get("section") == "credentials"]
    if credentials:
        lines += ["", *_credentials_text(credentials), "", *_ratio_table(credentials)]
    (ROOT / "docs" / "benchmarks.md").write_text("\n".join(lines) + "\n")


def _ratio_table(results: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| benchmark | value | floor | ratio | goal | met | database | date |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        goal, met = _met(r)
        lines.append(
            f"| {r['title']} | {r['value']} {r['unit']} | {r['floor']} {r['unit']} "
            f"({r['floor_title']}) | {r['ratio']:.2f} | {goal} | {met} | {r['database']} "
            f"| {r['date']} |"
        )
    return lines


def _inbox_text(results: list[dict[str, Any]]) -> list[str]:
    """How the message box figures were measured, with this run's particulars."""
    send = next((r for r in results if r["name"] == "inbox_bulk_send"), {})
    page = next((r for r in results if r["name"] == "inbox_page_p95"), {})
    rounds = len(send.get("api_runs", [])) or "several"
    size = send.get("bytes_per_message", "?")
    return [
        "## Message box",
        "",
        "`bench/inbox.py`, on PostgreSQL in databases of its own. Bulk send: messages per",
        "second stored end to end through `POST /api/agency/messages/bulk` (gunicorn, one sync",
        f"worker, on loopback): requests of 10,000 messages of about {size} bytes of JSON",
        "each, to 10,000 registered persons, timed from request to answer (JSON",
        "parsing, the checks of every message, the rows, mailbox counters, processing records",
        "and notification tasks). The floor is `COPY` (psycopg `cursor.copy`) of the same rows,",
        "same columns and bytes, into a table shaped like the message table (same indexes);",
        "the second row compares with `COPY` into a table without any index. Interleaved in",
        f"{rounds} rounds, medians compared. Where the send path spends its time:",
        "`python -m bench.inbox <postgres server url> --profile` (cProfile of `send_messages`).",
        "",
        "Inbox page: p95 of `GET /inbox/` through HTTP for a logged-in person with 10,000",
        "messages, with the message table at 2,000,000 messages of 200,000 recipients",
        "(generated in SQL, indexes built afterwards, statistics current) against the same",
        "page when the table holds only that person's 10,000. The two states are two databases,",
        "each behind its own gunicorn, measured interleaved. Every run also captures the",
        f"page's SQL in-process: {page.get('page_queries', '?')} queries, none counting messages",
        "(the unread count is the mailbox counter).",
    ]


def _mandates_text(results: list[dict[str, Any]]) -> list[str]:
    """How the mandates figures were measured, with this run's particulars."""
    page = next((r for r in results if r["name"] == "mandates_protected_page"), {})
    decision = next((r for r in results if r["name"] == "mandates_decision_mandate_p50"), {})
    rounds = len(page.get("checked_runs", [])) or "several"
    return [
        "## Mandates",
        "",
        "`bench/mandates.py`, on PostgreSQL in a database of its own holding 1,000,000",
        "mandates (generated in SQL, indexes built afterwards, statistics current). Decision:",
        "p50 and p99 of `mandates.decision.may` in process, over "
        f"{decision.get('samples', '?')} calls per path",
        "for registered representative/principal pairs, interleaved with the floor, a one-row",
        "primary-key read of a mandate through the ORM: allowed by a mandate (one indexed",
        "query), and no relation (the mandate query finds nothing, then the population",
        "register is read for parental authority). Protected page: requests per second of",
        "`GET /inbox/` for a representative acting for the principal through an inbox-read",
        "mandate, against the same page and session on a second server whose decision point",
        "allows without looking (`acting.may` replaced); gunicorn with "
        f"{WORKERS} sync workers each, `wrk`",
        f"({CONNECTIONS} connections, {DURATION_S} s per run), {rounds} interleaved rounds,",
        "medians compared.",
    ]


def _assistant_text(results: list[dict[str, Any]]) -> list[str]:
    """How the assistant was measured, its accuracy, and its speed against a text search."""
    accuracy = [r for r in results if r["unit"] == "share"]
    speed = [r for r in results if r["unit"] != "share"]
    lines = [
        "## Assistant",
        "",
        "`bench/assistant.py`, on PostgreSQL in a database of its own with the demo catalogue.",
        "Accuracy: the test set (`src/lifegate/assistant/data/test_set.yaml`) of realistic",
        "phrasings in Dutch and English, with misspellings, informal language and situations the",
        "catalogue does not cover, split once into a development part (used to build and tune",
        "the assistant, asserted by its tests) and a held-out part read only here. Top-1/top-3:",
        "the labelled life event or service is the first / among the first three suggestions;",
        'a "none" phrasing counts as right when the assistant says nothing matches. Speed: every',
        "phrasing asked in process, questions per second and p95 latency of",
        "`assistant.services.ask` against the catalogue text search (`search_services`) of the",
        "same phrasings, interleaved rounds, latencies pooled; and p95 of the assistant page",
        "against the catalogue search page (catalogue response cache off), Django test client.",
        "",
        '| part | phrasings | top-1 | top-3 | "none" told | goal (top-3) | met | date |',
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in accuracy:
        goal, met = _met(r)
        lines.append(
            f"| {r['title']} | {r['phrasings']} | {r['top1']:.1%} | {r['top3']:.1%} "
            f"| {r['none_told']:.1%} of {r['none_phrasings']} | {goal} | {met} | {r['date']} |"
        )
    return [*lines, "", *_ratio_table(speed)]


def _exchange_text(results: list[dict[str, Any]]) -> list[str]:
    """How the evidence exchange was measured, with this run's particulars."""
    samples = results[0].get("samples", "?")
    return [
        "## Evidence exchange",
        "",
        "`bench/exchange.py`: two nodes on loopback (`lifegate.exchange.federation`), the Dutch",
        "and the Estonian one, each gunicorn (gthread) with its own PostgreSQL database, keys and",
        "a trust list naming the other. In one process inside the Dutch node, after 20 of each",
        f"to warm up, {samples} interleaved rounds (the order alternating) of one evidence",
        "request and one signed echo. Evidence request: `exchange.services.request_evidence`",
        "for an Estonian newcomer's birth certificate, from the Estonian node: the person read",
        "and the processing recorded, a new EvidenceRequest, a signed evidence-request POSTed;",
        "the provider verifies it and stores its id against replays, matches the person on the",
        "eIDAS minimum data set in its register, records the match, opens a preview and answers",
        "signed; the answer is verified, its id stored and the outcome saved. The person's",
        "consent at the preview is not part of it. The floor, `exchange.ping.send_ping`, is the",
        "same round trip without the exchange's own work: same two servers, same process and",
        "HTTP client (`exchange.client.post_message`, a new connection per message), a signed",
        "ping verified by the peer (after the exchange's rate limit counted it, as it counts",
        "evidence requests), a signed pong verified back, both ids stored against replays.",
        "p95 and p50 of the pooled round-trip times compared. Where the time goes:",
        "`python -m bench.exchange <postgres server url> --profile` (cProfile of both sides).",
        "The exchange's own rows (register read, processing records, request, preview) are",
        "written and read with statements made once (`core.statements`, the embedded",
        "register's single-person SELECT): the ORM spent longer compiling those statements",
        "than the database spent running them.",
    ]


def _transparency_text(results: list[dict[str, Any]]) -> list[str]:
    """How the processing log was measured, with this run's particulars."""
    page = next((r for r in results if r["name"] == "transparency_recording_overhead"), {})
    chain = next((r for r in results if r["name"] == "transparency_chain_verification"), {})
    records = chain.get("records")
    amount = f"{records:,}" if isinstance(records, int) else "the"
    return [
        "## Processing log",
        "",
        "`bench/transparency.py`, on PostgreSQL in a database of its own with the demo",
        "population. Recording overhead: requests per second of the home page of a logged-in",
        "register person (the demo parent) that records its register read in the processing",
        "log (`record_processing` in the read's transaction, as `registries.read_person`",
        "does), against the same page without the record. Both are bench-only views",
        "(`bench/urls.py`) doing what the portal's home page does: the session read and saved,",
        "the person read from the population register, their plans, the portal's template",
        f"with the unread count in its header. One gunicorn with {WORKERS} sync workers, `wrk`",
        f"({CONNECTIONS} connections, {DURATION_S} s per run), "
        f"{page.get('samples', 'several')} interleaved rounds (the order",
        "alternating), medians compared; one request to each page first checks that only the",
        "recorded one adds a record. Chain verification: records per second of `verify_chain`",
        "(every record's digest and chain hash recomputed, checkpoints checked, unlinked",
        f"records looked for) over {amount} records written with COPY",
        "(`record_processing_many`) and sealed (`chain.seal`), against reading the same",
        "records with one streamed query and SHA-256 of their canonical bytes",
        f"(`transparency.chain_bench`), {chain.get('samples', 'several')} interleaved rounds, "
        "medians compared. The second row",
        "compares verification with SHA-256 alone over the canonical bytes held in memory,",
        "without a goal: the gap between the two floors is what reading the records costs.",
    ]


def _credentials_text(results: list[dict[str, Any]]) -> list[str]:
    """How the credentials were measured, with this run's particulars."""
    verify = next((r for r in results if r["name"] == "credentials_verify"), {})
    proof = next((r for r in results if r["name"] == "credentials_log_proof_p95"), {})
    entries = proof.get("entries")
    amount = f"{entries:,}" if isinstance(entries, int) else "1,000,000"
    return [
        "## Credentials",
        "",
        "`bench/credentials.py`, in one process on PostgreSQL in a database of its own.",
        "Verification: diploma SD-JWT VCs verified per second, against bare ES256",
        "verifications (joserfc `jws.deserialize_compact`, P-256) of a JWS whose payload is as",
        "long as the credential's issuer-signed payload. A credential is the issuer-signed JWT",
        f"with all ten disclosures ({verify.get('token_bytes', '?')} bytes), without key",
        "binding (a KB-JWT is a second ES256 verification). It is verified as the verification",
        "service does: `sdjwt.verify` with the trust list's key lookup, then `trust.status_of`.",
        "The status path that caches is a trusted peer node's: the credential comes from a",
        "peer (this node under another base URL), whose keys and status list token are fetched",
        "once, verified and cached (in the shared cache and, as long, in the process's own",
        "memo, as in production); no fetch happens after the warm-up (checked). This node's",
        "own credentials read their status row at every check (a revocation counts at once):",
        "shown without a goal, as is `verifying.verify_response` with key binding. Issuing:",
        "`sdjwt.issue` of the diploma (ten disclosures, decoys, holder key) against bare ES256",
        "signing of a same-size payload; the whole issuing service (`issuing.issue`: status",
        "entry, rows, log append, processing record) without a goal. "
        f"{verify.get('samples', 'Several')} interleaved rounds,",
        "medians compared. Where verification spends its time:",
        "`python -m bench.credentials <postgres server url> --profile`. Inclusion proofs:",
        "p95 (and p50, in results.json) of `log.inclusion_proof` and `log.prove_entry` for",
        f"{proof.get('samples', '1,000')} random entries of a log of {amount} entries (filled",
        f"in {proof.get('fill_seconds', '?')} s: `append_many`'s subtrees, rows by COPY),",
        "interleaved with a one-row read of a log entry; no goal.",
    ]


def postgres_benchmarks(module: str, section: str) -> list[dict[str, Any]]:
    """Run `python -m <module>` on PostgreSQL; its results, dated and put in `section`."""
    output = subprocess.run(
        [PYTHON, "-m", module, POSTGRES_SERVER],
        env=environment(),
        check=True,
        stdout=subprocess.PIPE,  # progress on stderr shows as it runs
        text=True,
        cwd=ROOT,
    ).stdout
    results: list[dict[str, Any]] = json.loads(output.strip().splitlines()[-1])
    for result in results:
        result |= {
            "database": "postgresql",
            "date": datetime.now(UTC).strftime("%Y-%m-%d"),
            "section": section,
        }
        print(f"{result['name']}: {result['value']} {result['unit']}, ratio {result['ratio']:.2f}")
    return results


def rerun(sections: list[str]) -> list[dict[str, Any]]:
    """The results of the last run (bench/results.json) with those of `sections` (keys of
    POSTGRES_BENCHMARKS) measured again, in place of their previous ones."""
    path = ROOT / "bench" / "results.json"
    previous = json.loads(path.read_text())["benchmarks"] if path.exists() else []
    fresh = {
        section: postgres_benchmarks(POSTGRES_BENCHMARKS[section], section) for section in sections
    }
    results: list[dict[str, Any]] = []
    for result in previous:
        section = result.get("section")
        if section in fresh:
            results += fresh.pop(section)
        elif section not in sections:
            results.append(result)
    for remaining in fresh.values():
        results += remaining
    return results


def main() -> None:
    """Prepare the data, start the servers, measure every benchmark, write the results; or,
    given section names, measure only those again (`rerun`)."""
    sections = sys.argv[1:]
    if sections:
        unknown = sorted(set(sections) - set(POSTGRES_BENCHMARKS))
        if unknown:
            sys.exit(
                f"unknown benchmark {', '.join(unknown)}; known: {', '.join(POSTGRES_BENCHMARKS)}"
            )
        write_results(rerun(sections))
        return
    if shutil.which("wrk") is None:
        sys.exit("make bench needs wrk (apt-get install wrk)")
    slug = prepare_database()
    ports = {False: free_port(), True: free_port()}
    servers = [start_server(ports[False]), start_server(ports[True], uncached=True)]
    results = []
    try:
        for bench in BENCHMARKS:
            path = str(bench["path"]).format(service_slug=slug)
            port = ports[bool(bench.get("uncached"))]
            value, floor = measure(f"http://127.0.0.1:{port}", path)
            results.append(
                {
                    "name": bench["name"],
                    "title": bench["title"],
                    "path": path,
                    "unit": "requests/s",
                    "value": round(value, 1),
                    "floor": round(floor, 1),
                    "ratio": round(value / floor, 3),
                    "goal": bench["goal"],
                    "database": database_name(),
                    "date": datetime.now(UTC).strftime("%Y-%m-%d"),
                }
            )
            print(
                f"{bench['name']}: {value:.0f} req/s, floor {floor:.0f} req/s, "
                f"ratio {value / floor:.2f}"
            )
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
    for section, module in POSTGRES_BENCHMARKS.items():
        results += postgres_benchmarks(module, section)
    write_results(results)


if __name__ == "__main__":
    main()
