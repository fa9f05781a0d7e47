"""Where the events and the tables beside them live: the one place a backend is chosen.

Three backends give the same things (:class:`Backend`): the event store's settings for the
``eventsourcing`` library, a lock for schema changes, and each table beside the events —
subject keys (the vault), idempotent answers, signed checkpoints, witnesses' cosignatures,
password hashes with web sessions, and the read models.
:func:`backend_for` picks one from the settings; nothing else in the code asks which it is.

* ``memory``: everything in the process (tests, demos).
* ``sqlite``: files under ``HOCTAP_VAR_DIR``, one per family of tables, so that the event
  store's file never holds keys (the embedded default).
* ``postgres``: one schema of one database; keys, answers and checkpoints share the event
  store's connection pool, views have a small pool of their own (production).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol
from urllib.parse import unquote, urlparse

import psycopg
from psycopg import sql

from application.adapters.checkpoint_tables import (
    CheckpointTable,
    CosignatureTable,
    MemoryCheckpoints,
    MemoryCosignatures,
    PostgresCheckpoints,
    PostgresCosignatures,
    SQLiteCheckpoints,
    SQLiteCosignatures,
)
from application.adapters.credentials import (
    CredentialStore,
    MemoryCredentials,
    PostgresCredentials,
    SQLiteCredentials,
)
from application.adapters.idempotency import (
    IdempotencyStore,
    MemoryIdempotencyStore,
    PostgresIdempotencyStore,
    SQLiteIdempotencyStore,
)
from application.adapters.keys import KeyStore, MemoryKeyStore, PostgresKeyStore, SQLiteKeyStore
from application.adapters.leadership import AdvisoryLock, Always, FileLock, Leadership
from application.adapters.store import HoctapStore
from application.settings import Settings
from projections import connections
from projections.store import PostgresViewStore, SQLiteViewStore, ViewStore

#: Key of the advisory lock that serialises schema creation across processes (every
#: version of the code must use the same key).
_DDL_LOCK = 4_711_2025


class Backend(Protocol):
    name: str

    def store_env(self, *, create_tables: bool) -> dict[str, str]:
        """The ``eventsourcing`` library's persistence settings."""
        ...

    def ddl_lock(self) -> Any:
        """A context manager serialising schema changes across processes."""
        ...

    def opened(self, store: HoctapStore) -> HoctapStore:
        """The store, once whatever it needs after construction is in place."""
        ...

    def key_store(self, store: HoctapStore) -> KeyStore: ...
    def idempotency_store(self, store: HoctapStore) -> IdempotencyStore: ...
    def checkpoint_table(self, store: HoctapStore) -> CheckpointTable: ...
    def cosignature_table(self, store: HoctapStore) -> CosignatureTable: ...
    def credential_store(self, store: HoctapStore) -> CredentialStore: ...
    def view_store(self) -> ViewStore: ...

    def listener(self, store: HoctapStore) -> psycopg.Connection[Any] | None:
        """A connection notified of each new event, where the store can notify."""
        ...

    def leadership(self) -> Leadership:
        """Which process folds the views (application/adapters/leadership.py)."""
        ...


@contextmanager
def _no_lock() -> Iterator[None]:
    yield


class MemoryBackend:
    name = "memory"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def store_env(self, *, create_tables: bool) -> dict[str, str]:
        return {
            "CREATE_TABLE": "y" if create_tables else "n",
            "PERSISTENCE_MODULE": "eventsourcing.popo",
        }

    def ddl_lock(self) -> Any:
        return _no_lock()

    def opened(self, store: HoctapStore) -> HoctapStore:
        return store

    def key_store(self, store: HoctapStore) -> KeyStore:
        return MemoryKeyStore()

    def idempotency_store(self, store: HoctapStore) -> IdempotencyStore:
        return MemoryIdempotencyStore()

    def checkpoint_table(self, store: HoctapStore) -> CheckpointTable:
        return MemoryCheckpoints()

    def cosignature_table(self, store: HoctapStore) -> CosignatureTable:
        return MemoryCosignatures()

    def credential_store(self, store: HoctapStore) -> CredentialStore:
        return MemoryCredentials()

    def view_store(self) -> ViewStore:
        return SQLiteViewStore(f"file:views-{uuid.uuid4().hex}?mode=memory&cache=shared")

    def listener(self, store: HoctapStore) -> psycopg.Connection[Any] | None:
        return None

    def leadership(self) -> Leadership:
        return Always()


class SQLiteBackend:
    name = "sqlite"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.var_dir = settings.var_dir

    def store_env(self, *, create_tables: bool) -> dict[str, str]:
        self.var_dir.mkdir(parents=True, exist_ok=True)
        return {
            "CREATE_TABLE": "y" if create_tables else "n",
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "APPLICATION_RECORDER_TOPIC": "application.adapters.chain:ChainedSQLiteRecorder",
            "SQLITE_DBNAME": str(self.var_dir / "hoctap.sqlite"),
            "SQLITE_LOCK_TIMEOUT": str(self.settings.lock_timeout_seconds),
        }

    def ddl_lock(self) -> Any:
        return _no_lock()  # SQLite's own lock serialises DDL; every statement is IF NOT EXISTS

    def opened(self, store: HoctapStore) -> HoctapStore:
        return store

    def key_store(self, store: HoctapStore) -> KeyStore:
        return SQLiteKeyStore(self.var_dir / "keys.sqlite")

    def idempotency_store(self, store: HoctapStore) -> IdempotencyStore:
        return SQLiteIdempotencyStore(self.var_dir / "idempotency.sqlite")

    def checkpoint_table(self, store: HoctapStore) -> CheckpointTable:
        return SQLiteCheckpoints(_datastore(store).transaction)

    def cosignature_table(self, store: HoctapStore) -> CosignatureTable:
        return SQLiteCosignatures(_datastore(store).transaction)

    def credential_store(self, store: HoctapStore) -> CredentialStore:
        return SQLiteCredentials(self.var_dir / "credentials.sqlite")

    def view_store(self) -> ViewStore:
        self.var_dir.mkdir(parents=True, exist_ok=True)
        return SQLiteViewStore(str(self.var_dir / "views.sqlite"))

    def listener(self, store: HoctapStore) -> psycopg.Connection[Any] | None:
        return None

    def leadership(self) -> Leadership:
        return FileLock(self.var_dir / "fold.lock")


class PostgresBackend:
    name = "postgres"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.schema = settings.database_schema

    def store_env(self, *, create_tables: bool) -> dict[str, str]:
        url = urlparse(self.settings.database_url or "")
        return {
            "CREATE_TABLE": "y" if create_tables else "n",
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "APPLICATION_RECORDER_TOPIC": "application.adapters.chain:ChainedPostgresRecorder",
            "POSTGRES_DBNAME": url.path.lstrip("/") or "postgres",
            "POSTGRES_HOST": url.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": unquote(url.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(url.password or ""),
            "POSTGRES_SCHEMA": self.schema,
            "POSTGRES_POOL_SIZE": str(self.settings.pool_size),
            "POSTGRES_MAX_OVERFLOW": str(self.settings.pool_max_overflow),
            "POSTGRES_LOCK_TIMEOUT": str(self.settings.lock_timeout_seconds),
            "POSTGRES_CONNECT_TIMEOUT": "10",
            "POSTGRES_PRE_PING": "n",  # checked when idle instead: see :meth:`opened`
        }

    def conninfo(self) -> dict[str, Any]:
        env = self.store_env(create_tables=False)
        return {
            "dbname": env["POSTGRES_DBNAME"],
            "host": env["POSTGRES_HOST"],
            "port": env["POSTGRES_PORT"],
            "user": env["POSTGRES_USER"],
            "password": env["POSTGRES_PASSWORD"],
            "connect_timeout": 10,
        }

    @contextmanager
    def ddl_lock(self) -> Iterator[None]:
        """Serialise schema changes across processes (tables are created by whoever starts
        first; two creating the same table at once would fail one of them)."""
        with psycopg.connect(**self.conninfo(), autocommit=True) as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (_DDL_LOCK,))
            try:
                conn.execute(
                    sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self.schema))
                )
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (_DDL_LOCK,))

    def opened(self, store: HoctapStore) -> HoctapStore:
        """The event store's pool checks a connection only after it sat idle."""
        connections.install(_datastore(store).pool, self.settings.pg_check_idle_seconds)
        return store

    def key_store(self, store: HoctapStore) -> KeyStore:
        return PostgresKeyStore(
            _datastore(store).transaction,
            lambda: psycopg.connect(**self.conninfo(), autocommit=True),
            self.schema,
        )

    def idempotency_store(self, store: HoctapStore) -> IdempotencyStore:
        return PostgresIdempotencyStore(_datastore(store).transaction, self.schema)

    def checkpoint_table(self, store: HoctapStore) -> CheckpointTable:
        return PostgresCheckpoints(_datastore(store).transaction, self.schema)

    def cosignature_table(self, store: HoctapStore) -> CosignatureTable:
        return PostgresCosignatures(_datastore(store).transaction, self.schema)

    def credential_store(self, store: HoctapStore) -> CredentialStore:
        return PostgresCredentials(_datastore(store).transaction, self.schema)

    def view_store(self) -> ViewStore:
        return PostgresViewStore(
            self.conninfo(), self.schema, check_idle_seconds=self.settings.pg_check_idle_seconds
        )

    def listener(self, store: HoctapStore) -> psycopg.Connection[Any] | None:
        channel: str = store.recorder.channel_name  # type: ignore[attr-defined]
        conn = psycopg.connect(**self.conninfo(), autocommit=True)
        conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
        return conn

    def leadership(self) -> Leadership:
        info = self.conninfo()
        return AdvisoryLock(f"{info['host']}:{info['port']}/{info['dbname']}/{self.schema}")


_BACKENDS: dict[str, Callable[[Settings], Backend]] = {
    "memory": MemoryBackend,
    "sqlite": SQLiteBackend,
    "postgres": PostgresBackend,
}


def backend_for(settings: Settings) -> Backend:
    """The backend the settings name (``HOCTAP_STORE``, or PostgreSQL when a URL is set)."""
    return _BACKENDS[settings.backend](settings)


def postgres_conninfo(settings: Settings) -> dict[str, Any]:
    """Connection parameters of the configured PostgreSQL database (tools and benchmarks)."""
    return PostgresBackend(settings).conninfo()


def open_store(backend: Backend, *, initialise: bool) -> HoctapStore:
    """Construct the store; with ``initialise`` also create its tables (under the lock)."""
    if not initialise:
        return backend.opened(HoctapStore(env=backend.store_env(create_tables=False)))
    with backend.ddl_lock():
        return backend.opened(HoctapStore(env=backend.store_env(create_tables=True)))


def _datastore(store: HoctapStore) -> Any:
    return store.recorder.datastore  # type: ignore[attr-defined]
