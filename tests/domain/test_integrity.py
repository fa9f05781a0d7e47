"""The integrity functions, cross-checked against slow, obvious reference implementations."""

from __future__ import annotations

import hashlib
from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st

from domain.integrity import (
    GENESIS,
    ChainedEvent,
    MerkleFrontier,
    SpanHashes,
    chain_hash,
    consistency_proof,
    consistency_spans,
    inclusion_proof,
    inclusion_spans,
    leaf_bytes,
    leaf_hash,
    node_hash,
    root,
    verify_chain,
    verify_consistency,
    verify_inclusion,
)

ID = UUID("12345678-1234-5678-1234-567812345678")


def reference_root(hashes: list[bytes]) -> bytes:
    """Stack-based tree hash (the incremental way logs compute it), independent of root()."""
    if not hashes:
        return hashlib.sha256(b"").digest()
    stack: list[tuple[int, bytes]] = []  # (height, hash)
    for h in hashes:
        stack.append((0, h))
        while len(stack) >= 2 and stack[-1][0] == stack[-2][0]:
            (height, right), (_, left) = stack.pop(), stack.pop()
            stack.append((height + 1, node_hash(left, right)))
    result = stack.pop()[1]
    while stack:
        result = node_hash(stack.pop()[1], result)
    return result


def leaves(n: int) -> list[bytes]:
    return [leaf_hash(leaf_bytes(i + 1, ID, i + 1, "t", bytes([i % 251]))) for i in range(n)]


@given(st.integers(min_value=0, max_value=70))
def test_the_tree_hash_equals_the_incremental_reference(n):
    assert root(leaves(n)) == reference_root(leaves(n))


def test_the_streaming_frontier_gives_the_tree_hash_at_every_size():
    hashes = leaves(300)
    frontier = MerkleFrontier()
    assert frontier.root() == root([])
    for size, leaf in enumerate(hashes, start=1):
        frontier.append(leaf)
        assert (frontier.size, frontier.root()) == (size, root(hashes[:size]))
    assert len(frontier._peaks) == bin(300).count("1")  # O(log n): one peak per set bit


@given(st.integers(min_value=1, max_value=90), st.data())
def test_one_pass_gives_the_tree_hash_of_every_span_a_proof_needs(size, data):
    hashes = leaves(size)
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    old = data.draw(st.integers(min_value=1, max_value=size))
    spans = [*inclusion_spans(index, size), *consistency_spans(old, size), (0, size)]
    seen = SpanHashes(spans)
    for leaf in hashes:
        seen.append(leaf)
    assert all(seen[(lo, hi)] == root(hashes[lo:hi]) for lo, hi in spans)
    assert len(spans) <= 2 * (size.bit_length() + 1) + 1  # O(log n) subtrees


def test_every_inclusion_proof_verifies_and_no_other_leaf_does():
    for n in range(1, 34):
        hashes = leaves(n)
        top = root(hashes)
        for i in range(n):
            proof = inclusion_proof(i, hashes)
            assert verify_inclusion(i, n, hashes[i], proof, top)
            other = hashes[(i + 1) % n] if n > 1 else leaf_hash(b"forged")
            assert not verify_inclusion(i, n, other, proof, top) or other == hashes[i]


def test_every_consistency_proof_verifies_and_a_rewritten_prefix_does_not():
    for new in range(1, 34):
        hashes = leaves(new)
        for old in range(1, new + 1):
            proof = consistency_proof(old, hashes)
            old_root = root(hashes[:old])
            assert verify_consistency(old, new, old_root, root(hashes), proof), (old, new)
            rewritten = root([leaf_hash(b"rewritten"), *hashes[1:old]])
            assert not verify_consistency(old, new, rewritten, root(hashes), proof)


def chained(n: int) -> list[ChainedEvent]:
    rows, previous = [], GENESIS
    for position in range(1, n + 1):
        state = f'{{"n":{position}}}'.encode()
        previous = chain_hash(previous, leaf_bytes(position, ID, position, "t", state))
        rows.append(ChainedEvent(position, position * 2, ID, position, "t", state, previous))
    return rows


def test_an_untouched_chain_verifies():
    problem, _, next_position = verify_chain(chained(20))
    assert problem is None and next_position == 21


def test_a_modified_payload_is_found_at_its_position():
    rows = chained(20)
    rows[6] = ChainedEvent(**{**vars(rows[6]), "state": b'{"n":999}'})
    problem, _, _ = verify_chain(rows)
    assert problem is not None and (problem.position, problem.kind) == (7, "hash-mismatch")
    assert problem.found == rows[6].stored_hash.hex()
