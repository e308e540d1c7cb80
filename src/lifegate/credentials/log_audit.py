"""The audit of the credentials transparency log: recompute every subtree from the entries,
compare with what is stored, check every checkpoint's signature and root and the consistency of
consecutive checkpoints. Tampering is reported as problems, never raised."""

from collections import Counter
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import Q

from lifegate.credentials import merkle
from lifegate.credentials.log import (
    KIND_TAGS,
    CheckpointInvalid,
    LogDamaged,
    ProofUnavailable,
    SignedCheckpoint,
    consistency_proof,
    current_size,
    entry_leaf_hash,
    verify_checkpoint,
)
from lifegate.credentials.models import LogCheckpoint, LogEntry, LogHead, LogSubtree

# Problems of one kind are listed up to this many times, then counted.
AUDIT_LISTED_PER_KIND = 20


@dataclass
class AuditReport:
    """What `audit` checked and every problem it found (none: the log is intact)."""

    size: int = 0
    entries: int = 0
    subtrees: int = 0
    checkpoints: int = 0
    consistency_proofs: int = 0
    problems: list[str] = field(default_factory=list)
    _counts: Counter[str] = field(default_factory=Counter, repr=False)

    @property
    def ok(self) -> bool:
        return not self.problems

    def checked(self) -> list[str]:
        """One line per check, for people."""
        return [
            f"log head: {self.size} entries",
            f"{self.entries} entries read: indices without gaps, kinds and digests checked, "
            "leaf hashes recomputed",
            f"{self.subtrees} stored subtree hashes compared with hashes recomputed from the "
            "entries",
            f"{self.checkpoints} checkpoints: signature, and the signed size and root against "
            "the entries",
            f"{self.consistency_proofs} consistency proofs between consecutive checkpoints, "
            "from the stored subtrees, verified against their signed roots",
        ]

    def problem(self, kind: str, text: str) -> None:
        """Record a problem; past AUDIT_LISTED_PER_KIND of a kind, only count it."""
        self._counts[kind] += 1
        if self._counts[kind] <= AUDIT_LISTED_PER_KIND:
            self.problems.append(text)

    def close(self) -> None:
        """Add how many problems of each kind were counted but not listed."""
        for kind, count in self._counts.items():
            if count > AUDIT_LISTED_PER_KIND:
                self.problems.append(f"... and {count - AUDIT_LISTED_PER_KIND} more: {kind}")


def audit() -> AuditReport:
    """Recompute the whole tree from the entries and check it against the stored subtrees
    and every signed checkpoint, and check consecutive checkpoints for consistency. Reports
    tampering as problems; never raises for it. Reads the log in passes of O(size) memory
    (about 50 bytes an entry); appends may go on meanwhile (they are audited next time)."""
    report = AuditReport()
    # The checkpoints before the size: a checkpoint sealed meanwhile then is not in the list,
    # instead of being larger than the size read before it ("lost entries" in an intact log).
    signed = _audit_signatures(report)
    report.size = current_size()
    wanted = merkle.subtrees_needed((0, each.size) for each in signed if each.size <= report.size)
    recomputed = _audit_tree(report, _recompute_leaves(report), wanted)
    _audit_extra_rows(report)
    previous: SignedCheckpoint | None = None
    for each in signed:
        if each.size > report.size:
            report.problem("lost entries", f"checkpoint at size {each.size}: the log is smaller")
            continue
        if merkle.tree_root(each.size, lambda level, i: recomputed[level, i]) != each.root:
            report.problem("root", f"checkpoint at size {each.size}: the entries give another root")
        if previous is not None:
            _audit_consistency(report, previous, each)
        previous = each
    report.close()
    return report


def _audit_signatures(report: AuditReport) -> list[SignedCheckpoint]:
    valid: list[SignedCheckpoint] = []
    for row in LogCheckpoint.objects.order_by("size"):
        report.checkpoints += 1
        try:
            claims = verify_checkpoint(row.token)
        except CheckpointInvalid as error:
            report.problem("checkpoint", f"checkpoint at size {row.size}: {error}")
            continue
        if (claims.size, claims.root, claims.kid) != (row.size, bytes(row.root), row.kid):
            report.problem("checkpoint", f"checkpoint at size {row.size}: differs from its token")
        if valid and claims.issued_at < valid[-1].issued_at:
            report.problem(
                "checkpoint", f"checkpoint at size {row.size}: signed before the previous"
            )
        valid.append(claims)
    return valid


def _recompute_leaves(report: AuditReport) -> bytes:
    """The leaf hashes of entries 0..size-1, concatenated; a missing entry leaves zeros."""
    size = report.size
    leaves = bytearray(size * merkle.HASH_SIZE)
    expected = 0
    rows = LogEntry.objects.filter(index__gte=0, index__lt=size).order_by("index")
    for index, kind, digest in rows.values_list("index", "kind", "digest").iterator(5000):
        report.entries += 1
        if index > expected:
            report.problem("missing entry", f"entries {expected} to {index - 1} are missing")
        expected = index + 1
        if kind not in KIND_TAGS or len(digest) != merkle.HASH_SIZE:
            report.problem("malformed entry", f"entry {index}: unknown kind or not 32 bytes")
            continue
        at = index * merkle.HASH_SIZE
        leaves[at : at + merkle.HASH_SIZE] = entry_leaf_hash(kind, bytes(digest))
    if expected < size:
        report.problem("missing entry", f"entries {expected} to {size - 1} are missing")
    return bytes(leaves)


def _audit_tree(
    report: AuditReport, leaves: bytes, wanted: set[merkle.Key]
) -> dict[merkle.Key, bytes]:
    """Compare every stored subtree with its recomputed hash, level by level; returns the
    recomputed hashes of the `wanted` subtrees."""
    recomputed: dict[merkle.Key, bytes] = {}
    row, level, width = leaves, 0, merkle.HASH_SIZE
    while True:
        count = len(row) // width
        recomputed.update(
            {(lv, i): row[i * width : (i + 1) * width] for lv, i in wanted if lv == level}
        )
        stored = LogSubtree.objects.filter(level=level, index__gte=0, index__lt=count)
        seen = 0
        for index, value in stored.order_by("index").values_list("index", "hash").iterator(5000):
            seen += 1
            if bytes(value) != row[index * width : (index + 1) * width]:
                report.problem("subtree", f"subtree {level}/{index} does not match the entries")
        report.subtrees += seen
        if seen < count:
            report.problem("subtree", f"{count - seen} subtrees at level {level} are missing")
        if count <= 1:
            return recomputed
        row = b"".join(
            merkle.node_hash(row[at : at + width], row[at + width : at + 2 * width])
            for at in range(0, (count // 2) * 2 * width, 2 * width)
        )
        level += 1


def _audit_extra_rows(report: AuditReport) -> None:
    """Entries and subtrees outside the tree: read after the rest, against the head as it is
    now, so that appends made during the audit do not count. The head is read and the rows
    counted under the head's lock (appends take it first; on SQLite the transaction reads
    one snapshot): an append committed between the two would otherwise look like an extra
    row. Appends wait for the two counts, which the indexes answer."""
    with transaction.atomic():
        size = (
            LogHead.objects.select_for_update()
            .filter(pk=LogHead.SINGLETON)
            .values_list("size", flat=True)
            .first()
            or 0
        )
        extra = LogEntry.objects.filter(Q(index__lt=0) | Q(index__gte=size)).count()
        outside = [
            Q(level=level, index__gte=size >> level) for level in range(size.bit_length() + 1)
        ]
        subtrees = LogSubtree.objects.filter(
            reduce(or_, outside, Q(index__lt=0) | Q(level__gt=size.bit_length()))
        ).count()
    if extra:
        report.problem("extra entry", f"{extra} entries lie outside the log's {size} entries")
    if subtrees:
        report.problem("extra subtree", f"{subtrees} subtrees lie outside the log's tree")


def _audit_consistency(
    report: AuditReport, first: SignedCheckpoint, second: SignedCheckpoint
) -> None:
    report.consistency_proofs += 1
    try:
        proof = consistency_proof(first.size, second.size)
    except (LogDamaged, ProofUnavailable) as error:
        report.problem("consistency", f"sizes {first.size} and {second.size}: {error}")
        return
    if not merkle.verify_consistency(first.size, second.size, first.root, second.root, proof):
        report.problem(
            "consistency", f"checkpoints at sizes {first.size} and {second.size} are inconsistent"
        )
