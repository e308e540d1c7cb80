"""Journey benchmarks on PostgreSQL, each a ratio to a floor measured in the same run.

(a) Proactive birth events processed per second: accepted through `events.receive` (what
    POST /api/events/ does) and turned into journeys by the durable task worker
    (`db_worker --batch`), as a ratio to plain single-row INSERTs of as many rows as
    processing wrote (journeys + steps), one transaction per event.
(b) p95 time of the plan page (GET /journeys/<id>/, logged in, through Django's test client)
    with 100,000 persons and 200,000 journeys, as a ratio to the same page with 1,000 persons
    and 2,000 journeys. Bulk rows are written with COPY.

Run by bench/run.py as `python -m bench.journeys <database url>`; it creates and drops its own
database and prints its results as JSON on the last line."""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import psycopg

EVENTS = int(os.environ.get("BENCH_EVENTS", "500"))
EVENT_CHUNKS = 5
SMALL = (1_000, 2_000)
LARGE = (100_000, 200_000)
PAGE_REQUESTS = int(os.environ.get("BENCH_PAGE_REQUESTS", "300"))
WARM_UP = 30
DATABASE = "lifegate_bench_journeys"


def valid_bsns(start: int) -> Iterator[str]:
    """Nine-digit numbers passing the elfproef, counting up from the eight-digit `start`."""
    number = start
    while True:
        digits = f"{number:08d}"
        check = sum(w * int(d) for w, d in zip(range(9, 1, -1), digits, strict=True)) % 11
        number += 1
        if check < 10:
            yield digits + str(check)


def recreate_database(server_url: str) -> str:
    """Drop and create the benchmark database; returns its URL."""
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DATABASE}")
    return f"{server_url}/{DATABASE}"


def drop_database(server_url: str) -> None:
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


# --- inside Django -------------------------------------------------------------------------


def setup_django() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", "--noinput", verbosity=0)
    from lifegate.catalogue.loader import load_catalogue
    from lifegate.registries.demo_loader import load_demo_population

    load_catalogue()
    load_demo_population(seed=20261122, size=300)


def _families(count: int, bsns: Iterator[str]) -> list[str]:
    """`count` newborns each with two parents holding parental authority; their BSNs."""
    from lifegate.registries.models import ParentChildRelation, RegisteredPerson

    today = date.today()

    def person(born: date, gender: str) -> RegisteredPerson:
        return RegisteredPerson(
            bsn=next(bsns),
            given_names="Bench",
            family_name="Jansen",
            gender=gender,
            date_of_birth=born,
            place_of_birth="Utrecht",
            country_of_birth="NL",
            nationality="NL",
        )

    rows = []
    for _ in range(count):
        rows += [
            person(today - timedelta(days=3), "female"),
            person(date(1990, 5, 1), "female"),
            person(date(1989, 3, 1), "male"),
        ]
    RegisteredPerson.objects.bulk_create(rows, batch_size=1000)
    links = [
        ParentChildRelation(parent=parent, child=rows[i], has_parental_authority=True)
        for i in range(0, len(rows), 3)
        for parent in rows[i + 1 : i + 3]
    ]
    ParentChildRelation.objects.bulk_create(links, batch_size=1000)
    return [rows[i].bsn for i in range(0, len(rows), 3)]


def _floor_events(count: int, rows_per_event: int) -> float:
    """Seconds to insert `rows_per_event` plain rows per event, one transaction per event."""
    from django.db import connection, transaction

    payload = "x" * 200
    started = time.perf_counter()
    for _ in range(count):
        with transaction.atomic(), connection.cursor() as cursor:
            for _ in range(rows_per_event):
                cursor.execute(
                    "INSERT INTO bench_floor_row (journey, payload) VALUES (%s, %s)",
                    [str(uuid.uuid4()), payload],
                )
    return time.perf_counter() - started


def bench_events() -> dict[str, Any]:
    """(a) birth events processed per second vs plain inserts of the same rows."""
    from django.core.management import call_command
    from django.db import connection

    from lifegate.catalogue.models import PublicOrganisation
    from lifegate.journeys import agency, events
    from lifegate.journeys.models import Journey, Step

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_floor_row (id bigserial PRIMARY KEY, journey uuid, payload text)"
        )
    children = _families(EVENTS, valid_bsns(91_000_000))
    rvig = PublicOrganisation.objects.get(slug="rvig")
    client, _secret = agency.create_client(rvig, "bench", ["events"])
    source = f"urn:nld:oin:{rvig.oin}:systeem:brp"
    messages = [
        events.structured(events.registry_event(events.BIRTH_REGISTERED, bsn, source, f"b{i}"))
        for i, bsn in enumerate(children)
    ]
    chunk = EVENTS // EVENT_CHUNKS
    event_seconds, floor_seconds, rows_per_event = 0.0, 0.0, 0
    journeys_before = Journey.objects.count()
    rows_before = journeys_before + Step.objects.count()
    for start in range(0, EVENTS, chunk):
        began = time.perf_counter()
        for message in messages[start : start + chunk]:
            outcome = events.receive(message.headers, message.body, client)
            assert outcome.status == "accepted", outcome
        # The durable task worker starts the journeys, as in production.
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        event_seconds += time.perf_counter() - began
        if not rows_per_event:
            written = Journey.objects.count() + Step.objects.count() - rows_before
            rows_per_event = round(written / chunk)
        floor_seconds += _floor_events(chunk, rows_per_event)
    journeys = Journey.objects.count() - journeys_before
    assert journeys == 2 * EVENTS, f"the worker started {journeys} journeys for {EVENTS} births"
    value, floor = EVENTS / event_seconds, EVENTS / floor_seconds
    return {
        "name": "proactive_birth_events",
        "title": f"Proactive birth events processed ({journeys // EVENTS} journeys each)",
        "path": "journeys.events.receive + db_worker",
        "unit": "events/s",
        "value": round(value, 1),
        "floor": round(floor, 1),
        "floor_title": f"plain INSERTs, {rows_per_event} rows per transaction",
        "ratio": round(value / floor, 3),
        "goal": None,
        "goal_kind": "min",
        "journeys_per_second": round(value * journeys / EVENTS, 1),
    }


def _copy(table: str, columns: list[str], rows: Iterator[tuple[Any, ...]]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


PERSON_COLUMNS = [
    "bsn",
    "given_names",
    "name_prefix",
    "family_name",
    "gender",
    "date_of_birth",
    "place_of_birth",
    "country_of_birth",
    "nationality",
    "resident",
]
JOURNEY_COLUMNS = [
    "id",
    "life_event_id",
    "life_event_slug",
    "name_nl",
    "name_en",
    "subject_hash",
    "subject_sealed",
    "related_hash",
    "related_sealed",
    "status",
    "origin",
    "answers_sealed",
    "language",
    "started_on",
    "created_at",
    "updated_at",
]
STEP_COLUMNS = [
    "journey_id",
    "service_id",
    "service_slug",
    "name_nl",
    "name_en",
    "organisation_nl",
    "organisation_en",
    "kind",
    "position",
    "applicable",
    "reason_nl",
    "reason_en",
    "depends_on",
    "deadline",
    "minimum_assurance_level",
    "status",
    "status_message",
    "updated_at",
]


class Bulk:
    """Adds persons, each with two journeys (copies of real plans), with COPY."""

    def __init__(self) -> None:
        from lifegate.core.subject import Subject
        from lifegate.journeys import services
        from lifegate.journeys.models import Journey
        from lifegate.transparency.services import Actor

        self.bsns = valid_bsns(90_000_000)
        self.templates = []
        template_person = Subject("bsn", next(self.bsns))
        for slug in ("birth", "moving-house"):
            start = services.Start(subject=template_person, actor=Actor(kind="system"))
            journey = services.start_journey(services.startable_life_event(slug), start)
            self.templates.append((journey, list(journey.steps.all())))
        # Plans stay as built; only their owners differ.
        Journey.objects.filter(pk__in=[j.pk for j, _ in self.templates]).delete()

    def add(self, persons: int, registered: list[str] | None = None) -> None:
        """Register `persons` new persons; give them and the `registered` ones two journeys."""
        from django.utils import timezone

        from lifegate.core.subject import Subject
        from lifegate.transparency.services import encrypt_subject, subject_hash

        new = [next(self.bsns) for _ in range(persons)]
        now = timezone.now()
        born = date(1985, 1, 1)
        person = ("Bench", "", "de Vries", "female", born, "Utrecht", "NL", "NL", True)
        _copy("registries_registeredperson", PERSON_COLUMNS, ((bsn, *person) for bsn in new))
        journeys: list[tuple[Any, ...]] = []
        steps: list[tuple[Any, ...]] = []
        for bsn in new + (registered or []):
            subject = Subject("bsn", bsn)
            hashed, sealed = subject_hash(subject), encrypt_subject(subject)
            for template, template_steps in self.templates:
                journey_id = uuid.uuid4()
                journeys.append(
                    (journey_id, template.life_event_id, template.life_event_slug,
                     template.name_nl, template.name_en, hashed, sealed, "", "", "active",
                     "person", template.answers_sealed, "nl", template.started_on, now, now)
                )  # fmt: skip
                steps.extend(
                    (journey_id, s.service_id, s.service_slug, s.name_nl, s.name_en,
                     s.organisation_nl, s.organisation_en, s.kind, s.position, s.applicable,
                     s.reason_nl, s.reason_en, json.dumps(s.depends_on), s.deadline,
                     s.minimum_assurance_level, s.status, "", now)
                    for s in template_steps
                )  # fmt: skip
        _copy("journeys_journey", JOURNEY_COLUMNS, iter(journeys))
        _copy("journeys_step", STEP_COLUMNS, iter(steps))
        from django.db import connection

        # As a database in steady state: statistics current, freshly copied pages vacuumed.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")


def _viewer() -> tuple[Any, str, str]:
    """A logged-in test client of a real register person (the demo parent), and the URL of
    the plan of their own journey."""
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from lifegate.identity.session import SESSION_KEY, Authentication, session_value
    from lifegate.journeys import services
    from lifegate.registries.services import demo_personas
    from lifegate.transparency.services import Actor

    persona = next(p for p in demo_personas() if p.key == "parent")
    start = services.Start(subject=persona.subject, actor=Actor(kind="person"))
    journey = services.start_journey(services.startable_life_event("birth"), start)
    services.start_journey(services.startable_life_event("moving-house"), start)
    session = SessionStore()
    authentication = Authentication(persona.subject, "high", timezone.now(), "bench")
    session[SESSION_KEY] = session_value(authentication)
    session.save()
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key or ""
    url = reverse("journeys:journey", args=[journey.pk])
    return client, url, persona.subject.value


def _p95(client: Any, url: str) -> float:
    """p95 seconds of GET `url` over PAGE_REQUESTS requests, after a warm-up."""
    times = []
    for i in range(WARM_UP + PAGE_REQUESTS):
        began = time.perf_counter()
        response = client.get(url, secure=True)
        elapsed = time.perf_counter() - began
        if response.status_code != 200:
            raise RuntimeError(f"plan page answered {response.status_code}")
        if i >= WARM_UP:
            times.append(elapsed)
    return statistics.quantiles(times, n=20)[-1]


def bench_plan_page() -> dict[str, Any]:
    """(b) p95 of the plan page at 100,000 persons / 200,000 journeys vs 1,000 / 2,000."""
    from lifegate.journeys.models import Journey
    from lifegate.registries.models import RegisteredPerson

    bulk = Bulk()
    client, url, viewer = _viewer()
    # The viewer has two real journeys; every other registered person gets two bulk ones.
    others = list(RegisteredPerson.objects.exclude(bsn=viewer).values_list("bsn", flat=True))
    bulk.add(SMALL[0] - len(others) - 1, registered=others)
    small = _p95(client, url)
    small_journeys = Journey.objects.count()
    began = time.perf_counter()
    bulk.add(LARGE[0] - RegisteredPerson.objects.count())
    generation = time.perf_counter() - began
    large = _p95(client, url)
    persons, journeys = RegisteredPerson.objects.count(), Journey.objects.count()
    return {
        "name": "plan_page_p95",
        "title": f"Plan page p95 at {persons:,} persons / {journeys:,} journeys",
        "path": "/journeys/<id>/",
        "unit": "ms (p95)",
        "value": round(large * 1000, 2),
        "floor": round(small * 1000, 2),
        "floor_title": f"same page at {SMALL[0]:,} persons / {small_journeys:,} journeys",
        "ratio": round(large / small, 3),
        "goal": 1.3,
        "goal_kind": "max",
        "generation_seconds": round(generation, 1),
    }


def main() -> None:
    """Measure both benchmarks in a fresh database; print the results as JSON."""
    server_url = sys.argv[1]
    os.environ["DATABASE_URL"] = recreate_database(server_url)
    try:
        setup_django()
        # The plan page first: its small case needs a database holding only 1,000 persons.
        page = bench_plan_page()
        results = [bench_events(), page]
        from django.db import connections

        connections.close_all()
    finally:
        drop_database(server_url)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
