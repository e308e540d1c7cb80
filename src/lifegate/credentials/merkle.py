"""Merkle trees of RFC 9162 (Certificate Transparency version 2.0), section 2.1, with SHA-256.

Pure functions on bytes, no database. A tree is addressed through its complete, aligned
subtrees: `(level, index)` is the subtree of 2**level leaves starting at leaf
index * 2**level (level 0 holds the leaf hashes). Every range the RFC's recursive definitions
(MTH, PATH, PROOF) split a tree into starts at a multiple of a power of two at least as large
as the range, so it is one such subtree or the concatenation of a few (one per binary digit
of its length). A proof therefore needs O(log n) subtree hashes, which a log can keep in a
table instead of rehashing its leaves: give the proof functions a `subtree(level, index)`
lookup, or a list of leaf hashes for trees held in memory.

Proofs are lists of hashes in the RFC's order (nearest the leaf first) and are checked with
the RFC's own verification algorithms (2.1.3.2 and 2.1.4.2)."""

import hashlib
from collections.abc import Callable, Iterable, Sequence

HASH_SIZE = 32
# MTH({}): the hash of an empty string.
EMPTY_ROOT = hashlib.sha256(b"").digest()

type Subtree = Callable[[int, int], bytes]
type SubtreeSource = Subtree | Sequence[bytes]
type Key = tuple[int, int]
type Range = tuple[int, int]


def leaf_hash(data: bytes) -> bytes:
    """HASH(0x00 || data): the hash of a leaf holding `data`."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """HASH(0x01 || left || right): the hash of an inner node."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def range_subtrees(start: int, end: int) -> list[Key]:
    """The complete aligned subtrees that make up leaves [start, end), left to right.

    Only ranges of the RFC's decomposition qualify: `start` is a multiple of a power of two
    that is at least `end - start`."""
    keys = []
    while start < end:
        level = (end - start).bit_length() - 1
        if start % (1 << level):
            raise ValueError(f"leaves [{start}, {end}) are not a range of the tree")
        keys.append((level, start >> level))
        start += 1 << level
    return keys


def subtrees_needed(ranges: Iterable[Range]) -> set[Key]:
    """Every subtree whose hash the hashes of these ranges are made of: what to look up."""
    return {key for start, end in ranges for key in range_subtrees(start, end)}


def range_hash(start: int, end: int, subtree: SubtreeSource) -> bytes:
    """MTH(D[start:end]) for a range of the tree's decomposition (see `range_subtrees`)."""
    if start == end:
        return EMPTY_ROOT
    lookup = _lookup(subtree)
    hashes = [lookup(level, index) for level, index in range_subtrees(start, end)]
    # The RFC splits off the largest power of two on the left first: fold from the right.
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def tree_root(size: int, subtree: SubtreeSource) -> bytes:
    """MTH(D[0:size]): the root hash of the tree's first `size` leaves."""
    if size < 0:
        raise ValueError("a tree size is not negative")
    return range_hash(0, size, subtree)


def root(leaves: Sequence[bytes]) -> bytes:
    """The root hash of a tree of these leaf hashes."""
    return tree_root(len(leaves), leaves)


def levels(leaves: Sequence[bytes]) -> list[list[bytes]]:
    """Every complete aligned subtree of a tree of these leaf hashes: `levels(...)[l][i]` is
    the hash of subtree (l, i)."""
    result = [list(leaves)]
    while len(result[-1]) > 1:
        below = result[-1]
        result.append([node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)])
    return result


def extend(
    start: int, frontier: dict[int, bytes], leaves: Sequence[bytes]
) -> tuple[list[tuple[int, int, bytes]], dict[int, bytes]]:
    """Append leaf hashes to a tree of `start` leaves.

    `frontier` maps levels to the hashes of the complete subtrees `range_subtrees(0, start)`
    (one per binary digit of `start`). Returns every subtree that the new leaves complete, as
    (level, index, hash), and the frontier of the grown tree."""
    end = start + len(leaves)
    completed: list[tuple[int, int, bytes]] = []
    grown = {}
    new = list(leaves)  # at each level: subtrees (level, start >> level ...) just completed
    level = 0
    while new:
        first = start >> level
        completed.extend((level, first + offset, value) for offset, value in enumerate(new))
        if end >> level & 1:
            grown[level] = new[-1]
        # A new parent's left child may have been complete before: the old frontier's.
        row = [frontier[level], *new] if first & 1 else new
        new = [node_hash(row[i], row[i + 1]) for i in range(0, len(row) - 1, 2)]
        level += 1
    for rest in range(level, end.bit_length()):
        if end >> rest & 1:
            grown[rest] = frontier[rest]
    return completed, grown


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The leaf ranges whose hashes make up PATH(index, D[0:size]), nearest the leaf first."""
    if not 0 <= index < size:
        raise ValueError("an inclusion proof needs 0 <= index < size")
    ranges = []
    start, end = 0, size
    while end - start > 1:
        middle = start + _largest_power_below(end - start)
        if index < middle:
            ranges.append((middle, end))
            end = middle
        else:
            ranges.append((start, middle))
            start = middle
    return ranges[::-1]


def consistency_ranges(first: int, second: int) -> list[Range]:
    """The leaf ranges whose hashes make up PROOF(first, D[0:second]) (RFC 9162 2.1.4.1),
    nearest the leaves first; empty when `first` is 0 or equals `second`."""
    if not 0 <= first <= second:
        raise ValueError("a consistency proof needs 0 <= first <= second")
    if first in (0, second):
        return []
    ranges = []
    start, end, m, whole = 0, second, first, True
    while end - start != m:
        middle = start + _largest_power_below(end - start)
        if m <= middle - start:
            ranges.append((middle, end))
            end = middle
        else:
            ranges.append((start, middle))
            m -= middle - start
            start, whole = middle, False
    if not whole:
        # SUBPROOF(m, D[m], false) = {MTH(D[m])}
        ranges.append((start, end))
    return ranges[::-1]


def inclusion_proof(index: int, size: int, subtree: SubtreeSource) -> list[bytes]:
    """PATH(index, D[0:size]) (RFC 9162 2.1.3.1): the audit path of leaf `index`."""
    lookup = _lookup(subtree)
    return [range_hash(start, end, lookup) for start, end in inclusion_ranges(index, size)]


def consistency_proof(first: int, second: int, subtree: SubtreeSource) -> list[bytes]:
    """PROOF(first, D[0:second]) (RFC 9162 2.1.4.1): that the tree of `second` leaves
    extends the tree of the first `first` of them."""
    lookup = _lookup(subtree)
    return [range_hash(start, end, lookup) for start, end in consistency_ranges(first, second)]


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root_hash: bytes
) -> bool:
    """Whether `proof` shows that the leaf hash `leaf` is leaf `index` of the tree of `size`
    leaves with root `root_hash` (RFC 9162 2.1.3.2)."""
    if not _hashes(leaf, root_hash, *proof) or not 0 <= index < size:
        return False
    fn, sn = index, size - 1
    result = leaf
    for sibling in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            result = node_hash(result, sibling)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and result == root_hash


def verify_consistency(
    first_size: int,
    second_size: int,
    first_root: bytes,
    second_root: bytes,
    proof: Sequence[bytes],
) -> bool:
    """Whether `proof` shows that the tree of `second_size` leaves with root `second_root`
    extends the tree of `first_size` leaves with root `first_root` (RFC 9162 2.1.4.2, which
    covers 0 < first < second; equal sizes need an empty proof and equal roots, and every tree
    extends the empty one)."""
    if not _hashes(first_root, second_root, *proof) or not 0 <= first_size <= second_size:
        return False
    if first_size == second_size:
        return not proof and first_root == second_root
    if first_size == 0:
        return not proof and first_root == EMPTY_ROOT
    return _verify_consistency_path(first_size, second_size, first_root, second_root, proof)


def _verify_consistency_path(
    first_size: int,
    second_size: int,
    first_root: bytes,
    second_root: bytes,
    proof: Sequence[bytes],
) -> bool:
    """RFC 9162 2.1.4.2, steps 1 to 7, for 0 < first_size < second_size."""
    if not proof:
        return False
    path = list(proof)
    if first_size & (first_size - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first_size - 1, second_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    first_result = second_result = path[0]
    for sibling in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            first_result = node_hash(sibling, first_result)
            second_result = node_hash(sibling, second_result)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            second_result = node_hash(second_result, sibling)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and first_result == first_root and second_result == second_root


def _largest_power_below(n: int) -> int:
    """The largest power of two smaller than n (n > 1): where the RFC splits n leaves."""
    return 1 << ((n - 1).bit_length() - 1)


def _hashes(*values: bytes) -> bool:
    return all(isinstance(value, bytes) and len(value) == HASH_SIZE for value in values)


def _lookup(subtree: SubtreeSource) -> Subtree:
    if callable(subtree):
        return subtree
    tree = levels(subtree)
    return lambda level, index: tree[level][index]
