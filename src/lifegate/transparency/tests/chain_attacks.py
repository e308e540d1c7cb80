"""A processing log to tamper with, and the tampering itself, for the chain tests.

Each attack changes the database as someone with write access to it (but not to the signing
key) could, and returns what the verifier must then report. Some attackers are naive; the
`*_rewrite` ones also recompute every digest and hash after their change, so that only the
signed checkpoints can give them away."""

import base64
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import connection
from django.db.models import F
from joserfc import jws
from joserfc.jwk import ECKey

from lifegate.core.subject import Subject
from lifegate.transparency import chain
from lifegate.transparency.canonical import (
    FIELDS,
    JSON_FIELDS,
    TIME_FIELDS,
    digest,
    encoder,
    record_columns,
)
from lifegate.transparency.chain_verify import ChainReport
from lifegate.transparency.models import (
    ChainCheckpoint,
    ChainHead,
    ChainLink,
    ProcessingRecord,
)
from lifegate.transparency.services import (
    Actor,
    ForeignOperation,
    record_processing,
    record_processing_many,
)

PEOPLE = [Subject("bsn", "999990019"), Subject("bsn", "999990032"), Subject("eidas", "EE/NL/3")]
NAMES = ["registries.read_person", "inbox.read_message", "journeys.submit", "exchange.share"]


def build_log(rng: random.Random, rounds: int = 4, singles: int = 60, bulk: int = 40) -> None:
    """`rounds` times: `singles` records one by one and `bulk` in one bulk write, then a seal;
    then a few records after the last seal."""
    for _ in range(rounds):
        for _ in range(singles):
            record_any(rng)
        record_processing_many(
            name="inbox.bulk_send",
            subjects=[rng.choice(PEOPLE) for _ in range(bulk)],
            activity="inbox-send",
            actor=Actor(kind="agency", organisation="Belastingdienst"),
            data_categories=["message"],
        )
        chain.seal()
    for _ in range(7):
        record_any(rng)


def record_any(rng: random.Random) -> ProcessingRecord:
    """One record with varied fields."""
    person, other = rng.sample(PEOPLE, 2)
    on_behalf = rng.random() < 0.3
    return record_processing(
        name=rng.choice(NAMES),
        subject=person,
        activity=rng.choice(["registries-read", "inbox-read", "journeys-submit"]),
        actor=Actor(kind="person", subject=other if on_behalf else person, on_behalf_of=None),
        data_categories=rng.sample(["name", "address", "birth", "diploma"], rng.randint(0, 3)),
        status=rng.choice(["OK", "OK", "ERROR"]),
        foreign=ForeignOperation("a" * 32, "b" * 16, "https://ee.example") if on_behalf else None,
    )


@dataclass(frozen=True)
class Expect:
    """What the report must say: a problem of one of `kinds`, naming the record or the
    partition (and a position at most `position`) or the checkpoint."""

    kinds: frozenset[str]
    record_id: int | None = None
    partition: int | None = None
    position: int | None = None
    checkpoint: int | None = None
    records: frozenset[int] = frozenset()  # each named by a problem of one of `kinds`

    def met_by(self, report: ChainReport) -> bool:
        """Whether the report names this tampering."""
        named = {p.record_id for p in report.problems if p.kind in self.kinds}
        return (
            not report.ok
            and any(self._names(problem) for problem in report.problems)
            and self.records <= named
        )

    def _names(self, problem: Any) -> bool:
        wanted = {
            "record_id": self.record_id,
            "partition": self.partition,
            "checkpoint": self.checkpoint,
        }
        if problem.kind not in self.kinds:
            return False
        if any(v is not None and getattr(problem, k) != v for k, v in wanted.items()):
            return False
        return self.position is None or (
            problem.position is not None and problem.position <= self.position
        )


def sealed_links() -> list[ChainLink]:
    """Links that the latest checkpoint covers."""
    lengths = ChainCheckpoint.objects.latest("number").lengths
    return [link for link in ChainLink.objects.all() if link.sequence < lengths[link.partition]]


def change_field(rng: random.Random) -> Expect:
    link = rng.choice(sealed_links())
    _change(rng, link.record_id)
    return Expect(frozenset({"record-changed"}), record_id=link.record_id)


def change_field_rewrite(rng: random.Random) -> Expect:
    link = rng.choice(sealed_links())
    _change(rng, link.record_id)
    rewrite(link.partition, link.sequence)
    return Expect(
        frozenset({"checkpoint-mismatch"}), partition=link.partition, position=link.sequence
    )


def delete_record(rng: random.Random) -> Expect:
    link = rng.choice(sealed_links())
    ProcessingRecord.objects.filter(pk=link.record_id).delete()
    return Expect(frozenset({"record-missing"}), record_id=link.record_id)


def delete_record_and_link(rng: random.Random) -> Expect:
    link = rng.choice(sealed_links())
    ProcessingRecord.objects.filter(pk=link.record_id).delete()
    ChainLink.objects.filter(pk=link.record_id).delete()
    kinds = {"link-missing", "checkpoint-beyond-chain", "checkpoint-mismatch", "head-mismatch"}
    return Expect(frozenset(kinds), partition=link.partition, position=link.sequence)


def delete_rewrite(rng: random.Random) -> Expect:
    link = rng.choice(sealed_links())
    ProcessingRecord.objects.filter(pk=link.record_id).delete()
    ChainLink.objects.filter(pk=link.record_id).delete()
    later = ChainLink.objects.filter(partition=link.partition, sequence__gt=link.sequence)
    _shift(later, -1)
    rewrite(link.partition, link.sequence)
    kinds = {"checkpoint-beyond-chain", "checkpoint-mismatch"}
    return Expect(frozenset(kinds), partition=link.partition)


def insert_forged(rng: random.Random) -> Expect:
    """A forged record linked in the middle of a partition, the links after it moved up;
    the attacker rewrites the rest of the chain on even trials only."""
    forged = record_any(rng)
    partition = forged.pk % chain.partitions()
    length = ChainCheckpoint.objects.latest("number").lengths[partition]
    position = rng.randrange(length)
    _shift(ChainLink.objects.filter(partition=partition, sequence__gte=position), +1)
    before = _hash_at(partition, position - 1)
    record_digest = _digest_of(forged.pk)
    ChainLink.objects.create(
        record_id=forged.pk,
        partition=partition,
        sequence=position,
        digest=record_digest,
        hash=chain.chain_hash(before, record_digest),
    )
    if rng.random() < 0.5:
        rewrite(partition, position)
    kinds = {"checkpoint-mismatch", "link-broken", "head-mismatch"}
    return Expect(frozenset(kinds), partition=partition, position=position)


def insert_unlinked(rng: random.Random) -> Expect:
    """A forged record without a link, with an id the sealer has passed."""
    horizon = max(ChainHead.objects.values_list("horizon", flat=True))
    forged = record_any(rng)
    low = -rng.randint(1, 10**6)  # no real record has this id, and it is below every horizon
    ProcessingRecord.objects.filter(pk=forged.pk).update(id=low)
    assert horizon > 0
    return Expect(frozenset({"record-unlinked"}), record_id=low)


def swap_contents(rng: random.Random) -> Expect:
    first, second = rng.sample(sealed_links(), 2)
    a, b = (ProcessingRecord.objects.filter(pk=x.record_id) for x in (first, second))
    values_a, values_b = (query.values(*FIELDS[1:]).get() for query in (a, b))
    a.update(span_id="swap")
    b.update(**values_a)
    a.update(**values_b)
    both = frozenset({first.record_id, second.record_id})
    return Expect(frozenset({"record-changed"}), records=both)


def reorder_links(rng: random.Random) -> Expect:
    """Two links of one partition change places; on even trials the chain is rewritten."""
    partition = rng.randrange(chain.partitions())
    links = [each for each in sealed_links() if each.partition == partition]
    first, second = sorted(rng.sample(links, 2), key=lambda each: each.sequence)
    ChainLink.objects.filter(pk=first.pk).update(sequence=-1)
    ChainLink.objects.filter(pk=second.pk).update(sequence=first.sequence)
    ChainLink.objects.filter(pk=first.pk).update(sequence=second.sequence)
    if rng.random() < 0.5:
        rewrite(partition, first.sequence)
    kinds = {"link-broken", "checkpoint-mismatch"}
    return Expect(frozenset(kinds), partition=partition, position=first.sequence)


def edit_checkpoint(rng: random.Random) -> Expect:
    checkpoints = list(ChainCheckpoint.objects.order_by("number"))
    target = rng.choice(checkpoints[:-1])  # deleting the latest would leave no trace
    how = rng.choice(["lengths", "payload", "signature", "delete", "own-key", "swap"])
    query = ChainCheckpoint.objects.filter(pk=target.pk)
    header, payload, signature = target.token.split(".")
    if how == "lengths":
        lengths = list(target.lengths)
        lengths[rng.randrange(len(lengths))] += rng.choice([-1, 1])
        query.update(lengths=lengths)
    elif how == "payload":
        claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
        claims["partitions"][rng.randrange(len(claims["partitions"]))]["length"] += 1
        query.update(token=f"{header}.{_b64url(json.dumps(claims).encode())}.{signature}")
    elif how == "signature":
        other = rng.choice([each for each in checkpoints if each.pk != target.pk])
        query.update(token=f"{header}.{payload}.{other.token.split('.')[2]}")
    elif how == "own-key":
        query.update(token=_signed_with_another_key(header, payload))
    elif how == "swap":
        other = rng.choice([each for each in checkpoints if each.pk != target.pk])
        query.update(token=other.token)
    else:
        query.delete()
        return Expect(frozenset({"checkpoint-order"}), checkpoint=target.number + 1)
    kinds = {"checkpoint-edited", "checkpoint-invalid", "checkpoint-order"}
    return Expect(frozenset(kinds), checkpoint=target.number)


ATTACKS: dict[str, Callable[[random.Random], Expect]] = {
    "change a field": change_field,
    "change a field, rewrite the chain": change_field_rewrite,
    "delete a record": delete_record,
    "delete a record and its link": delete_record_and_link,
    "delete a record, rewrite the chain": delete_rewrite,
    "insert a forged record with a forged link": insert_forged,
    "insert a forged record without a link": insert_unlinked,
    "swap two records' contents": swap_contents,
    "reorder two links": reorder_links,
    "edit a checkpoint": edit_checkpoint,
}


def rewrite(partition: int, start: int) -> None:
    """What a careful attacker does next: recompute every digest and hash from `start` on,
    and the head, so that each link follows from the one before."""
    previous = _hash_at(partition, start - 1)
    links = ChainLink.objects.filter(partition=partition, sequence__gte=start)
    for link in links.order_by("sequence"):
        if ProcessingRecord.objects.filter(pk=link.record_id).exists():
            link.digest = _digest_of(link.record_id)
        previous = chain.chain_hash(previous, bytes(link.digest))
        ChainLink.objects.filter(pk=link.pk).update(digest=link.digest, hash=previous)
    length = ChainLink.objects.filter(partition=partition).count()
    ChainHead.objects.filter(pk=partition).update(length=length, hash=previous)


def _change(rng: random.Random, record_id: int) -> None:
    field = rng.choice(FIELDS[1:])
    old = ProcessingRecord.objects.filter(pk=record_id).values_list(field, flat=True).get()
    new: Any
    if field in TIME_FIELDS:
        new = old + timedelta(microseconds=rng.choice([1, 1000, 3_600_000_000]))
    elif field == JSON_FIELDS[0]:
        new = [*old, "bank-account"]
    elif field == JSON_FIELDS[1]:
        new = {**old, "service.name": "other"}
    else:
        new = old[:-1] + ("y" if old[-1:] == "x" else "x")
    ProcessingRecord.objects.filter(pk=record_id).update(**{field: new})


def _shift(links: Any, by: int) -> None:
    # Two steps, so that the unique (partition, sequence) never sees two links on one place.
    links.update(sequence=F("sequence") * -1 - 10)
    ChainLink.objects.filter(sequence__lt=-5).update(sequence=(F("sequence") + 10) * -1 + by)


def _hash_at(partition: int, sequence: int) -> bytes:
    if sequence < 0:
        return chain.genesis(partition)
    link = ChainLink.objects.get(partition=partition, sequence=sequence)
    return bytes(link.hash)


def _digest_of(record_id: int) -> bytes:
    table = connection.ops.quote_name(ProcessingRecord._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {record_columns('r')} FROM {table} r WHERE r.id = %s", [record_id])
        return digest(encoder()(cursor.fetchone()))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _signed_with_another_key(header: str, payload: str) -> str:
    key = ECKey.generate_key("P-256", private=True)
    protected = json.loads(base64.urlsafe_b64decode(header + "=="))
    claims = base64.urlsafe_b64decode(payload + "==")
    return jws.serialize_compact(protected, claims, key)
