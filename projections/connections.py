"""Connections to the tables beside the events: one per thread on SQLite; on PostgreSQL,
pooled connections checked before use when they have sat idle.

SQLite (:class:`PerThreadSQLite`): a file of its own per table family (views, keys,
idempotency), one connection per thread kept open (opening one per call costs ~0.5 ms),
in WAL mode so that readers do not wait for a writer.

PostgreSQL (:class:`CheckWhenIdle`):

Checking every connection as it leaves the pool (the library's ``POSTGRES_PRE_PING``) costs a
round trip per aggregate load and per save: three of a score revision's six on a warm pool
(docs/performance.md, write path). A connection handed out a moment ago cannot have been cut
off by a database restart that went unnoticed since, so :class:`CheckWhenIdle` checks only the
connections that have sat unused for longer than a window, as HikariCP does with its
``aliveBypassWindowMs``. Under load the hot connections skip the check; after a restart
(which takes seconds) every stale connection is checked, fails, and is replaced by the pool.

When one check fails, the others idle in the pool are very likely stale too (a restart cuts
them all off), so they are all checked at once: psycopg_pool waits a second, then two, then
four, between failed checks of one request, and six stale connections in a row would
outlast its ten-second timeout.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

from psycopg_pool import ConnectionPool


class PerThreadSQLite:
    """One connection per thread to a SQLite file, in autocommit mode (``BEGIN`` explicitly)."""

    def __init__(
        self,
        path: str | Path,
        *,
        timeout: float = 10,
        prepare: Callable[[sqlite3.Connection], None] | None = None,
        **options: Any,
    ) -> None:
        """``prepare``: what else each new connection needs (row factory, pragmas)."""
        self.path = path
        self.timeout = timeout
        self.prepare = prepare
        self.options = options
        self._local = threading.local()

    def connect(self) -> sqlite3.Connection:
        """A new connection (WAL, unless the file is a shared in-memory database)."""
        conn = sqlite3.connect(
            self.path, timeout=self.timeout, isolation_level=None, **self.options
        )
        if not self.options.get("uri"):
            conn.execute("PRAGMA journal_mode=WAL")
        if self.prepare is not None:
            self.prepare(conn)
        return conn

    def __call__(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self.connect()
        return conn


class CheckWhenIdle:
    """A ``check`` for :class:`psycopg_pool.ConnectionPool`: ping a connection when it has
    not been handed out for ``window`` seconds (``window`` 0: every time)."""

    def __init__(self, window: float) -> None:
        self.window = window
        self._handed_out: weakref.WeakKeyDictionary[Any, float] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()
        self._pool: weakref.ref[ConnectionPool[Any]] | None = None

    def attach(self, pool: ConnectionPool[Any]) -> None:
        """The pool whose idle connections are all checked when one fails its check."""
        self._pool = weakref.ref(pool)

    def __call__(self, conn: Any) -> None:
        now = time.monotonic()
        with self._lock:
            last = self._handed_out.get(conn)
            self._handed_out[conn] = now
        if last is not None and now - last < self.window:
            return
        try:
            ConnectionPool.check_connection(conn)
        except Exception:
            pool = self._pool() if self._pool else None
            if pool is not None:
                pool.check()  # replaces every broken idle connection now
            raise


def install(pool: ConnectionPool[Any], window: float) -> CheckWhenIdle:
    """Make ``pool`` check its connections with :class:`CheckWhenIdle`.

    psycopg_pool takes ``check`` only in its constructor, and the event store's pool is built
    by the library; the attribute it keeps is set here (psycopg-pool is pinned, and
    tests/application/test_store.py proves the check runs by cutting connections off).
    """
    check = CheckWhenIdle(window)
    check.attach(pool)
    pool._check = check  # private, see the docstring
    return check
