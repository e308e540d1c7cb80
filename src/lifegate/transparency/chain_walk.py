"""The walk over every link of the processing log, in chain order, for `verify_chain`: each
link against its record (digest), against the link before it (chain hash), and the chain
recomputed from its start against every head signed or kept for its length.

The hot loop of verification (`_walk_rows`) keeps its state in local variables and leaves
everything unusual to helpers, so a log with nothing wrong costs two SHA-256 computations and
a few comparisons per record beyond reading it."""

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from lifegate.transparency.canonical import WIDTH, encoder, record_columns
from lifegate.transparency.chain import genesis, link_columns
from lifegate.transparency.chain_report import ChainReport
from lifegate.transparency.models import ChainLink, ProcessingRecord

FETCH_SIZE = 2000
# For each partition, for each length: the heads that must be there ("head" for the
# sealer's own, a checkpoint's number otherwise).
Expected = dict[int, dict[int, list[tuple[str, bytes]]]]
_NO_HORIZON = -(2**63)  # of a partition without a head: no record is below it


@dataclass
class _Partition:
    """The walk's state in one partition."""

    number: int
    chain: bytes  # recomputed from the start, from the stored digests
    previous: bytes  # the stored hash of the link before
    next: int = 0  # the position expected next
    matched: int = 0  # the last signed length the chain passed through
    checked: set[int] = field(default_factory=set)  # lengths compared with signed heads
    horizon: int = 0  # the partition's horizon
    below: int = 0  # links up to the horizon whose record exists


def links() -> Iterator[list[Sequence[Any]]]:
    """Every link with its record (NULLs if the record is gone), in chain order, in batches."""
    quote = connection.ops.quote_name
    record, link = quote(ProcessingRecord._meta.db_table), quote(ChainLink._meta.db_table)
    sql = (
        f"SELECT {record_columns('r')}, {link_columns('l')} FROM {link} l "  # noqa: S608
        f"LEFT JOIN {record} r ON r.id = l.record_id "
        f"ORDER BY l.{quote('partition')}, l.{quote('sequence')}"
    )
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql)
        while rows := cursor.fetchmany(FETCH_SIZE):
            yield rows


def walk(
    report: ChainReport,
    batches: Iterator[list[Sequence[Any]]],
    expected: Expected,
    horizons: dict[int, int],
) -> dict[int, int]:
    """Check every link, partition by partition, against its record, its predecessor and
    the heads `expected` at its position. Returns per partition how many of its links name
    an existing record up to the partition's horizon (for the check of unlinked records)."""
    count = len(horizons) or 1
    state: _Partition | None = None
    seen: set[int] = set()
    below: dict[int, int] = {}
    for rows in batches:
        index = 0
        while index < len(rows):
            partition = rows[index][WIDTH + 1]
            if state is None or partition != state.number:
                if state is not None:
                    _finish(report, state, expected, below)
                state = _start(report, partition, expected, horizons)
                seen.add(partition)
            index = _walk_rows(report, state, rows, index, expected.get(partition) or {}, count)
    if state is not None:
        _finish(report, state, expected, below)
    for partition in sorted(expected.keys() - seen):
        _finish(report, _start(report, partition, expected, horizons), expected, below)
    return below


def _walk_rows(
    report: ChainReport,
    state: _Partition,
    rows: list[Sequence[Any]],
    start: int,
    checks: dict[int, list[tuple[str, bytes]]],
    count: int,
) -> int:
    """Check rows from `start` on while they are in `state`'s partition; returns the index of
    the first row not checked. The hot loop of verification: the state lives in locals."""
    encode, sha256 = encoder(), hashlib.sha256
    number, chain, previous, expect = state.number, state.chain, state.previous, state.next
    horizon, below = state.horizon, 0
    index = start
    for index in range(start, len(rows)):
        row = rows[index]
        record_id, partition, sequence, stored, hashed = row[WIDTH:]
        if partition != number:
            break
        if type(stored) is not bytes or type(hashed) is not bytes:
            stored, hashed = bytes(stored), bytes(hashed)
        recomputed = None if row[0] is None else sha256(encode(row)).digest()
        following = sha256(previous + stored).digest()
        if (
            recomputed != stored
            or following != hashed
            or sequence != expect
            or record_id % count != number
        ):
            state.previous, state.next = previous, expect
            _report_link(
                report, state, (record_id, sequence, stored, hashed), recomputed, following, count
            )
        # The recomputed chain is the stored one until something differs; then both go on.
        chain = following if chain == previous else sha256(chain + stored).digest()
        previous, expect = hashed, sequence + 1
        if record_id <= horizon:
            below += 1
        if expect in checks:
            state.chain, state.previous, state.next = chain, previous, expect
            _compare(report, state, checks[expect])
    else:
        index = len(rows)
    state.chain, state.previous, state.next = chain, previous, expect
    state.below += below
    report.links += index - start
    report.records += index - start
    return index


def _report_link(
    report: ChainReport,
    state: _Partition,
    link: Sequence[Any],
    recomputed: bytes | None,
    following: bytes,
    count: int,
) -> None:
    record_id, sequence, stored, hashed = link
    partition = state.number
    where = {"partition": partition, "position": sequence, "record_id": record_id}
    if sequence != state.next:
        _gap(report, state, sequence)
    if recomputed is None:
        report.records -= 1
        state.below -= record_id <= state.horizon
        report.problem("record-missing", "the record of this link was deleted", **where)
    elif recomputed != stored:
        report.problem("record-changed", "the record differs from its link", **where)
    if record_id % count != partition:
        report.problem("wrong-partition", "the link is in another partition", **where)
    if following != hashed:
        report.problem(
            "link-broken",
            "the link's hash does not follow from the link before it: links were "
            "reordered, removed, inserted or forged here",
            **where,
        )


def _start(
    report: ChainReport, partition: int, expected: Expected, horizons: dict[int, int]
) -> _Partition:
    if partition not in expected:
        report.problem(
            "partition-unknown",
            f"links in partition {partition}, which has no head",
            partition=partition,
        )
    state = _Partition(partition, genesis(partition), genesis(partition))
    state.horizon = horizons.get(partition, _NO_HORIZON)
    if 0 in expected.get(partition, {}):
        _compare(report, state, expected[partition][0])
    return state


def _gap(report: ChainReport, state: _Partition, sequence: int) -> None:
    if sequence < state.next:
        detail = f"partition {state.number}: position {sequence} appears twice"
    else:
        detail = f"partition {state.number}: positions {state.next} to {sequence - 1} are missing"
    report.problem("link-missing", detail, partition=state.number, position=state.next)


def _compare(report: ChainReport, state: _Partition, entries: list[tuple[str, bytes]]) -> None:
    """Check the chain at length state.next against the heads signed (or kept) for it."""
    state.checked.add(state.next)
    for label, head in entries:
        if label == "head":
            if head != state.previous:
                report.problem(
                    "head-mismatch",
                    f"partition {state.number}: the sealer's head does not end the chain",
                    partition=state.number,
                    position=state.next,
                )
        elif head == state.chain:
            state.matched = state.next
        else:
            report.problem(
                "checkpoint-mismatch",
                f"checkpoint {label}: partition {state.number} differs from what was signed "
                f"at positions {state.matched} to {state.next - 1}",
                partition=state.number,
                position=state.matched,
                checkpoint=int(label),
            )


def _finish(
    report: ChainReport, state: _Partition, expected: Expected, below: dict[int, int]
) -> None:
    """Heads at lengths the walk never reached: beyond the chain's end, or in a gap."""
    below[state.number] = below.get(state.number, 0) + state.below
    for length, entries in sorted(expected.get(state.number, {}).items()):
        if length in state.checked:
            continue
        for label, _ in entries:
            where = "beyond the chain's end" if length > state.next else "at a missing position"
            report.problem(
                "head-mismatch" if label == "head" else "checkpoint-beyond-chain",
                f"{'the sealer' if label == 'head' else 'checkpoint ' + label}: partition "
                f"{state.number} at length {length}, {where} ({state.next} links)",
                partition=state.number,
                position=min(length, state.next),
                checkpoint=None if label == "head" else int(label),
            )
