"""Password hashes and web sessions: tables beside the events, never in them.

A password hash is a secret that must be replaceable and erasable; events are forever. So
hashes, failed-attempt counters and open sessions live in their own tables (SQLite file,
PostgreSQL schema, or memory for tests), built by the backend like the other tables.
Sessions are kept by the SHA-256 of their random id: a copy of the table opens no session.
Times are Unix seconds from the ledger's clock.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from projections.connections import PerThreadSQLite


@dataclass(frozen=True)
class PasswordRecord:
    """An account's password hash and its recent failures."""

    user_id: str
    hash: str
    #: Set by an administrator's reset (and on first setting): change before anything else.
    must_change: bool
    failures: int = 0
    first_failure_at: float = 0.0
    locked_until: float = 0.0


@dataclass(frozen=True)
class SessionRecord:
    digest: str
    user_id: str
    created_at: float
    seen_at: float


class CredentialStore(Protocol):
    def create_table(self) -> None: ...
    def password(self, user_id: str) -> PasswordRecord | None: ...
    def put_password(self, record: PasswordRecord) -> None: ...
    def open_session(self, record: SessionRecord) -> None: ...
    def session(self, digest: str) -> SessionRecord | None: ...
    def touch(self, digest: str, seen_at: float) -> None: ...
    def close_session(self, digest: str) -> None: ...
    def close_sessions_of(self, user_id: str) -> None: ...


class MemoryCredentials:
    def __init__(self) -> None:
        self._passwords: dict[str, PasswordRecord] = {}
        self._sessions: dict[str, SessionRecord] = {}
        self._lock = threading.Lock()

    def create_table(self) -> None:
        return None

    def password(self, user_id: str) -> PasswordRecord | None:
        return self._passwords.get(user_id)

    def put_password(self, record: PasswordRecord) -> None:
        self._passwords[record.user_id] = record

    def open_session(self, record: SessionRecord) -> None:
        self._sessions[record.digest] = record

    def session(self, digest: str) -> SessionRecord | None:
        return self._sessions.get(digest)

    def touch(self, digest: str, seen_at: float) -> None:
        with self._lock:
            found = self._sessions.get(digest)
            if found is not None:
                self._sessions[digest] = replace(found, seen_at=seen_at)

    def close_session(self, digest: str) -> None:
        self._sessions.pop(digest, None)

    def close_sessions_of(self, user_id: str) -> None:
        with self._lock:
            for digest in [d for d, s in self._sessions.items() if s.user_id == user_id]:
                del self._sessions[digest]


_PASSWORD_COLUMNS = "user_id, hash, must_change, failures, first_failure_at, locked_until"
_SESSION_COLUMNS = "digest, user_id, created_at, seen_at"


class _SQLCredentials:
    """The statements both SQL backends share; ``_run`` executes one with ``%s`` markers."""

    passwords = "web_passwords"
    sessions = "web_sessions"

    def _run(self, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def create_table(self) -> None:
        self._run(
            f"CREATE TABLE IF NOT EXISTS {self.passwords} (user_id TEXT PRIMARY KEY,"
            " hash TEXT NOT NULL, must_change BOOLEAN NOT NULL, failures INTEGER NOT NULL,"
            " first_failure_at DOUBLE PRECISION NOT NULL, locked_until DOUBLE PRECISION NOT NULL)"
        )
        self._run(
            f"CREATE TABLE IF NOT EXISTS {self.sessions} (digest TEXT PRIMARY KEY,"
            " user_id TEXT NOT NULL, created_at DOUBLE PRECISION NOT NULL,"
            " seen_at DOUBLE PRECISION NOT NULL)"
        )

    def password(self, user_id: str) -> PasswordRecord | None:
        rows = self._run(
            f"SELECT {_PASSWORD_COLUMNS} FROM {self.passwords} WHERE user_id = %s", (user_id,)
        )
        if not rows:
            return None
        user, hashed, must_change, failures, first, locked = rows[0]
        return PasswordRecord(user, hashed, bool(must_change), failures, first, locked)

    def put_password(self, record: PasswordRecord) -> None:
        self._run(
            f"INSERT INTO {self.passwords} ({_PASSWORD_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash,"
            " must_change = excluded.must_change, failures = excluded.failures,"
            " first_failure_at = excluded.first_failure_at,"
            " locked_until = excluded.locked_until",
            (
                record.user_id,
                record.hash,
                record.must_change,
                record.failures,
                record.first_failure_at,
                record.locked_until,
            ),
        )

    def open_session(self, record: SessionRecord) -> None:
        self._run(
            f"INSERT INTO {self.sessions} ({_SESSION_COLUMNS}) VALUES (%s, %s, %s, %s)",
            (record.digest, record.user_id, record.created_at, record.seen_at),
        )

    def session(self, digest: str) -> SessionRecord | None:
        rows = self._run(
            f"SELECT {_SESSION_COLUMNS} FROM {self.sessions} WHERE digest = %s", (digest,)
        )
        return SessionRecord(*rows[0]) if rows else None

    def touch(self, digest: str, seen_at: float) -> None:
        self._run(f"UPDATE {self.sessions} SET seen_at = %s WHERE digest = %s", (seen_at, digest))

    def close_session(self, digest: str) -> None:
        self._run(f"DELETE FROM {self.sessions} WHERE digest = %s", (digest,))

    def close_sessions_of(self, user_id: str) -> None:
        self._run(f"DELETE FROM {self.sessions} WHERE user_id = %s", (user_id,))


class SQLiteCredentials(_SQLCredentials):
    def __init__(self, path: Path) -> None:
        self._conn = PerThreadSQLite(path)

    def _run(self, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return list(self._conn().execute(statement.replace("%s", "?"), params).fetchall())


class PostgresCredentials(_SQLCredentials):
    def __init__(self, transaction: Any, schema: str) -> None:
        self._transaction = transaction
        self.passwords = f'"{schema}".web_passwords'
        self.sessions = f'"{schema}".web_sessions'

    def _run(self, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._transaction(commit=True) as cur:
            cur.execute(statement, params)
            if cur.description is None:
                return []
            return [tuple(row.values()) for row in cur.fetchall()]
