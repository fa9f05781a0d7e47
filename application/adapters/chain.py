"""Recorders that write each event's hash-chain row in the same transaction as the event.

The library's recorders are subclassed, not wrapped: on PostgreSQL the chain row is added
after the insert, inside the transaction that already holds the events table's EXCLUSIVE
lock, so chain positions are gap-free and in commit order even with concurrent writers; on
SQLite writers are serialised by the database itself. The chain table sits beside the events
table (``hoctap_events_chain`` / ``stored_events_chain``).

A save whose connection is lost after COMMIT was sent cannot know whether it committed. The
library retries the insert, and a retry of a save that did commit hits its own rows: a unique
violation that would be answered as a version conflict although the command succeeded. So on
PostgreSQL an insert retried after a lost connection that then meets a unique violation reads
the rows at the (originator, version) it tried to write: when every one holds the same topic
and the same state bytes (which carry the event's timestamp to the microsecond and the
request's causation id, so no other command writes them), the first attempt committed and its
notification ids are returned as a success; anything else is a genuine conflict.

Each recorder also keeps the receipts of keyed requests (``hoctap_events_receipts`` /
``stored_events_receipts``): a request holding an ``Idempotency-Key`` writes one in the
transaction of its events, and :meth:`fence` either finds it or makes sure it can never be
written (application/adapters/keyed_requests.py explains why).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Sequence
from functools import cached_property
from operator import itemgetter
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    StoredEvent,
)
from eventsourcing.popo import POPOApplicationRecorder
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from eventsourcing.utils import retry
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composed, Identifier

from application.adapters.chain_workers import Source, chained_rows
from application.adapters.keyed_requests import Receipt, receipt_owed
from application.adapters.pipelines import send_all, sync
from application.adapters.tiles import MemoryTiles, StoredEdge, TileRows
from domain.integrity import (
    GENESIS,
    ChainedEvent,
    ChainedRow,
    chain_hash,
    leaf_bytes,
    leaf_hash,
)


def chain_rows(
    stored_events: Sequence[StoredEvent],
    notification_ids: Sequence[int],
    last_position: int,
    last_hash: bytes,
    leaves: list[bytes] | None = None,
) -> list[tuple[int, int, bytes]]:
    """(position, notification id, hash) for events appended after the chain's last row;
    each event's Merkle leaf hash is appended to ``leaves`` (for the tiles)."""
    rows = []
    position, previous = last_position, last_hash
    for stored, notification_id in zip(stored_events, notification_ids, strict=True):
        position += 1
        leaf = leaf_bytes(
            position, stored.originator_id, stored.originator_version, stored.topic, stored.state
        )
        previous = chain_hash(previous, leaf)
        rows.append((position, notification_id, previous))
        if leaves is not None:
            leaves.append(leaf_hash(leaf))
    return rows


def own_ids(stored_events: Sequence[StoredEvent], found: Iterable[Any]) -> list[int] | None:
    """The notification ids of ``stored_events`` when ``found`` (rows of originator_id,
    originator_version, topic, state, notification_id) holds every one of them byte for byte;
    None when any is missing or differs (someone else's event)."""
    rows = {(row["originator_id"], row["originator_version"]): row for row in found}
    ids = []
    for stored in stored_events:
        row = rows.get((stored.originator_id, stored.originator_version))
        if row is None or row["topic"] != stored.topic or bytes(row["state"]) != stored.state:
            return None
        ids.append(int(row["notification_id"]))
    return ids


def _by_originator(rows: Iterable[Any]) -> dict[UUID, list[StoredEvent]]:
    """Rows ordered by originator and version, grouped into each originator's events."""
    found: dict[UUID, list[StoredEvent]] = {}
    for row in rows:
        found.setdefault(row["originator_id"], []).append(
            StoredEvent(
                originator_id=row["originator_id"],
                originator_version=row["originator_version"],
                topic=row["topic"],
                state=bytes(row["state"]),
            )
        )
    return found


class ChainedPostgresRecorder(PostgresApplicationRecorder):
    #: Attempts at one insert when the connection is lost, and the pause between them.
    insert_attempts = 10
    insert_retry_wait = 0.2

    def __init__(self, datastore: Any, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.chain_table = f"{self.events_table_name}_chain"
        self._chain = SQL("{0}.{1}").format(
            Identifier(self.datastore.schema), Identifier(self.chain_table)
        )
        self._head = SQL("SELECT position, hash FROM {0} ORDER BY position DESC LIMIT 1").format(
            self._chain
        )
        self._append = SQL(
            "INSERT INTO {0} (position, notification_id, hash) VALUES (%s, %s, %s)"
        ).format(self._chain)
        #: The head query issued under the lock, per thread, until the insert is synced.
        self._pending = threading.local()
        self._select_many = SQL(
            "SELECT originator_id, originator_version, topic, state FROM {0}.{1}"
            " WHERE originator_id = ANY(%s) ORDER BY originator_id, originator_version"
        ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name))
        self._select_own = SQL(
            "SELECT originator_id, originator_version, topic, state, notification_id FROM {0}.{1}"
            " WHERE (originator_id, originator_version) IN"
            " (SELECT * FROM unnest(%s::uuid[], %s::integer[]))"
        ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name))
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {0} (position bigint PRIMARY KEY,"
                " notification_id bigint UNIQUE NOT NULL, hash bytea NOT NULL)"
            ).format(self._chain)
        )
        #: The Merkle tiles, extended in each insert's transaction.
        self.tiles = TileRows.postgres(
            self.datastore.schema, self.events_table_name, self.datastore.transaction
        )
        self.sql_create_statements += [SQL(s).format() for s in self.tiles.sql.create]
        receipts = SQL("{0}.{1}").format(
            Identifier(self.datastore.schema), Identifier(f"{self.events_table_name}_receipts")
        )
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {0} (owner text PRIMARY KEY, originator_id uuid,"
                " originator_version integer, position bigint)"
            ).format(receipts)
        )
        self._receipt = SQL("INSERT INTO {0} (owner) VALUES (%s)").format(receipts)
        self._receipt_landed = SQL(
            "UPDATE {0} SET originator_id = %s, originator_version = %s, position = %s"
            " WHERE owner = %s"
        ).format(receipts)
        self._fence = SQL(
            "INSERT INTO {0} (owner) VALUES (%s) ON CONFLICT DO NOTHING RETURNING owner"
        ).format(receipts)
        self._read_receipt = SQL(
            "SELECT originator_id, originator_version, position FROM {0} WHERE owner = %s"
        ).format(receipts)

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """The library's insert, retried when the connection is lost; a retry that meets its
        own committed events answers with them (see the module docstring)."""
        insert = ChainedPostgresRecorder._insert_atomically
        claim = receipt_owed() if stored_events else None
        attempt, in_doubt = 1, False
        while True:
            try:
                ids: Sequence[int] | None = insert(self, stored_events, **kwargs)
                break
            except (InterfaceError, OperationalError):
                if attempt >= self.insert_attempts:
                    raise
                attempt, in_doubt = attempt + 1, True
                time.sleep(self.insert_retry_wait)
            except IntegrityError:
                if in_doubt and (own := self.committed_ids(stored_events)) is not None:
                    ids = own
                    break
                raise
        if claim is not None:
            claim.written = True
        return ids

    def _insert_atomically(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """The library's pipelined insert (9.5.6, without database functions), except that an
        exception raised after the events were sent rolls the transaction back.

        The library catches any exception inside ``conn.transaction()`` to re-raise it after
        the pipeline closes, so a Python error in the chain or tile code (after the events'
        INSERT) would COMMIT the events without their chain rows or tiles. Here the exception
        leaves the transaction block first (rollback) and is re-raised outside the pipeline.
        """
        if not stored_events:
            return None
        failure: Exception | None = None
        ids: Sequence[int] | None = None
        with self.datastore.get_connection() as conn:  # which translates psycopg's errors
            with conn.pipeline() as pipeline:
                try:
                    with conn.transaction(), conn.cursor() as curs:
                        self._insert_stored_events(curs, stored_events, **kwargs)
                        # Not pipeline.sync(): that hangs on a large batch (see pipelines.py).
                        sync(conn, pipeline)  # a unique violation is raised here
                        ids = self._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
                        send_all(conn)  # the chain rows, before the COMMIT's own sync
                except Exception as exc:  # re-raised once the pipeline has closed
                    failure = exc
            if failure is not None:
                raise failure
        return ids

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def committed_ids(self, stored_events: Sequence[StoredEvent]) -> list[int] | None:
        """The notification ids of ``stored_events`` if exactly these are in the log."""
        keys = (
            [e.originator_id for e in stored_events],
            [e.originator_version for e in stored_events],
        )
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._select_own, keys)
            return own_ids(stored_events, curs.fetchall())

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def select_events_of(self, originator_ids: Sequence[UUID]) -> dict[UUID, list[StoredEvent]]:
        """Every stored event of several aggregates, in one round trip (see
        :meth:`application.services.records.Records.load_all`)."""
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._select_many, (list(originator_ids),), prepare=True)
            return _by_originator(curs.fetchall())

    def select_chained_of(self, originator_ids: Sequence[UUID]) -> list[ChainedEvent]:
        """Every event of these aggregates with its chain row, in log order (the events'
        originator index and the chain's notification-id index: no walk of the log)."""
        query = SQL(
            "SELECT e.notification_id, e.originator_id, e.originator_version, e.topic, e.state,"
            " c.position, c.hash, c.notification_id AS chained_id"
            " FROM {0}.{1} e LEFT JOIN {2} c ON c.notification_id = e.notification_id"
            " WHERE e.originator_id = ANY(%s) ORDER BY e.notification_id"
        ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name), self._chain)
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(query, (list(originator_ids),))
            return [_chained(dict(row)) for row in curs.fetchall()]

    def _lock_table(self, curs: Any) -> None:
        """Take the events table's lock, then ask for the chain's head and the tiles' size
        and right edge in the same pipeline.

        Neither can move once the lock is held (only event writers write chain rows and
        tiles, and they take the lock first), so reading them here, before the library's
        sync, saves the round trips that reading them after the insert would cost.
        """
        super()._lock_table(curs)
        if (claim := receipt_owed()) is not None:  # fails the insert if the owner was fenced
            curs.execute(self._receipt, (claim.owner,))
        for stale in getattr(self._pending, "reads", ()):  # left by an insert that failed
            stale.close()  # before its ids were fetched
        head, edge = curs.connection.cursor(), curs.connection.cursor()
        head.execute(self._head, prepare=True)
        edge.execute(self.tiles.sql.edge, prepare=True)  # the tiles' size and right edge
        self._pending.reads = (head, edge)

    def _fetch_ids_after_insert_events(
        self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        (head, edge), self._pending.reads = self._pending.reads, ()
        try:
            ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
            if not ids:
                return ids
            last, stored = head.fetchone(), StoredEdge.of_rows(edge.fetchall())
        finally:
            head.close()
            edge.close()
        position, previous = (last["position"], bytes(last["hash"])) if last else (0, GENESIS)
        leaves: list[bytes] = []
        curs.executemany(self._append, chain_rows(stored_events, ids, position, previous, leaves))
        # A cursor of its own, as the library gives its executemany one: in pipeline mode a
        # fetch on the cursor that just ran executemany was once answered with an INSERT's
        # status (seen once in ops/bench/proofs.py, after thousands of saves).
        with curs.connection.cursor() as tiles:
            self.tiles.append_in(tiles, position, leaves, stored)
        if (claim := receipt_owed()) is not None:
            landed = Receipt.of(stored_events, ids)
            curs.execute(
                self._receipt_landed, (landed.id, landed.version, landed.position, claim.owner)
            )
        return ids

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def fence(self, owner: str) -> Receipt | None:
        """See :class:`application.adapters.keyed_requests.Receipts`."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self._fence, (owner,))
            if curs.fetchone() is not None:
                return None
            curs.execute(self._read_receipt, (owner,))
            return _receipt(curs.fetchone())

    def chained_notification_id(self, position: int) -> int | None:
        """The notification id the chain row at ``position`` points to (None: no such row)."""
        query = SQL("SELECT notification_id FROM {0} WHERE position = %s").format(self._chain)
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(query, (position,))
            row = curs.fetchone()
        return int(row["notification_id"]) if row else None

    def select_chained(self, after: int, limit: int) -> list[ChainedEvent]:
        """Events and their chain rows in log order, with chain rows whose event is gone.

        Both queries walk an index (events by notification id, chain rows by the notification
        id they point to), so paging through a large log stays linear. The join repeats the
        page's lower bound on the chain side: without it PostgreSQL merge-joins from the
        start of the chain's index on every page (152,000 index rows read for a page at
        150,000; 108 ms against 1.2 ms with the bound), which made paging quadratic.

        The orphans query runs only when the page's range holds more chain rows than the
        page matched (an index-range count, 0.3-0.5 ms at 10^6): it probes the events once
        per chain row, and at 10^6 PostgreSQL planned it in parallel, 44-55 ms a page.
        """
        page, chained, orphans = self._paging(
            "e.notification_id, e.originator_id, e.originator_version, e.topic, e.state,"
            " c.position, c.hash, c.notification_id AS chained_id",
            "NULL AS notification_id, NULL AS originator_id, NULL AS originator_version,"
            " NULL AS topic, NULL AS state, c.position, c.hash, c.notification_id AS chained_id",
        )
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(page, (after, after, limit))
            rows: list[Any] = curs.fetchall()
            upper = rows[-1]["notification_id"] if len(rows) == limit else 2**62
            curs.execute(chained, (after, upper))
            counted: Any = curs.fetchone()  # count(*) always answers one row
            if counted["n"] > sum(r["chained_id"] is not None for r in rows):
                curs.execute(orphans, (after, upper))
                rows = _in_log_order([*rows, *curs.fetchall()])
        return [_chained(row) for row in rows]

    def select_chained_rows(self, after: int, limit: int) -> list[ChainedRow]:
        """The rows of :meth:`select_chained` as :func:`domain.integrity.plain_chain` reads
        them: tuples of (position, notification id, originator id as text, version, topic,
        state, hash), read in binary (no hex to decode for the state) and built into no
        object per row. The same two queries and the same check for orphaned chain rows."""
        page, chained, orphans = self._paging(
            "c.position, e.notification_id, e.originator_id::text, e.originator_version,"
            " e.topic, e.state, c.hash",
            "c.position, c.notification_id, NULL::text, NULL::integer, NULL::text, NULL::bytea,"
            " c.hash",
        )
        with (
            self.datastore.transaction(commit=False) as curs,
            curs.connection.cursor(row_factory=tuple_row, binary=True) as tuples,
        ):
            tuples.execute(page, (after, after, limit))
            rows: list[Any] = tuples.fetchall()
            upper = rows[-1][1] if len(rows) == limit else 2**62
            tuples.execute(chained, (after, upper))
            counted: Any = tuples.fetchone()  # count(*) always answers one row
            if counted[0] > len(rows) - [r[0] for r in rows].count(None):
                tuples.execute(orphans, (after, upper))
                rows = sorted([*rows, *tuples.fetchall()], key=itemgetter(1))
        return rows

    def _paging(self, columns: str, orphan_columns: str) -> tuple[Composed, Composed, Composed]:
        """The three queries of a page of the log (see :meth:`select_chained`): the page,
        the count of its chain rows, and the orphaned chain rows, with the columns given."""
        events = SQL("{0}.{1}").format(
            Identifier(self.datastore.schema), Identifier(self.events_table_name)
        )
        page = SQL(
            "SELECT " + columns + " FROM {0} e LEFT JOIN {1} c"
            " ON c.notification_id = e.notification_id AND c.notification_id > %s"
            " WHERE e.notification_id > %s ORDER BY e.notification_id LIMIT %s"
        ).format(events, self._chain)
        chained = SQL(
            "SELECT count(*) AS n FROM {0} WHERE notification_id > %s AND notification_id <= %s"
        ).format(self._chain)
        orphans = SQL(
            "SELECT " + orphan_columns + " FROM {1} c WHERE c.notification_id > %s"
            " AND c.notification_id <= %s"
            " AND NOT EXISTS (SELECT 1 FROM {0} e WHERE e.notification_id = c.notification_id)"
        ).format(events, self._chain)
        return page, chained, orphans


class ChainedSQLiteRecorder(SQLiteApplicationRecorder):
    @cached_property
    def tiles(self) -> TileRows:
        """The Merkle tiles, extended in each insert's transaction."""
        return TileRows.sqlite(self.events_table_name, self.datastore.transaction)

    @property
    def chain_table(self) -> str:
        return f"{self.events_table_name}_chain"

    @property
    def receipts_table(self) -> str:
        return f"{self.events_table_name}_receipts"

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {self.chain_table} (position INTEGER PRIMARY KEY,"
            " notification_id INTEGER UNIQUE NOT NULL, hash BLOB NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {self.receipts_table} (owner TEXT PRIMARY KEY,"
            " originator_id TEXT, originator_version INTEGER, position INTEGER)",
            *self.tiles.sql.create,
        ]

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        claim = receipt_owed() if stored_events else None
        ids = super().insert_events(stored_events, **kwargs)
        if claim is not None:
            claim.written = True
        return ids

    def fence(self, owner: str) -> Receipt | None:
        """See :class:`application.adapters.keyed_requests.Receipts`."""
        with self.datastore.transaction(commit=True) as c:
            c.execute(f"INSERT OR IGNORE INTO {self.receipts_table} (owner) VALUES (?)", (owner,))
            if c.sqlite_cursor.rowcount == 1:
                return None
            c.execute(
                "SELECT originator_id, originator_version, position"
                f" FROM {self.receipts_table} WHERE owner = ?",
                (owner,),
            )
            return _receipt(c.fetchone())

    def select_events_of(self, originator_ids: Sequence[UUID]) -> dict[UUID, list[StoredEvent]]:
        """As on PostgreSQL: every stored event of several aggregates, in one statement."""
        marks = ",".join("?" * len(originator_ids))
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                "SELECT originator_id, originator_version, topic, state"
                f" FROM {self.events_table_name} WHERE originator_id IN ({marks})"
                " ORDER BY originator_id, originator_version",
                [i.hex for i in originator_ids],
            )
            return _by_originator(
                {**row, "originator_id": UUID(row["originator_id"])} for row in c.fetchall()
            )

    def select_chained_of(self, originator_ids: Sequence[UUID]) -> list[ChainedEvent]:
        """As on PostgreSQL: these aggregates' events with their chain rows, in log order."""
        marks = ",".join("?" * len(originator_ids))
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                "SELECT e.rowid AS notification_id, e.originator_id, e.originator_version,"
                " e.topic, e.state, c.position, c.hash, c.notification_id AS chained_id"
                f" FROM {self.events_table_name} e LEFT JOIN {self.chain_table} c"
                f" ON c.notification_id = e.rowid WHERE e.originator_id IN ({marks})"
                " ORDER BY e.rowid",
                [i.hex for i in originator_ids],
            )
            return [_chained(dict(row)) for row in c.fetchall()]

    def _insert_events(
        self, c: Any, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        if not ids:
            return ids
        c.execute(f"SELECT position, hash FROM {self.chain_table} ORDER BY position DESC LIMIT 1")
        last = c.fetchone()
        position, previous = (last[0], bytes(last[1])) if last else (0, GENESIS)
        leaves: list[bytes] = []
        c.executemany(
            f"INSERT INTO {self.chain_table} (position, notification_id, hash) VALUES (?, ?, ?)",
            chain_rows(stored_events, ids, position, previous, leaves),
        )
        self.tiles.append_in(c, position, leaves)
        if (claim := receipt_owed()) is not None:  # fails the insert if the owner was fenced
            landed = Receipt.of(stored_events, ids)
            c.execute(
                f"INSERT INTO {self.receipts_table} VALUES (?, ?, ?, ?)",
                (claim.owner, landed.id.hex, landed.version, landed.position),
            )
        return ids

    def chained_notification_id(self, position: int) -> int | None:
        """As on PostgreSQL: the notification id of the chain row at ``position``."""
        query = f"SELECT notification_id FROM {self.chain_table} WHERE position = ?"
        with self.datastore.transaction(commit=False) as c:
            c.execute(query, (position,))
            row = c.fetchone()
        return int(row["notification_id"]) if row else None

    def select_chained(self, after: int, limit: int) -> list[ChainedEvent]:
        """As on PostgreSQL: a page of events with their chain rows, plus orphaned chain rows
        (SQLite looks each chain row up by its index with or without the bound; it is kept
        for a plan that does not depend on the planner's choice)."""
        page = (
            "SELECT e.rowid AS notification_id, e.originator_id, e.originator_version, e.topic,"
            " e.state, c.position, c.hash, c.notification_id AS chained_id"
            f" FROM {self.events_table_name} e LEFT JOIN {self.chain_table} c"
            " ON c.notification_id = e.rowid AND c.notification_id > ?"
            " WHERE e.rowid > ? ORDER BY e.rowid LIMIT ?"
        )
        orphans = (
            "SELECT NULL AS notification_id, NULL AS originator_id, NULL AS originator_version,"
            " NULL AS topic, NULL AS state, c.position, c.hash, c.notification_id AS chained_id"
            f" FROM {self.chain_table} c WHERE c.notification_id > ? AND c.notification_id <= ?"
            f" AND NOT EXISTS (SELECT 1 FROM {self.events_table_name} e"
            " WHERE e.rowid = c.notification_id)"
        )
        chained = (
            f"SELECT count(*) AS n FROM {self.chain_table}"
            " WHERE notification_id > ? AND notification_id <= ?"
        )
        with self.datastore.transaction(commit=False) as c:
            c.execute(page, (after, after, limit))
            rows: list[Any] = c.fetchall()
            upper = rows[-1]["notification_id"] if len(rows) == limit else 2**62
            c.execute(chained, (after, upper))
            if c.fetchone()["n"] > sum(r["chained_id"] is not None for r in rows):
                c.execute(orphans, (after, upper))
                rows = _in_log_order([*rows, *c.fetchall()])
        return [_chained(row) for row in rows]

    def select_chained_rows(self, after: int, limit: int) -> list[ChainedRow]:
        """As on PostgreSQL: the rows of :meth:`select_chained` as plain tuples, the
        originator id as stored (32 hex digits, which :func:`domain.integrity.plain_chain`
        takes as they are, and writes with their hyphens)."""
        with self.datastore.transaction(commit=False) as c:
            tuples = c.sqlite_cursor.connection.cursor()
            tuples.row_factory = None
            try:
                source = Source("", self.events_table_name, self.chain_table)
                return chained_rows(tuples, source, after, limit)
            finally:
                tuples.close()

    @property
    def chain_source(self) -> Source | None:
        """Where a worker process reads the same rows (:mod:`chain_workers`); None for a
        database in memory, which no other process can read."""
        if self.datastore.pool.is_sqlite_memory_mode:
            return None
        return Source(self.datastore.pool.db_name, self.events_table_name, self.chain_table)


class ChainedPOPORecorder(POPOApplicationRecorder):
    """In memory (tests): the chain kept beside the events, under the same lock."""

    def __init__(self) -> None:
        super().__init__()
        self.chain: list[tuple[int, int, bytes]] = []
        self.receipts: dict[str, Receipt | None] = {}
        self.tiles = MemoryTiles(self.chain)

    def _insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        with self._database_lock:
            claim = receipt_owed() if stored_events else None
            if claim is not None and claim.owner in self.receipts:
                raise IntegrityError(f"request {claim.owner} was fenced")
            ids = super()._insert_events(stored_events, **kwargs)
            if ids:
                position, previous = self.chain[-1][0::2] if self.chain else (0, GENESIS)
                leaves: list[bytes] = []
                self.chain.extend(chain_rows(stored_events, ids, position, previous, leaves))
                self.tiles.append(position, leaves)
                if claim is not None:
                    self.receipts[claim.owner] = Receipt.of(stored_events, ids)
                    claim.written = True
            return ids

    def fence(self, owner: str) -> Receipt | None:
        with self._database_lock:
            return self.receipts.setdefault(owner, None)

    def select_events_of(self, originator_ids: Sequence[UUID]) -> dict[UUID, list[StoredEvent]]:
        found = {i: list(self.select_events(i)) for i in originator_ids}
        return {i: events for i, events in found.items() if events}

    def chained_notification_id(self, position: int) -> int | None:
        with self._database_lock:
            return next((r[1] for r in self.chain if r[0] == position), None)

    def select_chained_of(self, originator_ids: Sequence[UUID]) -> list[ChainedEvent]:
        wanted = set(originator_ids)
        with self._database_lock:
            rows = {r[1]: r for r in self.chain}
            events = [n for n in self.select_notifications(1, 2**31) if n.originator_id in wanted]
        found = []
        for n in events:
            position, _, digest = rows.get(n.id, (None, None, None))
            found.append(
                ChainedEvent(
                    position, n.id, n.originator_id, n.originator_version, n.topic, n.state, digest
                )
            )
        return found

    def select_chained(self, after: int, limit: int) -> list[ChainedEvent]:
        with self._database_lock:
            rows = [r for r in self.chain if r[1] > after][:limit]
            events = {n.id: n for n in self.select_notifications(after + 1, limit)}
        return [
            ChainedEvent(
                position,
                notification_id,
                events[notification_id].originator_id,
                events[notification_id].originator_version,
                events[notification_id].topic,
                events[notification_id].state,
                digest,
            )
            for position, notification_id, digest in rows
        ]

    def select_chained_rows(self, after: int, limit: int) -> list[ChainedRow]:
        return [
            (
                r.position,
                r.notification_id,
                None if r.originator_id is None else str(r.originator_id),
                r.version,
                r.topic,
                r.state,
                r.stored_hash,
            )
            for r in self.select_chained(after, limit)
        ]


def _receipt(row: Any) -> Receipt | None:
    """A receipt row as read back (None: the row is a fence, nothing was committed)."""
    if row is None or row["position"] is None:
        return None
    originator = row["originator_id"]
    if not isinstance(originator, UUID):
        originator = UUID(hex=str(originator))
    return Receipt(originator, int(row["originator_version"]), int(row["position"]))


def _in_log_order(rows: list[Any]) -> list[Any]:
    """A page's events and its orphaned chain rows (events gone) merged in log order; the
    page alone is already in order (its query sorts by notification id)."""
    return sorted(rows, key=lambda r: r["notification_id"] or r["chained_id"])


def _chained(row: Any) -> ChainedEvent:
    originator = row["originator_id"]
    if isinstance(originator, str) and len(originator) == 32:
        originator = UUID(hex=originator)
    return ChainedEvent(
        position=row["position"],
        notification_id=row["notification_id"] or row["chained_id"],
        originator_id=originator,
        version=row["originator_version"],
        topic=row["topic"],
        state=_as_bytes(row["state"]),
        stored_hash=bytes(row["hash"]) if row["hash"] is not None else None,
    )


def _as_bytes(value: Any) -> bytes | None:
    """Stored bytes as read back; text (someone rewrote a row by hand) is its UTF-8."""
    if value is None:
        return None
    return value.encode() if isinstance(value, str) else bytes(value)
