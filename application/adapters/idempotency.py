"""Idempotent POSTs: a retry with the same ``Idempotency-Key`` and body gets the first result.

Responses are kept per (caller, key) with a digest of the request, in a table of their own
beside the events (SQLite file, PostgreSQL schema, or memory for tests). The same key with a
different request is refused, never silently replayed.

A request first *claims* its key (an insert that only one request can win) under an owner
nonce and a lease, runs, then completes the record with its response; only the owner may
complete or release it, and an expired claim is taken over by one retry at most (a
compare-and-set on the owner). How a claim whose owner is gone is resolved without ever
writing a command twice is :mod:`application.adapters.keyed_requests`.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from projections.connections import PerThreadSQLite

#: The status of a claimed key whose request has not finished (or never will: a crash).
PENDING = 0


@dataclass(frozen=True)
class StoredResponse:
    request_digest: str
    status: int
    headers: dict[str, str]
    body: bytes
    #: The nonce of the request that holds a pending claim ("" on claims made before owners
    #: existed: those can never be resolved), and until when (Unix time) it holds it.
    owner: str = ""
    lease_until: float = 0.0

    @property
    def pending(self) -> bool:
        return self.status == PENDING


class IdempotencyStore(Protocol):
    def create_table(self) -> None: ...
    def get(self, scope: str, key: str) -> StoredResponse | None: ...

    def claim(
        self, scope: str, key: str, digest: str, owner: str, lease_until: float
    ) -> StoredResponse | None:
        """Claim the key for a request: ``None`` if this request won it, else the record
        already there (pending or complete)."""
        ...

    def take_over(
        self, scope: str, key: str, old_owner: str, owner: str, lease_until: float
    ) -> bool:
        """Move a pending claim from ``old_owner`` to ``owner``; False if someone else did
        first (or it was completed meanwhile)."""
        ...

    def complete(self, scope: str, key: str, owner: str, response: StoredResponse) -> None:
        """Store the answer, if ``owner`` still holds the pending claim."""
        ...

    def release(self, scope: str, key: str, owner: str) -> None:
        """Drop ``owner``'s pending claim (nothing was written, nor ever will be): a retry
        may run."""
        ...


def _pending(digest: str, owner: str, lease_until: float) -> StoredResponse:
    return StoredResponse(digest, PENDING, {}, b"", owner, lease_until)


def _completion(scope: str, key: str, owner: str, response: StoredResponse) -> tuple[Any, ...]:
    """The parameters of completing ``owner``'s pending claim with ``response``."""
    headers = json.dumps(response.headers)
    return (response.status, headers, response.body, scope, key, PENDING, owner)


def _holds(item: StoredResponse | None, owner: str) -> bool:
    return item is not None and item.pending and item.owner == owner


class MemoryIdempotencyStore:
    def __init__(self) -> None:
        self._items: dict[tuple[str, str], StoredResponse] = {}
        self._lock = threading.Lock()

    def create_table(self) -> None:
        return None

    def get(self, scope: str, key: str) -> StoredResponse | None:
        return self._items.get((scope, key))

    def claim(
        self, scope: str, key: str, digest: str, owner: str, lease_until: float
    ) -> StoredResponse | None:
        with self._lock:
            existing = self._items.get((scope, key))
            if existing is None:
                self._items[(scope, key)] = _pending(digest, owner, lease_until)
            return existing

    def take_over(
        self, scope: str, key: str, old_owner: str, owner: str, lease_until: float
    ) -> bool:
        with self._lock:
            item = self._items.get((scope, key))
            if item is None or not _holds(item, old_owner):
                return False
            self._items[(scope, key)] = _pending(item.request_digest, owner, lease_until)
            return True

    def complete(self, scope: str, key: str, owner: str, response: StoredResponse) -> None:
        with self._lock:
            if _holds(self._items.get((scope, key)), owner):
                self._items[(scope, key)] = response

    def release(self, scope: str, key: str, owner: str) -> None:
        with self._lock:
            if _holds(self._items.get((scope, key)), owner):
                del self._items[(scope, key)]


#: Columns added when claims got owners and leases (older tables gain them in place).
_OWNER_COLUMNS = {"owner": "TEXT NOT NULL DEFAULT ''", "lease_until": "REAL NOT NULL DEFAULT 0"}


class SQLiteIdempotencyStore:
    def __init__(self, path: Path) -> None:
        self._conn = PerThreadSQLite(path)

    def create_table(self) -> None:
        conn = self._conn()
        conn.execute(
            "CREATE TABLE IF NOT EXISTS idempotency (scope TEXT, key TEXT, request_digest TEXT,"
            " status INTEGER, headers TEXT, body BLOB, owner TEXT NOT NULL DEFAULT '',"
            " lease_until REAL NOT NULL DEFAULT 0, PRIMARY KEY (scope, key))"
        )
        columns = {row[1] for row in conn.execute("PRAGMA table_info(idempotency)")}
        for column, kind in _OWNER_COLUMNS.items():  # tables made before claims had owners
            if column not in columns:
                conn.execute(f"ALTER TABLE idempotency ADD COLUMN {column} {kind}")

    def get(self, scope: str, key: str) -> StoredResponse | None:
        row = (
            self._conn()
            .execute(
                "SELECT request_digest, status, headers, body, owner, lease_until"
                " FROM idempotency WHERE scope = ? AND key = ?",
                (scope, key),
            )
            .fetchone()
        )
        if row is None:
            return None
        return StoredResponse(row[0], row[1], json.loads(row[2]), bytes(row[3]), row[4], row[5])

    def claim(
        self, scope: str, key: str, digest: str, owner: str, lease_until: float
    ) -> StoredResponse | None:
        won = self._conn().execute(
            "INSERT OR IGNORE INTO idempotency (scope, key, request_digest, status, headers,"
            " body, owner, lease_until) VALUES (?, ?, ?, ?, '{}', x'', ?, ?)",
            (scope, key, digest, PENDING, owner, lease_until),
        )
        return None if won.rowcount == 1 else self.get(scope, key)

    def take_over(
        self, scope: str, key: str, old_owner: str, owner: str, lease_until: float
    ) -> bool:
        moved = self._conn().execute(
            "UPDATE idempotency SET owner = ?, lease_until = ?"
            " WHERE scope = ? AND key = ? AND status = ? AND owner = ?",
            (owner, lease_until, scope, key, PENDING, old_owner),
        )
        return moved.rowcount == 1

    def complete(self, scope: str, key: str, owner: str, response: StoredResponse) -> None:
        self._conn().execute(
            "UPDATE idempotency SET status = ?, headers = ?, body = ?"
            " WHERE scope = ? AND key = ? AND status = ? AND owner = ?",
            _completion(scope, key, owner, response),
        )

    def release(self, scope: str, key: str, owner: str) -> None:
        self._conn().execute(
            "DELETE FROM idempotency WHERE scope = ? AND key = ? AND status = ? AND owner = ?",
            (scope, key, PENDING, owner),
        )


class PostgresIdempotencyStore:
    def __init__(self, transaction: Any, schema: str) -> None:
        self._transaction = transaction
        self._table = f'"{schema}".idempotency'

    def create_table(self) -> None:
        with self._transaction(commit=True) as cur:
            cur.execute(
                f"CREATE TABLE IF NOT EXISTS {self._table} (scope text, key text,"
                " request_digest text, status integer, headers text, body bytea,"
                " created_at timestamptz DEFAULT now(), PRIMARY KEY (scope, key))"
            )
            cur.execute(  # tables made before claims had owners gain the columns in place
                f"ALTER TABLE {self._table} ADD COLUMN IF NOT EXISTS owner text NOT NULL"
                " DEFAULT '', ADD COLUMN IF NOT EXISTS lease_until double precision NOT NULL"
                " DEFAULT 0"
            )

    def get(self, scope: str, key: str) -> StoredResponse | None:
        with self._transaction(commit=False) as cur:
            cur.execute(
                f"SELECT request_digest, status, headers, body, owner, lease_until"
                f" FROM {self._table} WHERE scope = %s AND key = %s",
                (scope, key),
            )
            row = cur.fetchone()
        if row is None:
            return None
        return StoredResponse(
            row["request_digest"],
            row["status"],
            json.loads(row["headers"]),
            bytes(row["body"]),
            row["owner"],
            row["lease_until"],
        )

    def claim(
        self, scope: str, key: str, digest: str, owner: str, lease_until: float
    ) -> StoredResponse | None:
        with self._transaction(commit=True) as cur:
            cur.execute(
                f"INSERT INTO {self._table} (scope, key, request_digest, status, headers, body,"
                " owner, lease_until) VALUES (%s, %s, %s, %s, '{}', ''::bytea, %s, %s)"
                " ON CONFLICT DO NOTHING RETURNING key",
                (scope, key, digest, PENDING, owner, lease_until),
            )
            won = cur.fetchone() is not None
        return None if won else self.get(scope, key)

    def take_over(
        self, scope: str, key: str, old_owner: str, owner: str, lease_until: float
    ) -> bool:
        with self._transaction(commit=True) as cur:
            cur.execute(
                f"UPDATE {self._table} SET owner = %s, lease_until = %s"
                " WHERE scope = %s AND key = %s AND status = %s AND owner = %s",
                (owner, lease_until, scope, key, PENDING, old_owner),
            )
            return bool(cur.rowcount == 1)

    def complete(self, scope: str, key: str, owner: str, response: StoredResponse) -> None:
        with self._transaction(commit=True) as cur:
            cur.execute(
                f"UPDATE {self._table} SET status = %s, headers = %s, body = %s"
                " WHERE scope = %s AND key = %s AND status = %s AND owner = %s",
                _completion(scope, key, owner, response),
            )

    def release(self, scope: str, key: str, owner: str) -> None:
        with self._transaction(commit=True) as cur:
            cur.execute(
                f"DELETE FROM {self._table} WHERE scope = %s AND key = %s AND status = %s"
                " AND owner = %s",
                (scope, key, PENDING, owner),
            )
