"""What ``verify`` says about stored tiles: the first tile that differs from the tiles
recomputed from the log, named by its C2SP path, with both sides described; and the refusals
of tile paths and tile maths, each with its message."""

from __future__ import annotations

import hashlib

import pytest

from domain.integrity import root
from domain.tiles import (
    ExpectedTiles,
    TileBuilder,
    TileDifference,
    TileId,
    TilePathError,
    TilesMissing,
    parse_tile_path,
    root_from_tiles,
    span_hash,
    tiles_for,
)
from tests.domain.test_tiles import leaves


def expected(n: int) -> ExpectedTiles:
    tiles = ExpectedTiles()
    for leaf in leaves(n):
        tiles.append(leaf)
    return tiles


def stored(n: int) -> list[tuple[int, int, bytes]]:
    """The tiles of ``n`` leaves as a store lists them, in (level, index) order."""
    tiles = TileBuilder(0, {}).add(leaves(n))
    return [(level, index, hashes) for (level, index), hashes in sorted(tiles.items())]


def described(hashes: bytes) -> str:
    return f"{len(hashes)} byte, SHA-256 {hashlib.sha256(hashes).hexdigest()}"


def test_the_tiles_of_the_log_have_no_difference():
    assert expected(600).first_difference(stored(600)) is None
    assert expected(0).first_difference([]) is None
    assert expected(5000).size == 5000  # more leaves than one batch, some still pending


@pytest.mark.parametrize(
    ("leaf_count", "at", "tile"),
    [
        (600, 2, TileId(0, 2, 88)),  # 0/000, 0/001, 0/002.p/88, 1/000.p/2
        (257, 1, TileId(0, 1, 1)),  # 0/000, 0/001.p/1, 1/000.p/1: the narrowest, one hash
    ],
)
def test_a_changed_partial_tile_is_named_with_its_width_and_both_digests(
    leaf_count: int, at: int, tile: TileId
):
    tiles = stored(leaf_count)
    level, index, hashes = tiles[at]
    assert len(hashes) == 32 * tile.width
    changed = hashes[:-1] + bytes([hashes[-1] ^ 1])
    tiles[at] = (level, index, changed)
    want = hashlib.sha256(hashes).hexdigest()
    assert expected(leaf_count).first_difference(tiles) == TileDifference(
        tile, f"{tile.path} {want}", f"{tile.path} {described(changed)}"
    )


def test_a_changed_full_tile_is_named_by_its_full_path():
    tiles = stored(600)
    changed = bytes(32) + tiles[1][2][32:]
    tiles[1] = (0, 1, changed)
    difference = expected(600).first_difference(tiles)
    want = hashlib.sha256(stored(600)[1][2]).hexdigest()
    assert difference == TileDifference(
        TileId(0, 1), f"tile/0/001 {want}", f"tile/0/001 {described(changed)}"
    )
    assert difference is not None and difference.first_leaf == 256


def test_a_tile_missing_before_others_is_named():
    tiles = stored(600)
    del tiles[1]
    assert expected(600).first_difference(tiles) == TileDifference(
        TileId(0, 1), "ô tile/0/001", "không có"
    )


def test_a_missing_edge_tile_at_the_end_is_named_with_its_width():
    assert expected(600).first_difference(stored(600)[:-1]) == TileDifference(
        TileId(1, 0, 2), "ô tile/1/000.p/2", "không có"
    )
    assert expected(3).first_difference([]) == TileDifference(
        TileId(0, 0, 3), "ô tile/0/000.p/3", "không có"
    )


def test_a_tile_the_log_does_not_have_is_named():
    extra = bytes(64)
    assert expected(600).first_difference([*stored(600), (3, 0, extra)]) == TileDifference(
        TileId(3, 0, 2), "không có ô này", described(extra)
    )


@pytest.mark.parametrize("width", [0, 257])
def test_a_tile_of_no_width_or_too_wide_is_named_as_a_full_tile(width: int):
    hashes = bytes(32 * width)
    tiles = [(0, 0, hashes), *stored(600)[1:]]
    difference = expected(600).first_difference(tiles)
    assert difference is not None and difference.tile == TileId(0, 0)
    assert difference.found == f"tile/0/000 {described(hashes)}"


@pytest.mark.parametrize(
    ("tile", "leaf"), [(TileId(0, 0), 0), (TileId(0, 3, 7), 768), (TileId(1, 2, 5), 2 << 16)]
)
def test_a_tile_difference_gives_the_first_leaf_it_covers(tile: TileId, leaf: int):
    assert TileDifference(tile, "", "").first_leaf == leaf


# --- refusals, with their messages -----------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("tiles/0/000", "không phải đường dẫn ô"),
        ("tile/0", "không phải đường dẫn ô"),
        ("tile/64/000", "tầng phải là 0..63, không có số 0 đứng đầu"),
        ("tile/0/000.p/256", "độ rộng ô dở dang phải là 1..255, không có số 0 đứng đầu"),
        ("tile/0/" + "x001/" * 7 + "000", "chỉ số ô quá dài"),
        ("tile/0/001/234", "mỗi phần chỉ số ô trước phần cuối phải là x và 3 chữ số"),
        ("tile/0/x001/12", "phần cuối của chỉ số ô phải là 3 chữ số"),
        ("tile/0/x000/001", "chỉ số ô có phần 000 thừa ở đầu"),
    ],
)
def test_a_refused_tile_path_says_why(path: str, message: str):
    with pytest.raises(TilePathError) as refused:
        parse_tile_path(path)
    assert str(refused.value) == message


def test_an_index_of_seven_groups_is_the_longest_read():
    path = "tile/0/x001/x000/x000/x000/x000/x000/000"
    assert parse_tile_path(path) == TileId(0, 10**18)


def test_tiles_that_lag_say_which_entry_they_lack():
    missing = TilesMissing(1, 4, 7)
    assert str(missing) == "tile 1/4 lacks entry 7"
    assert (missing.level, missing.index, missing.entry) == (1, 4, 7)


def test_an_empty_span_has_no_hash_and_no_tiles():
    tiles = TileBuilder(0, {}).add(leaves(8))
    for span in [(3, 3), (4, 2)]:
        with pytest.raises(ValueError, match="empty span"):
            span_hash(span, tiles)
        with pytest.raises(ValueError, match="empty span"):
            tiles_for([span])


def test_the_empty_tree_has_the_hash_of_nothing():
    assert root_from_tiles(0, {}) == root([]) == hashlib.sha256(b"").digest()


def test_the_builder_refuses_an_edge_naming_the_level_that_does_not_match():
    with pytest.raises(ValueError) as refused:
        TileBuilder(257, {0: bytes(32)})
    assert str(refused.value) == "the edge at level 1 does not match size 257"
    with pytest.raises(ValueError, match="leaf hashes are 32 bytes"):
        TileBuilder(0, {}).add([bytes(32), bytes(31), bytes(32)])


def test_the_builder_keeps_a_copy_of_the_edge_it_was_given():
    edge = {0: bytearray(bytes(range(32)))}
    builder = TileBuilder(1, edge)
    edge[0][0] = 255
    assert builder.edge() == {0: bytes(range(32))}
    assert type(builder.edge()[0]) is bytes
    builder.edge()[0] = b""
    assert builder.edge() == {0: bytes(range(32))}
