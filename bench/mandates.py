"""Mandates benchmarks on PostgreSQL, in a database of its own holding 1,000,000 mandates.

(a) The authorisation decision: p50 and p99 in microseconds of `mandates.decision.may`, in
    process, for representative/principal pairs among the 1,000,000 mandates, on two paths:
    allowed by a mandate (one indexed query), and no relation at all (the mandate query finds
    nothing, so the population register is read for parental authority; both people are in
    the register, as real people are). Each is a ratio to a floor measured interleaved in the
    same process: a one-row primary-key read of a mandate through the ORM, the least a
    decision on the database could cost.
(b) The protected page: requests per second of GET /inbox/ for a representative acting for
    the principal through an inbox-read mandate, as a ratio to the same page on a second
    server whose decision point answers "allowed" without looking (`acting.may` replaced),
    both gunicorn on loopback, loaded by wrk in interleaved rounds, medians compared.

The mandates are generated in SQL (generate_series) with secondary indexes built afterwards;
the measured pairs are registered persons with real keyed hashes, written with COPY.

Run by bench/run.py as `python -m bench.mandates <server url>`; it creates and drops its own
database and prints its results as JSON on the last line."""

from __future__ import annotations

import functools
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

import psycopg

from bench.inbox import (
    add_persons,
    bench_environment,
    copy_rows,
    drop_database,
    recreate_database,
    request,
    setup_django,
    stop,
)
from bench.run import ROOT, free_port

DATABASE = "bench_mandates"
MANDATES = int(os.environ.get("BENCH_MANDATES", "1000000"))
PRINCIPALS = MANDATES * 2 // 5
REPRESENTATIVES = MANDATES * 3 // 10
PAIRS = int(os.environ.get("BENCH_MANDATE_PAIRS", "1000"))
DECISION_ROUNDS = int(os.environ.get("BENCH_DECISION_ROUNDS", "3"))
PAGE_ROUNDS = int(os.environ.get("BENCH_MANDATES_ROUNDS", "5"))
DURATION_S = int(os.environ.get("BENCH_SECONDS", "5"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
PAGE_MESSAGES = 30
SENDER = "belastingdienst"
PAGE = "/inbox/"
BYPASSED_APP = "bench.mandates:bypassed_application"

MANDATE_COLUMNS = [
    "id", "principal_hash", "principal_sealed", "representative_hash", "representative_sealed",
    "scope_kind", "scope_slug", "valid_from", "valid_until", "status", "created_at",
    "accepted_at", "first_used_at", "ended_by",
]  # fmt: skip

# Background mandates: principal i % PRINCIPALS, representatives spread over REPRESENTATIVES
# (their hashes are of another domain than the keyed ones, so they never meet a measured
# pair); scopes cycle through the four kinds and the catalogue's slugs; a tenth ended, a
# tenth expired, the rest in their period.
FILL_MANDATES = """
INSERT INTO mandates_mandate (id, principal_hash, principal_sealed, representative_hash,
    representative_sealed, scope_kind, scope_slug, valid_from, valid_until, status,
    created_at, accepted_at, first_used_at, ended_at, ended_by)
SELECT gen_random_uuid(),
    encode(sha256(convert_to('p' || (i %% %(principals)s), 'UTF8')), 'hex'), %(sealed)s,
    encode(sha256(convert_to('r' || ((i::bigint * 7919) %% %(representatives)s), 'UTF8')), 'hex'),
    %(sealed)s,
    (ARRAY['service', 'life-event', 'inbox-read', 'inbox-full'])[1 + i %% 4],
    CASE i %% 4
        WHEN 0 THEN (%(services)s::text[])[1 + (i / 4) %% cardinality(%(services)s::text[])]
        WHEN 1 THEN (%(events)s::text[])[1 + (i / 4) %% cardinality(%(events)s::text[])]
        ELSE '' END,
    %(today)s - (400 + i %% 300), %(today)s - (400 + i %% 300) + CASE WHEN i %% 10 = 1
        THEN 30 + i %% 300 ELSE 730 END,
    CASE WHEN i %% 10 = 0 THEN 'ended' ELSE 'active' END,
    %(now)s - make_interval(days => 400 + i %% 300), %(now)s - make_interval(days => 399),
    %(now)s - make_interval(days => 300),
    CASE WHEN i %% 10 = 0 THEN %(now)s - make_interval(days => 10) END,
    CASE WHEN i %% 10 = 0 THEN 'principal' ELSE '' END
FROM generate_series(1, %(total)s) AS i
"""


# --- data ----------------------------------------------------------------------------------


def _catalogue_slugs() -> tuple[list[str], list[str], str]:
    """All service and life-event slugs, and a service within a life event to ask about."""
    from lifegate.catalogue.models import EventService, LifeEvent, PublicService

    services = sorted(PublicService.objects.values_list("slug", flat=True))
    events = sorted(LifeEvent.objects.values_list("slug", flat=True))
    in_event = EventService.objects.order_by("service__slug").values_list(
        "service__slug", flat=True
    )
    return services, events, str(in_event.first())


def fill_mandates(database_url: str, total: int, services: list[str], events: list[str]) -> None:
    """`total` background mandates generated in SQL, indexes built afterwards."""
    from django.utils import timezone

    from lifegate.core.subject import Subject
    from lifegate.transparency.services import encrypt_subject

    parameters = {
        "principals": PRINCIPALS,
        "representatives": REPRESENTATIVES,
        "sealed": encrypt_subject(Subject("bsn", "999999990")),
        "services": services,
        "events": events,
        "today": timezone.localdate(),
        "now": timezone.now(),
        "total": total,
    }
    with psycopg.connect(database_url, autocommit=True) as connection:
        indexes = connection.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'mandates_mandate'"
            " AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        ).fetchall()
        for name, _definition in indexes:
            connection.execute(f'DROP INDEX "{name}"')
        connection.execute(FILL_MANDATES, parameters)
        connection.execute("SET maintenance_work_mem = '256MB'")
        for _name, definition in indexes:
            connection.execute(definition)


def _mandate_row(principal: Any, representative: Any, kind: str, slug: str) -> tuple[Any, ...]:
    from django.utils import timezone

    from lifegate.transparency.services import encrypt_subject, subject_hash

    now, today = timezone.now(), timezone.localdate()
    return (
        uuid.uuid4(), subject_hash(principal), encrypt_subject(principal),
        subject_hash(representative), encrypt_subject(representative), kind, slug,
        today - timedelta(days=30), today + timedelta(days=335), "active", now, now, now, "",
    )  # fmt: skip


def measured_pairs(service: str) -> list[tuple[Any, Any]]:
    """`PAIRS` registered principals and representatives, each pair with a mandate for
    `service` and one for reading the message box (COPY, real keyed hashes)."""
    from lifegate.core.subject import Subject

    bsns = add_persons(2 * PAIRS)
    pairs = [
        (Subject("bsn", p), Subject("bsn", r)) for p, r in zip(bsns[::2], bsns[1::2], strict=True)
    ]
    rows = [
        _mandate_row(principal, representative, kind, slug)
        for principal, representative in pairs
        for kind, slug in (("service", service), ("inbox-read", ""))
    ]
    copy_rows("mandates_mandate", MANDATE_COLUMNS, iter(rows))
    return pairs


def page_pair() -> tuple[Any, Any, str]:
    """The page's representative (the student persona) acting for the principal (elderly)
    through an inbox-read mandate, with messages in her box; returns both and her name."""
    from bench.inbox import new_messages
    from lifegate.catalogue.models import PublicOrganisation
    from lifegate.inbox.sending import send_messages
    from lifegate.registries.personas import demo_personas
    from lifegate.registries.services import population_register
    from lifegate.transparency.services import Actor

    by_key = {persona.key: persona for persona in demo_personas()}
    principal, representative = by_key["elderly"].subject, by_key["student"].subject
    copy_rows(
        "mandates_mandate",
        MANDATE_COLUMNS,
        iter([_mandate_row(principal, representative, "inbox-read", "")]),
    )
    organisation = PublicOrganisation.objects.get(slug=SENDER)
    messages = new_messages([principal.value] * PAGE_MESSAGES, "mandates-page")
    send_messages(organisation, messages, actor=Actor(kind="agency", organisation=SENDER))
    person = population_register().get_person(principal.value)
    return principal, representative, person.full_name if person else ""


def acting_session(principal: Any, representative: Any, name: str) -> str:
    """A session key: the representative logged in (high), acting for the principal."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from lifegate.core.sealing import seal
    from lifegate.identity.session import SESSION_KEY, Authentication, session_value
    from lifegate.mandates import acting
    from lifegate.transparency.services import subject_hash

    session = SessionStore()
    authentication = Authentication(representative, "high", timezone.now(), "bench")
    session[SESSION_KEY] = session_value(authentication)
    choice = {
        "representative": subject_hash(representative),
        "subject": principal.as_dict(),
        "name": name,
    }
    session[acting.SESSION_KEY] = seal(acting.SEAL_PURPOSE, json.dumps(choice))
    session.save()
    return session.session_key or ""


# --- (a) the decision, in process ----------------------------------------------------------


def _timed(call: Callable[[], Any]) -> tuple[float, Any]:
    began = time.perf_counter_ns()
    result = call()
    return (time.perf_counter_ns() - began) / 1000, result


def _percentiles(values: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(values, n=100)
    return round(cuts[49], 1), round(cuts[98], 1)


def _floor_read(mandate_id: uuid.UUID) -> Any:
    from lifegate.mandates.models import Mandate

    return Mandate.objects.filter(pk=mandate_id).values_list("status").first()


def _calls(
    pair: tuple[Any, Any], stranger: Any, service: str, mandate_id: uuid.UUID
) -> dict[str, Callable[[], Any]]:
    """The floor and the decision on each path, for one representative."""
    from lifegate.mandates.actions import JOURNEYS_SUBMIT
    from lifegate.mandates.decision import may
    from lifegate.transparency.services import Actor

    principal, representative = pair
    actor = Actor(kind="person", subject=representative)
    decide = functools.partial(may, actor, JOURNEYS_SUBMIT, service=service)
    return {
        "floor": functools.partial(_floor_read, mandate_id),
        "mandate": functools.partial(decide, principal),
        "no-relation": functools.partial(decide, stranger),
    }


def decision_times(pairs: list[tuple[Any, Any]], service: str) -> dict[str, list[float]]:
    """Microseconds per call of the floor and of `may` on each path, interleaved per pair;
    fails if a decision is not the expected one."""
    from lifegate.mandates.models import Mandate

    ids = list(Mandate.objects.order_by().values_list("id", flat=True)[: len(pairs)])
    times: dict[str, list[float]] = {"floor": [], "mandate": [], "no-relation": []}
    expected = {"mandate": (True, "mandate"), "no-relation": (False, "no-relation")}
    order = list(range(len(pairs)))
    for round_ in range(DECISION_ROUNDS + 1):  # the first round warms up
        random.Random(round_).shuffle(order)
        for k in order:
            stranger = pairs[(k + 1) % len(pairs)][0]
            for path, call in _calls(pairs[k], stranger, service, ids[k]).items():
                elapsed, outcome = _timed(call)
                if path in expected and (outcome.allowed, outcome.reason) != expected[path]:
                    raise RuntimeError(f"{path}: decided {outcome.reason}")
                if round_:
                    times[path].append(elapsed)
    return times


def decision_results(times: dict[str, list[float]], mandates: int) -> list[dict[str, Any]]:
    floor = _percentiles(times["floor"])
    titles = {
        "mandate": f"Decision allowed by a mandate, among {mandates:,} mandates",
        "no-relation": "Decision with no relation (mandates and population register read)",
    }
    results = []
    for path, title in titles.items():
        values = _percentiles(times[path])
        for index, percentile in enumerate(("p50", "p99")):
            results.append(
                {
                    "name": f"mandates_decision_{path.replace('-', '_')}_{percentile}",
                    "title": f"{title}, {percentile}",
                    "unit": f"µs ({percentile})",
                    "value": values[index],
                    "floor": floor[index],
                    "floor_title": "one-row primary-key read of a mandate through the ORM",
                    "ratio": round(values[index] / floor[index], 3),
                    "goal": None,
                    "samples": len(times[path]),
                }
            )
    return results


# --- (b) the protected page, checked and bypassed ------------------------------------------


@functools.cache
def _bypassed() -> Any:
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()  # Django is set up before any model is imported
    from lifegate.mandates import acting
    from lifegate.mandates.decision import Decision

    allowed = Decision(True, "mandate", "")
    acting.may = lambda *args, **kwargs: allowed
    return application


def bypassed_application(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """WSGI entry of the bypass server: lifegate with a decision point that allows anything
    without looking. Never served outside this benchmark."""
    application: Any = _bypassed()
    result: Iterable[bytes] = application(environ, start_response)
    return result


def _serve(database_url: str, app: str) -> tuple[subprocess.Popen[bytes], int]:
    """gunicorn serving `app` (a WSGI "module:callable") on a free port, once it answers."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(WORKERS), "--log-level", "warning"]
    env = bench_environment() | {"DATABASE_URL": database_url}
    server = subprocess.Popen(command, env=env, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if request(port, "GET", "/healthz")[0] == 200:
                return server, port
        except OSError:
            time.sleep(0.2)
    stop(server)
    raise RuntimeError(f"gunicorn did not start {app}")


def requests_per_second(port: int, cookie: str) -> float:
    """Requests per second that wrk measures at the page; any non-2xx answer fails the run."""
    command = ["wrk", "-t", "2", "-c", str(CONNECTIONS), "-d", f"{DURATION_S}s"]
    command += ["-H", f"Cookie: sessionid={cookie}", f"http://127.0.0.1:{port}{PAGE}"]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    if "Non-2xx" in output:
        raise RuntimeError(f"{PAGE} answered errors during the benchmark:\n{output}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if not match:
        raise RuntimeError(f"could not read wrk output:\n{output}")
    return float(match.group(1))


def _check_page(port: int, cookie: str, name: str) -> None:
    status, body = request(port, "GET", PAGE, headers={"Cookie": f"sessionid={cookie}"})
    if status != 200 or name.encode() not in body:
        raise RuntimeError(f"{PAGE} answered {status} without the acting-for banner")


def page_rates(database_url: str, cookie: str, name: str) -> dict[str, list[float]]:
    """Requests/s of the page checked and bypassed, interleaved rounds after a warm-up."""
    servers = {}
    rates: dict[str, list[float]] = {"checked": [], "bypassed": []}
    try:
        apps = {"checked": "lifegate.wsgi:application", "bypassed": BYPASSED_APP}
        for kind, app in apps.items():
            servers[kind] = _serve(database_url, app)
            _check_page(servers[kind][1], cookie, name)
        for kind in rates:
            requests_per_second(servers[kind][1], cookie)  # warm up
        for round_ in range(PAGE_ROUNDS):
            for kind in ("bypassed", "checked"):
                rates[kind].append(requests_per_second(servers[kind][1], cookie))
            print(
                f"round {round_ + 1}: checked {rates['checked'][-1]:.0f}/s, "
                f"bypassed {rates['bypassed'][-1]:.0f}/s",
                file=sys.stderr,
            )
    finally:
        for server, _port in servers.values():
            stop(server)
    return rates


def page_result(rates: dict[str, list[float]], mandates: int) -> dict[str, Any]:
    value, floor = statistics.median(rates["checked"]), statistics.median(rates["bypassed"])
    return {
        "name": "mandates_protected_page",
        "title": f"Inbox page acting for someone through a mandate, among {mandates:,} mandates",
        "path": PAGE,
        "unit": "requests/s",
        "value": round(value, 1),
        "floor": round(floor, 1),
        "floor_title": "same page, same session, decision point bypassed",
        "ratio": round(value / floor, 3),
        "goal": 0.9,
        "goal_kind": "min",
        "checked_runs": [round(v) for v in rates["checked"]],
        "bypassed_runs": [round(v) for v in rates["bypassed"]],
    }


# --- running -------------------------------------------------------------------------------


def _mandate_count(database_url: str) -> int:
    with psycopg.connect(database_url) as connection:
        row = connection.execute("SELECT count(*) FROM mandates_mandate").fetchone()
    assert row is not None
    return int(row[0])


def run(server_url: str) -> list[dict[str, Any]]:
    """Fill the database, time the decision in process, then load the page on two servers."""
    from django.db import connections

    url = recreate_database(server_url, DATABASE)
    try:
        setup_django(url)
        services, events, service = _catalogue_slugs()
        pairs = measured_pairs(service)
        principal, representative, name = page_pair()
        cookie = acting_session(principal, representative, name)
        began = time.perf_counter()
        fill_mandates(url, MANDATES - _mandate_count(url), services, events)
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute("VACUUM (ANALYZE)")
        print(f"{MANDATES:,} mandates in {time.perf_counter() - began:.0f} s", file=sys.stderr)
        mandates = _mandate_count(url)
        results = decision_results(decision_times(pairs, service), mandates)
        connections.close_all()
        results.append(page_result(page_rates(url, cookie, name), mandates))
    finally:
        connections.close_all()
        drop_database(server_url, DATABASE)
    return results


def main() -> None:
    """Run both benchmarks; print the results as JSON on the last line."""
    if len(sys.argv) < 2:
        sys.exit("usage: python -m bench.mandates <postgres server url>")
    print(json.dumps(run(sys.argv[1])))


if __name__ == "__main__":
    main()
