"""The table of idempotent answers keeps its contract on every backend: one claim wins, only
the owner completes or releases it, a pending claim moves to a new owner at most once, and a
complete answer is never overwritten. Older tables gain the owner columns in place."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from application.adapters.backends import _datastore, backend_for, open_store
from application.adapters.idempotency import (
    PENDING,
    IdempotencyStore,
    PostgresIdempotencyStore,
    SQLiteIdempotencyStore,
    StoredResponse,
)
from application.settings import Settings
from tests.conftest import make_settings

ANSWER = StoredResponse("digest-1", 201, {"etag": '"1"', "location": "/units/1"}, b'{"id": 1}')


@pytest.fixture
def table(settings: Settings) -> Iterator[IdempotencyStore]:
    backend = backend_for(settings)
    store = open_store(backend, initialise=True)
    idempotency = backend.idempotency_store(store)
    idempotency.create_table()
    idempotency.create_table()  # a restart finds it there
    yield idempotency
    store.close()


def claim(table: IdempotencyStore, owner: str = "owner-1", key: str = "key-1") -> Any:
    return table.claim("caller-1", key, "digest-1", owner, 1000.5)


def test_an_unknown_key_has_no_record(table: IdempotencyStore):
    assert table.get("caller-1", "key-1") is None


def test_the_first_claim_wins_and_is_kept_pending_under_its_owner_and_lease(
    table: IdempotencyStore,
):
    assert claim(table) is None
    held = StoredResponse("digest-1", PENDING, {}, b"", "owner-1", 1000.5)
    assert table.get("caller-1", "key-1") == held
    assert held.pending
    # A second claim loses and is shown the first one, unchanged
    assert table.claim("caller-1", "key-1", "digest-2", "owner-2", 2000.0) == held
    assert table.get("caller-1", "key-1") == held


def test_keys_are_per_caller_and_per_key(table: IdempotencyStore):
    assert claim(table) is None
    assert table.claim("caller-2", "key-1", "digest-1", "owner-2", 1.0) is None
    assert claim(table, "owner-3", key="key-2") is None
    assert table.get("caller-2", "key-1") == StoredResponse(
        "digest-1", PENDING, {}, b"", "owner-2", 1.0
    )
    assert table.get("caller-1", "key-2") == StoredResponse(
        "digest-1", PENDING, {}, b"", "owner-3", 1000.5
    )


def test_only_the_owner_completes_a_claim_and_an_answer_is_never_overwritten(
    table: IdempotencyStore,
):
    claim(table)
    table.complete("caller-1", "key-1", "someone-else", ANSWER)
    assert table.get("caller-1", "key-1").pending
    table.complete("caller-1", "key-1", "owner-1", ANSWER)
    stored = table.get("caller-1", "key-1")
    assert stored is not None and not stored.pending
    kept = (stored.request_digest, stored.status, stored.headers, stored.body)
    assert kept == ("digest-1", 201, ANSWER.headers, ANSWER.body)
    # Completing it again, even by its owner, changes nothing
    table.complete("caller-1", "key-1", "owner-1", StoredResponse("digest-1", 500, {}, b"x"))
    assert table.get("caller-1", "key-1") == stored


def test_an_answer_of_another_caller_or_key_is_left_alone(table: IdempotencyStore):
    claim(table)
    table.claim("caller-2", "key-1", "digest-1", "owner-1", 1.0)
    table.complete("caller-1", "key-1", "owner-1", ANSWER)
    assert table.get("caller-2", "key-1").pending


def test_a_pending_claim_moves_to_a_new_owner_once(table: IdempotencyStore):
    claim(table)
    assert not table.take_over("caller-1", "key-1", "not-the-owner", "owner-2", 3000.0)
    assert table.take_over("caller-1", "key-1", "owner-1", "owner-2", 3000.0)
    moved = StoredResponse("digest-1", PENDING, {}, b"", "owner-2", 3000.0)
    assert table.get("caller-1", "key-1") == moved
    # A second retry that saw the old owner loses
    assert not table.take_over("caller-1", "key-1", "owner-1", "owner-3", 4000.0)
    assert table.get("caller-1", "key-1") == moved
    # The old owner can no longer complete it; the new one can
    table.complete("caller-1", "key-1", "owner-1", ANSWER)
    assert table.get("caller-1", "key-1") == moved
    table.complete("caller-1", "key-1", "owner-2", ANSWER)
    assert table.get("caller-1", "key-1").status == 201


def test_a_complete_or_missing_record_is_never_taken_over(table: IdempotencyStore):
    assert not table.take_over("caller-1", "key-1", "owner-1", "owner-2", 3000.0)
    assert table.get("caller-1", "key-1") is None
    claim(table)
    table.complete("caller-1", "key-1", "owner-1", ANSWER)
    complete = table.get("caller-1", "key-1")
    assert not table.take_over("caller-1", "key-1", "owner-1", "owner-2", 3000.0)
    assert table.get("caller-1", "key-1") == complete


def test_only_the_owner_releases_a_pending_claim(table: IdempotencyStore):
    claim(table)
    table.release("caller-1", "key-1", "someone-else")
    assert table.get("caller-1", "key-1") is not None
    table.release("caller-1", "key-1", "owner-1")
    assert table.get("caller-1", "key-1") is None
    assert claim(table, "owner-2") is None  # a retry may claim it afresh


def test_a_complete_answer_is_never_released(table: IdempotencyStore):
    claim(table)
    table.complete("caller-1", "key-1", "owner-1", ANSWER)
    table.release("caller-1", "key-1", "owner-1")
    assert table.get("caller-1", "key-1") is not None


def _old_row(insert: Any) -> None:
    insert(("caller-1", "key-1", "digest-1", PENDING, "{}", b""))


def test_a_sqlite_table_made_before_claims_had_owners_gains_them(tmp_path: Path):
    path = tmp_path / "idempotency.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE idempotency (scope TEXT, key TEXT, request_digest TEXT,"
            " status INTEGER, headers TEXT, body BLOB, PRIMARY KEY (scope, key))"
        )
        _old_row(lambda row: conn.execute("INSERT INTO idempotency VALUES (?,?,?,?,?,?)", row))
    conn.close()
    table = SQLiteIdempotencyStore(path)
    table.create_table()
    _an_old_claim_stays_unresolvable(table)


def test_a_postgres_table_made_before_claims_had_owners_gains_them(pg_schema: str, tmp_path: Path):
    store = open_store(backend_for(make_settings("postgres", tmp_path, pg_schema)), initialise=True)
    transaction = _datastore(store).transaction
    try:
        with transaction(commit=True) as cur:
            cur.execute(
                f'CREATE TABLE "{pg_schema}".idempotency (scope text, key text,'
                " request_digest text, status integer, headers text, body bytea,"
                " created_at timestamptz DEFAULT now(), PRIMARY KEY (scope, key))"
            )
            _old_row(
                lambda row: cur.execute(
                    f'INSERT INTO "{pg_schema}".idempotency'
                    " (scope, key, request_digest, status, headers, body)"
                    " VALUES (%s, %s, %s, %s, %s, %s)",
                    row,
                )
            )
        table = PostgresIdempotencyStore(transaction, pg_schema)
        table.create_table()
        _an_old_claim_stays_unresolvable(table)
    finally:
        store.close()


def _an_old_claim_stays_unresolvable(table: IdempotencyStore) -> None:
    """A claim stored before owners existed reads with owner "" and lease 0, and the new
    columns work for new claims."""
    assert table.get("caller-1", "key-1") == StoredResponse("digest-1", PENDING, {}, b"", "", 0.0)
    assert claim(table, key="key-2") is None
    assert table.get("caller-1", "key-2").owner == "owner-1"
