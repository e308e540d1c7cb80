"""Message box benchmarks on PostgreSQL, each a ratio to a floor measured in the same run.

(a) Bulk send: messages per second stored end to end through the agency API (POST
    /api/agency/messages/bulk, 10,000 messages of realistic size per request, to 10,000
    registered persons, gunicorn on loopback), as a ratio to `COPY` of as many rows of the same
    columns and bytes into a table shaped like the message table (same indexes and foreign
    keys, which the database checks for every row). Rounds are interleaved (COPY, API, COPY,
    API, ...) and the medians compared. COPY into a table without any index or foreign key is
    reported beside it, for information.
(b) Inbox page: p95 of GET /inbox/ (logged in, through HTTP) for a person with 10,000 messages
    when the message table holds 2,000,000 messages of 200,000 recipients, as a ratio to the
    same page when it holds only that person's 10,000. The two states are two databases, each
    served by its own gunicorn, measured interleaved so that a noisy machine moves both alike.
    Bulk rows are generated in SQL (generate_series). The page's SQL is captured in-process:
    it must not count messages (the unread count comes from the mailbox row).

Run by bench/run.py as `python -m bench.inbox <server url>`; it creates and drops its own
databases and prints its results as JSON on the last line. Add `send` or `page` to run one of
the two, or `--profile` to profile `send_messages` with 10,000 messages (cProfile) instead."""

from __future__ import annotations

import cProfile
import http.client
import json
import os
import pstats
import re
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from enum import Enum
from pathlib import Path
from typing import Any

import psycopg

from bench.journeys import PERSON_COLUMNS, valid_bsns
from bench.run import ROOT, free_port

BULK = 10_000
SEND_ROUNDS = int(os.environ.get("BENCH_INBOX_ROUNDS", "5"))
PERSON_MESSAGES = 10_000
TABLE_MESSAGES = int(os.environ.get("BENCH_INBOX_MESSAGES", "2000000"))
TABLE_RECIPIENTS = TABLE_MESSAGES // 10
PAGE_REQUESTS = int(os.environ.get("BENCH_PAGE_REQUESTS", "300"))
PAGE_CHUNK = 25
WARM_UP = 30
SEND_DATABASE = "bench_inbox_send"
SMALL_DATABASE = "bench_inbox_page_small"
LARGE_DATABASE = "bench_inbox_page_large"
SENDER = "belastingdienst"
# The benchmark's sessions must outlive the generation of the large table.
SESSION_SECONDS = "14400"
COUNT_OF_MESSAGES = re.compile(r"count\s*\(.*?\bfrom\s+\"?inbox_message\"?\b", re.I | re.S)


# --- databases and servers -----------------------------------------------------------------


def recreate_database(server_url: str, name: str, template: str = "") -> str:
    """Drop and create database `name` (a copy of `template`, if given); returns its URL."""
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        suffix = f" TEMPLATE {template}" if template else ""
        connection.execute(f"CREATE DATABASE {name}{suffix}")
    return f"{server_url}/{name}"


def drop_database(server_url: str, name: str) -> None:
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def bench_environment() -> dict[str, str]:
    """The environment of the benchmark and of the servers it starts: bench/run.py's when run
    from there, the same defaults when run on its own."""
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_bench")
    env.setdefault("LIFEGATE_VAR_DIR", str(ROOT / "bench" / ".work"))
    env["PYTHONPATH"] = f"{ROOT / 'src'}:{ROOT}"
    env["LIFEGATE_SESSION_SECONDS"] = SESSION_SECONDS
    return env


def serve(
    database_url: str,
    *,
    workers: int = 1,
    threads: int = 1,
    env: dict[str, str] | None = None,
    log: Path | None = None,
) -> tuple[subprocess.Popen[bytes], int]:
    """Start gunicorn on a free port against `database_url` (its output appended to `log`, if
    given); returns the process and the port once the app answers."""
    port = free_port()
    environment = (env or bench_environment()) | {"DATABASE_URL": database_url}
    command = [sys.executable, "-m", "gunicorn", "lifegate.wsgi:application"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    command += ["--threads", str(threads), "--backlog", "2048"]
    command += ["--timeout", "600", "--log-level", "warning"]
    output = log.open("ab") if log else None
    server = subprocess.Popen(
        command, env=environment, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT if log else None
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _ = request(port, "GET", "/healthz")
            if status == 200:
                return server, port
        except OSError:
            time.sleep(0.2)
    stop(server)
    raise RuntimeError("gunicorn did not start")


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    """One HTTP request to the server on `port`; returns status and body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


# --- inside Django -------------------------------------------------------------------------


def setup_django(database_url: str) -> None:
    """Django in this process, on `database_url`: migrated, catalogue and a small demo
    population loaded."""
    os.environ.update(bench_environment() | {"DATABASE_URL": database_url})
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", "--noinput", verbosity=0)
    from lifegate.catalogue.loader import load_catalogue
    from lifegate.registries.demo_loader import load_demo_population

    load_catalogue()
    load_demo_population(seed=20261122, size=300)


def copy_rows(table: str, columns: list[str], rows: Iterator[tuple[Any, ...]]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def add_persons(count: int, first: int = 93_000_000) -> list[str]:
    """Register `count` new persons (COPY, valid BSNs counting up from `first`); their BSNs."""
    bsns = valid_bsns(first)
    new = [next(bsns) for _ in range(count)]
    person = ("Bench", "", "Bakker", "male", date(1980, 2, 1), "Utrecht", "NL", "NL", True)
    copy_rows("registries_registeredperson", PERSON_COLUMNS, ((bsn, *person) for bsn in new))
    return new


def message_json(bsn: str, key: str, number: int) -> dict[str, Any]:
    """One message as an agency sends it: a tax assessment of about 1 KB of Markdown, with the
    person's own amount and reference."""
    amount = 100 + number % 9000
    body = (
        "## Uw voorlopige aanslag inkomstenbelasting 2027\n\n"
        f"Geachte heer, mevrouw,\n\nWij hebben uw voorlopige aanslag berekend. U betaalt "
        f"**EUR {amount},00** in 11 termijnen. Het aanslagnummer is `{number:012d}.H.76.01`.\n\n"
        "Wat moet u doen?\n\n"
        "- Controleer de gegevens die wij hebben gebruikt (zie de toelichting).\n"
        "- Klopt er iets niet? Pas dan uw voorlopige aanslag aan via Mijn Belastingdienst.\n"
        "- Betaal elke termijn op tijd, of geef ons een machtiging voor automatische incasso.\n\n"
        "Heeft u vragen? Kijk op [belastingdienst.nl](https://www.belastingdienst.nl/) of bel "
        "de BelastingTelefoon: 0800 - 0543. Wij zijn bereikbaar van maandag tot en met "
        "donderdag van 8.00 tot 20.00 uur en op vrijdag van 8.00 tot 17.00 uur.\n\n"
        "Bent u het niet eens met deze aanslag? Dan kunt u binnen zes weken na de datum van "
        "dit bericht bezwaar maken. Doe dit bij voorkeur digitaal.\n\n"
        "Met vriendelijke groet,\n\nde inspecteur van de Belastingdienst"
    )
    return {
        "recipient": {"scheme": "bsn", "value": bsn},
        "subject": f"Voorlopige aanslag inkomstenbelasting 2027 ({number:06d})",
        "body": body,
        "category": "decision",
        "language": "nl",
        "action_required_by": str(date.today() + timedelta(days=42)),
        "idempotency_key": key,
    }


def new_messages(bsns: list[str], prefix: str) -> list[Any]:
    """The same messages as `message_json`, as `send_messages` takes them."""
    from lifegate.core.subject import Subject
    from lifegate.inbox.sending import NewMessage

    result = []
    for number, bsn in enumerate(bsns):
        data = message_json(bsn, f"{prefix}-{number}", number)
        result.append(
            NewMessage(
                recipient=Subject("bsn", bsn),
                subject=data["subject"],
                body=data["body"],
                category=data["category"],
                language=data["language"],
                action_required_by=date.fromisoformat(data["action_required_by"]),
                idempotency_key=data["idempotency_key"],
            )
        )
    return result


def _agency() -> tuple[Any, Any, str]:
    """The sending organisation, its new API client and a bearer token of that client."""
    from lifegate.catalogue.models import PublicOrganisation
    from lifegate.journeys import agency

    organisation = PublicOrganisation.objects.get(slug=SENDER)
    client, secret = agency.create_client(organisation, "bench", ["messages"])
    return organisation, client, agency.bearer_token(client, secret)


# --- (a) bulk send through the API vs COPY -------------------------------------------------


def message_columns() -> list[str]:
    """Every column of the message table, as the API's insert writes them: taken from the
    model, so that a new field cannot make the floor write less than the API."""
    from lifegate.inbox.models import Message

    return [str(field.column) for field in Message._meta.concrete_fields]


def floor_rows(
    organisation: Any, client: Any, messages: list[dict[str, Any]]
) -> list[tuple[Any, ...]]:
    """The rows the API would store for `messages` sent by `client`: same columns, same bytes.
    Columns the API leaves at their default get the model's default."""
    from django.utils import timezone

    from lifegate.core.subject import Subject
    from lifegate.inbox.models import Message
    from lifegate.transparency.services import encrypt_subject, subject_hash

    now = timezone.now()
    template = Message()
    defaults = {
        str(field.column): _plain(getattr(template, field.attname))
        for field in Message._meta.concrete_fields
    }
    rows = []
    for data in messages:
        subject = Subject("bsn", data["recipient"]["value"])
        row = defaults | {
            "id": uuid.uuid4(),
            "recipient_hash": subject_hash(subject),
            "recipient_sealed": encrypt_subject(subject),
            "organisation_id": organisation.pk,
            "sender_client_id": client.pk,
            "idempotency_key": data["idempotency_key"],
            "request_hash": "f" * 64,
            "subject": data["subject"],
            "body": data["body"],
            "category": data["category"],
            "language": data["language"],
            "action_required_by": date.fromisoformat(data["action_required_by"]),
            "sent_at": now,
            "expires_at": now + timedelta(days=7 * 365),
        }
        rows.append(tuple(row.values()))
    return rows


def _plain(value: Any) -> Any:
    """A field default as COPY takes it: choices by their value."""
    return value.value if isinstance(value, Enum) else value


def add_foreign_keys(cursor: Any, table: str, like: str) -> None:
    """Give `table` the foreign keys of `like` (CREATE TABLE ... LIKE copies none of them)."""
    cursor.execute(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype = 'f'",
        [like],
    )
    for (definition,) in cursor.fetchall():
        cursor.execute(f"ALTER TABLE {table} ADD {definition}")


def _copy_seconds(table: str, rows: list[tuple[Any, ...]]) -> float:
    began = time.perf_counter()
    copy_rows(table, message_columns(), iter(rows))  # autocommit: the COPY is its transaction
    return time.perf_counter() - began


def _post_seconds(port: int, token: str, messages: list[dict[str, Any]]) -> float:
    """Seconds for one bulk request; fails unless every message was stored."""
    from lifegate.inbox.models import Message

    payload = json.dumps({"messages": messages}).encode()
    before = Message.objects.count()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    began = time.perf_counter()
    status, body = request(port, "POST", "/api/agency/messages/bulk", payload, headers)
    elapsed = time.perf_counter() - began
    stored = Message.objects.count() - before
    if status >= 300 or stored != len(messages):
        raise RuntimeError(f"bulk send answered {status} and stored {stored}: {body[:500]!r}")
    return elapsed


def bench_bulk_send(server_url: str) -> list[dict[str, Any]]:
    """(a) messages/s through the bulk API vs COPY of the same rows (median of the rounds)."""
    from django.db import connection

    url = recreate_database(server_url, SEND_DATABASE)
    try:
        setup_django(url)
        organisation, client, token = _agency()
        bsns = add_persons(BULK)
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE bench_copy_floor (LIKE inbox_message INCLUDING ALL)")
            add_foreign_keys(cursor, "bench_copy_floor", "inbox_message")
            cursor.execute("CREATE TABLE bench_copy_bare (LIKE inbox_message)")
        server, port = serve(url)
        api, floor, bare = [], [], []
        try:
            warm_up = [message_json(bsn, f"warm-{i}", i) for i, bsn in enumerate(bsns[:200])]
            _post_seconds(port, token, warm_up)
            for round_ in range(SEND_ROUNDS):
                messages = [message_json(b, f"r{round_}-{i}", i) for i, b in enumerate(bsns)]
                rows = floor_rows(organisation, client, messages)
                floor.append(BULK / _copy_seconds("bench_copy_floor", rows))
                bare.append(BULK / _copy_seconds("bench_copy_bare", rows))
                api.append(BULK / _post_seconds(port, token, messages))
                print(
                    f"round {round_ + 1}: API {api[-1]:.0f}/s, COPY {floor[-1]:.0f}/s, "
                    f"COPY without indexes {bare[-1]:.0f}/s",
                    file=sys.stderr,
                )
        finally:
            stop(server)
        size = len(json.dumps({"messages": messages}).encode()) // BULK
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(server_url, SEND_DATABASE)
    value = statistics.median(api)
    common = {
        "path": "/api/agency/messages/bulk",
        "unit": "messages/s",
        "value": round(value, 1),
        "goal_kind": "min",
        "api_runs": [round(v) for v in api],
        "bytes_per_message": size,
    }
    return [
        common
        | {
            "name": "inbox_bulk_send",
            "title": f"Bulk send through the API ({BULK:,} per request, ~{size} B each)",
            "floor": round(statistics.median(floor), 1),
            "floor_title": "COPY of the same rows into a table shaped like the message table",
            "ratio": round(value / statistics.median(floor), 3),
            "goal": 0.5,
            "floor_runs": [round(v) for v in floor],
        },
        common
        | {
            "name": "inbox_bulk_send_vs_bare_copy",
            "title": "Bulk send through the API, against COPY into a table without indexes",
            "floor": round(statistics.median(bare), 1),
            "floor_title": "COPY of the same rows into a table without indexes",
            "ratio": round(value / statistics.median(bare), 3),
            "goal": None,
            "floor_runs": [round(v) for v in bare],
        },
    ]


def profile_send(server_url: str) -> None:
    """cProfile of `send_messages` with 10,000 messages: where the time goes."""
    url = recreate_database(server_url, SEND_DATABASE)
    try:
        setup_django(url)
        from lifegate.inbox.sending import send_messages
        from lifegate.transparency.services import Actor

        organisation, _client, _token = _agency()
        bsns = add_persons(BULK)
        actor = Actor(kind="agency", organisation=SENDER)
        send_messages(organisation, new_messages(bsns[:200], "warm"), actor=actor)
        began = time.perf_counter()
        send_messages(organisation, new_messages(bsns, "timed"), actor=actor)
        elapsed = time.perf_counter() - began
        messages = new_messages(bsns, "profiled")
        profiler = cProfile.Profile()
        profiler.enable()
        send_messages(organisation, messages, actor=actor)
        profiler.disable()
        print(f"send_messages: {BULK:,} messages in {elapsed:.2f} s ({BULK / elapsed:.0f}/s)")
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats("cumulative").print_stats(30)
        stats.sort_stats("tottime").print_stats(25)
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(server_url, SEND_DATABASE)


# --- (b) the inbox page at 2,000,000 messages vs 10,000 ------------------------------------

BULK_BODY = (
    "Wij hebben uw aanvraag ontvangen en beoordeeld. In dit bericht leest u ons besluit en "
    "wat u nu moet doen. Bent u het niet eens met dit besluit? Dan kunt u binnen zes weken "
    "bezwaar maken. Heeft u vragen? Neem dan contact met ons op via het telefoonnummer op "
    "onze website. " * 3
)
# The person's messages are every `every`-th generated row, numbered k = i / every; the same
# k gives the same sending time and read state in both databases. A fifth are unread.
FILL_MESSAGES = """
INSERT INTO inbox_message (id, recipient_hash, recipient_sealed, organisation_id,
    idempotency_key, request_hash, subject, body, category, language, sent_at, unread,
    read_at, archived, notification_state, expires_at, read_by_sealed, read_on_behalf)
SELECT gen_random_uuid(),
    CASE WHEN mine THEN %(hash)s
         ELSE encode(sha256(convert_to('r' || (i %% %(others)s), 'UTF8')), 'hex') END,
    CASE WHEN mine THEN %(sealed)s ELSE %(other_sealed)s END,
    %(organisation)s, 'bench-' || i, md5(i::text) || md5(i::text),
    'Besluit op uw aanvraag ' || i, %(body)s, 'decision', 'nl',
    %(now)s - make_interval(mins => k), k %% 5 = 0,
    CASE WHEN k %% 5 = 0 THEN NULL ELSE %(now)s - make_interval(mins => k) + interval '1 day' END,
    false, 'sent', %(now)s + interval '7 years', '', false
FROM (SELECT i, i %% %(every)s = 0 AS mine,
             CASE WHEN i %% %(every)s = 0 THEN i / %(every)s ELSE i END AS k
      FROM generate_series(1, %(total)s) AS i) AS generated
"""
FILL_MAILBOXES = """
INSERT INTO inbox_mailbox (recipient_hash, unread_count, message_count, email_sealed,
    pending_email_sealed, notify, notify_language, updated_at)
SELECT recipient_hash, count(*) FILTER (WHERE unread), count(*), '', '', 'every', 'nl', now()
FROM inbox_message GROUP BY recipient_hash
"""


def fill(database_url: str, total: int, parameters: dict[str, Any]) -> None:
    """Generate `total` messages (the person's 10,000 among them) and every recipient's
    mailbox counters, then bring statistics up to date as in a steady-state database."""
    every = total // PERSON_MESSAGES
    others = max(TABLE_RECIPIENTS - 1, 1)
    with psycopg.connect(database_url, autocommit=True) as connection:
        # Secondary indexes are built after the rows, as a restore would: much faster than
        # updating them row by row. Primary key and unique constraint stay in place.
        indexes = connection.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'inbox_message'"
            " AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        ).fetchall()
        for name, _definition in indexes:
            connection.execute(f'DROP INDEX "{name}"')
        connection.execute(
            FILL_MESSAGES, parameters | {"total": total, "every": every, "others": others}
        )
        connection.execute("SET maintenance_work_mem = '256MB'")
        for _name, definition in indexes:
            connection.execute(definition)
        connection.execute(FILL_MAILBOXES)
        connection.execute("VACUUM (ANALYZE)")


def _viewer() -> tuple[Any, str]:
    """A real register person (the demo parent) and a logged-in session cookie for them."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from lifegate.identity.session import SESSION_KEY, Authentication, session_value
    from lifegate.registries.personas import demo_personas

    persona = next(p for p in demo_personas() if p.key == "parent")
    session = SessionStore()
    authentication = Authentication(persona.subject, "high", timezone.now(), "bench")
    session[SESSION_KEY] = session_value(authentication)
    session.save()
    return persona.subject, session.session_key or ""


def page_queries(cookie: str) -> list[str]:
    """The SQL of one inbox page, captured in-process; fails if any counts messages."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie
    client.get("/inbox/")  # first request: sessions, translations, templates
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/inbox/")
    if response.status_code != 200:
        raise RuntimeError(f"/inbox/ answered {response.status_code}")
    queries = [str(query["sql"]) for query in captured.captured_queries]
    counting = [sql for sql in queries if COUNT_OF_MESSAGES.search(sql)]
    if counting:
        raise RuntimeError(f"the inbox page counts messages: {counting[0][:300]}")
    return queries


def _page_p95(ports: dict[str, int], cookie: str) -> dict[str, float]:
    """p95 seconds of GET /inbox/ on each server, requests interleaved in chunks."""
    headers = {"Cookie": f"sessionid={cookie}"}
    times: dict[str, list[float]] = {name: [] for name in ports}
    for port in ports.values():
        for _ in range(WARM_UP):
            request(port, "GET", "/inbox/", headers=headers)
    while len(times["large"]) < PAGE_REQUESTS:
        for name, port in ports.items():
            for _ in range(PAGE_CHUNK):
                began = time.perf_counter()
                status, _body = request(port, "GET", "/inbox/", headers=headers)
                times[name].append(time.perf_counter() - began)
                if status != 200:
                    raise RuntimeError(f"/inbox/ answered {status} on the {name} database")
    return {name: statistics.quantiles(values, n=20)[-1] for name, values in times.items()}


def _table_size(database_url: str) -> tuple[int, int]:
    with psycopg.connect(database_url) as connection:
        row = connection.execute(
            "SELECT count(*), count(DISTINCT recipient_hash) FROM inbox_message"
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def bench_inbox_page(server_url: str) -> dict[str, Any]:
    """(b) p95 of /inbox/ at 2,000,000 messages of 200,000 recipients vs only the person's."""
    from django.db import connections
    from django.utils import timezone

    small_url = recreate_database(server_url, SMALL_DATABASE)
    large_url = ""
    servers = []
    try:
        setup_django(small_url)
        from lifegate.catalogue.models import PublicOrganisation
        from lifegate.core.subject import Subject
        from lifegate.transparency.services import encrypt_subject, subject_hash

        subject, cookie = _viewer()
        parameters = {
            "hash": subject_hash(subject),
            "sealed": encrypt_subject(subject),
            "other_sealed": encrypt_subject(Subject("bsn", "999999990")),
            "organisation": PublicOrganisation.objects.get(slug=SENDER).pk,
            "body": BULK_BODY,
            "now": timezone.now(),
        }
        connections.close_all()  # a template database must have no other connections
        large_url = recreate_database(server_url, LARGE_DATABASE, template=SMALL_DATABASE)
        fill(small_url, PERSON_MESSAGES, parameters)
        began = time.perf_counter()
        fill(large_url, TABLE_MESSAGES, parameters)
        generation = time.perf_counter() - began
        queries = page_queries(cookie)
        print(f"inbox page: {len(queries)} queries, none counts messages", file=sys.stderr)
        connections.close_all()
        ports = {}
        for name, url in (("small", small_url), ("large", large_url)):
            server, ports[name] = serve(url)
            servers.append(server)
        p95 = _page_p95(ports, cookie)
        messages, recipients = _table_size(large_url)
        small_messages, _ = _table_size(small_url)
    finally:
        for server in servers:
            stop(server)
        connections.close_all()
        drop_database(server_url, SMALL_DATABASE)
        drop_database(server_url, LARGE_DATABASE)
    return {
        "name": "inbox_page_p95",
        "title": f"Inbox page p95 at {messages:,} messages / {recipients:,} recipients",
        "path": "/inbox/",
        "unit": "ms (p95)",
        "value": round(p95["large"] * 1000, 2),
        "floor": round(p95["small"] * 1000, 2),
        "floor_title": f"same page with only the person's {small_messages:,} messages",
        "ratio": round(p95["large"] / p95["small"], 3),
        "goal": 1.2,
        "goal_kind": "max",
        "generation_seconds": round(generation, 1),
        "page_queries": len(queries),
    }


def main() -> None:
    """Measure both benchmarks, each in a process of its own (Django is set up once per
    process, on one database), or one of them (`send`, `page`), or profile the send path
    (`--profile`); print the results as JSON on the last line."""
    server_url = sys.argv[1]
    part = sys.argv[2] if len(sys.argv) > 2 else ""
    if part == "--profile":
        profile_send(server_url)
        return
    if part:
        print(json.dumps(PARTS[part](server_url)))
        return
    results = []
    for name in PARTS:
        output = subprocess.run(
            [sys.executable, "-m", "bench.inbox", server_url, name],
            check=True,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        ).stdout
        results += json.loads(output.strip().splitlines()[-1])
    print(json.dumps(results))


PARTS = {"send": bench_bulk_send, "page": lambda url: [bench_inbox_page(url)]}


if __name__ == "__main__":
    main()
