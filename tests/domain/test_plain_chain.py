"""The fast path of ``verify``: :func:`plain_chain` over rows as tuples, and the tiles and
roots :class:`ExpectedTiles` takes from the frontier's own nodes.

``plain_chain`` must accept a page only when :func:`verify_chain` accepts it too, with the
same last hash, next position and leaf hashes; every other page (a problem, or a stored
value in an odd form) it hands back (None) to ``verify_chain``, which reports it. Each case
below is one tamper or one odd form, checked against ``verify_chain`` on the same rows.
"""

from __future__ import annotations

from dataclasses import astuple, replace
from typing import Any
from uuid import UUID

import pytest

from domain.integrity import (
    GENESIS,
    ChainedEvent,
    MerkleFrontier,
    _field,
    chain_hash,
    leaf_bytes,
    plain_chain,
    root,
    verify_chain,
)
from domain.tiles import ExpectedTiles, TileBuilder
from tests.domain.test_tiles import leaves

IDS = [UUID(int=n * 0x1234_5678_9ABC_DEF0_1234_5678_9ABC_DEF) for n in range(1, 7)]


def chained(n: int, originator: Any = str) -> list[ChainedEvent]:
    """``n`` events of six aggregates, chained; ``originator`` writes each id as stored."""
    rows, previous = [], GENESIS
    for position in range(1, n + 1):
        state = f'{{"n":{position}}}'.encode()
        key = IDS[position % len(IDS)]
        previous = chain_hash(previous, leaf_bytes(position, key, position, "t.E", state))
        rows.append(
            ChainedEvent(position, position * 2, originator(key), position, "t.E", state, previous)
        )
    return rows


def both(rows: list[ChainedEvent]) -> tuple[Any, Any]:
    """(plain_chain's answer and leaves, verify_chain's) over the same rows."""
    plain: list[bytes] = []
    fast = plain_chain([astuple(r) for r in rows], GENESIS, 1, plain)
    found: list[bytes] = []
    problem, previous, position = verify_chain(rows, GENESIS, 1, found)
    reference = None if problem else (previous, position)
    return (fast, plain if fast else None), (reference, found if reference else None)


@pytest.mark.parametrize(
    "stored",
    [str, lambda key: key.hex, lambda key: key],
    ids=["canonical text", "32 hex digits (SQLite)", "UUID"],
)
def test_a_clean_page_gives_what_verify_chain_gives(stored):
    rows = chained(40, stored)
    fast, reference = both(rows)
    if stored(IDS[0]).__class__ is UUID:  # not text: left to verify_chain
        assert fast == (None, None) and reference[0] == (rows[-1].stored_hash, 41)
    else:
        assert fast == reference and fast[0] == (rows[-1].stored_hash, 41)
        assert len(fast[1]) == 40


def test_a_page_checked_from_the_middle_continues_from_the_hash_given():
    rows = chained(10)
    previous = rows[4].stored_hash or b""
    found: list[bytes] = []
    assert plain_chain([astuple(r) for r in rows[5:]], previous, 6, found) == (
        rows[-1].stored_hash,
        11,
    )
    assert len(found) == 5


TAMPERS = {
    "state changed": lambda r: replace(r, state=r.state + b" "),
    "hash changed": lambda r: replace(r, stored_hash=bytes(32)),
    "hash missing": lambda r: replace(r, stored_hash=None),
    "hash as text": lambda r: replace(r, stored_hash=r.stored_hash.hex()),
    "position skipped": lambda r: replace(r, position=r.position + 1),
    "no chain row": lambda r: replace(r, position=None),
    "event gone": lambda r: replace(
        r, notification_id=None, originator_id=None, version=None, topic=None, state=None
    ),
    "version changed": lambda r: replace(r, version=r.version + 1),
    "version negative": lambda r: replace(r, version=-1),
    "topic changed": lambda r: replace(r, topic="t.F"),
    "topic missing": lambda r: replace(r, topic=None),
    "originator changed": lambda r: replace(r, originator_id=str(IDS[0]).replace("1", "2")),
    "originator in capitals": lambda r: replace(r, originator_id=r.originator_id.upper()),
    "originator 32 digits": lambda r: replace(r, originator_id=UUID(r.originator_id).hex),
    "originator not hex": lambda r: replace(r, originator_id="z" * 36),
    "originator in braces": lambda r: replace(r, originator_id="{" + r.originator_id + "}"),
    "state as text": lambda r: replace(r, state=r.state.decode()),
}


@pytest.mark.parametrize("tamper", TAMPERS.values(), ids=TAMPERS.keys())
# verify_chain reports these, or accepts them (an originator in capitals or in braces is the
# same id), or raises as it always has (an originator that is no UUID, a negative version)
@pytest.mark.parametrize("at", [0, 7, 19])
def test_a_page_with_a_tampered_or_odd_row_is_left_to_verify_chain(tamper, at):
    rows = chained(20)
    rows[at] = tamper(rows[at])
    assert plain_chain([astuple(r) for r in rows], GENESIS, 1, []) is None


def test_a_page_that_mixes_stored_forms_of_the_originator_is_left_to_verify_chain():
    rows = chained(4)
    rows[2] = replace(rows[2], originator_id=UUID(str(rows[2].originator_id)).hex)
    fast, reference = both(rows)
    assert fast == (None, None) and reference[0] == (rows[-1].stored_hash, 5)


def test_an_empty_page_changes_nothing():
    assert plain_chain([], b"x", 9, []) == (b"x", 9)


# --- The tree and the tiles from the frontier's nodes ------------------------------------


def stored(hashes: list[bytes]) -> list[tuple[int, int, bytes]]:
    tiles = TileBuilder(0, {}).add(hashes)
    return [(level, index, h) for (level, index), h in sorted(tiles.items())]


@pytest.mark.parametrize("batch", [1, 255, 256, 2000, 70_000])
def test_the_tiles_and_roots_are_those_of_every_leaf_whatever_the_batches(batch):
    hashes = leaves(66_000)  # three levels of tiles: 65,536 leaves fill one at level 1
    sizes = {1, 2, 255, 256, 257, 65_535, 65_536, 65_537, 66_000}
    tiles = ExpectedTiles(sizes)
    for at in range(0, len(hashes), batch):
        tiles.extend(hashes[at : at + batch])
    frontier = MerkleFrontier()
    roots = {}
    for leaf in hashes:
        frontier.append(leaf)
        if frontier.size in sizes:
            roots[frontier.size] = frontier.root()
    assert tiles.size == 66_000
    assert tiles.roots == roots
    assert tiles.root() == frontier.root() == root(hashes)
    assert tiles.first_difference(stored(hashes)) is None


@pytest.mark.parametrize("n", [0, 1, 2, 3, 255, 256, 257, 511, 512, 513, 1000])
def test_leaf_by_leaf_the_tiles_and_root_are_those_of_every_leaf(n):
    hashes = leaves(n)
    tiles = ExpectedTiles()
    for leaf in hashes:
        tiles.append(leaf)
    assert tiles.root() == root(hashes)
    assert tiles.first_difference(stored(hashes)) is None


def test_a_leaf_hash_that_is_not_32_bytes_is_refused():
    with pytest.raises(ValueError, match="32 bytes"):
        ExpectedTiles().extend([bytes(32), bytes(31)])


def test_a_page_hashed_over_originators_in_capitals_is_left_to_verify_chain():
    # Given rows whose ids are written in capitals and whose stored hashes were chained over
    # that text as written (not over the canonical id, as leaf_bytes hashes it)
    rows, previous = [], GENESIS
    for position in range(1, 4):
        text, state = str(IDS[position]).upper(), b"{}"
        leaf = b"".join(
            (
                position.to_bytes(8, "big"),
                _field(text.encode()),
                position.to_bytes(8, "big"),
                _field(b"t.E"),
                _field(state),
            )
        )
        previous = chain_hash(previous, leaf)
        rows.append(ChainedEvent(position, position, text, position, "t.E", state, previous))
    # Then the fast path does not accept them; verify_chain reports the first one
    fast, reference = both(rows)
    assert fast == (None, None) and reference == (None, None)


def test_a_page_whose_hashes_agree_but_whose_positions_are_not_the_next_is_left_to_verify_chain():
    # Given a clean page of positions 1..5, checked as if it came after position 1
    rows = chained(5)
    found: list[bytes] = []
    problem, _, _ = verify_chain(rows, GENESIS, 2, found)
    # Then verify_chain reports it, and the fast path leaves it to verify_chain
    assert problem is not None
    assert plain_chain([astuple(r) for r in rows], GENESIS, 2, []) is None
