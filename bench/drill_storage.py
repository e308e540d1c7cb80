"""Drill `storage`: the attachment storage fills up, on PostgreSQL in a fresh database.

The attachment directory is a 2 MB tmpfs (`mount -t tmpfs`, so the drill runs as root), the
app runs as in production (gunicorn, the project's settings). Messages with PDF attachments of
random size (incompressible) go through the agency API one by one until well past full, then a
bulk of five while full. Checks: every refused send is a 507 problem (`attachment-storage-full`)
with a title and a detail, nothing else failed; every accepted message has its attachments,
each file on disk with its size and SHA-256; no refused message was stored; no file on disk
that is not an attachment of a stored message (no half-written or orphaned files); the bulk
while full stored nothing. Then the storage is grown (`mount -o remount`) and every refused
send, sent again with its key, is stored with its files.

Prints PASS or FAIL per check and exits non-zero on any failure; the database of a failed drill
is kept for inspection. `python -m bench.drill_storage [postgres server url]`."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import time
from collections import Counter
from typing import Any

from bench import drill_inbox
from bench.drill_inbox import Drill, environment
from bench.inbox import (
    drop_database,
    message_json,
    recreate_database,
    request,
    serve,
    stop,
)
from bench.run import POSTGRES_SERVER, ROOT

DATABASE = "drill_storage"
WORK = ROOT / "bench" / ".work" / "drill-storage"
STORAGE = WORK / "attachments"
SIZE = "2m"
GROWN = "16m"
SENDS = 30
BULK = 5
RECIPIENTS = 50
SEED = int(os.environ.get("DRILL_SEED", str(time.time_ns() % 100_000)))
KEYS = "drill-storage-"
PROBLEM = "application/problem+json"
FULL = "/attachment-storage-full"


def mount(size: str, remount: bool = False) -> None:
    options = f"remount,size={size}" if remount else f"size={size}"
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(STORAGE)], check=True)


def unmount() -> None:
    subprocess.run(["umount", str(STORAGE)], check=False, capture_output=True)


def setup(env: dict[str, str]) -> tuple[list[str], str]:
    return drill_inbox.setup(env, count=RECIPIENTS, first=96_000_000, client_name="drill-storage")


def pdf(rng: random.Random) -> bytes:
    """A PDF-looking file of 100 to 300 KB of random bytes (nothing to compress)."""
    return b"%PDF-1.7\n" + rng.randbytes(rng.randint(100_000, 300_000))


def with_attachment(bsn: str, content: bytes) -> dict[str, Any]:
    message = message_json(bsn, "", 0)
    del message["idempotency_key"]
    encoded = base64.b64encode(content).decode()
    attachment = {"filename": "beschikking.pdf", "content_type": "application/pdf"}
    message["attachments"] = [attachment | {"content": encoded}]
    return message


def send(port: int, token: str, key: str, message: dict[str, Any]) -> tuple[int, str, bytes]:
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Idempotency-Key": key,
    }
    body = json.dumps(message).encode()
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("POST", "/api/agency/messages/", body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()


def clear_problem(content_type: str, raw: bytes) -> bool:
    """A 507 problem of type attachment-storage-full with a title and a detail."""
    if not content_type.startswith(PROBLEM):
        return False
    body = json.loads(raw)
    return (
        body.get("status") == 507
        and str(body.get("type", "")).endswith(FULL)
        and bool(body.get("title"))
        and bool(body.get("detail"))
    )


def files_on_disk() -> set[str]:
    return {str(path.relative_to(STORAGE)) for path in STORAGE.rglob("*") if path.is_file()}


def check_stored(drill: Drill, accepted: dict[str, bytes], refused: set[str], when: str) -> None:
    """Every accepted message with its file intact, no refused one, no file without a row."""
    from lifegate.inbox.models import Attachment, Message

    rows = {
        key: (name, size, sha256)
        for key, name, size, sha256 in Attachment.objects.filter(
            message__idempotency_key__startswith=KEYS
        ).values_list("message__idempotency_key", "file", "size", "sha256")
    }
    intact = 0
    for key, content in accepted.items():
        row = rows.get(key)
        path = STORAGE / row[0] if row else None
        if (
            row
            and path
            and path.is_file()
            and row[1] == len(content)
            and path.read_bytes() == content
            and row[2] == hashlib.sha256(content).hexdigest()
        ):
            intact += 1
    drill.check(
        f"{when}: every accepted message has its attachment, intact on disk",
        intact == len(accepted),
        f"{intact} of {len(accepted)}",
    )
    stored_refused = Message.objects.filter(idempotency_key__in=refused).count()
    drill.check(f"{when}: no refused message stored", stored_refused == 0, f"{stored_refused}")
    referenced = set(Attachment.objects.values_list("file", flat=True))
    orphans = files_on_disk() - referenced
    drill.check(
        f"{when}: no file on disk without its message (no half-written or orphan files)",
        not orphans,
        f"{len(orphans)} orphans, {len(files_on_disk())} files",
    )


def bulk_while_full(
    drill: Drill, port: int, token: str, bsns: list[str], rng: random.Random
) -> None:
    from lifegate.inbox.models import Message

    messages = []
    for number in range(BULK):
        message = with_attachment(bsns[number], pdf(rng))
        messages.append(message | {"idempotency_key": f"{KEYS}bulk-{number}"})
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    status, raw = request(
        port,
        "POST",
        "/api/agency/messages/bulk",
        json.dumps({"messages": messages}).encode(),
        headers,
    )
    results = json.loads(raw).get("results", []) if status == 200 else []
    full = sum(1 for r in results if r.get("problem", {}).get("type", "").endswith(FULL))
    stored = Message.objects.filter(idempotency_key__startswith=f"{KEYS}bulk-").count()
    drill.check(
        f"a bulk of {BULK} while full: 200, each message refused as storage full, none stored",
        status == 200 and full == BULK and stored == 0,
        f"status {status}, {full} refused as full, {stored} stored",
    )


def main() -> None:
    """Run the drill in a fresh database; exit non-zero if any check fails."""
    server_url = sys.argv[1] if len(sys.argv) > 1 else POSTGRES_SERVER
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]  # progress as it comes
    rng = random.Random(SEED)
    unmount()
    shutil.rmtree(WORK, ignore_errors=True)
    STORAGE.mkdir(parents=True)
    drill = Drill()
    began = time.monotonic()
    print(f"Attachment storage drill (database {DATABASE}, a {SIZE} tmpfs, seed {SEED})")
    try:
        mount(SIZE)
    except (OSError, subprocess.CalledProcessError) as error:
        drill.check("mount a small tmpfs for the attachments (needs root)", False, str(error))
        sys.exit(1)
    url = recreate_database(server_url, DATABASE)
    env = environment(url) | {"LIFEGATE_VAR_DIR": str(WORK)}
    server = None
    try:
        bsns, token = setup(env)
        server, port = serve(url, workers=1, threads=4, env=env, log=WORK / "gunicorn.log")
        accepted: dict[str, bytes] = {}
        refused: dict[str, dict[str, Any]] = {}
        statuses: Counter[int] = Counter()
        unclear = 0
        for number in range(SENDS):
            key, content = f"{KEYS}{number}", pdf(rng)
            message = with_attachment(bsns[number % RECIPIENTS], content)
            status, content_type, raw = send(port, token, key, message)
            statuses[status] += 1
            if status == 201:
                accepted[key] = content
            else:
                refused[key] = message
                unclear += not (status == 507 and clear_problem(content_type, raw))
        print(f"  {SENDS} sends with an attachment of 100-300 KB: {dict(statuses)}")
        drill.check("the storage filled up: sends were refused", bool(refused), f"{len(refused)}")
        drill.check(
            "every refused send a clear 507 problem (attachment-storage-full, title, detail)",
            unclear == 0 and set(statuses) <= {201, 507},
            f"{unclear} unclear",
        )
        check_stored(drill, accepted, set(refused), "while full")
        bulk_while_full(drill, port, token, bsns, rng)
        mount(GROWN, remount=True)
        print(f"  storage grown to {GROWN}; refused sends sent again with their keys")
        again = Counter(send(port, token, key, message)[0] for key, message in refused.items())
        drill.check(
            "every refused send, sent again once there is room, is created",
            again == {201: len(refused)},
            str(dict(again)),
        )
        for key, message in refused.items():
            accepted[key] = base64.b64decode(message["attachments"][0]["content"])
        check_stored(drill, accepted, set(), "after growing")
    finally:
        if server is not None:
            stop(server)
        from django.db import connections

        connections.close_all()
        unmount()
    print(f"{'FAIL' if drill.failed else 'PASS'} in {time.monotonic() - began:.0f} s")
    if drill.failed:
        print(f"failed: {'; '.join(drill.failed)} (database {DATABASE} kept for inspection)")
        sys.exit(1)
    drop_database(server_url, DATABASE)


if __name__ == "__main__":
    main()
