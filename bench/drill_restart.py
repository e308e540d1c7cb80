"""Drill `restart`: PostgreSQL restarts under load, on a private PostgreSQL cluster.

A throw-away cluster is made for the drill (`initdb` as the `postgres` user, in a temporary
directory, on a free port; removed afterwards): the shared server is never touched. The app
runs as in production (gunicorn, the project's settings) against it. Six threads send messages
through the agency API, each with its own `Idempotency-Key`, and two read a page and an API
list, while PostgreSQL is stopped and started twice: a fast shutdown (`pg_ctl stop -m fast`)
and a crash (`-m immediate`, recovery from the WAL on start), each with a few seconds down.
Checks: every answer is a success or a 503 (no 500, no broken connection); every 503 carries
Retry-After, as problem details on the API and as an HTML page elsewhere, and no traceback;
every acknowledged (201) message is stored with the id it was given; each refused send, sent
again with its key, is stored exactly once; and the app, never restarted, serves again.

Prints PASS or FAIL per check and exits non-zero on any failure.
`python -m bench.drill_restart`."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.drill_inbox import Drill, environment
from bench.inbox import add_persons, message_json, request, serve, stop
from bench.run import ROOT, free_port

DATABASE = "drill_restart"
WORK = ROOT / "bench" / ".work" / "drill-restart"
BIN = Path(os.environ.get("DRILL_POSTGRES_BIN", "/usr/local/bin"))
WRITERS = 6
READERS = 2
RECIPIENTS = 200
DOWN_SECONDS = 4
RUN_SECONDS = 7  # of load before, between and after the outages
KEYS = "drill-restart-"
SENDER = "belastingdienst"
PROBLEM = "application/problem+json"


@dataclass(frozen=True)
class Answer:
    """One request of the load and what came back."""

    kind: str  # "send", "page" or "api"
    key: str
    status: int  # 0: no HTTP answer at all
    content_type: str
    retry_after: str
    body: bytes
    at: float


class Cluster:
    """A private PostgreSQL cluster in a temporary directory, run as the `postgres` user."""

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="lifegate-drill-pg-"))
        self.data = self.base / "data"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}"
        shutil.chown(self.base, "postgres", "postgres")
        self.base.chmod(0o700)

    def _as_postgres(self, *command: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *command],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def create(self) -> None:
        self._as_postgres(
            str(BIN / "initdb"), "-D", str(self.data), "--auth=trust", "-U", "postgres"
        )
        self.start()

    def start(self) -> None:
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1"
        log = str(self.base / "postgres.log")
        self._as_postgres(
            str(BIN / "pg_ctl"), "-D", str(self.data), "-l", log, "-o", options, "-w", "start"
        )

    def stop(self, mode: str) -> None:
        self._as_postgres(str(BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.CalledProcessError):
                self.stop("immediate")
        shutil.rmtree(self.base, ignore_errors=True)


def setup(env: dict[str, str], server_url: str) -> tuple[list[str], str]:
    """Create the database, migrate, load the demo and more recipients; returns their BSNs and
    a bearer token of the sender."""
    import psycopg

    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {DATABASE}")
    os.environ.update(env)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", "--noinput", verbosity=0)
    call_command("load_demo", stdout=io.StringIO())
    from lifegate.catalogue.models import PublicOrganisation
    from lifegate.journeys import agency

    bsns = add_persons(RECIPIENTS, first=95_000_000)
    organisation = PublicOrganisation.objects.get(slug=SENDER)
    client, secret = agency.create_client(organisation, "drill-restart", ["messages"])
    return bsns, agency.bearer_token(client, secret)


class Load:
    """Writers and readers that keep the app busy until stopped."""

    def __init__(self, port: int, token: str, bsns: list[str]) -> None:
        self.port, self.token, self.bsns = port, token, bsns
        self.answers: list[Answer] = []
        self.recipients: dict[str, str] = {}
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._write, args=(n,)) for n in range(WRITERS)]
        self.threads += [threading.Thread(target=self._read, args=(n,)) for n in range(READERS)]

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join()

    def _write(self, writer: int) -> None:
        number = 0
        while not self.stopping.is_set():
            key = f"{KEYS}{writer}-{number}"
            self.recipients[key] = self.bsns[number % RECIPIENTS]
            self.answers.append(send(self.port, self.token, self.recipients[key], key))
            number += 1

    def _read(self, reader: int) -> None:
        # Both read the database on every request: a visitor's session, the client's token.
        paths = [
            ("page", "/catalogue/life-events/", {"Cookie": f"sessionid={'x' * 32}"}),
            ("api", "/api/agency/messages/?limit=1", {"Authorization": f"Bearer {self.token}"}),
        ]
        kind, path, headers = paths[reader % 2]
        while not self.stopping.is_set():
            self.answers.append(call(kind, "", self.port, "GET", path, None, headers))
            time.sleep(0.05)


def call(
    kind: str,
    key: str,
    port: int,
    method: str,
    path: str,
    body: bytes | None,
    headers: dict[str, str],
) -> Answer:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return Answer(
            kind,
            key,
            response.status,
            response.getheader("Content-Type", ""),
            response.getheader("Retry-After", ""),
            response.read(),
            time.monotonic(),
        )
    except OSError as error:
        return Answer(kind, key, 0, "", "", str(error).encode(), time.monotonic())
    finally:
        connection.close()


def send(port: int, token: str, bsn: str, key: str) -> Answer:
    message = message_json(bsn, "", 0)
    del message["idempotency_key"]
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Idempotency-Key": key,
    }
    return call(
        "send", key, port, "POST", "/api/agency/messages/", json.dumps(message).encode(), headers
    )


def outages(cluster: Cluster) -> list[tuple[str, float, float]]:
    """Under load: run, stop fast, stay down, start, run, crash, stay down, start, run.
    Returns each outage's mode and its (monotonic) start and end."""
    seen = []
    time.sleep(RUN_SECONDS)
    for mode in ("fast", "immediate"):
        down = time.monotonic()
        cluster.stop(mode)
        print(f"  PostgreSQL stopped (-m {mode}); down for {DOWN_SECONDS} s")
        time.sleep(DOWN_SECONDS)
        cluster.start()
        up = time.monotonic()
        print(f"  PostgreSQL started again after {up - down:.1f} s")
        seen.append((mode, down, up))
        time.sleep(RUN_SECONDS)
    return seen


def is_problem_503(answer: Answer) -> bool:
    if not answer.content_type.startswith(PROBLEM):
        return False
    try:
        body = json.loads(answer.body)
    except ValueError:
        return False
    return body.get("status") == 503 and bool(body.get("title"))


def check_answers(
    drill: Drill, answers: list[Answer], down: list[tuple[str, float, float]]
) -> None:
    statuses = Counter((a.kind, a.status) for a in answers)
    print(f"  answers: {dict(sorted(statuses.items()))}")
    unavailable = [a for a in answers if a.status == 503]
    for mode, start, end in down:
        during = sum(1 for a in unavailable if start <= a.at <= end + 5)
        drill.check(f"the outage (-m {mode}) was felt: 503 answers", during > 0, f"{during}")
    others = [a for a in answers if a.status not in (200, 201, 503)]
    drill.check(
        "every answer a success or a 503 (no 500, no dropped connection)",
        not others,
        f"{len(others)} others: {Counter(a.status for a in others)}",
    )
    without_retry = [a for a in unavailable if not a.retry_after.isdigit()]
    drill.check("every 503 carries Retry-After", not without_retry, f"{len(without_retry)} without")
    api = [a for a in unavailable if a.kind != "page"]
    not_problem = [a for a in api if not is_problem_503(a)]
    drill.check(
        "API 503s are problem details (application/problem+json, status 503)",
        not not_problem,
        f"{len(api)} API 503s, {len(not_problem)} not problem details",
    )
    pages = [a for a in unavailable if a.kind == "page"]
    bad_pages = [a for a in pages if not a.content_type.startswith("text/html")]
    drill.check(
        "page 503s are HTML pages",
        bool(pages) and not bad_pages,
        f"{len(pages)} page 503s, {len(bad_pages)} not HTML",
    )
    traces = [a for a in answers if b"Traceback" in a.body or b"OperationalError" in a.body]
    drill.check("no traceback or driver error in any answer", not traces, f"{len(traces)}")
    resumed = all(
        any(a.status in (200, 201) and a.at > end for a in answers) for _mode, _start, end in down
    )
    drill.check("requests succeed again after each restart", resumed)


def check_writes(
    drill: Drill, answers: list[Answer], port: int, token: str, recipients: dict[str, str]
) -> None:
    from lifegate.inbox.models import Message

    sends = [a for a in answers if a.kind == "send"]
    acknowledged = {a.key: json.loads(a.body)["id"] for a in sends if a.status == 201}
    stored = {
        key: str(pk)
        for key, pk in Message.objects.filter(idempotency_key__startswith=KEYS).values_list(
            "idempotency_key", "pk"
        )
    }
    missing = [key for key, pk in acknowledged.items() if stored.get(key) != pk]
    drill.check(
        f"every acknowledged write is stored ({len(acknowledged):,} sends answered 201)",
        not missing,
        f"{len(missing)} missing",
    )
    refused = [a.key for a in sends if a.status != 201]
    already = sum(1 for key in refused if key in stored)
    retried = Counter(send(port, token, recipients[key], key).status for key in refused)
    drill.check(
        f"each of {len(refused)} refused sends, sent again with its key, is answered 201 or 200",
        set(retried) <= {200, 201},
        f"{dict(retried)}; {already} had been stored before their answer was lost",
    )
    keys = {a.key for a in sends}
    total = Message.objects.filter(idempotency_key__startswith=KEYS).count()
    drill.check(
        "one message per key sent, none twice", total == len(keys), f"{total:,} for {len(keys):,}"
    )


def check_serving(
    drill: Drill, server: subprocess.Popen[bytes], port: int, token: str, bsns: list[str]
) -> None:
    statuses = Counter(send(port, token, bsns[1], f"{KEYS}after-{n}").status for n in range(20))
    health, _body = request(port, "GET", "/healthz")
    drill.check(
        "the same app process serves again (20 sends 201, /healthz 200)",
        server.poll() is None and statuses == {201: 20} and health == 200,
        f"{dict(statuses)}, /healthz {health}",
    )


def main() -> None:
    """Run the drill on a private cluster; exit non-zero if any check fails."""
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]  # progress as it comes
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    drill = Drill()
    began = time.monotonic()
    cluster = Cluster()
    server = None
    print(f"PostgreSQL restart drill (private cluster on port {cluster.port})")
    try:
        cluster.create()
        url = f"{cluster.url}/{DATABASE}"
        env = environment(url) | {"LIFEGATE_VAR_DIR": str(WORK)}
        bsns, token = setup(env, cluster.url)
        from django.db import connections

        connections.close_all()
        server, port = serve(url, workers=2, threads=4, env=env, log=WORK / "gunicorn.log")
        with Load(port, token, bsns) as load:
            down = outages(cluster)
        check_answers(drill, load.answers, down)
        check_writes(drill, load.answers, port, token, load.recipients)
        check_serving(drill, server, port, token, bsns)
    finally:
        if server is not None:
            stop(server)
        from django.db import connections

        connections.close_all()
        cluster.remove()
    print(f"{'FAIL' if drill.failed else 'PASS'} in {time.monotonic() - began:.0f} s")
    if drill.failed:
        print(f"failed: {'; '.join(drill.failed)} (app log: {WORK / 'gunicorn.log'})")
        sys.exit(1)


if __name__ == "__main__":
    main()
