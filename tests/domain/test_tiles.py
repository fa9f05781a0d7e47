"""Merkle tiles (C2SP tlog-tiles): paths, the tiles of a size, and proofs from tiles that are
exactly the proofs :mod:`domain.integrity` computes from every leaf."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.integrity import consistency_proof, inclusion_proof, root
from domain.tiles import (
    WIDTH,
    TileBuilder,
    TileId,
    TilePathError,
    TilesMissing,
    consistency_from_tiles,
    edge_of,
    extend_tiles,
    inclusion_from_tiles,
    parse_tile_path,
    root_from_tiles,
    span_hash,
    tile_path,
    tiles_for,
    tiles_of,
)


def leaves(n: int) -> list[bytes]:
    return [hashlib.sha256(b"\x00" + i.to_bytes(8, "big")).digest() for i in range(n)]


def built(n: int, height: int, steps: int = 1) -> dict[tuple[int, int], bytes]:
    """Tiles of ``n`` leaves, appended in ``steps`` batches (every batch upserts)."""
    hashes = leaves(n)
    builder = TileBuilder(0, {}, height)
    tiles: dict[tuple[int, int], bytes] = {}
    cut = max(1, n // steps)
    for start in range(0, n, cut):
        tiles.update(builder.add(hashes[start : start + cut]))
    return tiles


# --- paths ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "index", "width", "path"),
    [
        (0, 1234067, WIDTH, "tile/0/x001/x234/067"),  # the spec's example
        (0, 0, WIDTH, "tile/0/000"),
        (1, 0, 17, "tile/1/000.p/17"),
        (0, 273, 112, "tile/0/273.p/112"),
        (2, 1000, 1, "tile/2/x001/000.p/1"),
        (63, 999, 255, "tile/63/999.p/255"),
    ],
)
def test_a_tile_path_is_written_as_the_spec_shows_and_read_back(level, index, width, path):
    assert tile_path(level, index, width) == path
    assert parse_tile_path(path) == TileId(level, index, width)


@given(st.integers(0, 63), st.integers(0, 10**15), st.integers(1, WIDTH))
def test_every_tile_path_reads_back_as_its_tile(level, index, width):
    assert parse_tile_path(tile_path(level, index, width)) == TileId(level, index, width)


HOSTILE_PATHS = {
    "non-ASCII digits": ["tile/0/٠٠١", "tile/０/000", "tile/0/000.p/１", "tile/0/x٠٠١/000"],
    "leading zeros": ["tile/00/000", "tile/01/000", "tile/0/000.p/01", "tile/0/x000/001"],
    "wrong digit count": ["tile/0/1", "tile/0/0001", "tile/0/x1/000", "tile/0/x0001/000"],
    "widths out of range": ["tile/0/000.p/0", "tile/0/000.p/256", "tile/0/000.p/999999"],
    "levels out of range": ["tile/64/000", "tile/-1/000", "tile/100/000"],
    "missing x": ["tile/0/001/234", "tile/0/x001/x234"],
    "junk": [
        "",
        "tile",
        "tile/0",
        "tile/0/",
        "tiles/0/000",
        "tile/0/000/",
        "tile/0/000.p",
        "tile/0/000.p/",
        "tile/0/+00",
        "tile/0/ 00",
        "tile/0/00\n",
        "tile/0/000\x00",
        "tile/0/../000",
        "tile/entries/000",
        "tile/0/000.p/1/2",
        "tile/0/" + "x001/" * 40 + "000",
        "tile/" + "9" * 5000 + "/000",
    ],
}


@pytest.mark.parametrize(
    "path",
    [
        # ASCII ids without "/": an escaped non-ASCII id with a slash cannot be selected by
        # its node id again (pytest answers "not found"), and mutmut reruns tests that way.
        pytest.param(path, id=f"{kind}-{n}")
        for kind, paths in HOSTILE_PATHS.items()
        for n, path in enumerate(paths)
    ],
)
def test_a_path_not_in_the_spec_form_is_refused(path):
    with pytest.raises(TilePathError):
        parse_tile_path(path)


@pytest.mark.parametrize(
    ("level", "index", "width"), [(-1, 0, 1), (64, 0, 1), (0, -1, 1), (0, 0, 0), (0, 0, 257)]
)
def test_no_path_is_written_for_a_tile_that_cannot_exist(level, index, width):
    with pytest.raises(ValueError) as refused:
        tile_path(level, index, width)
    assert str(refused.value) == f"no tile {level}/{index} of width {width}"


# --- which tiles exist ------------------------------------------------------------------


def test_a_tree_of_70000_has_the_tiles_the_spec_lists():
    tiles = tiles_of(70_000)
    full0 = [t for t in tiles if t.level == 0 and t.full]
    assert len(full0) == 273
    assert [t for t in tiles if not t.full or t.level > 0] == [
        TileId(0, 273, 112),
        TileId(1, 0),
        TileId(1, 1, 17),
        TileId(2, 0, 1),
    ]
    assert edge_of(70_000) == [TileId(0, 273, 112), TileId(1, 1, 17), TileId(2, 0, 1)]


def test_a_tree_of_256_is_one_full_tile_and_a_level_1_tile_of_width_1():
    assert tiles_of(256) == [TileId(0, 0), TileId(1, 0, 1)]


def test_an_empty_tree_has_no_tiles():
    assert tiles_of(0) == [] and edge_of(0) == []


@given(st.integers(1, 3000), st.sampled_from([1, 2, 3, 8]), st.integers(1, 7))
@settings(max_examples=60, deadline=None)
def test_the_builder_writes_exactly_the_tiles_of_the_size(n, height, steps):
    assert {(t.level, t.index, t.width) for t in tiles_of(n, height)} == {
        (level, index, len(h) // 32) for (level, index), h in built(n, height, steps).items()
    }


# --- hashes and proofs from tiles ---------------------------------------------------------


@given(st.integers(1, 3000), st.sampled_from([1, 2, 3, 8]), st.integers(1, 5))
@settings(max_examples=60, deadline=None)
def test_the_root_from_tiles_is_the_tree_hash(n, height, steps):
    tiles = built(n, height, steps)
    assert root_from_tiles(n, tiles, height) == root(leaves(n))


@given(st.data(), st.sampled_from([1, 2, 3, 8]))
@settings(max_examples=80, deadline=None)
def test_an_inclusion_proof_from_tiles_is_the_one_from_every_leaf(data, height):
    size = data.draw(st.integers(1, 3000))
    stored = data.draw(st.integers(size, size + 600))  # tiles kept at a later size
    index = data.draw(st.integers(0, size - 1))
    tiles = built(stored, height, 3)
    hashes = leaves(size)
    assert inclusion_from_tiles(index, size, tiles, height) == inclusion_proof(index, hashes)
    assert root_from_tiles(size, tiles, height) == root(hashes)


@given(st.data(), st.sampled_from([1, 2, 3, 8]))
@settings(max_examples=80, deadline=None)
def test_a_consistency_proof_from_tiles_is_the_one_from_every_leaf(data, height):
    size = data.draw(st.integers(1, 3000))
    old = data.draw(st.integers(1, size))
    tiles = built(size + data.draw(st.integers(0, 300)), height, 2)
    expected = consistency_proof(old, leaves(size))
    assert consistency_from_tiles(old, size, tiles, height) == expected


@given(st.data(), st.sampled_from([1, 2, 8]))
@settings(max_examples=60, deadline=None)
def test_the_hash_of_any_span_is_the_tree_hash_of_its_leaves(data, height):
    """Any [lo, hi), aligned or not: the RFC 9162 hash of those leaves taken alone."""
    hi = data.draw(st.integers(1, 1500))
    lo = data.draw(st.integers(0, hi - 1))
    tiles = built(hi, height, 2)
    assert span_hash((lo, hi), tiles, height) == root(leaves(hi)[lo:hi])
    assert tiles_for([(lo, hi)], height) <= set(tiles)


@pytest.mark.parametrize(
    ("span", "needed"),
    [
        ((0, 2), {(1, 0)}),  # perfect: one entry of the level-1 tile
        ((0, 3), {(1, 0), (0, 1)}),  # [0, 2) and [2, 3)
        ((3, 6), {(0, 1), (0, 2)}),  # [3, 4), [4, 5) and [5, 6): a multiple of 3 is not perfect
        ((0, 5), {(2, 0), (0, 2)}),  # [0, 4) and [4, 5): split at the largest power of two
    ],
)
def test_the_tiles_a_span_needs_are_those_of_its_perfect_subtrees(span, needed):
    """With tiles of height 1 (two entries each), a span is split as RFC 9162 splits it, and
    each perfect part names the one tile that holds its hash."""
    assert tiles_for([span], 1) == needed


def test_an_empty_span_has_no_hash_and_needs_no_tile():
    with pytest.raises(ValueError, match=r"^empty span$"):
        tiles_for([(3, 3)])
    with pytest.raises(ValueError, match=r"^empty span$"):
        span_hash((3, 3), {})


def test_tiles_that_lag_behind_the_tree_say_which_tile_is_missing():
    tiles = built(300, 8)
    with pytest.raises(TilesMissing) as missing:
        inclusion_from_tiles(0, 600, tiles)
    # leaves 256..511 are entry 1 of the level-1 tile, which a tree of 300 does not have
    assert (missing.value.level, missing.value.index, missing.value.entry) == (1, 0, 1)


def test_a_tile_not_stored_at_all_is_named_as_missing():
    with pytest.raises(TilesMissing) as missing:
        span_hash((256, 512), {(0, 0): bytes(256 * 32)})
    assert (missing.value.level, missing.value.index, missing.value.entry) == (1, 0, 1)
    assert str(missing.value) == "tile 1/0 lacks entry 1"


# --- extending the stored edge -------------------------------------------------------------


def test_appending_to_a_stored_edge_rewrites_only_the_edge_and_completed_tiles():
    """Given a tree of 510 leaves whose edge is stored, when 3 leaves are appended, then the
    level-0 tile 1 is completed, tile 2 starts and the level-1 edge grows by one entry."""
    hashes = leaves(513)
    before = built(510, 8)
    edge = {t.level: before[(t.level, t.index)] for t in edge_of(510)}
    changed = extend_tiles(510, edge, hashes[510:])
    assert {k: len(v) // 32 for k, v in changed.items()} == {(0, 1): 256, (0, 2): 1, (1, 0): 2}
    assert {**before, **changed} == built(513, 8)


def test_appending_to_an_edge_of_tiles_of_another_height_keeps_that_height():
    """Given a tree of 5 leaves in tiles of height 1 (two entries each), when 2 leaves are
    appended to its edge, then the tiles are those of 7 leaves at height 1."""
    hashes = leaves(7)
    before = built(5, 1)
    edge = {t.level: before[(t.level, t.index)] for t in edge_of(5, 1)}
    changed = extend_tiles(5, edge, hashes[5:], height=1)
    assert {**before, **changed} == built(7, 1)
    assert {k: len(v) // 32 for k, v in changed.items()} == {(0, 2): 2, (0, 3): 1, (1, 1): 1}


def test_an_edge_that_does_not_match_the_size_is_refused():
    with pytest.raises(ValueError):
        TileBuilder(10, {0: bytes(32 * 9)})
    with pytest.raises(ValueError):
        TileBuilder(256, {})  # the level-1 edge (one entry) is missing


def test_a_leaf_hash_of_another_length_is_refused():
    with pytest.raises(ValueError):
        TileBuilder(0, {}).add([bytes(31)])
