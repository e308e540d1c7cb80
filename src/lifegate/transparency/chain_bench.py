"""Measurements for the benchmark "chain verification records per second as a ratio to bare
SHA-256 hashing of the same records" (issue 8). No timing decisions are made here: these
functions measure, the benchmark harness compares and reports.

- `verification_rate`: the whole of `verify_chain` (records read with their links, digests and
  chain hashes recomputed, checkpoints checked, unlinked records looked for).
- `hashing_rate`: the floor: the same records read the same way (one streamed query), each
  one's canonical bytes made and hashed with SHA-256 once, nothing else.
- `in_memory_hashing_rate`: SHA-256 alone over the canonical bytes already in memory (no
  database, no encoding), to show what reading the records costs."""

import hashlib
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from lifegate.transparency.canonical import encoder, record_columns
from lifegate.transparency.chain import verify_chain
from lifegate.transparency.chain_walk import FETCH_SIZE
from lifegate.transparency.models import ProcessingRecord


@dataclass(frozen=True)
class Rate:
    """`records` handled in `seconds`."""

    records: int
    seconds: float

    @property
    def per_second(self) -> float:
        """Records per second."""
        return self.records / self.seconds if self.seconds else 0.0


def verification_rate() -> Rate:
    """Verify the whole log once; the rate counts links verified."""
    started = time.perf_counter()
    report = verify_chain()
    return Rate(report.links, time.perf_counter() - started)


def hashing_rate() -> Rate:
    """Read every record with one streamed query and SHA-256 its canonical bytes."""
    started = time.perf_counter()
    encode, sha256, count = encoder(), hashlib.sha256, 0
    for batch in _record_batches():
        for row in batch:
            sha256(encode(row)).digest()
        count += len(batch)
    return Rate(count, time.perf_counter() - started)


def in_memory_hashing_rate() -> Rate:
    """SHA-256 over every record's canonical bytes, read and encoded beforehand (untimed)."""
    encode = encoder()
    canonical = [encode(row) for batch in _record_batches() for row in batch]
    sha256 = hashlib.sha256
    started = time.perf_counter()
    for each in canonical:
        sha256(each).digest()
    return Rate(len(canonical), time.perf_counter() - started)


def compare(rounds: int = 3) -> dict[str, float]:
    """Median records per second of verification and of the floors over `rounds` interleaved
    runs (a noisy machine slows both alike), and verification's ratio to each floor."""
    measured: dict[str, list[float]] = {"verify": [], "hash": [], "hash_in_memory": []}
    runs: dict[str, Callable[[], Rate]] = {
        "verify": verification_rate,
        "hash": hashing_rate,
        "hash_in_memory": in_memory_hashing_rate,
    }
    for _ in range(rounds):
        for name, run in runs.items():
            measured[name].append(run().per_second)
    medians = {name: statistics.median(values) for name, values in measured.items()}
    return {
        "records": float(ProcessingRecord.objects.count()),
        "verify_per_second": medians["verify"],
        "hash_per_second": medians["hash"],
        "hash_in_memory_per_second": medians["hash_in_memory"],
        "ratio": medians["verify"] / medians["hash"] if medians["hash"] else 0.0,
        "ratio_in_memory": (
            medians["verify"] / medians["hash_in_memory"] if medians["hash_in_memory"] else 0.0
        ),
    }


def _record_batches() -> Iterator[list[Sequence[Any]]]:
    table = connection.ops.quote_name(ProcessingRecord._meta.db_table)
    sql = f"SELECT {record_columns('r')} FROM {table} r ORDER BY r.id"  # noqa: S608
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql)
        while rows := cursor.fetchmany(FETCH_SIZE):
            yield rows
