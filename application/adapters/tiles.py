"""The Merkle tree's tiles (C2SP tlog-tiles) beside the events, kept as the log grows.

``<events table>_tiles`` holds one row per tile: level, index, width (256 when full) and the
concatenated hashes; ``<events table>_tiles_size`` holds the tree size they describe. The
recorders extend them inside the transaction that writes the events and their chain rows
(:meth:`TileRows.append_in`), so a crash can leave neither or both. While the tiles describe
a smaller tree than the chain (a database made before tiles existed), writers leave them
alone and proofs fall back to scanning the log until :meth:`TileRows.catch_up` has run.

Rows are written only through SQL statements in this module; the tables are created with
the recorder's own tables (under the store's DDL lock).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from domain.integrity import ChainedEvent, leaf_bytes, leaf_hash
from domain.tiles import HASH_SIZE, HEIGHT, TileBuilder, edge_of

Transaction = Callable[..., AbstractContextManager[Any]]
Progress = Callable[[int, int], None]
#: Tiles upserted per transaction while catching up.
FLUSH = 64


def row_leaf_hash(row: ChainedEvent) -> bytes | None:
    """The Merkle leaf hash of one chained row as read back (None when its event is gone)."""
    if row.state is None or row.position is None:
        return None
    topic = row.topic or ""
    return leaf_hash(
        leaf_bytes(row.position, row.originator_id or "", row.version or 0, topic, row.state)
    )


def chained_rows(recorder: Any, after: int = 0, page: int = 2000) -> Iterator[ChainedEvent]:
    """Events and their chain rows in log order, a page at a time, after a notification id."""
    while rows := recorder.select_chained(after, page):
        yield from rows
        after = max(r.notification_id or 0 for r in rows)


@dataclass(frozen=True)
class Sql:
    """The statements of one backend, over one events table's tile tables."""

    create: tuple[str, ...]
    size: str
    set_size: str
    read: str
    key: str
    upsert: str
    clear: tuple[str, ...]
    page: str
    lock: str | None
    head: str
    last_id: str
    at: str
    #: The size and the stored tiles of its right edge in one statement (on PostgreSQL a
    #: writer sends it ahead with the chain's head: no round trip inside its lock).
    edge: str


@dataclass(frozen=True)
class StoredEdge:
    """The size the stored tiles describe and the stored tiles at its right edge."""

    size: int
    tiles: Mapping[tuple[int, int], bytes]

    @classmethod
    def of_rows(cls, rows: Iterable[Any]) -> StoredEdge:
        """From the rows of :attr:`Sql.edge`: one per edge tile found (or one with no tile),
        each carrying the size; none when no size was ever stored."""
        size, tiles = 0, {}
        for row in rows:
            size = int(row["size"])
            if row["level"] is not None:
                tiles[(int(row["level"]), int(row["idx"]))] = bytes(row["hashes"])
        return cls(size, tiles)


def _edge_statement(tiles: str, size: str) -> str:
    """Every stored partial tile of :func:`domain.tiles.edge_of` at the stored size, in one
    statement (SQLite and PostgreSQL): at level L the count is size >> (HEIGHT * L), its
    partial tile has index count >> HEIGHT and exists when count is not a multiple of the
    width. One row per level, each carrying the size; none when no size was stored."""
    levels = " UNION ALL ".join(f"SELECT {n} AS level" for n in range(63 // HEIGHT + 1))
    count, mask = f"(s.size >> ({HEIGHT} * g.level))", (1 << HEIGHT) - 1
    return (
        f"SELECT s.size, t.level, t.idx, t.hashes FROM {size} s CROSS JOIN ({levels}) g"
        f" LEFT JOIN {tiles} t ON t.level = g.level AND t.idx = ({count} >> {HEIGHT})"
        f" AND ({count} & {mask}) <> 0 WHERE s.one = 1"
    )


def _sql(tiles: str, size: str, chain: str, mark: str, blob: str, lock: str | None) -> Sql:
    return Sql(
        create=(
            f"CREATE TABLE IF NOT EXISTS {tiles} (level INTEGER NOT NULL, idx BIGINT NOT NULL,"
            f" width INTEGER NOT NULL, hashes {blob} NOT NULL, PRIMARY KEY (level, idx))",
            f"CREATE TABLE IF NOT EXISTS {size} (one INTEGER PRIMARY KEY CHECK (one = 1),"
            " size BIGINT NOT NULL)",
        ),
        size=f"SELECT size FROM {size} WHERE one = 1",
        set_size=(
            f"INSERT INTO {size} (one, size) VALUES (1, {mark})"
            " ON CONFLICT (one) DO UPDATE SET size = excluded.size"
        ),
        read=f"SELECT level, idx, hashes FROM {tiles} WHERE ",
        key=f"(level = {mark} AND idx = {mark})",
        upsert=(
            f"INSERT INTO {tiles} (level, idx, width, hashes) VALUES ({mark}, {mark}, {mark},"
            f" {mark}) ON CONFLICT (level, idx) DO UPDATE SET width = excluded.width,"
            " hashes = excluded.hashes"
        ),
        clear=(f"DELETE FROM {tiles}", f"DELETE FROM {size}"),
        page=(
            f"SELECT level, idx, hashes FROM {tiles} WHERE (level = {mark} AND idx > {mark})"
            f" OR level > {mark} ORDER BY level, idx LIMIT {mark}"
        ),
        lock=lock,
        head=f"SELECT position FROM {chain} ORDER BY position DESC LIMIT 1",
        last_id=f"SELECT max(notification_id) AS last_id FROM {chain}",
        at=f"SELECT notification_id FROM {chain} WHERE position = {mark}",
        edge=_edge_statement(tiles, size),
    )


class TileRows:
    """The tiles of one event store, in its database (SQLite or PostgreSQL)."""

    def __init__(self, sql: Sql, transaction: Transaction) -> None:
        self.sql = sql
        self._transaction = transaction

    @classmethod
    def sqlite(cls, events_table: str, transaction: Transaction) -> TileRows:
        tiles = f"{events_table}_tiles"
        chain = f"{events_table}_chain"
        return cls(_sql(tiles, f"{tiles}_size", chain, "?", "BLOB", None), transaction)

    @classmethod
    def postgres(cls, schema: str, events_table: str, transaction: Transaction) -> TileRows:
        def name(table: str) -> str:
            return f'"{schema}"."{table}"' if schema else f'"{table}"'

        tiles, events = name(f"{events_table}_tiles"), name(events_table)
        lock = f"LOCK TABLE {events} IN EXCLUSIVE MODE"
        return cls(
            _sql(
                tiles,
                name(f"{events_table}_tiles_size"),
                name(f"{events_table}_chain"),
                "%s",
                "bytea",
                lock,
            ),
            transaction,
        )

    # --- inside a writer's transaction ----------------------------------------------------

    def append_in(
        self,
        curs: Any,
        chain_size: int,
        leaf_hashes: list[bytes],
        stored: StoredEdge | None = None,
    ) -> bool:
        """Extend the tiles with leaves appended after ``chain_size`` chain rows, in the
        writer's transaction; False (nothing written) while the tiles lag behind the chain.
        ``stored`` is the edge already read in this transaction (else it is read here)."""
        if stored is None:
            curs.execute(self.sql.edge)
            stored = StoredEdge.of_rows(curs.fetchall())
        if stored.size != chain_size:
            return False
        builder = TileBuilder(stored.size, edge_in(stored.size, stored.tiles))
        self._write(curs, builder.add(leaf_hashes), builder.size)
        return True

    def _size(self, curs: Any) -> int:
        curs.execute(self.sql.size)
        row = curs.fetchone()
        return int(row["size"]) if row else 0

    def _read(self, curs: Any, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        """The named tiles, in one statement."""
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        curs.execute(
            self.sql.read + " OR ".join([self.sql.key] * len(wanted)),
            [value for key in wanted for value in key],
        )
        return {(int(r["level"]), int(r["idx"])): bytes(r["hashes"]) for r in curs.fetchall()}

    def covering(
        self, size: int, keys: Iterable[tuple[int, int]]
    ) -> dict[tuple[int, int], bytes] | None:
        """The named tiles when the stored ones describe at least ``size`` leaves (else
        None: they lag behind), read in one transaction."""
        with self._transaction(commit=False) as curs:
            if self._size(curs) < size:
                return None
            return self._read(curs, keys)

    def _write(self, curs: Any, changed: dict[tuple[int, int], bytes], size: int) -> None:
        curs.executemany(
            self.sql.upsert,
            [(lv, i, len(h) // HASH_SIZE, h) for (lv, i), h in sorted(changed.items())],
        )
        curs.execute(self.sql.set_size, (size,))

    # --- reads -------------------------------------------------------------------------

    def size(self) -> int:
        """The tree size the stored tiles describe."""
        with self._transaction(commit=False) as curs:
            return self._size(curs)

    def chain_size(self) -> int:
        """The position of the chain's last row (the tree size once the tiles caught up)."""
        with self._transaction(commit=False) as curs:
            curs.execute(self.sql.head)
            row = curs.fetchone()
            return int(row["position"]) if row else 0

    def clear(self) -> None:
        """Drop every tile (before a rebuild)."""
        with self._transaction(commit=True) as curs:
            for statement in self.sql.clear:
                curs.execute(statement)

    def read(self, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        """The stored hashes of the tiles named (absent ones are left out)."""
        with self._transaction(commit=False) as curs:
            return self._read(curs, keys)

    def stored(self, page: int = 256) -> Iterator[tuple[int, int, bytes]]:
        """Every stored tile as (level, index, hashes), level by level."""
        level, index = 0, -1
        while True:
            with self._transaction(commit=False) as curs:
                curs.execute(self.sql.page, (level, index, level, page))
                rows = [
                    (int(r["level"]), int(r["idx"]), bytes(r["hashes"])) for r in curs.fetchall()
                ]
            yield from rows
            if len(rows) < page:
                return
            level, index = rows[-1][0], rows[-1][1]

    # --- building them for a log that has none -----------------------------------------

    def catch_up(
        self, recorder: Any, progress: Progress | None = None, *, rebuild: bool = False
    ) -> int:
        """Build the tiles from the chained log (every tile again with ``rebuild``); returns
        the tree size they then describe.

        Tiles are built in memory from the log's leaves and upserted a few dozen at a time;
        the size is written last, in a transaction that holds the writers' lock and checks
        that the chain has not grown meanwhile (it reads on and retries when it has).
        """
        if rebuild:
            self.clear()
        start = self.size()
        total = self.chain_size()
        builder = TileBuilder(start, edge_in(start, self.read(_edge_keys(start))))
        pending: dict[tuple[int, int], bytes] = {}
        after = self._notification_at(start)
        while True:
            for row in chained_rows(recorder, after):
                after = max(after, row.notification_id or 0)
                leaf = row_leaf_hash(row)
                if leaf is None or row.position is None or row.position <= start:
                    continue
                pending.update(builder.add([leaf]))
                if len(pending) >= FLUSH:
                    self._flush(pending)
                    if progress:
                        progress(builder.size, total)
            if self._finish(pending, builder.size, after):
                if progress:
                    progress(builder.size, max(total, builder.size))
                return builder.size

    def _notification_at(self, position: int) -> int:
        """The notification id of the chain row at ``position`` (0 for none): catching up
        reads the log from there on, not from its start."""
        if position == 0:
            return 0
        with self._transaction(commit=False) as curs:
            curs.execute(self.sql.at, (position,))
            row = curs.fetchone()
            return int(row["notification_id"]) if row else 0

    def _flush(self, pending: dict[tuple[int, int], bytes]) -> None:
        with self._transaction(commit=True) as curs:
            curs.executemany(
                self.sql.upsert,
                [(lv, i, len(h) // HASH_SIZE, h) for (lv, i), h in sorted(pending.items())],
            )
        pending.clear()

    def _finish(self, pending: dict[tuple[int, int], bytes], size: int, seen: int) -> bool:
        """Write the last tiles and the size, unless chain rows were written after the
        last one read (notification id ``seen``): then nothing is written."""
        try:
            with self._transaction(commit=True) as curs:
                if self.sql.lock:
                    curs.execute(self.sql.lock)
                self._write(curs, pending, size)  # a write first: SQLite takes its lock here
                curs.execute(self.sql.last_id)
                row = curs.fetchone()
                if row is not None and (row["last_id"] or 0) > seen:
                    raise _ChainMoved
        except _ChainMoved:
            return False
        return True


class _ChainMoved(Exception):
    """Rolls back a catch-up's last transaction: writers appended meanwhile."""


def edge_in(size: int, tiles: Mapping[tuple[int, int], bytes]) -> dict[int, bytes]:
    """The right edge of a tree of ``size`` leaves (level -> hashes) from stored tiles,
    which may be wider: a stored partial tile is cut to the width ``size`` gives it."""
    return {
        t.level: tiles.get((t.level, t.index), b"")[: t.width * HASH_SIZE] for t in edge_of(size)
    }


def _edge_keys(size: int) -> list[tuple[int, int]]:
    return [(t.level, t.index) for t in edge_of(size)]


class MemoryTiles:
    """The tiles of the in-memory store (tests), kept under the recorder's lock."""

    def __init__(self, chain: list[tuple[int, int, bytes]]) -> None:
        self.tiles: dict[tuple[int, int], bytes] = {}
        self.tree_size = 0
        self._chain = chain

    def chain_size(self) -> int:
        return self._chain[-1][0] if self._chain else 0

    def clear(self) -> None:
        self.tiles, self.tree_size = {}, 0

    def append(self, chain_size: int, leaf_hashes: list[bytes]) -> bool:
        if self.tree_size != chain_size:
            return False
        builder = TileBuilder(self.tree_size, edge_in(self.tree_size, self.tiles))
        self.tiles.update(builder.add(leaf_hashes))
        self.tree_size = builder.size
        return True

    def size(self) -> int:
        return self.tree_size

    def read(self, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        return {k: self.tiles[k] for k in keys if k in self.tiles}

    def covering(
        self, size: int, keys: Iterable[tuple[int, int]]
    ) -> dict[tuple[int, int], bytes] | None:
        return self.read(keys) if self.tree_size >= size else None

    def stored(self) -> Iterator[tuple[int, int, bytes]]:
        for (level, index), hashes in sorted(self.tiles.items()):
            yield level, index, hashes

    def catch_up(
        self, recorder: Any, progress: Progress | None = None, *, rebuild: bool = False
    ) -> int:
        """Rebuild every tile from the log (the in-memory log is small)."""
        builder = TileBuilder(0, {})
        tiles: dict[tuple[int, int], bytes] = {}
        for row in chained_rows(recorder):
            if (leaf := row_leaf_hash(row)) is not None:
                tiles.update(builder.add([leaf]))
        self.tiles, self.tree_size = tiles, builder.size
        if progress:
            progress(builder.size, builder.size)
        return builder.size
