"""Idempotent POSTs: a retry with the same ``Idempotency-Key`` and body gets the first result.

Responses are kept per (caller, key) with a digest of the request, in a table of their own
beside the events (SQLite file, PostgreSQL schema, or memory for tests). The same key with a
different request is refused, never silently replayed.

A request first *claims* its key (an insert that only one request can win), runs, then
completes the record with its response. A second request with the key while the first runs
is refused (409), so concurrent duplicates cannot both write. If the process dies after the
command committed but before the record was completed, the claim stays pending and retries
keep getting 409: the outcome is in doubt, and the ledger never writes a command twice.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

#: The status of a claimed key whose request has not finished (or never will: a crash).
PENDING = 0


@dataclass(frozen=True)
class StoredResponse:
    request_digest: str
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def pending(self) -> bool:
        return self.status == PENDING


class IdempotencyStore(Protocol):
    def create_table(self) -> None: ...
    def get(self, scope: str, key: str) -> StoredResponse | None: ...

    def claim(self, scope: str, key: str, digest: str) -> StoredResponse | None:
        """Claim the key for a request: ``None`` if this request won it, else the record
        already there (pending or complete)."""
        ...

    def complete(self, scope: str, key: str, response: StoredResponse) -> None: ...

    def release(self, scope: str, key: str) -> None:
        """Drop a pending claim (the request failed before writing): a retry may run."""
        ...


def _pending(digest: str) -> StoredResponse:
    return StoredResponse(digest, PENDING, {}, b"")


class MemoryIdempotencyStore:
    def __init__(self) -> None:
        self._items: dict[tuple[str, str], StoredResponse] = {}
        self._lock = threading.Lock()

    def create_table(self) -> None:
        return None

    def get(self, scope: str, key: str) -> StoredResponse | None:
        return self._items.get((scope, key))

    def claim(self, scope: str, key: str, digest: str) -> StoredResponse | None:
        with self._lock:
            existing = self._items.get((scope, key))
            if existing is None:
                self._items[(scope, key)] = _pending(digest)
            return existing

    def complete(self, scope: str, key: str, response: StoredResponse) -> None:
        with self._lock:
            self._items[(scope, key)] = response

    def release(self, scope: str, key: str) -> None:
        with self._lock:
            if (item := self._items.get((scope, key))) is not None and item.pending:
                del self._items[(scope, key)]


class SQLiteIdempotencyStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            self._local.conn = conn
        return conn

    def create_table(self) -> None:
        self._conn().execute(
            "CREATE TABLE IF NOT EXISTS idempotency (scope TEXT, key TEXT, request_digest TEXT,"
            " status INTEGER, headers TEXT, body BLOB, PRIMARY KEY (scope, key))"
        )

    def get(self, scope: str, key: str) -> StoredResponse | None:
        row = (
            self._conn()
            .execute(
                "SELECT request_digest, status, headers, body FROM idempotency"
                " WHERE scope = ? AND key = ?",
                (scope, key),
            )
            .fetchone()
        )
        return StoredResponse(row[0], row[1], json.loads(row[2]), bytes(row[3])) if row else None

    def claim(self, scope: str, key: str, digest: str) -> StoredResponse | None:
        won = self._conn().execute(
            "INSERT OR IGNORE INTO idempotency VALUES (?, ?, ?, ?, '{}', x'')",
            (scope, key, digest, PENDING),
        )
        return None if won.rowcount == 1 else self.get(scope, key)

    def complete(self, scope: str, key: str, response: StoredResponse) -> None:
        self._conn().execute(
            "UPDATE idempotency SET status = ?, headers = ?, body = ? WHERE scope = ? AND key = ?",
            (response.status, json.dumps(response.headers), response.body, scope, key),
        )

    def release(self, scope: str, key: str) -> None:
        self._conn().execute(
            "DELETE FROM idempotency WHERE scope = ? AND key = ? AND status = ?",
            (scope, key, PENDING),
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

    def get(self, scope: str, key: str) -> StoredResponse | None:
        with self._transaction(commit=False) as cur:
            cur.execute(
                f"SELECT request_digest, status, headers, body FROM {self._table}"
                " WHERE scope = %s AND key = %s",
                (scope, key),
            )
            row = cur.fetchone()
        if row is None:
            return None
        return StoredResponse(
            row["request_digest"], row["status"], json.loads(row["headers"]), bytes(row["body"])
        )

    def claim(self, scope: str, key: str, digest: str) -> StoredResponse | None:
        with self._transaction(commit=True) as cur:
            cur.execute(
                f"INSERT INTO {self._table} (scope, key, request_digest, status, headers, body)"
                " VALUES (%s, %s, %s, %s, '{}', ''::bytea) ON CONFLICT DO NOTHING RETURNING key",
                (scope, key, digest, PENDING),
            )
            won = cur.fetchone() is not None
        return None if won else self.get(scope, key)

    def complete(self, scope: str, key: str, response: StoredResponse) -> None:
        with self._transaction(commit=True) as cur:
            cur.execute(
                f"UPDATE {self._table} SET status = %s, headers = %s, body = %s"
                " WHERE scope = %s AND key = %s",
                (response.status, json.dumps(response.headers), response.body, scope, key),
            )

    def release(self, scope: str, key: str) -> None:
        with self._transaction(commit=True) as cur:
            cur.execute(
                f"DELETE FROM {self._table} WHERE scope = %s AND key = %s AND status = %s",
                (scope, key, PENDING),
            )
