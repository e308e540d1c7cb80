"""Verification of the processing log's hash chains and checkpoints (lifegate.transparency.chain).

Three layers are checked against each other. Records against their links: every record's
digest is recomputed from its canonical bytes (a changed or deleted record). Links against
their predecessors: every stored chain hash is recomputed from the previous link's hash and
the digest (links reordered, removed or forged). Links against signatures: the chain of every
partition, recomputed from its start, must pass through the head every checkpoint signed
(a chain rewritten from some point on, or cut short). Records without a link are fine if the
sealer has not reached them yet ("not yet sealed") and a problem if it has.

Tampering is reported, never raised. The report says what was checked and lists each problem
with the record id, partition, position and checkpoint it concerns (`as_dict` for JSON)."""

import hashlib

from django.db import connection

from lifegate.transparency.chain import CheckpointInvalid, SignedCheckpoint, read_checkpoint
from lifegate.transparency.chain_report import ChainReport, Problem
from lifegate.transparency.chain_walk import FETCH_SIZE, Expected, links, walk
from lifegate.transparency.models import ChainCheckpoint, ChainHead, ChainLink, ProcessingRecord

__all__ = ["ChainReport", "Problem", "verify_chain"]


def verify_chain() -> ChainReport:
    """Recompute every link from the records and check every checkpoint. Reads checkpoints and
    heads before the links, so a sealer at work meanwhile causes no false alarm."""
    report = ChainReport()
    signed = _check_checkpoints(report)
    heads = {head.partition: head for head in ChainHead.objects.all()}
    report.partitions = len(heads)
    expected: Expected = {p: {} for p in heads}
    for checkpoint in signed:
        if len(checkpoint.lengths) != len(heads):
            report.problem(
                "checkpoint-partitions",
                f"checkpoint {checkpoint.number} signs {len(checkpoint.lengths)} partitions, "
                f"the log has {len(heads)}",
                checkpoint=checkpoint.number,
            )
        signed_heads = zip(checkpoint.lengths, checkpoint.heads, strict=True)
        for p, (length, signed_hash) in enumerate(signed_heads):
            at = expected.setdefault(p, {}).setdefault(length, [])
            at.append((str(checkpoint.number), signed_hash))
    for p, head in heads.items():
        expected[p].setdefault(head.length, []).append(("head", bytes(head.hash)))
    horizons = {p: head.horizon for p, head in heads.items()}
    linked_below = walk(report, links(), expected, horizons)
    _check_unlinked(report, horizons, linked_below)
    if signed:
        latest = signed[-1]
        report.latest_checkpoint = latest.number
        report.sealed = sum(latest.lengths)
    report.linked_not_sealed = max(report.links - report.sealed, 0)
    return report


def _check_checkpoints(report: ChainReport) -> list[SignedCheckpoint]:
    """Every checkpoint's signature, its stored copy of the lengths, and its place after the
    one before: numbered 1, 2, 3, ..., each naming its predecessor, lengths never shrinking."""
    valid: list[SignedCheckpoint] = []
    number, token, lengths = 0, "", list[int]()
    for stored in ChainCheckpoint.objects.order_by("number"):
        report.checkpoints += 1
        where = {"checkpoint": stored.number}
        try:
            signed = read_checkpoint(stored.token)
        except CheckpointInvalid as error:
            report.problem("checkpoint-invalid", f"checkpoint {stored.number}: {error}", **where)
            number, token = stored.number, stored.token
            continue
        report.valid_checkpoints += 1
        if signed.number != stored.number or signed.lengths != stored.lengths:
            report.problem(
                "checkpoint-edited",
                f"checkpoint {stored.number}: the stored number or lengths differ from the signed",
                **where,
            )
        before = hashlib.sha256(token.encode()).digest() if number else None
        if signed.number != number + 1 or signed.previous != before:
            report.problem(
                "checkpoint-order",
                f"checkpoint {signed.number} does not follow checkpoint {number}: a checkpoint "
                "is missing, was replaced or was edited",
                **where,
            )
        if any(new < old for new, old in zip(signed.lengths, lengths, strict=False)):
            report.problem(
                "checkpoint-order",
                f"checkpoint {signed.number} signs a shorter chain than the one before",
                **where,
            )
        number, token, lengths = stored.number, stored.token, signed.lengths
        valid.append(signed)
    return valid


def _check_unlinked(
    report: ChainReport, horizons: dict[int, int], linked_below: dict[int, int]
) -> None:
    """Records without a link: not yet sealed above their partition's horizon, a problem at
    or below it (the sealer has passed them: inserted afterwards, or their link deleted).
    Counting is enough when nothing is wrong; only then are the records looked up."""
    count = len(horizons) or 1
    total, below = _count_records(horizons, count)
    if all(below[p] == linked_below.get(p, 0) for p in horizons):
        report.not_linked = max(total - report.records, 0)
        return
    quote = connection.ops.quote_name
    record, link = quote(ProcessingRecord._meta.db_table), quote(ChainLink._meta.db_table)
    sql = (
        f"SELECT r.id FROM {record} r WHERE NOT EXISTS "  # noqa: S608
        f"(SELECT 1 FROM {link} l WHERE l.record_id = r.id)"
    )
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql)
        while rows := cursor.fetchmany(FETCH_SIZE):
            for (record_id,) in rows:
                partition = record_id % count
                if partition in horizons and record_id <= horizons[partition]:
                    report.problem(
                        "record-unlinked",
                        "a record the sealer has passed has no link",
                        partition=partition,
                        record_id=record_id,
                    )
                else:
                    report.not_linked += 1


def _count_records(horizons: dict[int, int], count: int) -> tuple[int, dict[int, int]]:
    """How many records there are, and per partition how many up to its horizon (one scan).
    A partition is the id modulo `count` as Python takes it (never negative)."""
    table = connection.ops.quote_name(ProcessingRecord._meta.db_table)
    # SQL's % keeps the sign of the id; a negative id is in partition p when id % count is
    # p - count.
    each = "SUM(CASE WHEN id <= %s AND (id %% %s = %s OR id %% %s = %s) THEN 1 ELSE 0 END)"
    parts, params = [], []
    for partition, horizon in sorted(horizons.items()):
        parts.append(each)
        params += [horizon, count, partition, count, partition - count]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(['COUNT(*)', *parts])} FROM {table}", params)  # noqa: S608
        total, *below = cursor.fetchone()
    partitions = sorted(horizons)
    return total, {p: int(n or 0) for p, n in zip(partitions, below, strict=True)}
