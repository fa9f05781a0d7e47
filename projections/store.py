"""Where read models live: SQLite (a file of its own, or memory) or PostgreSQL.

One small interface over both, so that each projection writes its rows and its tracking
position in one transaction on either backend. SQL differs per backend only in the DDL files
and in the parameter mark.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from abc import ABC, abstractmethod
from collections.abc import Generator, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Literal

import psycopg
from psycopg.rows import dict_row, tuple_row
from psycopg_pool import ConnectionPool

from projections.connections import CheckWhenIdle, PerThreadSQLite

Dialect = Literal["sqlite", "postgres"]
#: Rows fetched at a time by :meth:`ViewStore.fetch_batches`.
BATCH_ROWS = 2000


class ViewStore(ABC):
    dialect: Dialect
    mark: str  # the parameter mark: "?" or "%s"

    @abstractmethod
    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """A cursor in one transaction: committed on success, rolled back on error."""

    @abstractmethod
    def qualified(self, table: str) -> str:
        """The table's name as SQL must write it."""

    def marks(self, count: int) -> str:
        return ", ".join([self.mark] * count)

    @contextmanager
    def reading(self) -> Iterator[Any]:
        """A cursor for reads (no write lock)."""
        with self.transaction() as cur:
            yield cur

    def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self.reading() as cur:
            cur.execute(sql, params)
            return [dict(row) for row in cur.fetchall()]

    @abstractmethod
    def fetch_values(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows as plain tuples, in the order the statement names the columns (no per-row
        dict: for reads of thousands of rows folded in Python)."""

    @abstractmethod
    def fetch_batches(
        self, sql: str, params: Sequence[Any] = (), size: int = BATCH_ROWS
    ) -> Generator[list[dict[str, Any]], None, None]:
        """The rows of one statement, ``size`` at a time, all from the snapshot the statement
        saw: an export of a whole province's register without holding it in memory. The read
        stays open (and, on PostgreSQL, its connection taken) until the iterator is
        exhausted or closed, so consume it at once, never across a slow client, and close it
        in the thread that opened it (:func:`contextlib.closing`): one left to the garbage
        collector may be finalised in another thread, with a read (and, in memory, the
        store's lock) that belongs to this one."""

    @abstractmethod
    def close(self) -> None:
        """Release connections."""


class Turns:
    """A reentrant lock whose holder may let go from another thread: a reader of batches
    that the garbage collector finalises there ends its turn instead of keeping the store
    locked for ever (a :class:`threading.RLock` refuses a release by another thread).
    Reentrant for its holder's own thread, as a fold reads inside its write."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holder: int | None = None
        self._depth = 0

    def __enter__(self) -> None:
        me = threading.get_ident()
        if self._holder == me:  # only this thread sets the holder to itself
            self._depth += 1
            return
        self._lock.acquire()
        self._holder, self._depth = me, 1

    def __exit__(self, *_: object) -> None:
        self._depth -= 1
        if self._depth == 0:
            self._holder = None
            self._lock.release()


def _for_views(conn: sqlite3.Connection) -> None:
    """View rows come back as :class:`sqlite3.Row`; a view commits without waiting for the disk."""
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA synchronous=NORMAL")


class SQLiteViewStore(ViewStore):
    """Views in their own SQLite database (never the event store's file)."""

    dialect: Dialect = "sqlite"
    mark = "?"

    def __init__(self, path: str) -> None:
        self.path = path
        uri = path.startswith("file:")
        self._connections = PerThreadSQLite(
            path, timeout=30, prepare=_for_views, uri=uri, check_same_thread=False
        )
        self._keeper = self._connections.connect()  # keeps a shared in-memory database alive
        # A shared-cache memory database locks whole tables and does not wait: its threads
        # take turns on the one connection instead.
        self._turns = Turns() if uri else None

    def _conn(self) -> sqlite3.Connection:
        return self._keeper if self._turns is not None else self._connections()

    @contextmanager
    def _turn(self) -> Iterator[None]:
        if self._turns is None:
            yield
            return
        with self._turns:
            yield

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        with self._turn():
            conn = self._conn()
            cur = conn.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                yield cur
            except BaseException:
                conn.rollback()
                raise
            else:
                conn.commit()
            finally:
                cur.close()

    @contextmanager
    def reading(self, own: sqlite3.Connection | None = None) -> Iterator[Any]:
        """A read transaction on this thread's connection, or on ``own``."""
        with self._turn():
            conn = own or self._conn()
            cur = conn.cursor()
            cur.execute("BEGIN")
            try:
                yield cur
            finally:
                conn.rollback()
                cur.close()

    def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        # tuples zipped with the column names: about twice as fast as dict(sqlite3.Row)
        with self.reading() as cur:
            cur.row_factory = None
            cur.execute(sql, params)
            names = [column[0] for column in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def fetch_values(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.reading() as cur:
            cur.row_factory = None
            cur.execute(sql, params)
            rows: list[tuple[Any, ...]] = cur.fetchall()
            return rows

    def fetch_batches(
        self, sql: str, params: Sequence[Any] = (), size: int = BATCH_ROWS
    ) -> Generator[list[dict[str, Any]], None, None]:
        # On a file, a connection of its own: a reader finalised in another thread then
        # ends its own read, never one this thread's connection has begun since.
        own = None if self._turns is not None else self._connections.connect()
        try:
            with self.reading(own) as cur:  # one read transaction: one snapshot of the file
                cur.row_factory = None
                cur.execute(sql, params)
                names = [column[0] for column in cur.description]
                while rows := cur.fetchmany(size):
                    yield [dict(zip(names, row, strict=True)) for row in rows]
        finally:
            if own is not None:
                own.close()

    def qualified(self, table: str) -> str:
        return f'"{table}"'

    def close(self) -> None:
        self._keeper.close()


class PostgresViewStore(ViewStore):
    """Views in the same database as the events, in the configured schema."""

    dialect: Dialect = "postgres"
    mark = "%s"

    def __init__(
        self,
        conninfo: dict[str, Any],
        schema: str,
        max_size: int = 4,
        check_idle_seconds: float = 1.0,
    ) -> None:
        self.schema = schema
        check = CheckWhenIdle(check_idle_seconds)
        self.pool = ConnectionPool(
            kwargs=conninfo | {"row_factory": dict_row, "autocommit": False},
            min_size=1,
            max_size=max_size,
            open=True,
            name="hoctap-views",
            check=check,
        )
        check.attach(self.pool)

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        with self.pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
            yield cur

    def fetch_values(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.reading() as cur:
            cur.row_factory = tuple_row
            cur.execute(sql, params)
            rows: list[tuple[Any, ...]] = cur.fetchall()
            return rows

    def fetch_batches(
        self, sql: str, params: Sequence[Any] = (), size: int = BATCH_ROWS
    ) -> Generator[list[dict[str, Any]], None, None]:
        # A server-side cursor: a client-side one would bring the whole result over at once.
        with (
            self.pool.connection() as conn,
            conn.transaction(),
            conn.cursor(name=f"batches_{uuid.uuid4().hex}") as cur,
        ):
            cur.execute(sql, params)
            while rows := cur.fetchmany(size):
                yield [dict(row) for row in rows]

    def qualified(self, table: str) -> str:
        return f'"{self.schema}"."{table}"'

    def close(self) -> None:
        self.pool.close()


def is_missing_table(error: Exception) -> bool:
    if isinstance(error, psycopg.errors.UndefinedTable):
        return True
    return isinstance(error, sqlite3.OperationalError) and "no such table" in str(error)
