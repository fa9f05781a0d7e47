"""Which process keeps a store's views up to date: one at a time, never two folding the same
events.

Every API worker runs a fold loop (application/adapters/read_models.py), and so may
``hoctap projections run``. Two loops folding the same events are safe (the engine's
conditional update rolls the slower one back) but each folds every event once more for
nothing, on the same few cores as the requests. A loop therefore folds on its own account
only while its process holds the store's fold lock; the others fold only when one of their
own readers waits for a position (read-your-writes) and otherwise leave it to the holder.

The lock is per process, not per loop: several ledgers opened in one process (tests, a
deployment of several provinces) all count as holding it once one of them does. It is
released with its connection or file, so a process that dies hands it on to the next loop
that asks.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import threading
from pathlib import Path
from typing import IO, Any, Protocol

import psycopg

#: The keys this process holds, by any of its loops.
_HELD: set[str] = set()
_GUARD = threading.Lock()


class Leadership(Protocol):
    def holds(self, listener: psycopg.Connection[Any] | None) -> bool:
        """Whether this process folds (taking the lock if it is free)."""
        ...

    def release(self) -> None: ...


class Always:
    """One process and its memory: there is no one else to fold."""

    def holds(self, listener: psycopg.Connection[Any] | None) -> bool:
        return True

    def release(self) -> None:
        return None


class _Process:
    """The shared bookkeeping: a key held by one loop is held by its whole process."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.held = False

    def holds(self, listener: psycopg.Connection[Any] | None) -> bool:
        with _GUARD:
            if not self.held and self._take(listener):
                self.held = True
                _HELD.add(self.key)
            return self.held or self.key in _HELD

    def release(self) -> None:
        with _GUARD:
            if self.held:
                self.held = False
                _HELD.discard(self.key)
                self._give_back()

    def _take(self, listener: psycopg.Connection[Any] | None) -> bool:
        raise NotImplementedError

    def _give_back(self) -> None:
        raise NotImplementedError


class FileLock(_Process):
    """SQLite: a POSIX lock on a file beside the store, released when the process ends."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"file:{path.resolve()}")
        self.path = path
        self._file: IO[bytes] | None = None

    def _take(self, listener: psycopg.Connection[Any] | None) -> bool:
        if self._file is None:
            try:
                self._file = open(self.path, "ab")  # noqa: SIM115 - kept open while held
            except OSError:  # a folder this process may not write: fold as if alone
                return True
        try:
            fcntl.lockf(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True

    def _give_back(self) -> None:
        if self._file is not None:
            self._file.close()  # which releases the lock
            self._file = None


class AdvisoryLock(_Process):
    """PostgreSQL: a session advisory lock on the loop's LISTEN connection, so it goes with
    that connection (a cut connection or a dead process frees it)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"pg:{name}")
        digest = hashlib.sha256(f"hoctap-fold:{name}".encode()).digest()
        self.number = int.from_bytes(digest[:8], "big", signed=True)
        self._conn: psycopg.Connection[Any] | None = None

    def holds(self, listener: psycopg.Connection[Any] | None) -> bool:
        if self.held and listener is not self._conn:  # the connection it was held on is gone
            self.release()
        return super().holds(listener)

    def _take(self, listener: psycopg.Connection[Any] | None) -> bool:
        if listener is None:
            return False
        row = listener.execute("SELECT pg_try_advisory_lock(%s)", (self.number,)).fetchone()
        if row and row[0]:
            self._conn = listener
            return True
        return False

    def _give_back(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and not conn.closed:
            with contextlib.suppress(psycopg.Error):  # the lock ends with the session anyway
                conn.execute("SELECT pg_advisory_unlock(%s)", (self.number,))
