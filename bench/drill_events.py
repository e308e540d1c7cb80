"""Drill `events`: proactive birth events survive a crashing task worker, on PostgreSQL in a
fresh database.

The population register reports 200 births (`nl.brp.birth-registered`, as POST /api/events/
accepts them: `events.receive`), each of a child with two parents holding parental authority,
and repeats 20 of them. The task worker (`db_worker`, the project's settings) is killed with
SIGKILL at random moments while it starts the journeys, and started again, several times; then
operators recover as after any crash (`process_pending_events --older-than 0`, a worker) until
no event waits. Checks: every event processed, none failed; exactly two journeys per birth, one
per parent, none twice; one "your plan has started" message per journey; the repeats accepted
nothing and started nothing.

Prints PASS or FAIL per check and exits non-zero on any failure; the database of a failed drill
is kept for inspection. `python -m bench.drill_events [postgres server url]`."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import time
from collections import Counter

from bench.drill_inbox import Drill, environment, kill, manage, start_worker
from bench.inbox import drop_database, recreate_database
from bench.journeys import valid_bsns
from bench.run import POSTGRES_SERVER, ROOT

DATABASE = "drill_events"
WORK = ROOT / "bench" / ".work" / "drill-events"
EVENTS = int(os.environ.get("DRILL_EVENTS", "200"))
REPEATS = EVENTS // 10
KILLS = int(os.environ.get("DRILL_KILLS", "5"))
RECOVERY_SECONDS = 600
SEED = int(os.environ.get("DRILL_SEED", str(time.time_ns() % 100_000)))
TASK = "lifegate.journeys.tasks.start_event_journeys"
NEWS_KEYS = "lifegate:journey-started-"


def setup(env: dict[str, str]) -> list[str]:
    """Migrate, load the catalogue and a small population, register EVENTS families; returns
    the newborns' BSNs."""
    os.environ.update(env)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", "--noinput", verbosity=0)
    from bench.journeys import _families
    from lifegate.catalogue.loader import load_catalogue
    from lifegate.registries.demo_loader import load_demo_population

    load_catalogue()
    load_demo_population(seed=20261122, size=300)
    return _families(EVENTS, valid_bsns(92_000_000))


def accept_births(children: list[str], rng: random.Random) -> Counter[str]:
    """The register reports every birth, and some twice; returns the outcomes of the repeats."""
    from lifegate.catalogue.models import PublicOrganisation
    from lifegate.journeys import agency, events

    rvig = PublicOrganisation.objects.get(slug="rvig")
    client, _secret = agency.create_client(rvig, "drill", ["events"])
    source = f"urn:nld:oin:{rvig.oin}:systeem:brp"
    messages = [
        events.structured(events.registry_event(events.BIRTH_REGISTERED, bsn, source, f"b{i}"))
        for i, bsn in enumerate(children)
    ]
    began = time.perf_counter()
    for message in messages:
        outcome = events.receive(message.headers, message.body, client)
        if outcome.status != "accepted" or outcome.repeated:
            raise RuntimeError(f"a new birth event was not accepted: {outcome}")
    print(f"  {len(messages):,} birth events accepted in {time.perf_counter() - began:.1f} s")
    repeats: Counter[str] = Counter()
    for message in rng.sample(messages, REPEATS):
        outcome = events.receive(message.headers, message.body, client)
        repeats["repeated" if outcome.repeated else "new"] += 1
    return repeats


def waiting() -> int:
    from lifegate.journeys.models import InboundEvent

    return InboundEvent.objects.filter(status=InboundEvent.Status.ACCEPTED).count()


def running_tasks() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=TASK, status="RUNNING").count()


def ready_tasks() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=TASK, status="READY").count()


def busy(events_before: int, running_before: int) -> None:
    """Wait until the worker has started processing (it takes a while to start on a busy
    machine): an event processed or one more task running."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if waiting() < events_before or running_tasks() > running_before:
            return
        time.sleep(0.2)


def crash_workers(env: dict[str, str], rng: random.Random) -> list[int]:
    """Start the worker and SIGKILL it at a random moment once it is busy, KILLS times;
    returns how many tasks each killed worker left running."""
    left = []
    for number in range(KILLS):
        if not waiting():
            break
        running = running_tasks()
        worker = start_worker(env)
        busy(waiting(), running)
        time.sleep(rng.uniform(0.2, 3.0))
        kill(worker)
        left.append(running_tasks() - running)
        print(
            f"  worker killed ({number + 1}/{KILLS}): {waiting():,} events waiting, "
            f"{left[-1]} tasks left running"
        )
    return left


def recover(env: dict[str, str]) -> float:
    """The safety net for events, then a worker until no event waits; the net again whenever
    the queue has drained while events still wait. Returns the seconds it took."""
    began = time.monotonic()
    print(f"  process_pending_events: {manage(env, 'process_pending_events', '--older-than', '0')}")
    worker = start_worker(env)
    try:
        while waiting() and time.monotonic() - began < RECOVERY_SECONDS:
            time.sleep(2)
            if waiting() and not ready_tasks():
                command = ("process_pending_events", "--older-than", "0")
                print(f"  process_pending_events: {manage(env, *command)}")
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            kill(worker)
    return time.monotonic() - began


def check(drill: Drill, repeats: Counter[str]) -> None:
    from django.db.models import Count, Sum

    from lifegate.inbox.models import Message
    from lifegate.journeys.models import InboundEvent, Journey

    states = Counter(InboundEvent.objects.values_list("status", flat=True))
    drill.check(
        f"every one of {EVENTS:,} events processed, none failed",
        states == {"processed": EVENTS},
        str(dict(states)),
    )
    drill.check(
        f"{REPEATS} repeated events answered as repeats",
        repeats == {"repeated": REPEATS},
        str(dict(repeats)),
    )
    journeys = Journey.objects.filter(origin=Journey.Origin.REGISTRY)
    count = journeys.count()
    drill.check(
        "exactly two journeys per birth (one per parent)", count == 2 * EVENTS, f"{count:,}"
    )
    twice = (
        journeys.values("subject_hash", "related_hash", "life_event_slug")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    drill.check("no parent has a journey for the same child twice", twice == 0, f"{twice}")
    per_event = Counter(journeys.values_list("origin_event_id", flat=True))
    drill.check(
        "each event started exactly its own two journeys",
        len(per_event) == EVENTS and set(per_event.values()) == {2},
        f"{len(per_event):,} events with journeys, counts {sorted(set(per_event.values()))}",
    )
    started = InboundEvent.objects.aggregate(total=Sum("journeys_started"))["total"] or 0
    drill.check("events' journeys_started add up to the journeys", started == count, f"{started:,}")
    expected = {f"{NEWS_KEYS}{pk}" for pk in journeys.values_list("pk", flat=True)}
    keys = list(
        Message.objects.filter(idempotency_key__startswith=NEWS_KEYS).values_list(
            "idempotency_key", flat=True
        )
    )
    drill.check(
        "one 'plan started' message per journey, none twice",
        len(keys) == len(expected) and set(keys) == expected,
        f"{len(keys):,} messages for {len(expected):,} journeys",
    )


def main() -> None:
    """Run the drill in a fresh database; exit non-zero if any check fails."""
    server_url = sys.argv[1] if len(sys.argv) > 1 else POSTGRES_SERVER
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]  # progress as it comes
    rng = random.Random(SEED)
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    url = recreate_database(server_url, DATABASE)
    env = environment(url) | {"LIFEGATE_VAR_DIR": str(WORK)}
    drill = Drill()
    began = time.monotonic()
    print(f"Proactive events drill (database {DATABASE}, seed {SEED})")
    try:
        children = setup(env)
        print(f"{EVENTS:,} birth events, processed while the worker is killed")
        repeats = accept_births(children, rng)
        left = crash_workers(env, rng)
        drill.check(
            "workers were killed in the middle of starting journeys",
            sum(1 for running in left if running) >= 2,
            f"{sum(1 for running in left if running)} of {len(left)} kills",
        )
        seconds = recover(env)
        drill.check("no event waits after recovery", waiting() == 0, f"{seconds:.0f} s")
        check(drill, repeats)
    finally:
        from django.db import connections

        connections.close_all()
    print(f"{'FAIL' if drill.failed else 'PASS'} in {time.monotonic() - began:.0f} s")
    if drill.failed:
        print(f"failed: {'; '.join(drill.failed)} (database {DATABASE} kept for inspection)")
        sys.exit(1)
    drop_database(server_url, DATABASE)


if __name__ == "__main__":
    main()
