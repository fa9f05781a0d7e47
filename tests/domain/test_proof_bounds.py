"""Proofs asked for outside the tree are refused by name, not answered with a wrong path.

The edges: the leaf one past the end, an old size of zero, and spans whose leaves a single
pass has not (yet) seen. Each would otherwise give a proof that no verifier accepts, or a
hash of leaves that were never read.
"""

from __future__ import annotations

import pytest

from domain.integrity import (
    SpanHashes,
    consistency_spans,
    inclusion_proof,
    inclusion_spans,
    leaf_hash,
    span_hashes,
)

LEAVES = [leaf_hash(bytes([i])) for i in range(5)]


@pytest.mark.parametrize(("index", "size"), [(5, 5), (-1, 5), (0, 0)])
def test_a_leaf_outside_the_tree_has_no_inclusion_path(index, size):
    with pytest.raises(ValueError, match=r"^index outside the tree$"):
        inclusion_spans(index, size)


def test_the_last_leaf_has_an_inclusion_path():
    assert inclusion_spans(4, 5) == [(0, 4)]
    assert inclusion_proof(4, LEAVES) == span_hashes([(0, 4)], LEAVES)


@pytest.mark.parametrize(("old_size", "size"), [(0, 5), (6, 5), (-1, 5)])
def test_an_old_size_outside_the_tree_has_no_consistency_proof(old_size, size):
    with pytest.raises(ValueError, match=r"^old size outside the tree$"):
        consistency_spans(old_size, size)


def test_a_tree_is_consistent_with_itself_by_an_empty_proof():
    assert consistency_spans(5, 5) == []
    assert consistency_spans(3, 5) == [(2, 3), (3, 4), (0, 2), (4, 5)]


def test_a_span_whose_leaves_were_not_all_seen_has_no_hash_yet():
    seen = SpanHashes([(0, 4)])
    for leaf in LEAVES[:3]:
        seen.append(leaf)
    with pytest.raises(ValueError, match=r"^leaves 0\.\.4 were not all seen$"):
        seen[(0, 4)]
    seen.append(LEAVES[3])
    assert seen[(0, 4)] == span_hashes([(0, 4)], LEAVES)[0]
