"""The table of subjects' data keys, one definition per backend (chosen in
:mod:`application.adapters.backends`).

A row holds a subject's data key wrapped under a key-encryption key (its id beside it) and,
for a person registered since look-ups moved here, the keyed hash of their CCCD. Erasing a
subject deletes the row — key and look-up hash together — and records only that the subject
was erased and when, so "erased" stays distinguishable from "never had a key".

Deleting a row is not enough for the bytes to be gone: SQLite keeps old pages in its WAL,
PostgreSQL keeps the dead tuple (and its index entries) in the table's pages until they are
rewritten. :meth:`KeyStore.scrub` is the step after a deletion that removes those copies
(docs/privacy.md says what it covers and what it cannot).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

import psycopg

from application.settings import LEGACY_KEK_ID
from projections.connections import PerThreadSQLite


@dataclass(frozen=True)
class WrappedKey:
    """A data key encrypted under the key-encryption key ``kek_id``."""

    kek_id: str
    wrapped: bytes


@dataclass(frozen=True)
class NewKey:
    subject_id: UUID
    key: WrappedKey
    lookup_hash: str | None


class KeyStore(Protocol):
    def create_table(self) -> None: ...
    def get(self, subject_id: UUID) -> WrappedKey | None: ...
    def put_if_absent(self, subject_id: UUID, key: WrappedKey) -> WrappedKey: ...

    def enrol(self, subject_id: UUID, key: WrappedKey, lookup_hash: str) -> UUID:
        """Store a new subject's key with its look-up hash; the subject that holds the hash
        (``subject_id`` unless another one already did)."""
        ...

    def holder(self, lookup_hash: str) -> UUID | None: ...

    def holders(self, lookup_hashes: Sequence[str]) -> dict[str, UUID]:
        """The subjects holding these look-up hashes (those held), in one read."""
        ...

    def insert_new(self, rows: Sequence[NewKey]) -> set[UUID]:
        """Store keys of new subjects (a look-up hash with each person's) in one
        transaction; the subjects stored. A subject that has a key already, or whose hash
        another subject holds, is left out: the caller looks again."""
        ...

    def destroy(self, subject_id: UUID) -> bool:
        """Delete the key and look-up hash, record the erasure; whether there was a key."""
        ...

    def forget(self, subject_id: UUID) -> None:
        """Delete a key that was never used (a registration that was refused)."""
        ...

    def erased(self, subject_id: UUID) -> bool: ...

    def scrub(self, wait_seconds: float) -> bool:
        """Remove the copies deleted rows leave behind; False if some may remain because
        older transactions still held them after ``wait_seconds``."""
        ...

    def outside(self, kek_id: str, limit: int) -> list[tuple[UUID, WrappedKey]]:
        """Up to ``limit`` keys not wrapped under ``kek_id``."""
        ...

    def rewrap(self, subject_id: UUID, old: WrappedKey, new: WrappedKey) -> bool:
        """Replace ``old`` by ``new`` if the row still holds ``old``."""
        ...

    def count_by_kek(self) -> dict[str, int]: ...


class MemoryKeyStore:
    def __init__(self) -> None:
        self._keys: dict[UUID, tuple[WrappedKey, str | None]] = {}
        self._erased: set[UUID] = set()
        self._lock = threading.Lock()

    def create_table(self) -> None:
        return None

    def get(self, subject_id: UUID) -> WrappedKey | None:
        row = self._keys.get(subject_id)
        return row[0] if row else None

    def put_if_absent(self, subject_id: UUID, key: WrappedKey) -> WrappedKey:
        with self._lock:
            return self._keys.setdefault(subject_id, (key, None))[0]

    def enrol(self, subject_id: UUID, key: WrappedKey, lookup_hash: str) -> UUID:
        with self._lock:
            held = self._holder(lookup_hash)
            if held is not None:
                return held
            self._keys[subject_id] = (key, lookup_hash)
            return subject_id

    def holder(self, lookup_hash: str) -> UUID | None:
        with self._lock:
            return self._holder(lookup_hash)

    def _holder(self, lookup_hash: str) -> UUID | None:
        return next((s for s, (_, h) in self._keys.items() if h == lookup_hash), None)

    def holders(self, lookup_hashes: Sequence[str]) -> dict[str, UUID]:
        wanted = set(lookup_hashes)
        with self._lock:
            return {h: s for s, (_, h) in self._keys.items() if h is not None and h in wanted}

    def insert_new(self, rows: Sequence[NewKey]) -> set[UUID]:
        with self._lock:
            held = {h for _, h in self._keys.values() if h is not None}
            stored: set[UUID] = set()
            for row in rows:
                if row.subject_id in self._keys or (row.lookup_hash in held):
                    continue
                self._keys[row.subject_id] = (row.key, row.lookup_hash)
                if row.lookup_hash is not None:
                    held.add(row.lookup_hash)
                stored.add(row.subject_id)
            return stored

    def destroy(self, subject_id: UUID) -> bool:
        with self._lock:
            self._erased.add(subject_id)
            return self._keys.pop(subject_id, None) is not None

    def forget(self, subject_id: UUID) -> None:
        with self._lock:
            self._keys.pop(subject_id, None)

    def erased(self, subject_id: UUID) -> bool:
        return subject_id in self._erased

    def scrub(self, wait_seconds: float) -> bool:
        return True

    def outside(self, kek_id: str, limit: int) -> list[tuple[UUID, WrappedKey]]:
        with self._lock:
            found = [(s, k) for s, (k, _) in self._keys.items() if k.kek_id != kek_id]
        return found[:limit]

    def rewrap(self, subject_id: UUID, old: WrappedKey, new: WrappedKey) -> bool:
        with self._lock:
            row = self._keys.get(subject_id)
            if row is None or row[0] != old:
                return False
            self._keys[subject_id] = (new, row[1])
            return True

    def count_by_kek(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for key, _ in list(self._keys.values()):
            counts[key.kek_id] = counts.get(key.kek_id, 0) + 1
        return counts


def _secure_delete(conn: sqlite3.Connection) -> None:
    """Freed space is overwritten with zeros, so a deleted key leaves no bytes in a page."""
    conn.execute("PRAGMA secure_delete=ON")


class SQLiteKeyStore:
    """Keys in their own SQLite file, so that the event store's file never holds them."""

    def __init__(self, path: Path) -> None:
        self._conn = PerThreadSQLite(path, prepare=_secure_delete)

    def create_table(self) -> None:
        conn = self._conn()
        conn.execute(
            "CREATE TABLE IF NOT EXISTS subject_keys ("
            " subject_id TEXT PRIMARY KEY, wrapped BLOB, destroyed_at TEXT)"
        )
        columns = {row[1] for row in conn.execute("PRAGMA table_info(subject_keys)")}
        for column in ("kek_id", "lookup_hash"):
            if column not in columns:  # tables made before key-encryption keys had ids
                conn.execute(f"ALTER TABLE subject_keys ADD COLUMN {column} TEXT")
        conn.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS subject_keys_lookup ON subject_keys (lookup_hash)"
        )
        conn.execute(
            "CREATE TABLE IF NOT EXISTS erased_subjects (subject_id TEXT PRIMARY KEY,"
            " erased_at TEXT NOT NULL)"
        )
        with self._transaction() as conn:  # erasures made when a key was set to NULL
            conn.execute(
                "INSERT OR IGNORE INTO erased_subjects SELECT subject_id,"
                " COALESCE(destroyed_at, datetime('now')) FROM subject_keys WHERE wrapped IS NULL"
            )
            conn.execute("DELETE FROM subject_keys WHERE wrapped IS NULL")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def get(self, subject_id: UUID) -> WrappedKey | None:
        row = (
            self._conn()
            .execute(
                "SELECT kek_id, wrapped FROM subject_keys WHERE subject_id = ?", (str(subject_id),)
            )
            .fetchone()
        )
        return _wrapped(row)

    def put_if_absent(self, subject_id: UUID, key: WrappedKey) -> WrappedKey:
        with self._transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO subject_keys (subject_id, kek_id, wrapped) VALUES (?, ?, ?)",
                (str(subject_id), key.kek_id, key.wrapped),
            )
        return self.get(subject_id) or key

    def enrol(self, subject_id: UUID, key: WrappedKey, lookup_hash: str) -> UUID:
        with self._transaction() as conn:
            held = self._holder(conn, lookup_hash)
            if held is not None:
                return held
            conn.execute(
                "INSERT INTO subject_keys (subject_id, kek_id, wrapped, lookup_hash)"
                " VALUES (?, ?, ?, ?)",
                (str(subject_id), key.kek_id, key.wrapped, lookup_hash),
            )
        return subject_id

    def holder(self, lookup_hash: str) -> UUID | None:
        return self._holder(self._conn(), lookup_hash)

    @staticmethod
    def _holder(conn: sqlite3.Connection, lookup_hash: str) -> UUID | None:
        row = conn.execute(
            "SELECT subject_id FROM subject_keys WHERE lookup_hash = ?", (lookup_hash,)
        ).fetchone()
        return UUID(row[0]) if row else None

    def holders(self, lookup_hashes: Sequence[str]) -> dict[str, UUID]:
        found: dict[str, UUID] = {}
        hashes = list(dict.fromkeys(lookup_hashes))
        for start in range(0, len(hashes), 500):  # under SQLite's limit of bound parameters
            chunk = hashes[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self._conn().execute(
                f"SELECT lookup_hash, subject_id FROM subject_keys WHERE lookup_hash IN ({marks})",
                chunk,
            )
            found.update((h, UUID(s)) for h, s in rows)
        return found

    def insert_new(self, rows: Sequence[NewKey]) -> set[UUID]:
        stored: set[UUID] = set()
        with self._transaction() as conn:
            for row in rows:
                cursor = conn.execute(
                    "INSERT OR IGNORE INTO subject_keys (subject_id, kek_id, wrapped, lookup_hash)"
                    " VALUES (?, ?, ?, ?)",
                    (str(row.subject_id), row.key.kek_id, row.key.wrapped, row.lookup_hash),
                )
                if cursor.rowcount == 1:
                    stored.add(row.subject_id)
        return stored

    def destroy(self, subject_id: UUID) -> bool:
        with self._transaction() as conn:
            cursor = conn.execute(
                "DELETE FROM subject_keys WHERE subject_id = ?", (str(subject_id),)
            )
            conn.execute(
                "INSERT OR IGNORE INTO erased_subjects VALUES (?, datetime('now'))",
                (str(subject_id),),
            )
        return cursor.rowcount > 0

    def forget(self, subject_id: UUID) -> None:
        self._conn().execute("DELETE FROM subject_keys WHERE subject_id = ?", (str(subject_id),))

    def erased(self, subject_id: UUID) -> bool:
        row = (
            self._conn()
            .execute("SELECT 1 FROM erased_subjects WHERE subject_id = ?", (str(subject_id),))
            .fetchone()
        )
        return row is not None

    def scrub(self, wait_seconds: float) -> bool:
        """Copy every page back into the file and truncate the WAL to nothing, so no WAL
        frame keeps a page as it was before the deletion (secure_delete zeroed the rest).
        A reader in the middle of a transaction blocks the truncation: tried again until
        ``wait_seconds`` have passed."""
        deadline = time.monotonic() + wait_seconds
        while True:
            busy, _, _ = self._conn().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if not busy or time.monotonic() >= deadline:
                return not busy
            time.sleep(0.05)

    def outside(self, kek_id: str, limit: int) -> list[tuple[UUID, WrappedKey]]:
        rows = (
            self._conn()
            .execute(
                "SELECT subject_id, kek_id, wrapped FROM subject_keys"
                " WHERE COALESCE(kek_id, ?) <> ? ORDER BY subject_id LIMIT ?",
                (LEGACY_KEK_ID, kek_id, limit),
            )
            .fetchall()
        )
        return [(UUID(row[0]), WrappedKey(row[1] or LEGACY_KEK_ID, row[2])) for row in rows]

    def rewrap(self, subject_id: UUID, old: WrappedKey, new: WrappedKey) -> bool:
        cursor = self._conn().execute(
            "UPDATE subject_keys SET kek_id = ?, wrapped = ? WHERE subject_id = ? AND wrapped = ?",
            (new.kek_id, new.wrapped, str(subject_id), old.wrapped),
        )
        return cursor.rowcount > 0

    def count_by_kek(self) -> dict[str, int]:
        rows = self._conn().execute(
            "SELECT COALESCE(kek_id, ?), count(*) FROM subject_keys GROUP BY 1", (LEGACY_KEK_ID,)
        )
        return {row[0]: row[1] for row in rows}


def _wrapped(row: Any) -> WrappedKey | None:
    if row is None or row[1] is None:
        return None
    return WrappedKey(row[0] or LEGACY_KEK_ID, bytes(row[1]))


class PostgresKeyStore:
    """Keys in ``<schema>.subject_keys``, a table the event store never reads.

    ``connect`` opens an autocommit connection for what cannot run in a transaction
    (``VACUUM FULL`` in :meth:`scrub`).
    """

    def __init__(
        self,
        transaction: Callable[..., AbstractContextManager[Any]],
        connect: Callable[[], psycopg.Connection[Any]],
        schema: str,
    ):
        self._transaction = transaction
        self._connect = connect
        self._table = f'"{schema}".subject_keys'
        self._erased = f'"{schema}".erased_subjects'

    def create_table(self) -> None:
        with self._transaction(commit=True) as cur:
            cur.execute(
                f"CREATE TABLE IF NOT EXISTS {self._table} ("
                " subject_id uuid PRIMARY KEY, wrapped bytea, destroyed_at timestamptz)"
            )
            cur.execute(
                f"ALTER TABLE {self._table} ADD COLUMN IF NOT EXISTS kek_id text,"
                " ADD COLUMN IF NOT EXISTS lookup_hash text"
            )
            cur.execute(
                f"CREATE UNIQUE INDEX IF NOT EXISTS subject_keys_lookup"
                f" ON {self._table} (lookup_hash)"
            )
            cur.execute(
                f"CREATE TABLE IF NOT EXISTS {self._erased} ("
                " subject_id uuid PRIMARY KEY, erased_at timestamptz NOT NULL)"
            )
            cur.execute(  # erasures made when a key was set to NULL
                f"INSERT INTO {self._erased} SELECT subject_id, COALESCE(destroyed_at, now())"
                f" FROM {self._table} WHERE wrapped IS NULL ON CONFLICT DO NOTHING"
            )
            cur.execute(f"DELETE FROM {self._table} WHERE wrapped IS NULL")

    def get(self, subject_id: UUID) -> WrappedKey | None:
        with self._transaction(commit=False) as cur:
            cur.execute(
                f"SELECT kek_id, wrapped FROM {self._table} WHERE subject_id = %s", (subject_id,)
            )
            row = cur.fetchone()
        return _wrapped((row["kek_id"], row["wrapped"]) if row else None)

    def put_if_absent(self, subject_id: UUID, key: WrappedKey) -> WrappedKey:
        with self._transaction(commit=True) as cur:
            cur.execute(
                f"INSERT INTO {self._table} (subject_id, kek_id, wrapped) VALUES (%s, %s, %s)"
                " ON CONFLICT (subject_id) DO NOTHING",
                (subject_id, key.kek_id, key.wrapped),
            )
        return self.get(subject_id) or key

    def enrol(self, subject_id: UUID, key: WrappedKey, lookup_hash: str) -> UUID:
        with self._transaction(commit=True) as cur:
            cur.execute(
                f"INSERT INTO {self._table} (subject_id, kek_id, wrapped, lookup_hash)"
                " VALUES (%s, %s, %s, %s) ON CONFLICT (lookup_hash) DO NOTHING",
                (subject_id, key.kek_id, key.wrapped, lookup_hash),
            )
        return self.holder(lookup_hash) or subject_id

    def holder(self, lookup_hash: str) -> UUID | None:
        with self._transaction(commit=False) as cur:
            cur.execute(
                f"SELECT subject_id FROM {self._table} WHERE lookup_hash = %s", (lookup_hash,)
            )
            row = cur.fetchone()
        return UUID(str(row["subject_id"])) if row else None

    def holders(self, lookup_hashes: Sequence[str]) -> dict[str, UUID]:
        with self._transaction(commit=False) as cur:
            cur.execute(
                f"SELECT lookup_hash, subject_id FROM {self._table}"
                " WHERE lookup_hash = ANY(%s::text[])",
                (list(lookup_hashes),),
            )
            rows = cur.fetchall()
        return {r["lookup_hash"]: UUID(str(r["subject_id"])) for r in rows}

    def insert_new(self, rows: Sequence[NewKey]) -> set[UUID]:
        if not rows:
            return set()
        with self._transaction(commit=True) as cur:
            cur.execute(
                f"INSERT INTO {self._table} (subject_id, kek_id, wrapped, lookup_hash)"
                " SELECT * FROM unnest(%s::uuid[], %s::text[], %s::bytea[], %s::text[])"
                " ON CONFLICT DO NOTHING RETURNING subject_id",
                (
                    [r.subject_id for r in rows],
                    [r.key.kek_id for r in rows],
                    [r.key.wrapped for r in rows],
                    [r.lookup_hash for r in rows],
                ),
            )
            stored = cur.fetchall()
        return {UUID(str(r["subject_id"])) for r in stored}

    def destroy(self, subject_id: UUID) -> bool:
        with self._transaction(commit=True) as cur:
            cur.execute(f"DELETE FROM {self._table} WHERE subject_id = %s", (subject_id,))
            existed = bool(cur.rowcount)
            cur.execute(
                f"INSERT INTO {self._erased} VALUES (%s, now()) ON CONFLICT DO NOTHING",
                (subject_id,),
            )
        return existed

    def forget(self, subject_id: UUID) -> None:
        with self._transaction(commit=True) as cur:
            cur.execute(f"DELETE FROM {self._table} WHERE subject_id = %s", (subject_id,))

    def erased(self, subject_id: UUID) -> bool:
        with self._transaction(commit=False) as cur:
            cur.execute(f"SELECT 1 FROM {self._erased} WHERE subject_id = %s", (subject_id,))
            return cur.fetchone() is not None

    def scrub(self, wait_seconds: float) -> bool:
        """Rewrite the key table and its indexes (``VACUUM FULL``), so that no dead tuple
        or index entry keeps a deleted key or look-up hash in a page.

        A plain ``VACUUM`` marks the space free but leaves the bytes in it. ``VACUUM FULL``
        copies only the rows some transaction may still see: a transaction of this database
        that began before the deletion may still see the deleted row, so it is waited for
        first (up to ``wait_seconds``; after that the rewrite runs anyway and the answer is
        False: run ``hoctap keys scrub`` again later). The table is locked while it is
        rewritten; it holds one short row per subject.
        """
        deadline = time.monotonic() + wait_seconds
        with self._connect() as conn:
            conn.execute("SET lock_timeout = '10s'")
            started = conn.execute("SELECT clock_timestamp()").fetchone()[0]  # type: ignore[index]
            clear = False
            while True:
                older = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
                    " AND xact_start < %s"
                    " AND (backend_xmin IS NOT NULL OR backend_xid IS NOT NULL)",
                    (started,),
                ).fetchone()[0]  # type: ignore[index]
                clear = older == 0
                if clear or time.monotonic() >= deadline:
                    break
                time.sleep(0.05)
            conn.execute(f"VACUUM FULL {self._table}")
        return clear

    def outside(self, kek_id: str, limit: int) -> list[tuple[UUID, WrappedKey]]:
        with self._transaction(commit=False) as cur:
            cur.execute(
                f"SELECT subject_id, kek_id, wrapped FROM {self._table}"
                " WHERE COALESCE(kek_id, %s) <> %s ORDER BY subject_id LIMIT %s",
                (LEGACY_KEK_ID, kek_id, limit),
            )
            rows = cur.fetchall()
        return [
            (
                UUID(str(r["subject_id"])),
                WrappedKey(r["kek_id"] or LEGACY_KEK_ID, bytes(r["wrapped"])),
            )
            for r in rows
        ]

    def rewrap(self, subject_id: UUID, old: WrappedKey, new: WrappedKey) -> bool:
        with self._transaction(commit=True) as cur:
            cur.execute(
                f"UPDATE {self._table} SET kek_id = %s, wrapped = %s"
                " WHERE subject_id = %s AND wrapped = %s",
                (new.kek_id, new.wrapped, subject_id, old.wrapped),
            )
            return bool(cur.rowcount)

    def count_by_kek(self) -> dict[str, int]:
        with self._transaction(commit=False) as cur:
            cur.execute(
                f"SELECT COALESCE(kek_id, %s) AS kek, count(*) AS n FROM {self._table} GROUP BY 1",
                (LEGACY_KEK_ID,),
            )
            return {row["kek"]: row["n"] for row in cur.fetchall()}
