"""Drill `backup`: back up the database and restore it, on PostgreSQL.

A fresh database gets the demo, 500 messages sent through the message box and 50 birth events
turned into journeys by the task worker, so that every building block has rows and the
processing log has records; `seal_processing_log` chains and signs them. It is backed up with
`pg_dump` (custom format) and restored with `pg_restore` into a new database. Checks: the same
tables with the same row counts in both; `verify_processing_log` passes on the original and on
the restored database (chain and signed checkpoints intact); and, to show that verification
really looks, it fails on the restored copy once one processing record is changed.

Prints PASS or FAIL per check and exits non-zero on any failure; the databases of a failed
drill are kept for inspection. `python -m bench.drill_backup [postgres server url]`."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import time

import psycopg

from bench.drill_inbox import Drill, environment
from bench.inbox import add_persons, drop_database, message_json, recreate_database
from bench.journeys import valid_bsns
from bench.run import POSTGRES_SERVER, ROOT

DATABASE = "drill_backup"
RESTORED = "drill_backup_restored"
WORK = ROOT / "bench" / ".work" / "drill-backup"
DUMP = WORK / "drill_backup.dump"
MESSAGES = 500
BIRTHS = 50
SENDER = "belastingdienst"


def setup(env: dict[str, str]) -> None:
    """Migrate, load the demo, send messages, process birth events."""
    os.environ.update(env)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", "--noinput", verbosity=0)
    call_command("load_demo", stdout=io.StringIO())
    from bench.journeys import _families
    from lifegate.catalogue.models import PublicOrganisation
    from lifegate.inbox.api_agency_schemas import MessageIn
    from lifegate.inbox.sending import send_messages
    from lifegate.journeys import agency, events
    from lifegate.transparency.services import Actor

    organisation = PublicOrganisation.objects.get(slug=SENDER)
    bsns = add_persons(MESSAGES, first=97_000_000)
    messages = []
    for number, bsn in enumerate(bsns):
        data = message_json(bsn, f"drill-backup-{number}", number)
        key = data.pop("idempotency_key")
        messages.append(MessageIn.model_validate(data).to_new_message(key))
    actor = Actor(kind="agency", organisation=organisation.slug)
    sent = send_messages(organisation, messages, actor=actor)
    if any(result.problem for result in sent):
        raise RuntimeError("a drill message was refused")
    rvig = PublicOrganisation.objects.get(slug="rvig")
    client, _secret = agency.create_client(rvig, "drill-backup", ["events"])
    source = f"urn:nld:oin:{rvig.oin}:systeem:brp"
    for number, bsn in enumerate(_families(BIRTHS, valid_bsns(98_000_000))):
        event = events.registry_event(events.BIRTH_REGISTERED, bsn, source, f"b{number}")
        message = events.structured(event)
        events.receive(message.headers, message.body, client)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """A management command in its own process; its result, whatever the exit status."""
    return subprocess.run(
        [sys.executable, "-m", "django", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def row_counts(url: str) -> dict[str, int]:
    """Rows per table of the public schema."""
    with psycopg.connect(url) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        counts = {}
        for table in tables:
            row = connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()
            counts[table] = row[0] if row else -1
    return counts


def last_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = (result.stdout + result.stderr).strip().splitlines()
    return lines[-1] if lines else ""


def tamper(url: str) -> None:
    """Change one processing record's purpose, as someone covering their tracks would."""
    from lifegate.transparency.models import ProcessingRecord

    table = ProcessingRecord._meta.db_table
    with psycopg.connect(url) as connection:
        connection.execute(
            f"UPDATE {table} SET name = name || '-edited' WHERE id = (SELECT min(id) FROM {table})"
        )


def main() -> None:
    """Run the drill; exit non-zero if any check fails."""
    server_url = sys.argv[1] if len(sys.argv) > 1 else POSTGRES_SERVER
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]  # progress as it comes
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    url = recreate_database(server_url, DATABASE)
    env = environment(url) | {"LIFEGATE_VAR_DIR": str(WORK)}
    drill = Drill()
    began = time.monotonic()
    print(f"Backup and restore drill (database {DATABASE} restored as {RESTORED})")
    try:
        setup(env)
        from django.db import connections

        connections.close_all()
        sealed = manage(env, "seal_processing_log")
        drill.check("seal_processing_log", sealed.returncode == 0, last_line(sealed))
        verified = manage(env, "verify_processing_log")
        drill.check("the original's processing log verifies", verified.returncode == 0)
        subprocess.run(["pg_dump", "--format=custom", f"--file={DUMP}", url], check=True)
        print(f"  pg_dump: {DUMP.stat().st_size / 1e6:.1f} MB")
        restored = recreate_database(server_url, RESTORED)
        result = subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored}", str(DUMP)],
            capture_output=True,
            text=True,
        )
        drill.check("pg_restore into a new database", result.returncode == 0, result.stderr[-300:])
        before, after = row_counts(url), row_counts(restored)
        differ = sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))
        drill.check(
            "the same tables with the same row counts",
            not differ,
            f"{len(after)} tables, {sum(after.values()):,} rows; differ: {differ[:5]}",
        )
        restored_env = env | {"DATABASE_URL": restored}
        verified = manage(restored_env, "verify_processing_log")
        checked = [line for line in verified.stdout.splitlines() if line.startswith("checked:")]
        drill.check(
            "the restored processing log verifies (chain and signed checkpoints)",
            verified.returncode == 0 and "intact" in verified.stdout,
            "; ".join(line.removeprefix("checked: ") for line in checked)[:300],
        )
        tamper(restored)
        tampered = manage(restored_env, "verify_processing_log")
        drill.check(
            "verification fails once a restored record is changed",
            tampered.returncode != 0,
            last_line(tampered)[:200],
        )
    finally:
        from django.db import connections

        connections.close_all()
    print(f"{'FAIL' if drill.failed else 'PASS'} in {time.monotonic() - began:.0f} s")
    if drill.failed:
        print(f"failed: {'; '.join(drill.failed)} (databases kept for inspection)")
        sys.exit(1)
    drop_database(server_url, DATABASE)
    drop_database(server_url, RESTORED)


if __name__ == "__main__":
    main()
