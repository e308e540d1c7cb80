"""Tamper evidence of the processing log: hash chains built by a background sealer, and signed
checkpoints (models: lifegate.transparency.models_chain).

Writing a record costs nothing extra: `record_processing` and `record_processing_many` stay one
INSERT or one COPY. The sealer (`extend_chain`, from the `seal_processing_log` task or
command) links the records that are not yet linked: each partition (record id modulo
`TRANSPARENCY_CHAIN_PARTITIONS`, 4 by default) is a hash chain of its own, in the order the
sealer linked them. A link keeps the record's digest, SHA-256 of its canonical bytes
(lifegate.transparency.canonical), and the chain hash SHA-256(previous hash || digest).

`seal` then signs a checkpoint: a compact JWS (ES256, key "transparency-log", header typ
`lifegate-processing-log-checkpoint+jwt`) with claims `iss` (BASE_URL), `n` (1, 2, 3, ...),
`prev` (SHA-256 of the previous checkpoint's token, base64, or null), `iat`, and `partitions`:
per partition its `length` and `head` hash (base64). `verify_chain`
(lifegate.transparency.chain_verify) recomputes everything from the records.

A record committed after the sealer passed its id (a transaction that took its id earlier and
committed later) is still linked: the sealer looks for unlinked records above each partition's
horizon, and moves the horizon only past records older than `TRANSPARENCY_CHAIN_GRACE_SECONDS`
(900 by default), as no transaction writing a record is expected to stay open that long."""

import base64
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone
from joserfc import jws
from joserfc.errors import JoseError

from lifegate.core.keys import SIGNING_ALGORITHM, signing_key
from lifegate.transparency.canonical import WIDTH, digest, encoder, record_columns
from lifegate.transparency.models import (
    ChainCheckpoint,
    ChainHead,
    ChainLink,
    ProcessingRecord,
)

if TYPE_CHECKING:
    from lifegate.transparency.chain_verify import ChainReport

KEY_NAME = "transparency-log"
CHECKPOINT_TYP = "lifegate-processing-log-checkpoint+jwt"

# Records linked per transaction: the head stays locked this long.
BATCH_SIZE = 5000
_REGISTRY = jws.JWSRegistry(algorithms=[SIGNING_ALGORITHM])


class ChainDamaged(Exception):
    """A head does not match the chain it ends: the sealer refuses to build on it until an
    operator has looked (`manage.py verify_processing_log`)."""


class CheckpointInvalid(ValueError):
    """Not a checkpoint this log signed."""


@dataclass(frozen=True)
class SignedCheckpoint:
    """The verified claims of a checkpoint."""

    number: int
    issued_at: int
    previous: bytes | None
    lengths: list[int]
    heads: list[bytes]


def genesis(partition: int) -> bytes:
    """The hash an empty partition's chain starts from."""
    return hashlib.sha256(f"lifegate processing log, partition {partition}".encode()).digest()


def chain_hash(previous: bytes, record_digest: bytes) -> bytes:
    """The hash of a link: SHA-256(previous link's hash || the record's digest)."""
    return hashlib.sha256(previous + record_digest).digest()


def partitions() -> int:
    """How many partitions the chain has: fixed by the first sealer (the setting is read only
    while there are no heads yet), because a record's partition follows from its id."""
    count = ChainHead.objects.count()
    if count:
        return count
    wanted = int(settings.TRANSPARENCY_CHAIN_PARTITIONS)
    ChainHead.objects.bulk_create(
        [ChainHead(partition=p, hash=genesis(p)) for p in range(max(wanted, 1))],
        ignore_conflicts=True,
    )
    return ChainHead.objects.count()


def extend_chain(limit: int | None = None) -> int:
    """Link records that are not linked yet, at most `limit` (None: all), in id order within
    each partition, in transactions of at most BATCH_SIZE; returns how many. Idempotent, and
    safe with other sealers: a partition whose head another sealer holds is left to it."""
    count = partitions()
    passed = _newest_passed()
    linked = 0
    for partition in range(count):
        after = 0  # in this run, every record of the partition up to here has been linked
        while limit is None or linked < limit:
            room = BATCH_SIZE if limit is None else min(BATCH_SIZE, limit - linked)
            done, after = _extend_partition(partition, count, room, after, passed)
            linked += max(done, 0)
            if done < room:  # nothing more to link here, or another sealer holds the head
                break
    return linked


def seal() -> ChainCheckpoint:
    """Link every record not yet linked, then sign a checkpoint of all heads, unless the
    latest checkpoint has these lengths already (then that one is returned)."""
    extend_chain()
    with transaction.atomic():
        # Locking every head (in one order) makes concurrent sealers take turns here, and
        # waits for extensions under way: checkpoints are numbered in the order they are signed.
        heads = list(ChainHead.objects.select_for_update().order_by("partition"))
        latest = ChainCheckpoint.objects.order_by("-number").first()
        lengths = [head.length for head in heads]
        if latest is not None and latest.lengths == lengths:
            return latest
        for head in heads:
            _check_head(head)
        now = timezone.now()
        number = latest.number + 1 if latest else 1
        claims = {
            "iss": settings.BASE_URL,
            "n": number,
            "prev": b64(hashlib.sha256(latest.token.encode()).digest()) if latest else None,
            "iat": int(now.timestamp()),
            "partitions": [{"length": h.length, "head": b64(bytes(h.hash))} for h in heads],
        }
        key = signing_key(KEY_NAME)
        header = {"alg": SIGNING_ALGORITHM, "kid": key.kid, "typ": CHECKPOINT_TYP}
        payload = json.dumps(claims, separators=(",", ":"))
        token = jws.serialize_compact(header, payload, key, registry=_REGISTRY)
        return ChainCheckpoint.objects.create(
            number=number, issued_at=now, lengths=lengths, token=token
        )


def verify_chain() -> "ChainReport":
    """Recompute every link from the records and check every checkpoint (see
    lifegate.transparency.chain_verify). Reports tampering; never raises for it."""
    from lifegate.transparency.chain_verify import verify_chain as run

    return run()


def read_checkpoint(token: str) -> SignedCheckpoint:
    """The claims of a checkpoint this log signed, checked against its key; raises
    CheckpointInvalid otherwise."""
    try:
        obj = jws.extract_compact(token.encode("ascii"), registry=_REGISTRY)
        header, claims = obj.headers(), json.loads(obj.payload)
    except (JoseError, ValueError, UnicodeError) as error:
        raise CheckpointInvalid("not a compact JWS with a JSON payload") from error
    key = signing_key(KEY_NAME)
    if header.get("typ") != CHECKPOINT_TYP or header.get("kid") != key.kid:
        raise CheckpointInvalid("not signed with this log's key")
    try:
        valid = jws.validate_compact(obj, key, registry=_REGISTRY)
    except JoseError:
        valid = False
    if not valid:
        raise CheckpointInvalid("bad signature")
    return _signed_claims(claims)


def covered_by_checkpoint(record_ids: Iterable[int]) -> ChainCheckpoint | None:
    """The latest checkpoint with a valid signature that covers every one of these records,
    if each is linked and still matches its link's digest and chain hash; otherwise None.
    (A quick check for a person's page: `verify_chain` proves the whole chain.)"""
    wanted = sorted(set(record_ids))
    positions = _verified_positions(wanted)
    if positions is None:
        return None
    for checkpoint in ChainCheckpoint.objects.order_by("-number")[:10]:
        lengths = checkpoint.lengths
        if not all(p < len(lengths) and s < lengths[p] for p, s in positions):
            return None  # an earlier checkpoint covers less still
        try:
            signed = read_checkpoint(checkpoint.token)
        except CheckpointInvalid:
            continue
        if signed.number == checkpoint.number and signed.lengths == lengths:
            return checkpoint
    return None


def b64(value: bytes) -> str:
    """A hash as checkpoints carry it: standard base64."""
    return base64.b64encode(value).decode("ascii")


def grace() -> timedelta:
    """How long a transaction writing a record may stay open before the sealer moves past it."""
    return timedelta(seconds=int(settings.TRANSPARENCY_CHAIN_GRACE_SECONDS))


def link_columns(alias: str) -> str:
    """The SELECT list of a link's record id, partition, sequence, digest and hash."""
    quote = connection.ops.quote_name
    names = ("record_id", "partition", "sequence", "digest", "hash")
    return ", ".join(f"{alias}.{quote(name)}" for name in names)


def _extend_partition(
    partition: int, count: int, room: int, after: int, passed: int | None
) -> tuple[int, int]:
    """Link up to `room` records of one partition with ids above `after` and its horizon;
    returns how many (-1 if another sealer holds its head) and the last id linked."""
    with transaction.atomic():
        head = ChainHead.objects.select_for_update(skip_locked=True).filter(pk=partition).first()
        if head is None:
            return -1, after
        _check_head(head)
        rows = _unlinked(max(head.horizon, after), partition, count, room)
        encode, previous, links = encoder(), bytes(head.hash), []
        for sequence, row in enumerate(rows, start=head.length):
            record_digest = digest(encode(row))
            previous = chain_hash(previous, record_digest)
            links.append((row[0], partition, sequence, record_digest, previous))
        _write_links(links)
        horizon = head.horizon
        if passed is not None:
            # After a full batch more may wait, above the last record linked.
            bound = min(passed, rows[-1][0]) if len(rows) == room else passed
            horizon = max(horizon, bound)
        ChainHead.objects.filter(pk=partition).update(
            length=head.length + len(links), hash=previous, horizon=horizon
        )
        return len(links), rows[-1][0] if rows else after


def _write_links(links: list[tuple[int, int, int, bytes, bytes]]) -> None:
    """Insert links (record id, partition, sequence, digest, hash): with COPY on PostgreSQL,
    where a seal after a bulk send writes tens of thousands at once."""
    if not links:
        return
    if connection.vendor != "postgresql":
        ChainLink.objects.bulk_create(
            [
                ChainLink(record_id=r, partition=p, sequence=s, digest=d, hash=h)
                for r, p, s, d, h in links
            ],
            batch_size=1000,
        )
        return
    quote = connection.ops.quote_name
    names = ", ".join(
        quote(name) for name in ("record_id", "partition", "sequence", "digest", "hash")
    )
    table = quote(ChainLink._meta.db_table)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
    ):
        for link in links:
            copy.write_row(link)


def _unlinked(after: int, partition: int, count: int, room: int) -> list[Sequence[Any]]:
    quote = connection.ops.quote_name
    record, link = ProcessingRecord._meta.db_table, ChainLink._meta.db_table
    sql = (
        f"SELECT {record_columns('r')} FROM {quote(record)} r "  # noqa: S608 (names only)
        f"WHERE r.id > %s AND r.id %% %s = %s AND NOT EXISTS "
        f"(SELECT 1 FROM {quote(link)} l WHERE l.record_id = r.id) ORDER BY r.id LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [after, count, partition, room])
        return [row[:WIDTH] for row in cursor.fetchall()]


def _newest_passed() -> int | None:
    """The newest record older than the grace period: the sealer may move every partition's
    horizon up to it once it has linked what it sees (taken before linking starts)."""
    lowest = ChainHead.objects.aggregate(lowest=Min("horizon"))["lowest"] or 0
    old = ProcessingRecord.objects.filter(pk__gt=lowest, end_time__lt=timezone.now() - grace())
    newest: int | None = old.aggregate(newest=Max("pk"))["newest"]
    return newest


def _check_head(head: ChainHead) -> None:
    if head.length == 0:
        last = genesis(head.partition)
    else:
        stored = (
            ChainLink.objects.filter(partition=head.partition, sequence=head.length - 1)
            .values_list("hash", flat=True)
            .first()
        )
        last = bytes(stored) if stored is not None else b""
    if bytes(head.hash) != last:
        raise ChainDamaged(f"partition {head.partition}: the head does not end its chain")


def _verified_positions(record_ids: list[int]) -> list[tuple[int, int]] | None:
    """(partition, sequence) of each record, if every one is linked, still has its link's
    digest, and its link's hash follows from its predecessor's."""
    quote = connection.ops.quote_name
    record, link = quote(ProcessingRecord._meta.db_table), quote(ChainLink._meta.db_table)
    part, seq = quote("partition"), quote("sequence")
    encode, positions = encoder(), []
    with connection.cursor() as cursor:
        for start in range(0, len(record_ids), 500):
            chunk = record_ids[start : start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT {record_columns('r')}, {link_columns('l')}, p.{quote('hash')} "  # noqa: S608
                f"FROM {link} l LEFT JOIN {record} r ON r.id = l.record_id "
                f"LEFT JOIN {link} p ON p.{part} = l.{part} AND p.{seq} = l.{seq} - 1 "
                f"WHERE l.record_id IN ({marks})",
                chunk,
            )
            for row in cursor.fetchall():
                _, partition, sequence, stored, hashed, before = row[WIDTH:]
                if sequence == 0:
                    before = genesis(partition)
                if row[0] is None or before is None or digest(encode(row)) != bytes(stored):
                    return None
                if chain_hash(bytes(before), bytes(stored)) != bytes(hashed):
                    return None
                positions.append((partition, sequence))
    return positions if len(positions) == len(record_ids) else None


def _signed_claims(claims: Any) -> SignedCheckpoint:
    try:
        number, issued_at, prev = claims["n"], claims["iat"], claims["prev"]
        lengths = [int(each["length"]) for each in claims["partitions"]]
        heads = [base64.b64decode(each["head"], validate=True) for each in claims["partitions"]]
        previous = base64.b64decode(prev, validate=True) if prev is not None else None
    except (KeyError, TypeError, ValueError) as error:
        raise CheckpointInvalid("the claims are not a checkpoint's") from error
    if type(number) is not int or type(issued_at) is not int or number < 1:
        raise CheckpointInvalid("n and iat must be positive integers")
    if any(len(head) != 32 for head in heads) or any(length < 0 for length in lengths):
        raise CheckpointInvalid("a partition's length or head is malformed")
    return SignedCheckpoint(number, issued_at, previous, lengths, heads)
