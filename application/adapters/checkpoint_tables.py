"""Where signed checkpoints and the cosignatures witnesses return are kept, beside the
events: in memory, in the SQLite event file, or in PostgreSQL tables of the store's schema
(each chosen in :mod:`application.adapters.backends`).

Checkpoint tables made before the note form get their ``note`` column when created again.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

from application.adapters.checkpoints import Checkpoint

Transaction = Callable[..., AbstractContextManager[Any]]


class CheckpointTable(Protocol):
    def create_table(self) -> None: ...
    def add(self, checkpoint: Checkpoint) -> None: ...
    def all(self) -> list[Checkpoint]: ...


class CosignatureTable(Protocol):
    """Cosignature lines by the tree head they cosign (size and root)."""

    def create_table(self) -> None: ...
    def add(self, tree_size: int, root_hash: bytes, lines: list[str]) -> None: ...
    def lines(self, tree_size: int, root_hash: bytes) -> list[str]: ...


_COLUMNS = "tree_size, root_hash, signed_at, signature, note"


def _values(checkpoint: Checkpoint) -> tuple[int, bytes, str, bytes, str]:
    return (
        checkpoint.tree_size,
        checkpoint.root_hash,
        checkpoint.signed_at.isoformat(),
        checkpoint.signature,
        checkpoint.note,
    )


def _checkpoint(size: int, top: bytes, at: str, signature: bytes, note: str | None) -> Checkpoint:
    return Checkpoint(
        int(size), bytes(top), datetime.fromisoformat(at), bytes(signature), note or ""
    )


class MemoryCheckpoints:
    def __init__(self) -> None:
        self._items: list[Checkpoint] = []

    def create_table(self) -> None:
        return None

    def add(self, checkpoint: Checkpoint) -> None:
        self._items.append(checkpoint)

    def all(self) -> list[Checkpoint]:
        return sorted(self._items, key=lambda c: c.tree_size)


class SQLiteCheckpoints:
    """In the event store's own SQLite file, so that a copy of the file carries them."""

    def __init__(self, transaction: Transaction) -> None:
        self._transaction = transaction

    def create_table(self) -> None:
        with self._transaction(commit=True) as c:
            c.execute(
                "CREATE TABLE IF NOT EXISTS checkpoints (tree_size INTEGER, root_hash BLOB,"
                " signed_at TEXT, signature BLOB, note TEXT)"
            )
            c.execute("PRAGMA table_info(checkpoints)")
            if "note" not in {row[1] for row in c.fetchall()}:
                c.execute("ALTER TABLE checkpoints ADD COLUMN note TEXT")

    def add(self, checkpoint: Checkpoint) -> None:
        with self._transaction(commit=True) as c:
            c.execute(
                f"INSERT INTO checkpoints ({_COLUMNS}) VALUES (?, ?, ?, ?, ?)",
                _values(checkpoint),
            )

    def all(self) -> list[Checkpoint]:
        with self._transaction(commit=False) as c:
            c.execute(f"SELECT {_COLUMNS} FROM checkpoints ORDER BY tree_size")
            return [_checkpoint(*tuple(r)) for r in c.fetchall()]


class PostgresCheckpoints:
    """``<schema>.hoctap_checkpoints``, beside the events."""

    def __init__(self, transaction: Transaction, schema: str):
        self._transaction = transaction
        self._table = f'"{schema}".hoctap_checkpoints'

    def create_table(self) -> None:
        with self._transaction(commit=True) as c:
            c.execute(
                f"CREATE TABLE IF NOT EXISTS {self._table} (tree_size bigint,"
                " root_hash bytea, signed_at text, signature bytea, note text)"
            )
            c.execute(f"ALTER TABLE {self._table} ADD COLUMN IF NOT EXISTS note text")

    def add(self, checkpoint: Checkpoint) -> None:
        with self._transaction(commit=True) as c:
            c.execute(
                f"INSERT INTO {self._table} ({_COLUMNS}) VALUES (%s, %s, %s, %s, %s)",
                _values(checkpoint),
            )

    def all(self) -> list[Checkpoint]:
        with self._transaction(commit=False) as c:
            c.execute(f"SELECT {_COLUMNS} FROM {self._table} ORDER BY tree_size")
            return [
                _checkpoint(
                    r["tree_size"], r["root_hash"], r["signed_at"], r["signature"], r["note"]
                )
                for r in c.fetchall()
            ]


class MemoryCosignatures:
    def __init__(self) -> None:
        self._lines: dict[tuple[int, bytes], list[str]] = {}

    def create_table(self) -> None:
        return None

    def add(self, tree_size: int, root_hash: bytes, lines: list[str]) -> None:
        kept = self._lines.setdefault((tree_size, root_hash), [])
        kept += [line for line in lines if line not in kept]

    def lines(self, tree_size: int, root_hash: bytes) -> list[str]:
        return list(self._lines.get((tree_size, root_hash), []))


class SQLiteCosignatures:
    def __init__(self, transaction: Transaction) -> None:
        self._transaction = transaction

    def create_table(self) -> None:
        with self._transaction(commit=True) as c:
            c.execute(
                "CREATE TABLE IF NOT EXISTS cosignatures (tree_size INTEGER, root_hash BLOB,"
                " line TEXT, PRIMARY KEY (tree_size, root_hash, line))"
            )

    def add(self, tree_size: int, root_hash: bytes, lines: list[str]) -> None:
        with self._transaction(commit=True) as c:
            for line in lines:
                c.execute(
                    "INSERT OR IGNORE INTO cosignatures VALUES (?, ?, ?)",
                    (tree_size, root_hash, line),
                )

    def lines(self, tree_size: int, root_hash: bytes) -> list[str]:
        with self._transaction(commit=False) as c:
            c.execute(
                "SELECT line FROM cosignatures WHERE tree_size = ? AND root_hash = ?"
                " ORDER BY rowid",
                (tree_size, root_hash),
            )
            return [str(r[0]) for r in c.fetchall()]


class PostgresCosignatures:
    def __init__(self, transaction: Transaction, schema: str):
        self._transaction = transaction
        self._table = f'"{schema}".hoctap_cosignatures'

    def create_table(self) -> None:
        with self._transaction(commit=True) as c:
            c.execute(
                f"CREATE TABLE IF NOT EXISTS {self._table} (id bigserial, tree_size bigint,"
                " root_hash bytea, line text, UNIQUE (tree_size, root_hash, line))"
            )

    def add(self, tree_size: int, root_hash: bytes, lines: list[str]) -> None:
        with self._transaction(commit=True) as c:
            for line in lines:
                c.execute(
                    f"INSERT INTO {self._table} (tree_size, root_hash, line)"
                    " VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                    (tree_size, root_hash, line),
                )

    def lines(self, tree_size: int, root_hash: bytes) -> list[str]:
        with self._transaction(commit=False) as c:
            c.execute(
                f"SELECT line FROM {self._table} WHERE tree_size = %s AND root_hash = %s"
                " ORDER BY id",
                (tree_size, root_hash),
            )
            return [str(r["line"]) for r in c.fetchall()]
