"""The Merkle tiles kept beside the events, on every backend: written with each save, caught
up for a log written before them, read for proofs, and never apart from the chain."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import nullcontext
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from eventsourcing.persistence import StoredEvent

from application.adapters.tiles import (
    MemoryTiles,
    StoredEdge,
    TileRows,
    chained_rows,
    edge_in,
    row_leaf_hash,
)
from application.ledger import Ledger
from application.settings import Settings
from domain.integrity import consistency_proof, inclusion_proof, leaf_bytes, leaf_hash, root
from domain.tiles import ExpectedTiles, TileBuilder, TileId, edge_of, tiles_of
from tests.application.test_chain_reads import delete_events
from tests.conftest import PG_URL


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


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_writer_whose_tiles_lag_behind_the_chain_writes_none_and_says_so(ledger: Ledger):
    """Given a log of 5 events whose tiles were cleared, when a writer extends the tiles
    from the chain's size, then it answers False and writes nothing; from the tiles' own
    size (0) it answers True and writes the tiles of the leaves given."""
    append(ledger, 5)
    tiles = ledger.auditor.tiles
    assert isinstance(tiles, TileRows)
    tiles.clear()
    leaves = log_leaves(ledger)
    with tiles._transaction(commit=True) as curs:
        assert tiles.append_in(curs, 5, leaves[:1]) is False
    assert (tiles.size(), list(tiles.stored())) == (0, [])
    with tiles._transaction(commit=True) as curs:
        assert tiles.append_in(curs, 0, leaves) is True
    assert tiles.size() == 5
    assert expected(leaves).first_difference(tiles.stored()) is None


# --- the rows themselves ------------------------------------------------------------------


def raw_tiles(settings: Settings) -> list[tuple[int, int, int, int]]:
    """(level, index, width, bytes of hashes) of every stored tile row, read with SQL."""
    query = "SELECT level, idx, width, {} FROM {} ORDER BY level, idx"
    if settings.backend == "sqlite":
        with sqlite3.connect(settings.var_dir / "hoctap.sqlite") as conn:
            return list(conn.execute(query.format("length(hashes)", "stored_events_tiles")))
    table = f'"{settings.database_schema}".hoctap_events_tiles'
    with psycopg.connect(PG_URL) as conn:
        return list(conn.execute(query.format("octet_length(hashes)", table)).fetchall())


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_each_tile_row_records_its_width_in_hashes(ledger: Ledger, settings: Settings):
    """Written with each save and again by a rebuild: the width column is the number of
    32-byte hashes the row holds, 256 for a full tile."""
    append(ledger, 300)
    expected = [(0, 0, 256, 256 * 32), (0, 1, 44, 44 * 32), (1, 0, 1, 32)]
    assert raw_tiles(settings) == expected
    ledger.auditor.catch_up_tiles(rebuild=True)
    assert raw_tiles(settings) == expected
    if settings.backend == "sqlite":  # the size row, in the table named after the events'
        with sqlite3.connect(settings.var_dir / "hoctap.sqlite") as conn:
            assert list(conn.execute("SELECT one, size FROM stored_events_tiles_size")) == [
                (1, 300)
            ]


def test_the_edge_of_a_size_is_cut_from_wider_stored_tiles_and_empty_where_none_is_stored():
    """Given a stored partial tile wider than the size gives it and a level with no stored
    tile, the edge named by the size holds the first cut to its width and no bytes for the
    second; a builder then refuses that edge as one that does not match the size."""
    wide = bytes(range(32)) * 3
    assert edge_in(258, {(0, 1): wide, (0, 2): wide}) == {0: wide[:64], 1: b""}
    with pytest.raises(ValueError, match="the edge at level 1 does not match size 258"):
        TileBuilder(258, edge_in(258, {(0, 1): wide}))


SIZES = [1, 255, 256, 257, 65_535, 65_536, 65_537, 16_777_473, 2**40 + 3, 2**63 - 1]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_edge_read_in_one_statement_is_the_edge_named_by_the_size(ledger: Ledger):
    """A writer reads the stored size and its right edge in one statement (sent ahead with
    the chain's head on PostgreSQL). Given tiles stored beside every edge tile, one index
    before and one after at every level, for sizes on, just under and just over tile
    boundaries up to the largest a BIGINT holds, the statement returns the size and
    exactly the partial tiles :func:`edge_of` names: no neighbour, no full tile."""
    tiles = ledger.auditor.tiles
    assert isinstance(tiles, TileRows)
    with tiles._transaction(commit=False) as curs:  # nothing stored: size 0, no edge
        curs.execute(tiles.sql.edge)
        assert StoredEdge.of_rows(curs.fetchall()) == StoredEdge(0, {})
    for size in SIZES:
        stored: dict[tuple[int, int], bytes] = {}
        for level in range(8):
            index = (size >> (8 * level)) >> 8
            for i in (index - 1, index, index + 1):
                if i >= 0:
                    stored[(level, i)] = bytes([level, i % 251]) * 16
        tiles.clear()
        with tiles._transaction(commit=True) as curs:
            tiles._write(curs, stored, size)
        with tiles._transaction(commit=False) as curs:
            curs.execute(tiles.sql.edge)
            found = StoredEdge.of_rows(curs.fetchall())
        named = {(t.level, t.index) for t in edge_of(size)}
        assert found == StoredEdge(size, {key: stored[key] for key in named}), size


def test_an_empty_log_has_an_empty_tree_of_tiles(ledger: Ledger):
    tiles = ledger.auditor.tiles
    assert (tiles.size(), tiles.chain_size(), list(tiles.stored())) == (0, 0, [])
    assert tiles.read([]) == {} and tiles.read([(0, 0)]) == {}
    assert tiles.covering(0, []) == {} and tiles.covering(1, [(0, 0)]) is None


def test_the_tiles_cover_every_size_up_to_their_own(ledger: Ledger):
    append(ledger, 257)
    tiles = ledger.auditor.tiles
    full = tiles.read([(0, 0), (0, 1), (1, 0), (2, 0)])
    assert sorted(full) == [(0, 0), (0, 1), (1, 0)]
    assert [len(h) // 32 for _, h in sorted(full.items())] == [256, 1, 1]
    assert tiles.covering(257, [(0, 1), (5, 5)]) == {(0, 1): full[(0, 1)]}
    assert tiles.covering(1, [(0, 0)]) == {(0, 0): full[(0, 0)]}
    assert tiles.covering(258, [(0, 1)]) is None


@pytest.mark.parametrize("page", [1, 2, 3, 4])
def test_the_stored_tiles_read_a_page_at_a_time_are_all_of_them_in_order(ledger: Ledger, page: int):
    append(ledger, 520)  # tiles 0/0, 0/1, 0/2.p/8, 1/000.p/2
    tiles = ledger.auditor.tiles
    every = list(tiles.stored())
    assert [(lv, i) for lv, i, _ in every] == [(0, 0), (0, 1), (0, 2), (1, 0)]
    if isinstance(tiles, MemoryTiles):
        return
    assert list(tiles.stored(page)) == every


class ReadsOfTheLog:
    """A recorder that notes after which notification id each page of the log is read."""

    def __init__(self, recorder: Any) -> None:
        self.recorder, self.after = recorder, list[int]()

    def select_chained(self, after: int, limit: int) -> Any:
        self.after.append(after)
        return self.recorder.select_chained(after, limit)


@pytest.mark.parametrize("back_to", [200, 1])
def test_catching_up_from_tiles_of_a_smaller_tree_rewrites_only_what_grew(
    ledger: Ledger, back_to: int
):
    """Given tiles that describe the first 200 of 300 leaves (the size row set back, as a
    catch-up cut off before its last transaction leaves it), catching up starts from leaf
    201: the partial tiles are cut to 200 and extended, and progress ends at the log's size."""
    append(ledger, 300)
    tiles = ledger.auditor.tiles
    before = list(tiles.stored())
    if isinstance(tiles, MemoryTiles):
        return  # the in-memory tiles rebuild from the log every time
    with tiles._transaction(commit=True) as curs:
        curs.execute(tiles.sql.set_size, (back_to,))
    assert tiles.size() == back_to
    seen: list[tuple[int, int]] = []
    reads = ReadsOfTheLog(ledger.store.recorder)
    assert tiles.catch_up(reads, lambda *p: seen.append(p)) == 300
    assert seen == [(300, 300)]
    assert list(tiles.stored()) == before
    assert reads.after[0] == back_to  # the log is read after the stored size, not from its start
    # The first leaves are taken from the stored tiles, not read again from the log: a
    # stored hash among them stays as it was (only a rebuild writes it again)
    level0 = before[0][2]
    marked = b"\xff" * 32 + level0[32:]
    with tiles._transaction(commit=True) as curs:
        tiles._write(curs, {(0, 0): marked}, back_to)
    assert tiles.catch_up(ledger.store.recorder) == 300
    assert tiles.read([(0, 0)]) == {(0, 0): marked}
    assert tiles.catch_up(ledger.store.recorder, rebuild=True) == 300
    assert list(tiles.stored()) == before


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_catching_up_skips_the_leaf_of_a_deleted_event(ledger: Ledger, settings: Settings):
    """Given a log of ten events whose fifth was deleted (its chain row left), a rebuild builds
    the tree of the nine leaves it can read, in one pass over the log: the tiles then lag
    behind the chain, and verify reports the missing event."""
    append(ledger, *([1] * 10))
    delete_events(settings, [5])
    reads = ReadsOfTheLog(ledger.store.recorder)
    assert ledger.auditor.tiles.catch_up(reads, rebuild=True) == 9
    assert reads.after == [0, 10]
    assert ledger.auditor.tiles.size() == 9


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_events_written_while_catching_up_are_caught_up_too(ledger: Ledger):
    """Given a writer that saves once the catch-up has read the whole log, the catch-up's
    last transaction sees a chain row it did not read, writes nothing, reads on, and ends
    with the tiles of the longer log."""
    append(ledger, 30)
    tiles = ledger.auditor.tiles
    tiles.clear()

    class WriterMeanwhile(ReadsOfTheLog):
        def select_chained(self, after: int, limit: int) -> Any:
            rows = super().select_chained(after, limit)
            if not rows and len(self.after) == 2:  # the log read to its end, the first time
                append(ledger, 1)
            return rows

    reads = WriterMeanwhile(ledger.store.recorder)
    assert tiles.catch_up(reads) == 31
    assert reads.after == [0, 30, 30, 31]
    assert expected(log_leaves(ledger)).first_difference(tiles.stored()) is None


def cut_chain(settings: Settings, after: int) -> None:
    """Delete the chain rows past position ``after`` behind the recorder's back."""
    if settings.backend == "sqlite":
        with sqlite3.connect(settings.var_dir / "hoctap.sqlite") as conn:
            conn.execute("DELETE FROM stored_events_chain WHERE position > ?", (after,))
        return
    table = f'"{settings.database_schema}".hoctap_events_chain'
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"DELETE FROM {table} WHERE position > %s", (after,))


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_tiles_of_more_leaves_than_the_chain_are_left_as_they_are(
    ledger: Ledger, settings: Settings
):
    """Given tiles of 400 leaves over a chain cut back by hand to 300 rows, catching up finds
    no chain row at their size, reads the log from its start, adds no leaf and leaves the
    tiles as they are, for verify to report."""
    append(ledger, 400)
    tiles = ledger.auditor.tiles
    before = list(tiles.stored())
    cut_chain(settings, 300)
    reads = ReadsOfTheLog(ledger.store.recorder)
    assert tiles.catch_up(reads) == 400
    assert reads.after == [0, 400]
    assert list(tiles.stored()) == before


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_an_empty_log_catches_up_at_once(ledger: Ledger):
    """No chain row at all (no last notification id) is not a chain that moved: the catch-up
    reads the empty log once and ends at size 0."""

    class Once(ReadsOfTheLog):
        def select_chained(self, after: int, limit: int) -> Any:
            assert len(self.after) < 3, "the catch-up keeps reading an empty log"
            return super().select_chained(after, limit)

    reads = Once(ledger.store.recorder)
    assert ledger.auditor.tiles.catch_up(reads) == 0
    assert reads.after == [0]


def test_a_store_without_a_schema_names_its_tile_tables_alone():
    rows = TileRows.postgres("", "events", nullcontext)
    assert rows.sql.size == 'SELECT size FROM "events_tiles_size" WHERE one = 1'
    assert rows.sql.lock == 'LOCK TABLE "events" IN EXCLUSIVE MODE'
    assert rows.sql.at == 'SELECT notification_id FROM "events_chain" WHERE position = %s'
    named = TileRows.postgres("s1", "events", nullcontext)
    assert named.sql.lock == 'LOCK TABLE "s1"."events" IN EXCLUSIVE MODE'
    assert TileRows.sqlite("ev", nullcontext).sql.lock is None


@pytest.mark.parametrize("backend", ["sqlite"])
def test_catching_up_a_long_log_writes_its_tiles_a_few_dozen_at_a_time(ledger: Ledger):
    """Tiles are written 64 at a time while the log is read, and reported: the first 64 are
    62 full level-0 tiles, the 63rd just begun and the level-1 tile (at leaf 62 * 256 + 1);
    the rest go with the size in the last transaction."""
    append(ledger, 4096, 4096, 4096, 4096, 300)
    tiles = ledger.auditor.tiles
    before = list(tiles.stored())
    tiles.clear()
    seen: list[tuple[int, int]] = []
    assert ledger.auditor.catch_up_tiles(lambda *p: seen.append(p)) == 16_684
    assert seen == [(62 * 256 + 1, 16_684), (16_684, 16_684)]
    assert list(tiles.stored()) == before


def test_the_chain_size_is_the_position_of_the_last_chain_row(ledger: Ledger):
    """On every backend, the size the tiles must reach is the chain's, save after save."""
    tiles = ledger.auditor.tiles
    append(ledger, 3)
    assert tiles.chain_size() == tiles.size() == 3
    append(ledger, 2, 1)
    assert tiles.chain_size() == tiles.size() == 6


def test_the_in_memory_tiles_grow_only_from_their_own_size():
    """As on the databases: leaves appended after a chain of another size than the tiles'
    are not written, and the answer says so."""
    chain: list[tuple[int, int, bytes]] = []
    tiles = MemoryTiles(chain)
    leaf = bytes(range(32))
    assert tiles.append(0, [leaf, leaf]) is True
    assert tiles.append(5, [leaf]) is False
    assert (tiles.size(), tiles.read([(0, 0)])) == (2, {(0, 0): leaf + leaf})


def test_an_event_with_an_empty_topic_and_version_0_has_its_own_leaf_in_the_tiles(
    ledger: Ledger,
):
    """The tiles take each leaf as verify does (:func:`domain.integrity.leaf_bytes` of the
    row as stored): an empty topic stays empty and version 0 stays 0, also when the tiles
    are caught up from the log."""
    event = StoredEvent(uuid4(), 0, "", b"{}")
    ledger.store.recorder.insert_events([event])
    leaf = leaf_hash(leaf_bytes(1, event.originator_id, 0, "", b"{}"))
    tiles = ledger.auditor.tiles
    assert list(tiles.stored()) == [(0, 0, leaf)]
    assert ledger.auditor.catch_up_tiles(rebuild=True) == 1
    assert list(tiles.stored()) == [(0, 0, leaf)]
