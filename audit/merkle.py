"""The Merkle tree of RFC 6962 (section 2.1) and RFC 9162 (section 2.1): hashes, proofs and their
verification, with nothing but the standard library.

Written for the transparency log (issue 16) so that anyone holding a proof and a signed
checkpoint can check it without our database, and so that the standard verifiers (Go's
``transparency-dev/merkle``, Certificate Transparency's) agree with ours on every hash:

- a leaf is ``SHA-256(0x00 || entry)``, an interior node ``SHA-256(0x01 || left || right)``;
- a tree of ``n > 1`` leaves splits at ``k``, the largest power of two *smaller* than ``n``
  (not the midpoint: for 5 leaves, 4 + 1);
- the empty tree's hash is ``SHA-256("")``.

Proof generation reads the tree through ``subtree_hash(start, end)``, the hash of leaves
``[start, end)``: an in-memory list answers it here (:class:`MemoryTree`), stored nodes answer it
for the log. Verification (``verify_*``) follows RFC 9162's algorithms, which need only the proof.
Module-level code, no Django: ``audit.verify_proof`` runs it on a reader's machine.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

type Hash = bytes
type SubtreeHash = Callable[[int, int], Hash]

EMPTY_ROOT: Hash = hashlib.sha256(b"").digest()


class ProofError(ValueError):
    """A proof that cannot be made or does not verify, saying why."""


def leaf_hash(entry: bytes) -> Hash:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: Hash, right: Hash) -> Hash:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(size: int) -> int:
    """The largest power of two smaller than ``size`` (``size`` > 1): where RFC 6962 splits."""
    if size < 2:
        raise ValueError(f"a tree of {size} leaves does not split")
    return 1 << ((size - 1).bit_length() - 1)


def root_of(leaf_hashes: Sequence[Hash]) -> Hash:
    """The Merkle tree hash of these leaves (already hashed with :func:`leaf_hash`)."""
    if not leaf_hashes:
        return EMPTY_ROOT
    if len(leaf_hashes) == 1:
        return leaf_hashes[0]
    k = split_point(len(leaf_hashes))
    return node_hash(root_of(leaf_hashes[:k]), root_of(leaf_hashes[k:]))


def inclusion_proof(index: int, size: int, subtree_hash: SubtreeHash) -> list[Hash]:
    """RFC 6962's PATH(index, D[size]): the sibling hashes from the leaf up to the root."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of {size} leaves")
    proof: list[Hash] = []
    start, end = 0, size
    # Walk down from the root, remembering the sibling of each step; the proof lists them
    # from the bottom up, so they are collected in reverse.
    while end - start > 1:
        k = split_point(end - start)
        if index - start < k:
            proof.append(subtree_hash(start + k, end))
            end = start + k
        else:
            proof.append(subtree_hash(start, start + k))
            start += k
    proof.reverse()
    return proof


def consistency_proof(old_size: int, new_size: int, subtree_hash: SubtreeHash) -> list[Hash]:
    """RFC 6962's PROOF(old_size, D[new_size]): shows the larger tree extends the smaller one."""
    if not 0 <= old_size <= new_size:
        raise ProofError(f"no tree of {new_size} leaves extends one of {old_size}")
    if old_size in (0, new_size):
        return []
    proof: list[Hash] = []
    start, end, whole = 0, new_size, True
    m = old_size
    # SUBPROOF(m, D[start:end], whole), unrolled like PATH above.
    while m != end - start:
        k = split_point(end - start)
        if m <= k:
            proof.append(subtree_hash(start + k, end))
            end = start + k
        else:
            proof.append(subtree_hash(start, start + k))
            start, m, whole = start + k, m - k, False
    if not whole:
        proof.append(subtree_hash(start, end))
    proof.reverse()
    return proof


def verify_inclusion(index: int, size: int, leaf: Hash, proof: Sequence[Hash], root: Hash) -> None:
    """RFC 9162 2.1.3.2: raise :class:`ProofError` unless ``leaf`` is leaf ``index`` of ``root``."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of {size} leaves")
    fn, sn, result = index, size - 1, leaf
    for sibling in proof:
        if sn == 0:
            raise ProofError("the inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            result = node_hash(result, sibling)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("the inclusion proof is shorter than the tree is deep")
    if result != root:
        raise ProofError(f"leaf {index} is not in this tree: the proof leads to another root")


def verify_consistency(
    old_size: int, new_size: int, old_root: Hash, new_root: Hash, proof: Sequence[Hash]
) -> None:
    """RFC 9162 2.1.4.2: raise :class:`ProofError` unless ``new_root`` extends ``old_root``."""
    if not 0 <= old_size <= new_size:
        raise ProofError(f"a tree of {new_size} leaves cannot extend one of {old_size}")
    if old_size == new_size:
        if proof:
            raise ProofError("two trees of one size need an empty proof")
        if old_root != new_root:
            raise ProofError(f"two different roots for the same {old_size} leaves")
        return
    if old_size == 0:
        if proof:
            raise ProofError("every tree extends the empty one: the proof must be empty")
        return
    if not proof:
        raise ProofError("the consistency proof is empty")
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # the old tree is a whole subtree: its root starts the path
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    old_result = new_result = path[0]
    for step in path[1:]:
        if sn == 0:
            raise ProofError("the consistency proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            old_result = node_hash(step, old_result)
            new_result = node_hash(step, new_result)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            new_result = node_hash(new_result, step)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("the consistency proof is shorter than the tree is deep")
    if old_result != old_root:
        raise ProofError(f"the proof does not lead to the earlier root of {old_size} leaves")
    if new_result != new_root:
        raise ProofError(f"the proof does not lead to the later root of {new_size} leaves")


class MemoryTree:
    """A tree held as its leaf hashes in memory: the reference the stored tree is tested against."""

    def __init__(self, leaf_hashes: Sequence[Hash] = ()) -> None:
        self.leaves: list[Hash] = list(leaf_hashes)

    def append(self, entry: bytes) -> int:
        self.leaves.append(leaf_hash(entry))
        return len(self.leaves) - 1

    def subtree_hash(self, start: int, end: int) -> Hash:
        return root_of(self.leaves[start:end])

    def root(self, size: int | None = None) -> Hash:
        return root_of(self.leaves[: len(self.leaves) if size is None else size])

    def inclusion_proof(self, index: int, size: int | None = None) -> list[Hash]:
        return inclusion_proof(index, len(self.leaves) if size is None else size, self.subtree_hash)

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[Hash]:
        return consistency_proof(
            old_size, len(self.leaves) if new_size is None else new_size, self.subtree_hash
        )
