"""The report of a processing log verification (lifegate.transparency.chain_verify): what was
checked, and every problem with the record, partition, position and checkpoint it concerns.
Never personal data: records are named by id only."""

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

# Problems of one kind are listed up to this many times, then only counted.
LISTED_PER_KIND = 50


@dataclass(frozen=True)
class Problem:
    """One finding: what is wrong, and where."""

    kind: str
    detail: str
    partition: int | None = None
    position: int | None = None
    record_id: int | None = None
    checkpoint: int | None = None


@dataclass
class ChainReport:
    """What `verify_chain` checked and every problem it found (none: the log is intact)."""

    partitions: int = 0
    links: int = 0
    records: int = 0
    checkpoints: int = 0
    valid_checkpoints: int = 0
    latest_checkpoint: int | None = None
    sealed: int = 0
    linked_not_sealed: int = 0
    not_linked: int = 0
    problems: list[Problem] = field(default_factory=list)
    unlisted: Counter[str] = field(default_factory=Counter)
    _listed: Counter[str] = field(default_factory=Counter, repr=False)

    @property
    def ok(self) -> bool:
        """No problem found."""
        return not self.problems

    @property
    def not_yet_sealed(self) -> int:
        """Records no checkpoint covers yet: not linked yet, or linked after the last seal."""
        return self.not_linked + self.linked_not_sealed

    def record_ids(self) -> set[int]:
        """The ids of the records the listed problems name."""
        return {p.record_id for p in self.problems if p.record_id is not None}

    def problem(self, kind: str, detail: str, **where: int | None) -> None:
        """Add a problem; past LISTED_PER_KIND of a kind, only count it."""
        if self._listed[kind] >= LISTED_PER_KIND:
            self.unlisted[kind] += 1
        else:
            self._listed[kind] += 1
            self.problems.append(Problem(kind, detail, **where))

    def checked(self) -> list[str]:
        """One line per check, for people."""
        return [
            f"{self.partitions} partitions, {self.links} links read in chain order",
            f"{self.records} records: digest recomputed from the record and compared with its link",
            f"{self.links} chain hashes recomputed from the previous link and the digest",
            f"{self.checkpoints} checkpoints ({self.valid_checkpoints} with a valid signature): "
            "numbering, predecessor, and every partition's signed head on the recomputed chain",
            f"sealed by the latest checkpoint ({self.latest_checkpoint}): {self.sealed} records; "
            f"not yet sealed: {self.not_yet_sealed} ({self.not_linked} not yet linked)",
        ]

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        data = asdict(self)
        del data["_listed"]
        data.update(ok=self.ok, not_yet_sealed=self.not_yet_sealed, unlisted=dict(self.unlisted))
        return data
