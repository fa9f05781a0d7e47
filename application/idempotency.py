"""Idempotent POSTs: a retry with the same ``Idempotency-Key`` and body gets the first result.

Responses are kept per (caller, key) with a digest of the request, in a table of their own
beside the events (SQLite file, PostgreSQL schema, or memory for tests). The same key with a
different request is refused, never silently replayed.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol


@dataclass(frozen=True)
class StoredResponse:
    request_digest: str
    status: int
    headers: dict[str, str]
    body: bytes


class IdempotencyStore(Protocol):
    def create_table(self) -> None: ...
    def get(self, scope: str, key: str) -> StoredResponse | None: ...
    def put(self, scope: str, key: str, response: StoredResponse) -> None: ...


class MemoryIdempotencyStore:
    def __init__(self) -> None:
        self._items: dict[tuple[str, str], StoredResponse] = {}
        self._lock = threading.Lock()

    def create_table(self) -> None:
        return None

    def get(self, scope: str, key: str) -> StoredResponse | None:
        return self._items.get((scope, key))

    def put(self, scope: str, key: str, response: StoredResponse) -> None:
        with self._lock:
            self._items.setdefault((scope, key), response)


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

    def put(self, scope: str, key: str, response: StoredResponse) -> None:
        self._conn().execute(
            "INSERT OR IGNORE INTO idempotency VALUES (?, ?, ?, ?, ?, ?)",
            (
                scope,
                key,
                response.request_digest,
                response.status,
                json.dumps(response.headers),
                response.body,
            ),
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

    def put(self, scope: str, key: str, response: StoredResponse) -> None:
        with self._transaction(commit=True) as cur:
            cur.execute(
                f"INSERT INTO {self._table} (scope, key, request_digest, status, headers, body)"
                " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (
                    scope,
                    key,
                    response.request_digest,
                    response.status,
                    json.dumps(response.headers),
                    response.body,
                ),
            )
