"""The transparency log of issued credentials: append-only, RFC 9162 style, in the database.

Each issued credential's salted digest and each status-list version is appended as a leaf;
never personal data. A leaf's data is one byte for its kind (0x01 credential, 0x02 status
list) followed by the 32-byte digest, and its hash is SHA-256(0x00 || data) (merkle.py).
Every complete aligned subtree's hash is stored when its last leaf arrives, so proofs and
roots need O(log n) reads whatever the log's size.

Checkpoints are signed tree heads: a compact JWS (ES256, key "credentials-log", header typ
`lifegate-log-checkpoint+jwt`) with claims `origin` (settings.BASE_URL + LOG_ID), `size`,
`root` and `iat`. Hashes travel as standard base64. Anyone can check inclusion and
consistency proofs against them (API: lifegate.credentials.api_log); `audit` recomputes
everything from the entries (`manage.py audit_credential_log`)."""

import base64
import binascii
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySetSerialization

from lifegate.core.keys import SIGNING_ALGORITHM, public_jwks, signing_key
from lifegate.credentials import merkle
from lifegate.credentials.models import LogCheckpoint, LogEntry, LogHead, LogSubtree

if TYPE_CHECKING:
    from lifegate.credentials.log_audit import AuditReport

LOG_KEY_NAME = "credentials-log"
LOG_ID = "/api/credentials/log"  # where the log answers (credentials.api_log)
CHECKPOINT_TYP = "lifegate-log-checkpoint+jwt"
KIND_TAGS = {LogEntry.Kind.CREDENTIAL.value: b"\x01", LogEntry.Kind.STATUS_LIST.value: b"\x02"}
# append_many writes this many leaves (and their subtrees) per round of inserts.
BATCH_SIZE = 1 << 14
_REGISTRY = jws.JWSRegistry(algorithms=[SIGNING_ALGORITHM])


class LogDamaged(Exception):
    """The stored tree is incomplete or does not extend the last checkpoint: the log refuses
    to grow or sign until an operator has looked (`manage.py audit_credential_log`)."""


class ProofUnavailable(ValueError):
    """No such proof: an index or size outside the log (a client's mistake)."""


class EntryNotFound(LookupError):
    """No entry at this index (yet)."""


class NotYetSealed(LookupError):
    """The entry exists but no checkpoint covers it yet."""


class CheckpointInvalid(ValueError):
    """Not a checkpoint signed by this log."""


@dataclass(frozen=True)
class SignedCheckpoint:
    """The verified claims of a checkpoint."""

    origin: str
    size: int
    root: bytes
    issued_at: int
    kid: str


@dataclass(frozen=True)
class EntryProof:
    """An entry with its inclusion proof in the tree of `size` leaves (root `root`), and
    the checkpoint signing that tree head if there is one."""

    index: int
    kind: str
    digest: bytes
    leaf_hash: bytes
    created_at: datetime
    size: int
    root: bytes
    proof: list[bytes]
    checkpoint: str | None


def origin() -> str:
    """This log's identity, as its checkpoints name it."""
    return settings.BASE_URL + LOG_ID


def b64(value: bytes) -> str:
    """A hash as it travels: standard base64."""
    return base64.b64encode(value).decode("ascii")


def entry_leaf_hash(kind: str, digest: bytes) -> bytes:
    """The leaf hash of an entry: SHA-256(0x00 || kind tag || digest)."""
    return merkle.leaf_hash(KIND_TAGS[kind] + digest)


def append(kind: str, digest: bytes) -> int:
    """Append one entry (inside the caller's transaction); returns its index. Concurrent
    appends wait for each other, so keep the surrounding transaction short."""
    return append_many(kind, [digest]).start


def append_many(kind: str, digests: Sequence[bytes]) -> range:
    """Append entries of one kind in order, in bulk (the subtrees they complete are computed
    in memory and inserted in batches); returns their indices."""
    if kind not in KIND_TAGS:
        raise ValueError(f"unknown log entry kind {kind!r}")
    if any(not isinstance(each, bytes) or len(each) != merkle.HASH_SIZE for each in digests):
        raise ValueError("a log entry is a 32-byte digest")
    with transaction.atomic():
        start = _reserve(len(digests))
        frontier = _frontier(start)
        now = timezone.now()
        for offset in range(0, len(digests), BATCH_SIZE):
            batch = digests[offset : offset + BATCH_SIZE]
            first = start + offset
            leaves = [entry_leaf_hash(kind, digest) for digest in batch]
            completed, frontier = merkle.extend(first, frontier, leaves)
            LogEntry.objects.bulk_create(
                LogEntry(index=first + i, kind=kind, digest=digest, created_at=now)
                for i, digest in enumerate(batch)
            )
            LogSubtree.objects.bulk_create(
                LogSubtree(level=level, index=index, hash=value)
                for level, index, value in completed
            )
    return range(start, start + len(digests))


def current_size() -> int:
    """How many entries the log holds (committed ones, as this transaction sees them)."""
    return LogHead.objects.filter(pk=LogHead.SINGLETON).values_list("size", flat=True).first() or 0


def tree_root(size: int) -> bytes:
    """The root hash of the log's first `size` entries."""
    _check_size(size)
    return merkle.tree_root(size, _stored(merkle.subtrees_needed([(0, size)])))


def inclusion_proof(index: int, size: int) -> list[bytes]:
    """The audit path of entry `index` in the tree of the first `size` entries."""
    _check_size(size)
    if not 0 <= index < size:
        raise ProofUnavailable(f"entry {index} is not among the first {size}")
    ranges = merkle.inclusion_ranges(index, size)
    return merkle.inclusion_proof(index, size, _stored(merkle.subtrees_needed(ranges)))


def consistency_proof(first: int, second: int) -> list[bytes]:
    """The proof that the tree of `second` entries extends the tree of the first `first`."""
    _check_size(second)
    if not 0 <= first <= second:
        raise ProofUnavailable("a consistency proof needs 0 <= first <= second")
    ranges = merkle.consistency_ranges(first, second)
    return merkle.consistency_proof(first, second, _stored(merkle.subtrees_needed(ranges)))


def prove_entry(index: int, size: int | None = None) -> EntryProof:
    """Entry `index` with its inclusion proof against the tree of `size` entries, or against
    the latest checkpoint when `size` is None."""
    entry = LogEntry.objects.filter(index=index).first()
    if entry is None or index < 0:
        raise EntryNotFound(f"there is no entry {index}")
    token: str | None
    if size is None:
        latest = latest_checkpoint()
        if latest is None or latest.size <= index:
            raise NotYetSealed(f"no checkpoint covers entry {index} yet")
        size, token = latest.size, latest.token
    else:
        token = LogCheckpoint.objects.filter(size=size).values_list("token", flat=True).first()
    _check_size(size)
    if index >= size:
        raise ProofUnavailable(f"entry {index} is not among the first {size}")
    ranges = [*merkle.inclusion_ranges(index, size), (0, size)]
    lookup = _stored(merkle.subtrees_needed(ranges))
    digest = bytes(entry.digest)
    return EntryProof(
        index=index,
        kind=entry.kind,
        digest=digest,
        leaf_hash=entry_leaf_hash(entry.kind, digest),
        created_at=entry.created_at,
        size=size,
        root=merkle.tree_root(size, lookup),
        proof=merkle.inclusion_proof(index, size, lookup),
        checkpoint=token,
    )


def audit() -> "AuditReport":
    """Recompute the log from its entries and check it against everything stored and signed
    (see lifegate.credentials.log_audit, where it lives to keep this module short)."""
    from lifegate.credentials.log_audit import audit as run_audit

    return run_audit()


def latest_checkpoint() -> LogCheckpoint | None:
    """The checkpoint of the largest tree, if any."""
    return LogCheckpoint.objects.order_by("-size").first()


def checkpoint() -> LogCheckpoint:
    """Sign the log's current size and root, unless the latest checkpoint has that size
    already (then that one is returned). Refuses (LogDamaged) to sign a tree that does not
    extend the latest checkpoint."""
    with transaction.atomic():
        # The head's lock, held for a moment, makes concurrent sealers take turns: each sees
        # the checkpoint before it, and checkpoints are signed in the order of their sizes.
        head = LogHead.objects.select_for_update().filter(pk=LogHead.SINGLETON)
        size = head.values_list("size", flat=True).first() or 0
        latest = latest_checkpoint()
        if latest is not None and latest.size == size:
            return latest
        root = _root_extending(latest, size)
        now = timezone.now()
        key = signing_key(LOG_KEY_NAME)
        claims = {"origin": origin(), "size": size, "root": b64(root), "iat": int(now.timestamp())}
        header = {"alg": SIGNING_ALGORITHM, "kid": key.kid, "typ": CHECKPOINT_TYP}
        payload = json.dumps(claims, separators=(",", ":"))
        token = jws.serialize_compact(header, payload, key, registry=_REGISTRY)
        try:
            with transaction.atomic():
                return LogCheckpoint.objects.create(
                    size=size, root=root, created_at=now, token=token, kid=key.kid or ""
                )
        except IntegrityError:
            # An empty log has no head row to lock: two sealers may sign it at once.
            return LogCheckpoint.objects.get(size=size)


def _root_extending(latest: LogCheckpoint | None, size: int) -> bytes:
    """The root of the first `size` entries, checked to extend the `latest` checkpoint."""
    if latest is not None and latest.size > size:
        raise LogDamaged(f"the log has {size} entries, its last checkpoint {latest.size}")
    previous = latest.size if latest else 0
    ranges = [(0, size), *merkle.consistency_ranges(previous, size)]
    lookup = _stored(merkle.subtrees_needed(ranges))
    root = merkle.tree_root(size, lookup)
    proof = merkle.consistency_proof(previous, size, lookup)
    if latest and not merkle.verify_consistency(previous, size, bytes(latest.root), root, proof):
        raise LogDamaged(f"the stored tree does not extend the checkpoint at size {previous}")
    return root


def verify_checkpoint(token: str) -> SignedCheckpoint:
    """The claims of a checkpoint this log signed, checked against its published key;
    raises CheckpointInvalid otherwise."""
    try:
        obj = jws.extract_compact(token.encode("ascii"), registry=_REGISTRY)
        header = obj.headers()
        claims = json.loads(obj.payload)
    except (JoseError, ValueError, UnicodeError) as error:
        raise CheckpointInvalid("not a compact JWS with a JSON payload") from error
    if header.get("alg") != SIGNING_ALGORITHM or header.get("typ") != CHECKPOINT_TYP:
        raise CheckpointInvalid("not a checkpoint of this log")
    key = published_keys().get(str(header.get("kid")))
    if key is None:
        raise CheckpointInvalid("signed with a key this log does not publish")
    try:
        valid = jws.validate_compact(obj, key, registry=_REGISTRY)
    except JoseError:
        valid = False
    if not valid:
        raise CheckpointInvalid("bad signature")
    return _signed_claims(claims, str(header["kid"]))


def checkpoint_claims(token: str) -> dict[str, Any]:
    """The claims of a checkpoint token as they are signed, without checking the signature
    (for showing a checkpoint this log made; use verify_checkpoint to trust one)."""
    claims = json.loads(jws.extract_compact(token.encode("ascii"), registry=_REGISTRY).payload)
    if not isinstance(claims, dict):
        raise CheckpointInvalid("the payload is not a JSON object")
    return claims


def public_keys() -> KeySetSerialization:
    """The log's public signing keys as a JWK Set: what checkpoints are verified with."""
    return public_jwks(LOG_KEY_NAME)


def published_keys() -> dict[str, ECKey]:
    """The published keys by kid."""
    keys = (ECKey.import_key(dict(each)) for each in public_keys()["keys"])
    return {str(key.kid): key for key in keys}


def _signed_claims(claims: Any, kid: str) -> SignedCheckpoint:
    if not isinstance(claims, dict) or claims.get("origin") != origin():
        raise CheckpointInvalid("not a checkpoint of this log's origin")
    size, issued_at, root = claims.get("size"), claims.get("iat"), claims.get("root")
    if type(size) is not int or size < 0 or type(issued_at) is not int:
        raise CheckpointInvalid("size and iat must be non-negative integers")
    try:
        root_hash = base64.b64decode(str(root), validate=True)
    except (binascii.Error, ValueError) as error:
        raise CheckpointInvalid("the root is not base64") from error
    if len(root_hash) != merkle.HASH_SIZE:
        raise CheckpointInvalid("the root is not a SHA-256 hash")
    return SignedCheckpoint(str(claims["origin"]), size, root_hash, issued_at, kid)


def _reserve(count: int) -> int:
    """Grow the head by `count` and return the first new index. The update comes first: it
    locks the head row on PostgreSQL and takes SQLite's write lock before reading, so
    concurrent appends wait here and never see the same size."""
    head = LogHead.objects.filter(pk=LogHead.SINGLETON)
    if not head.update(size=F("size") + count):
        LogHead.objects.get_or_create(pk=LogHead.SINGLETON)
        head.update(size=F("size") + count)
    return head.values_list("size", flat=True).get() - count


def _frontier(size: int) -> dict[int, bytes]:
    lookup = _stored(set(merkle.range_subtrees(0, size)))
    return {level: lookup(level, index) for level, index in merkle.range_subtrees(0, size)}


def _check_size(size: int) -> None:
    current = current_size()
    if not 0 <= size <= current:
        raise ProofUnavailable(f"the log has {current} entries, not {size}")


def _stored(keys: Iterable[merkle.Key]) -> merkle.Subtree:
    """A lookup of stored subtree hashes, loaded with one query."""
    hashes = load_subtrees(keys)

    def lookup(level: int, index: int) -> bytes:
        try:
            return hashes[level, index]
        except KeyError:
            raise LogDamaged(f"subtree {level}/{index} is missing") from None

    return lookup


def load_subtrees(keys: Iterable[merkle.Key]) -> dict[merkle.Key, bytes]:
    """The stored hashes of these subtrees (absent ones are left out), with one query."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    # Plain SQL: building this OR of (level, index) pairs through the ORM took most of a
    # proof's time (milliseconds), the query itself a fraction of one. Only quoted names and
    # placeholders go into the text.
    quote = connection.ops.quote_name
    table, level, index = (quote(name) for name in (LogSubtree._meta.db_table, "level", "index"))
    where = " OR ".join([f"({level} = %s AND {index} = %s)"] * len(wanted))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {level}, {index}, {quote('hash')} FROM {table} WHERE {where}",  # noqa: S608
            [number for key in wanted for number in key],
        )
        return {(row[0], row[1]): bytes(row[2]) for row in cursor.fetchall()}
