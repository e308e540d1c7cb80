"""RFC 9162 Merkle tree math, against a naive transcription of the RFC's recursive
definitions (MTH, PATH, PROOF) and the Certificate Transparency reference vectors."""

import hashlib
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifegate.credentials import merkle

SIZES = range(1, 71)


# --- The RFC's definitions, transcribed as literally as possible (section 2.1) ------------


def ref_mth(data: list[bytes]) -> bytes:
    n = len(data)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + data[0]).digest()
    k = ref_split(n)
    return hashlib.sha256(b"\x01" + ref_mth(data[:k]) + ref_mth(data[k:])).digest()


def ref_split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_path(m: int, data: list[bytes]) -> list[bytes]:
    n = len(data)
    if n == 1:
        return []
    k = ref_split(n)
    if m < k:
        return [*ref_path(m, data[:k]), ref_mth(data[k:])]
    return [*ref_path(m - k, data[k:]), ref_mth(data[:k])]


def ref_proof(m: int, data: list[bytes]) -> list[bytes]:
    return ref_subproof(m, data, True)


def ref_subproof(m: int, data: list[bytes], b: bool) -> list[bytes]:
    n = len(data)
    if m == n:
        return [] if b else [ref_mth(data)]
    k = ref_split(n)
    if m <= k:
        return [*ref_subproof(m, data[:k], b), ref_mth(data[k:])]
    return [*ref_subproof(m - k, data[k:], False), ref_mth(data[:k])]


def entries(n: int) -> list[bytes]:
    return [f"entry {i}".encode() for i in range(n)]


def leaf_hashes(data: list[bytes]) -> list[bytes]:
    return [merkle.leaf_hash(each) for each in data]


def altered(proof: list[bytes], position: int) -> list[bytes]:
    changed = bytearray(proof[position])
    changed[0] ^= 1
    return [*proof[:position], bytes(changed), *proof[position + 1 :]]


# --- Certificate Transparency reference vectors (RFC 6962 test data) ----------------------

CT_ENTRIES = [
    bytes.fromhex(each)
    for each in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_INCLUSION = {
    (0, 8): ["96a296d2", "5f083f0a", "6b47aaf2"],
    (5, 8): ["bc1a0643", "ca854ea1", "d37ee418"],
    (2, 3): ["fac54203"],
    (1, 5): ["6e340b9c", "5f083f0a", "bc1a0643"],
}
CT_CONSISTENCY = {
    (1, 8): ["96a296d2", "5f083f0a", "6b47aaf2"],
    (6, 8): ["0ebc5d34", "ca854ea1", "d37ee418"],
    (2, 5): ["5f083f0a", "bc1a0643"],
    (3, 7): ["0298d122", "07506a85", "fac54203", "837dbb15"],
    (4, 7): ["837dbb15"],
    (6, 7): ["0ebc5d34", "b08693ec", "d37ee418"],
}


def test_the_empty_tree_has_the_hash_of_the_empty_string_as_root():
    assert merkle.root([]) == merkle.EMPTY_ROOT == hashlib.sha256(b"").digest()
    assert merkle.EMPTY_ROOT.hex().startswith("e3b0c442")


@pytest.mark.parametrize("size", range(9))
def test_roots_match_the_certificate_transparency_vectors(size):
    assert merkle.root(leaf_hashes(CT_ENTRIES[:size])).hex() == CT_ROOTS[size]


@pytest.mark.parametrize(("index", "size"), CT_INCLUSION)
def test_inclusion_proofs_match_the_certificate_transparency_vectors(index, size):
    leaves = leaf_hashes(CT_ENTRIES[:size])

    proof = merkle.inclusion_proof(index, size, leaves)

    assert [each.hex()[:8] for each in proof] == CT_INCLUSION[index, size]
    root = bytes.fromhex(CT_ROOTS[size])
    assert merkle.verify_inclusion(leaves[index], index, size, proof, root)


@pytest.mark.parametrize(("first", "second"), CT_CONSISTENCY)
def test_consistency_proofs_match_the_certificate_transparency_vectors(first, second):
    proof = merkle.consistency_proof(first, second, leaf_hashes(CT_ENTRIES[:second]))

    assert [each.hex()[:8] for each in proof] == CT_CONSISTENCY[first, second]
    roots = bytes.fromhex(CT_ROOTS[first]), bytes.fromhex(CT_ROOTS[second])
    assert merkle.verify_consistency(first, second, *roots, proof)


@pytest.mark.parametrize("size", SIZES)
def test_roots_and_inclusion_proofs_equal_the_rfc_definitions(size):
    data = entries(size)
    leaves = leaf_hashes(data)
    root = ref_mth(data)
    assert merkle.root(leaves) == root
    for index in range(size):
        proof = merkle.inclusion_proof(index, size, leaves)
        assert proof == ref_path(index, data), index
        assert merkle.verify_inclusion(leaves[index], index, size, proof, root)


@pytest.mark.parametrize("second", SIZES)
def test_consistency_proofs_equal_the_rfc_definitions(second):
    data = entries(second)
    leaves = leaf_hashes(data)
    for first in range(1, second + 1):
        proof = merkle.consistency_proof(first, second, leaves)
        assert proof == (ref_proof(first, data) if first < second else []), first
        assert merkle.verify_consistency(first, second, ref_mth(data[:first]), ref_mth(data), proof)


@pytest.mark.parametrize("size", SIZES)
def test_inclusion_verification_rejects_altered_proofs_wrong_indices_and_sizes(size):
    data = entries(size + 1)
    leaves = leaf_hashes(data[:size])
    roots = {n: ref_mth(data[:n]) for n in range(1, size + 2)}
    for index in range(size):
        proof = merkle.inclusion_proof(index, size, leaves)
        leaf, root = leaves[index], roots[size]
        for position in range(len(proof)):
            assert not merkle.verify_inclusion(leaf, index, size, altered(proof, position), root)
        assert not merkle.verify_inclusion(leaf, index, size, [*proof, leaf], root)
        if proof:
            assert not merkle.verify_inclusion(leaf, index, size, proof[:-1], root)
        for other in set(range(size + 1)) - {index}:
            assert not merkle.verify_inclusion(leaf, other, size, proof, root)
        for other in set(roots) - {size}:
            assert not merkle.verify_inclusion(leaf, index, other, proof, roots[other])
        if size > 1:
            neighbour = leaves[(index + 1) % size]
            assert not merkle.verify_inclusion(neighbour, index, size, proof, root)
        assert not merkle.verify_inclusion(leaf, index, size, proof, merkle.leaf_hash(b"x"))


@pytest.mark.parametrize("second", SIZES)
def test_consistency_verification_rejects_altered_proofs_and_wrong_sizes(second):
    data = entries(second + 1)
    roots = {n: ref_mth(data[:n]) for n in range(second + 2)}
    leaves = leaf_hashes(data[:second])
    for first in range(1, second):
        proof = merkle.consistency_proof(first, second, leaves)
        for position in range(len(proof)):
            bad = altered(proof, position)
            assert not merkle.verify_consistency(first, second, roots[first], roots[second], bad)
        assert not merkle.verify_consistency(first, second, roots[first], roots[second], [])
        assert not merkle.verify_consistency(
            first, second, roots[first], roots[second], [*proof, roots[first]]
        )
        for other in set(range(1, second + 2)) - {first}:
            assert not merkle.verify_consistency(other, second, roots[other], roots[second], proof)
        for other in set(range(1, second + 2)) - {second}:
            if other > first:
                assert not merkle.verify_consistency(
                    first, other, roots[first], roots[other], proof
                )
        # The roots themselves are what the proof binds.
        assert not merkle.verify_consistency(first, second, roots[second], roots[first], proof)


def test_consistency_edge_cases_follow_the_empty_and_equal_trees():
    root = merkle.root(leaf_hashes(entries(5)))
    assert merkle.verify_consistency(5, 5, root, root, [])
    assert not merkle.verify_consistency(5, 5, root, merkle.EMPTY_ROOT, [])
    assert not merkle.verify_consistency(5, 5, root, root, [root])
    assert merkle.verify_consistency(0, 5, merkle.EMPTY_ROOT, root, [])
    assert not merkle.verify_consistency(0, 5, root, root, [])
    assert not merkle.verify_consistency(6, 5, root, root, [root])
    assert merkle.consistency_proof(0, 5, leaf_hashes(entries(5))) == []


def test_malformed_input_is_refused():
    leaves = leaf_hashes(entries(4))
    proof = merkle.inclusion_proof(1, 4, leaves)
    root = merkle.root(leaves)
    assert not merkle.verify_inclusion(leaves[1], 1, 4, [each[:31] for each in proof], root)
    assert not merkle.verify_inclusion(leaves[1], -1, 4, proof, root)
    assert not merkle.verify_inclusion(leaves[1], 4, 4, proof, root)
    with pytest.raises(ValueError):
        merkle.inclusion_proof(4, 4, leaves)
    with pytest.raises(ValueError):
        merkle.consistency_proof(5, 4, leaves)
    with pytest.raises(ValueError):
        merkle.range_subtrees(1, 3)  # not a range of any tree's decomposition


def test_a_proof_in_a_tree_of_a_million_leaves_needs_logarithmically_many_subtrees():
    looked_up = []

    def subtree(level, index):
        looked_up.append((level, index))
        assert (index + 1) << level <= size, "only complete subtrees exist"
        return hashlib.sha256(f"{level}/{index}".encode()).digest()

    for size in (1_000_000, 2**20, 2**20 + 1, 999_999):
        for index in (0, 1, size // 2, size - 2, size - 1):
            looked_up.clear()
            merkle.inclusion_proof(index, size, subtree)
            assert len(looked_up) <= 2 * size.bit_length()
        for first in (1, 2**19, 654_321, size - 1):
            looked_up.clear()
            merkle.consistency_proof(first, size, subtree)
            assert len(looked_up) <= 2 * size.bit_length()


def test_extending_a_tree_in_any_chunks_completes_every_subtree_once():
    rng = random.Random(9162)
    leaves = leaf_hashes(entries(300))
    frontier: dict[int, bytes] = {}
    completed: dict[tuple[int, int], bytes] = {}
    start = 0
    while start < len(leaves):
        chunk = leaves[start : start + rng.randint(1, 40)]
        new, frontier = merkle.extend(start, frontier, chunk)
        for level, index, value in new:
            assert (level, index) not in completed
            completed[level, index] = value
        start += len(chunk)
        assert frontier == {
            level: completed[level, index] for level, index in merkle.range_subtrees(0, start)
        }
    expected = merkle.levels(leaves)
    assert completed == {
        (level, index): value
        for level, row in enumerate(expected)
        for index, value in enumerate(row)
    }


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_proofs_from_a_subtree_lookup_verify_in_larger_trees(data):
    size = data.draw(st.integers(min_value=1, max_value=3000))
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    first = data.draw(st.integers(min_value=1, max_value=size))
    tree = merkle.levels(leaf_hashes(entries(size)))

    def subtree(level, i):
        return tree[level][i]

    root = merkle.tree_root(size, subtree)
    proof = merkle.inclusion_proof(index, size, subtree)
    assert merkle.verify_inclusion(tree[0][index], index, size, proof, root)
    first_root = merkle.tree_root(first, subtree)
    consistency = merkle.consistency_proof(first, size, subtree)
    assert merkle.verify_consistency(first, size, first_root, root, consistency)
