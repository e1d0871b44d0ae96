"""The Merkle tree agrees with RFC 6962 and with Certificate Transparency's reference vectors,
and its verifiers refuse every proof that does not fit (issue 16)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit.merkle import (
    EMPTY_ROOT,
    MemoryTree,
    ProofError,
    leaf_hash,
    node_hash,
    root_of,
    split_point,
    verify_consistency,
    verify_inclusion,
)

# Certificate Transparency's reference leaves and tree heads (RFC 6962 test data, used as data).
ENTRIES = [
    bytes.fromhex(h)
    for h in (
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
ROOTS = [
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
INCLUSION = [  # (leaf index, tree size, proof)
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]
CONSISTENCY = [  # (old size, new size, proof)
    (
        2,
        8,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]


def reference_tree() -> MemoryTree:
    tree = MemoryTree()
    for entry in ENTRIES:
        tree.append(entry)
    return tree


def test_hashes_carry_the_rfc_prefixes():
    assert EMPTY_ROOT.hex() == ROOTS[0]
    assert leaf_hash(b"").hex() == ROOTS[1]
    assert node_hash(leaf_hash(ENTRIES[0]), leaf_hash(ENTRIES[1])).hex() == ROOTS[2]


@pytest.mark.parametrize("size", range(len(ROOTS)))
def test_every_reference_tree_head(size):
    assert reference_tree().root(size).hex() == ROOTS[size]


def test_the_split_is_the_largest_power_of_two_below_the_size_not_the_midpoint():
    assert [split_point(n) for n in (2, 3, 4, 5, 6, 7, 8, 9, 1000)] == [1, 2, 2, 4, 4, 4, 4, 8, 512]
    with pytest.raises(ValueError):
        split_point(1)


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_reference_inclusion_proofs_are_made_and_verified(index, size, proof):
    tree = reference_tree()
    assert [h.hex() for h in tree.inclusion_proof(index, size)] == proof
    verify_inclusion(
        index, size, leaf_hash(ENTRIES[index]), [bytes.fromhex(h) for h in proof], tree.root(size)
    )


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY)
def test_reference_consistency_proofs_are_made_and_verified(old, new, proof):
    tree = reference_tree()
    assert [h.hex() for h in tree.consistency_proof(old, new)] == proof
    verify_consistency(old, new, tree.root(old), tree.root(new), [bytes.fromhex(h) for h in proof])


def synthetic(size: int) -> MemoryTree:
    tree = MemoryTree()
    for i in range(size):
        tree.append(i.to_bytes(4, "big"))
    return tree


@given(st.integers(1, 70).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n - 1))))
def test_every_leaf_of_every_tree_is_proven_and_no_other_leaf_passes_for_it(case):
    size, index = case
    tree = synthetic(size)
    proof = tree.inclusion_proof(index)
    verify_inclusion(index, size, tree.leaves[index], proof, tree.root())
    with pytest.raises(ProofError):
        verify_inclusion(index, size, leaf_hash(b"forged"), proof, tree.root())
    if size > 1:
        other = (index + 1) % size
        with pytest.raises(ProofError):
            verify_inclusion(other, size, tree.leaves[index], proof, tree.root())
        with pytest.raises(ProofError):
            verify_inclusion(index, size, tree.leaves[index], proof[:-1], tree.root())
        with pytest.raises(ProofError):
            verify_inclusion(index, size, tree.leaves[index], [*proof, proof[0]], tree.root())
        tampered = [bytes([proof[0][0] ^ 1]) + proof[0][1:], *proof[1:]]
        with pytest.raises(ProofError):
            verify_inclusion(index, size, tree.leaves[index], tampered, tree.root())


@given(st.integers(1, 70).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_every_tree_is_consistent_with_each_of_its_prefixes_and_not_with_a_rewritten_one(case):
    old, new = case
    tree = synthetic(new)
    proof = tree.consistency_proof(old, new)
    verify_consistency(old, new, tree.root(old), tree.root(new), proof)
    if 0 < old < new:
        rewritten = MemoryTree(tree.leaves)
        rewritten.leaves[old - 1] = leaf_hash(b"rewritten history")
        with pytest.raises(ProofError):
            verify_consistency(old, new, rewritten.root(old), tree.root(new), proof)
        with pytest.raises(ProofError):
            verify_consistency(old, new, tree.root(old), rewritten.root(new), proof)
        if proof:
            with pytest.raises(ProofError):
                verify_consistency(old, new, tree.root(old), tree.root(new), proof[:-1])


def test_proofs_outside_the_tree_are_refused_naming_it():
    tree = synthetic(4)
    with pytest.raises(ProofError, match="leaf 4 is not in a tree of 4"):
        tree.inclusion_proof(4)
    with pytest.raises(ProofError, match="cannot extend"):
        verify_consistency(5, 4, tree.root(), tree.root(), [])
    with pytest.raises(ProofError, match="two different roots"):
        verify_consistency(4, 4, tree.root(), tree.root(3), [])
    assert root_of([]) == EMPTY_ROOT
