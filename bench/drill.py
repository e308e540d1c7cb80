"""`make drill`: the platform's own cyber exercise. Each scenario runs in its own process (its
own database, directory and Django), prints what it checks with PASS or FAIL, and the drill
ends with a summary; the exit status is non-zero if any scenario failed.

    inbox    the task worker SIGKILLed during a bulk send of 10,000 messages; 1,000 sends
             with one Idempotency-Key at once (bench/drill_inbox.py)
    events   the task worker SIGKILLed while proactive birth events start journeys
             (bench/drill_events.py)
    restart  PostgreSQL stopped and started under load, on a private cluster: 503 with
             Retry-After, acknowledged writes kept, service resumes (bench/drill_restart.py)
    storage  the attachment storage (a small tmpfs) fills up: 507 problems, no half-written
             messages or files (bench/drill_storage.py)
    backup   pg_dump and pg_restore: row counts and the processing log's chain verify
             (bench/drill_backup.py)

`python -m bench.drill` runs them all, in this order; `python -m bench.drill restart storage`
runs only those named. `restart` and `storage` need root (runuser, mount); the others use the
PostgreSQL server of BENCH_POSTGRES_SERVER (default postgres://postgres@127.0.0.1:5432)."""

from __future__ import annotations

import subprocess
import sys
import time

from bench.run import ROOT

SCENARIOS = {
    "inbox": "bench.drill_inbox",
    "events": "bench.drill_events",
    "restart": "bench.drill_restart",
    "storage": "bench.drill_storage",
    "backup": "bench.drill_backup",
}


def run(name: str) -> tuple[bool, float]:
    """Run one scenario, its output passed through; whether it passed, and its seconds."""
    print(f"\n=== {name} ===", flush=True)
    began = time.monotonic()
    result = subprocess.run([sys.executable, "-m", SCENARIOS[name]], cwd=ROOT, check=False)
    return result.returncode == 0, time.monotonic() - began


def main() -> None:
    """Run the scenarios named on the command line (all when none), then the summary."""
    names = sys.argv[1:] or list(SCENARIOS)
    unknown = [name for name in names if name not in SCENARIOS]
    if unknown:
        sys.exit(f"unknown scenario {', '.join(unknown)}; known: {', '.join(SCENARIOS)}")
    results = {name: run(name) for name in names}
    print("\n=== drill summary ===")
    for name, (passed, seconds) in results.items():
        print(f"  {'PASS' if passed else 'FAIL'}  {name} ({seconds:.0f} s)")
    total = sum(seconds for _passed, seconds in results.values())
    failed = [name for name, (passed, _seconds) in results.items() if not passed]
    print(f"{'FAIL' if failed else 'PASS'} in {total:.0f} s")
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
