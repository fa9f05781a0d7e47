"""A proof whose hashes are not SHA-256 digests proves nothing (RFC 9162 hashes are 32 bytes).

The transparency-dev/merkle vector ``empty-root-and-leaf`` showed the verifier accepting
hashes of other lengths. Given a valid proof, changing the length of any one hash in it —
leaf, path element, either root — must make it fail, even when the bytes would still
combine to the expected root.
"""

from __future__ import annotations

import hashlib

import pytest

from domain.integrity import (
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root,
    verify_consistency,
    verify_inclusion,
)

LEAVES = [leaf_hash(f"sự kiện {n}".encode()) for n in range(7)]
TREE = root(LEAVES)
RESIZED = {
    "empty": lambda h: b"",
    "one-short": lambda h: h[:31],
    "one-long": lambda h: h + b"\0",
    "sha-512": lambda h: hashlib.sha512(h).digest(),
}


def test_the_valid_proofs_verify():
    assert verify_inclusion(3, 7, LEAVES[3], inclusion_proof(3, LEAVES), TREE)
    old = root(LEAVES[:3])
    assert verify_consistency(3, 7, old, TREE, consistency_proof(3, LEAVES))


@pytest.mark.parametrize("resize", list(RESIZED))
@pytest.mark.parametrize("which", ["leaf", "path", "root"])
def test_an_inclusion_proof_with_a_hash_of_another_length_fails(which: str, resize: str):
    change = RESIZED[resize]
    leaf, path, top = LEAVES[3], inclusion_proof(3, LEAVES), TREE
    if which == "leaf":
        leaf = change(leaf)
    elif which == "path":
        path = [*path[:-1], change(path[-1])]
    else:
        top = change(top)
    assert not verify_inclusion(3, 7, leaf, path, top)


@pytest.mark.parametrize("resize", list(RESIZED))
@pytest.mark.parametrize("which", ["old-root", "new-root", "path"])
def test_a_consistency_proof_with_a_hash_of_another_length_fails(which: str, resize: str):
    change = RESIZED[resize]
    old, new, path = root(LEAVES[:3]), TREE, consistency_proof(3, LEAVES)
    if which == "old-root":
        old = change(old)
    elif which == "new-root":
        new = change(new)
    else:
        path = [change(path[0]), *path[1:]]
    assert not verify_consistency(3, 7, old, new, path)


def test_a_one_leaf_tree_whose_leaf_is_not_a_digest_is_not_its_own_proof():
    odd = b"not a digest"
    assert not verify_inclusion(0, 1, odd, [], odd)
