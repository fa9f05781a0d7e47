"""What a chain check reports, exactly: each kind of problem with its position and both sides
as ``verify`` prints them, the hash and position it stopped at, and the leaves it handed on.
The tamper tests find each problem through a database; here every field of the answer is
pinned, so a reworded or renumbered report fails."""

from __future__ import annotations

import pytest

from domain.integrity import (
    GENESIS,
    ChainedEvent,
    MerkleFrontier,
    Problem,
    SpanHashes,
    chain_hash,
    leaf_bytes,
    leaf_hash,
    root,
    verify_chain,
)
from tests.domain.test_integrity import ID, chained


def test_a_clean_chain_hands_on_every_leaf_and_ends_at_its_last_hash():
    rows = chained(5)
    found: list[bytes] = []
    assert verify_chain(rows, leaves=found) == (None, rows[-1].stored_hash, 6)
    assert found == [
        leaf_hash(leaf_bytes(n, ID, n, "t", f'{{"n":{n}}}'.encode())) for n in range(1, 6)
    ]


def test_a_chain_checked_from_the_middle_continues_from_the_hash_given():
    rows = chained(6)
    assert verify_chain(rows[3:], rows[2].stored_hash or b"", start=4) == (
        None,
        rows[-1].stored_hash,
        7,
    )
    assert verify_chain([], b"x", start=9) == (None, b"x", 9)


def test_an_event_without_a_chain_row_is_reported_where_its_row_should_be():
    rows = chained(3)
    rows.insert(2, ChainedEvent(None, 77, ID, 9, "t", b"{}", None))
    problem = Problem(3, "unchained-event", "một dòng xích", "sự kiện 77 không có dòng xích")
    assert verify_chain(rows) == (problem, rows[1].stored_hash, 0)


def test_a_chain_row_out_of_place_is_a_gap():
    rows = chained(4)
    del rows[1]
    assert verify_chain(rows) == (
        Problem(2, "position-gap", "2", "3"),
        rows[0].stored_hash,
        0,
    )


def test_a_chain_row_whose_event_is_gone_is_a_missing_event():
    rows = chained(3)
    for gone in ({"state": None}, {"originator_id": None}, {"version": None}):
        changed = [rows[0], ChainedEvent(**{**vars(rows[1]), **gone}), rows[2]]
        problem = Problem(2, "missing-event", "sự kiện của dòng xích", "không có (đã bị xóa)")
        assert verify_chain(changed) == (problem, rows[0].stored_hash, 0), gone


def test_a_wrong_or_absent_stored_hash_is_a_mismatch_with_both_hashes():
    rows = chained(2)
    expected = chain_hash(GENESIS, leaf_bytes(1, ID, 1, "t", b'{"n":1}'))
    wrong = ChainedEvent(**{**vars(rows[0]), "stored_hash": bytes(32)})
    assert verify_chain([wrong, rows[1]]) == (
        Problem(1, "hash-mismatch", expected.hex(), "00" * 32),
        GENESIS,
        0,
    )
    absent = ChainedEvent(**{**vars(rows[0]), "stored_hash": None})
    assert verify_chain([absent]) == (Problem(1, "hash-mismatch", expected.hex(), "-"), GENESIS, 0)


def test_an_event_with_no_topic_is_hashed_with_an_empty_one():
    state = b"{}"
    digest = chain_hash(GENESIS, leaf_bytes(1, ID, 1, "", state))
    assert verify_chain([ChainedEvent(1, 1, ID, 1, None, state, digest)])[0] is None


def test_a_problem_reads_as_one_vietnamese_sentence():
    problem = Problem(7, "hash-mismatch", "ab", "cd")
    assert str(problem) == "vị trí 7: hash-mismatch (cần ab, thấy cd)"


def test_a_span_not_yet_seen_is_refused_naming_its_leaves():
    seen = SpanHashes([(0, 4)])
    for leaf in (bytes(32), bytes(32)):
        seen.append(leaf)
    with pytest.raises(ValueError) as refused:
        seen[(0, 4)]
    assert str(refused.value) == "leaves 0..4 were not all seen"


def test_the_frontier_of_no_leaves_is_the_empty_tree():
    frontier = MerkleFrontier()
    assert (frontier.size, frontier.root()) == (0, root([]))
