"""The Merkle tiles kept beside the events, on every backend: written with each save, caught
up for a log written before them, read for proofs, and never apart from the chain."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import uuid4

import pytest
from eventsourcing.persistence import StoredEvent

from application.adapters.tiles import chained_rows, row_leaf_hash
from application.ledger import Ledger
from application.settings import Settings
from domain.integrity import consistency_proof, inclusion_proof, root
from domain.tiles import ExpectedTiles, TileId, tiles_of


@pytest.fixture
def ledger(settings: Settings) -> Iterator[Ledger]:
    opened = Ledger(settings)
    yield opened
    opened.close()


def append(ledger: Ledger, *batches: int) -> None:
    """Events written straight through the recorder, in batches of the sizes given."""
    for size in batches:
        ledger.store.recorder.insert_events(
            [
                StoredEvent(uuid4(), 1, "tests.Synthetic", f'{{"n": {n}}}'.encode())
                for n in range(size)
            ]
        )


def log_leaves(ledger: Ledger) -> list[bytes]:
    hashes = (row_leaf_hash(row) for row in chained_rows(ledger.store.recorder))
    return [h for h in hashes if h is not None]


def stored_tiles(ledger: Ledger) -> set[TileId]:
    return {TileId(lv, i, len(h) // 32) for lv, i, h in ledger.auditor.tiles.stored()}


def expected(leaves: list[bytes]) -> ExpectedTiles:
    tiles = ExpectedTiles()
    for leaf in leaves:
        tiles.append(leaf)
    return tiles


def test_every_save_keeps_the_tiles_of_the_log(ledger: Ledger):
    """Given batches that end inside tiles, on tile edges and across them, the stored tiles
    are exactly the tiles of the log's size, with the hashes recomputed from its leaves."""
    append(ledger, 1, 254, 1, 300, 256, 7)
    leaves = log_leaves(ledger)
    assert ledger.auditor.tiles.size() == len(leaves) == 819
    assert stored_tiles(ledger) == set(tiles_of(819))
    assert expected(leaves).first_difference(ledger.auditor.tiles.stored()) is None


def test_many_saves_in_a_row_keep_the_tiles(ledger: Ledger):
    """PostgreSQL prepares a statement run often enough, inside the insert's pipeline: the
    tiles must still be read and written right after dozens of saves of every size."""
    append(ledger, *([1] * 12), 1000, *([1, 3] * 10), 1000, 1)
    leaves = log_leaves(ledger)
    assert ledger.auditor.tiles.size() == len(leaves) == 2053
    assert expected(leaves).first_difference(ledger.auditor.tiles.stored()) is None


def test_proofs_read_from_tiles_are_the_proofs_computed_from_every_leaf(ledger: Ledger):
    append(ledger, 600)
    leaves = log_leaves(ledger)
    for position, size in [(1, 1), (1, 600), (256, 257), (513, 600), (600, 600), (300, 512)]:
        leaf, path, top = ledger.auditor.inclusion(position, size)
        assert leaf == leaves[position - 1]
        assert path == inclusion_proof(position - 1, leaves[:size])
        assert top == root(leaves[:size])
    for first, second in [(1, 600), (256, 512), (255, 257), (599, 600), (600, 600)]:
        old, new, proof = ledger.auditor.consistency(first, second)
        assert (old, new) == (root(leaves[:first]), root(leaves[:second]))
        assert proof == consistency_proof(first, leaves[:second])


def test_a_log_without_tiles_is_proved_from_the_log_until_they_are_caught_up(ledger: Ledger):
    """Given a log whose tiles are gone (one written before them), when events are added,
    then writers leave the tiles alone, proofs still come (from the log), and once caught up
    the tiles are those of the log and every later save extends them again."""
    append(ledger, 300)
    ledger.auditor.tiles.clear()
    append(ledger, 20)
    assert ledger.auditor.tiles.size() == 0  # lagging: nothing written
    leaves = log_leaves(ledger)
    assert ledger.auditor.inclusion(5, 320)[1] == inclusion_proof(4, leaves)

    seen: list[tuple[int, int]] = []
    assert ledger.auditor.catch_up_tiles(lambda done, total: seen.append((done, total))) == 320
    assert seen[-1] == (320, 320)
    append(ledger, 3)
    leaves = log_leaves(ledger)
    assert ledger.auditor.tiles.size() == 323
    assert expected(leaves).first_difference(ledger.auditor.tiles.stored()) is None
    assert ledger.auditor.inclusion(5, 323)[1] == inclusion_proof(4, leaves)


def test_a_rebuild_writes_every_tile_again_from_the_log(ledger: Ledger):
    append(ledger, 513)
    assert ledger.auditor.catch_up_tiles(rebuild=True) == 513
    assert stored_tiles(ledger) == set(tiles_of(513))
    assert expected(log_leaves(ledger)).first_difference(ledger.auditor.tiles.stored()) is None


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_save_that_fails_in_its_transaction_leaves_neither_chain_rows_nor_tiles(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
):
    """The tiles are written in the transaction of the events and their chain rows: a
    failure after they are written (here, just after) rolls all three back."""
    append(ledger, 10)
    tiles = ledger.auditor.tiles
    extend = tiles.append_in

    def extend_then_fail(*args: object) -> bool:
        assert extend(*args)  # the tiles were written in this transaction
        raise RuntimeError("the disk is gone")

    monkeypatch.setattr(tiles, "append_in", extend_then_fail)
    with pytest.raises(RuntimeError):
        append(ledger, 5)
    monkeypatch.undo()

    assert tiles.size() == tiles.chain_size() == len(log_leaves(ledger)) == 10
    assert expected(log_leaves(ledger)).first_difference(tiles.stored()) is None
    append(ledger, 1)
    assert tiles.size() == 11
