"""`make drill`: the message box's reliability drill, on PostgreSQL in a fresh database.

Part 1, notifications survive crashing workers. One bulk of 10,000 messages goes through the
agency API to 10,000 registered persons, each with a confirmed notification address. The task
worker (`python -m django db_worker`, the project's settings) is killed with SIGKILL at random
moments and started again, several times; then operators recover as after any crash
(`inbox_housekeeping`, `notify_pending`) until no message waits for its e-mail. Checks:
exactly 10,000 messages; each notified exactly once (state `sent`, one processing record, one
`.eml` file named after its Message-ID and addressed to its recipient, no other files); every
mailbox counter equal to the real counts.

Part 2, one key sent 1,000 times at once. 1,000 threads send the same message with the same
`Idempotency-Key` through the API at the same moment: exactly one message, and every answer a
201 or 200 with its id (exactly one 201).

Time is compressed: a crashed worker's claim on a message runs out after 5 seconds instead of
5 minutes, tasks count as lost as soon as no worker runs them, and the sweep takes messages of
any age. Prints PASS or FAIL per check and exits non-zero on any failure; the database of a
failed drill is kept for inspection. `python -m bench.drill_inbox [postgres server url]`."""

from __future__ import annotations

import email
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bench.inbox import (
    add_persons,
    drop_database,
    message_json,
    recreate_database,
    request,
    serve,
    stop,
)
from bench.run import POSTGRES_SERVER, ROOT

DATABASE = "drill_inbox"
WORK = ROOT / "bench" / ".work" / "drill"
MAIL = WORK / "mail"
BULK = 10_000
KILLS = int(os.environ.get("DRILL_KILLS", "5"))
CONCURRENT = 1_000
RECOVERY_SECONDS = 600
SEED = int(os.environ.get("DRILL_SEED", str(time.time_ns() % 100_000)))
SENDER = "belastingdienst"
# The bulk's idempotency keys start with this; other messages (the demo's own) are not checked.
BULK_KEYS = "drill-bulk-"
ONE_KEY = "drill-one-key"


class Drill:
    """The checks made so far; `check` prints each as it is made."""

    def __init__(self) -> None:
        self.failed: list[str] = []

    def check(self, name: str, passed: bool, detail: str = "") -> None:
        print(f"  {'PASS' if passed else 'FAIL'}  {name}{f' ({detail})' if detail else ''}")
        if not passed:
            self.failed.append(name)


def environment(database_url: str) -> dict[str, str]:
    """The project's own settings, on the drill's database and directory, time compressed."""
    return dict(os.environ) | {
        "DJANGO_SETTINGS_MODULE": "lifegate.settings",
        "DATABASE_URL": database_url,
        # 1,000 concurrent sends from one client: not the agency API's rate limit at work.
        "LIFEGATE_AGENCY_RATE_LIMIT": "1000000000",
        "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}",
        "LIFEGATE_VAR_DIR": str(WORK),
        "LIFEGATE_DEMO_POPULATION": "300",
        "LIFEGATE_LOG_LEVEL": "WARNING",
        "LIFEGATE_INBOX_MAIL_LEASE_SECONDS": "5",
        "LIFEGATE_INBOX_TASK_LOST_MINUTES": "0",
    }


def manage(env: dict[str, str], *args: str) -> str:
    """An operator's management command; returns its output."""
    result = subprocess.run(
        [sys.executable, "-m", "django", *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


def start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    """The task worker, logging to worker.log in the drill's directory."""
    log = (Path(env["LIFEGATE_VAR_DIR"]) / "worker.log").open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "django", "db_worker", "--no-startup-delay", "--interval", "0.2"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def kill(worker: subprocess.Popen[bytes]) -> None:
    worker.send_signal(signal.SIGKILL)
    worker.wait()


# --- in this process: setting up and checking ----------------------------------------------


def setup(
    env: dict[str, str], count: int = BULK, first: int = 94_000_000, client_name: str = "drill"
) -> tuple[list[str], str]:
    """Migrate, load the demo, register `count` more persons (BSNs from `first` on); returns
    their BSNs and a bearer token of a new client `client_name` of the sending organisation."""
    os.environ.update(env)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", "--noinput", verbosity=0)
    call_command("load_demo", stdout=io.StringIO())
    from lifegate.catalogue.models import PublicOrganisation
    from lifegate.journeys import agency

    bsns = add_persons(count, first=first)
    organisation = PublicOrganisation.objects.get(slug=SENDER)
    client, secret = agency.create_client(organisation, client_name, ["messages"])
    return bsns, agency.bearer_token(client, secret)


def confirm_addresses(bsns: list[str]) -> dict[str, str]:
    """Give every recipient a confirmed address (sealed as the notification settings seal it);
    returns the address per recipient hash."""
    from django.db import connection
    from django.utils import timezone

    from lifegate.core.sealing import seal
    from lifegate.core.subject import Subject
    from lifegate.inbox.mail import ADDRESS_PURPOSE
    from lifegate.transparency.services import subject_hash

    addresses = {
        subject_hash(Subject("bsn", bsn)): f"person-{i:05d}@drill.example"
        for i, bsn in enumerate(bsns)
    }
    hashes = list(addresses)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE inbox_mailbox SET email_sealed = given.sealed, email_verified_at = %s,"
            " notify = 'every' FROM unnest(%s::varchar[], %s::text[]) AS given (hash, sealed)"
            " WHERE recipient_hash = given.hash",
            [timezone.now(), hashes, [seal(ADDRESS_PURPOSE, addresses[h]) for h in hashes]],
        )
        confirmed = cursor.rowcount
    if confirmed != len(addresses):
        raise RuntimeError(f"{confirmed} mailboxes confirmed for {len(addresses)} recipients")
    return addresses


def pending() -> int:
    from lifegate.inbox.models import Message

    return Message.objects.filter(notification_state="pending").count()


def tasks_waiting() -> int:
    """Notification tasks queued or (as far as the task table knows) running."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path="lifegate.inbox.tasks.notify_messages", status__in=("READY", "RUNNING")
    ).count()


def in_flight() -> tuple[int, int]:
    """What a worker killed just now left behind: notification tasks still marked running,
    and messages claimed for an e-mail but not marked notified."""
    from django_tasks_db.models import DBTaskResult

    from lifegate.inbox.models import Message

    running = DBTaskResult.objects.filter(
        task_path="lifegate.inbox.tasks.notify_messages", status="RUNNING"
    ).count()
    claimed = Message.objects.filter(
        notification_state="pending", mail_lease_until__isnull=False
    ).count()
    return running, claimed


# --- part 1: notifications while the worker crashes ----------------------------------------


def send_bulk(port: int, token: str, bsns: list[str]) -> dict[str, Any]:
    messages = [message_json(bsn, f"{BULK_KEYS}{i}", i) for i, bsn in enumerate(bsns)]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    began = time.perf_counter()
    status, body = request(
        port,
        "POST",
        "/api/agency/messages/bulk",
        json.dumps({"messages": messages}).encode(),
        headers,
    )
    if status != 200:
        raise RuntimeError(f"the bulk send answered {status}: {body[:300]!r}")
    answer: dict[str, Any] = json.loads(body)
    seconds = time.perf_counter() - began
    print(f"  bulk of {len(messages):,} sent in {seconds:.1f} s: {answer['created']:,} created")
    return answer


def crash_workers(env: dict[str, str], rng: random.Random) -> list[tuple[int, int]]:
    """Start the worker and SIGKILL it at a random moment, KILLS times; returns what each
    killed worker left in flight (tasks running, messages claimed)."""
    left = []
    for number in range(KILLS):
        worker = start_worker(env)
        time.sleep(rng.uniform(2.5, 6.0))
        kill(worker)
        left.append(in_flight())
        print(
            f"  worker killed ({number + 1}/{KILLS}): {pending():,} messages waiting, "
            f"{left[-1][0]} tasks left running, {left[-1][1]} messages left claimed"
        )
    return left


def recover(env: dict[str, str]) -> float:
    """What operators do after crashes: housekeeping (takes over the tasks a killed worker
    left running), the notification sweep, a worker; the sweep again whenever the queue has
    drained while messages still wait (their claim by a killed worker had not run out yet).
    Returns the seconds until no message waited."""
    began = time.monotonic()
    print(f"  inbox_housekeeping: {manage(env, 'inbox_housekeeping')}")
    print(f"  notify_pending: {manage(env, 'notify_pending', '--older-than', '0')}")
    worker = start_worker(env)
    try:
        while pending() and time.monotonic() - began < RECOVERY_SECONDS:
            time.sleep(2)
            if not tasks_waiting() and pending():
                print(f"  notify_pending: {manage(env, 'notify_pending', '--older-than', '0')}")
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            kill(worker)
    return time.monotonic() - began


def _addressed_to(path: Path) -> str:
    with path.open("rb") as stream:
        return str(email.message_from_binary_file(stream)["To"])


def check_notifications(drill: Drill, addresses: dict[str, str]) -> None:
    from collections import Counter

    from lifegate.inbox.mail import message_id_header, safe_file_name
    from lifegate.inbox.models import Message
    from lifegate.transparency.models import ProcessingRecord

    bulk = Message.objects.filter(organisation__slug=SENDER, idempotency_key__startswith=BULK_KEYS)
    messages = list(bulk.values_list("pk", "recipient_hash", "notification_state"))
    drill.check(
        "exactly 10,000 messages from the bulk", len(messages) == BULK, f"{len(messages):,}"
    )
    states = Counter(state for _pk, _recipient, state in messages)
    drill.check("every message notified (state sent)", states == {"sent": BULK}, str(dict(states)))
    records = ProcessingRecord.objects.filter(
        name="inbox.notify", data_subject_hash__in=list(addresses)
    ).count()
    drill.check("one notification record per message", records == BULK, f"{records:,}")
    expected = {
        safe_file_name(message_id_header("new-message", pk)) + ".eml": recipient
        for pk, recipient, _state in messages
    }
    files = {path.name for path in MAIL.glob("*.eml")}
    drill.check(
        "one .eml per message and no other e-mail",
        files == set(expected),
        f"{len(files):,} files, {len(set(expected) - files)} missing, "
        f"{len(files - set(expected))} not of a message",
    )
    wrong = sum(
        1
        for name in files & set(expected)
        if _addressed_to(MAIL / name) != addresses[expected[name]]
    )
    drill.check("each e-mail addressed to its message's recipient", wrong == 0, f"{wrong} wrong")
    leftovers = [path.name for path in MAIL.iterdir() if not path.name.endswith(".eml")]
    if leftovers:
        print(f"  note: {len(leftovers)} half-written temporary files of killed workers remain")


def check_counters(drill: Drill) -> None:
    """Every mailbox's counters equal the counts of its messages, and every message's
    recipient has a mailbox."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM inbox_mailbox AS box LEFT JOIN (SELECT recipient_hash,"
            " count(*) AS total, count(*) FILTER (WHERE unread) AS unread FROM inbox_message"
            " GROUP BY recipient_hash) AS real USING (recipient_hash)"
            " WHERE box.message_count <> coalesce(real.total, 0)"
            " OR box.unread_count <> coalesce(real.unread, 0)"
        )
        (wrong,) = cursor.fetchone()
        cursor.execute(
            "SELECT count(DISTINCT recipient_hash) FROM inbox_message WHERE recipient_hash"
            " NOT IN (SELECT recipient_hash FROM inbox_mailbox)"
        )
        (missing,) = cursor.fetchone()
    drill.check(
        "mailbox counters equal the real counts",
        wrong == 0 and missing == 0,
        f"{wrong} mailboxes wrong, {missing} recipients without a mailbox",
    )


# --- part 2: one key, 1,000 sends at once ----------------------------------------------------


def send_at_once(port: int, token: str, bsn: str) -> list[tuple[int, str]]:
    """CONCURRENT threads POST the same message with the same Idempotency-Key together;
    returns each answer's status and message id."""
    message = message_json(bsn, "", 0)
    del message["idempotency_key"]
    body = json.dumps(message).encode()
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Idempotency-Key": ONE_KEY,
    }
    start = threading.Barrier(CONCURRENT, timeout=120)
    answers: list[tuple[int, str]] = []

    def send() -> None:
        try:
            start.wait()
            status, raw = request(port, "POST", "/api/agency/messages/", body, headers)
            answers.append((status, str(json.loads(raw).get("id", "")) if raw else ""))
        except Exception as exc:  # counted as a failed answer
            answers.append((0, type(exc).__name__))

    threading.stack_size(512 * 1024)
    threads = [threading.Thread(target=send) for _ in range(CONCURRENT)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def check_one_key(drill: Drill, answers: list[tuple[int, str]]) -> None:
    from collections import Counter

    from lifegate.inbox.models import Message

    statuses = Counter(status for status, _id in answers)
    ids = {message_id for status, message_id in answers if status in (200, 201)}
    stored = [
        str(pk)
        for pk in Message.objects.filter(idempotency_key=ONE_KEY).values_list("pk", flat=True)
    ]
    drill.check(
        "1,000 answers, each 201 or 200",
        len(answers) == CONCURRENT and set(statuses) <= {200, 201},
        str(dict(statuses)),
    )
    drill.check("exactly one 201 (created)", statuses[201] == 1, f"{statuses[201]}")
    drill.check("exactly one message stored", len(stored) == 1, f"{len(stored)}")
    drill.check("every answer names that message", ids == set(stored), f"{len(ids)} ids")


def main() -> None:
    """Run both parts in a fresh database; exit non-zero if any check fails."""
    server_url = sys.argv[1] if len(sys.argv) > 1 else POSTGRES_SERVER
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]  # progress as it comes
    rng = random.Random(SEED)
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    url = recreate_database(server_url, DATABASE)
    env = environment(url)
    drill = Drill()
    server = None
    began = time.monotonic()
    print(f"Message box drill (database {DATABASE}, seed {SEED})")
    try:
        bsns, token = setup(env)
        server, port = serve(url, workers=2, threads=8, env=env)
        print("Part 1: 10,000 messages, notified while the worker is killed")
        send_bulk(port, token, bsns)
        addresses = confirm_addresses(bsns)
        left = crash_workers(env, rng)
        drill.check(
            "workers were killed in the middle of notifying",
            sum(1 for running, claimed in left if running or claimed) >= 2,
            f"{sum(1 for running, claimed in left if running or claimed)} of {KILLS} kills",
        )
        seconds = recover(env)
        drill.check("nothing waits after recovery", pending() == 0, f"{seconds:.0f} s")
        check_notifications(drill, addresses)
        print("Part 2: one Idempotency-Key, 1,000 sends at once")
        check_one_key(drill, send_at_once(port, token, bsns[0]))
        check_counters(drill)
    finally:
        if server is not None:
            stop(server)
        from django.db import connections

        connections.close_all()
    print(f"{'FAIL' if drill.failed else 'PASS'} in {time.monotonic() - began:.0f} s")
    if drill.failed:
        print(f"failed: {'; '.join(drill.failed)} (database {DATABASE} kept for inspection)")
        sys.exit(1)
    drop_database(server_url, DATABASE)


if __name__ == "__main__":
    main()
