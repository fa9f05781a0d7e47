"""Reading a large view a batch at a time (the exports): every row, in order, from one
snapshot, and nothing held once the reader stops."""

from __future__ import annotations

import threading

import pytest

from application.adapters.read_models import open_view_store
from application.settings import Settings
from projections.store import PostgresViewStore, ViewStore


def _table(views: ViewStore, rows: int) -> str:
    table = views.qualified("batch_rows")
    with views.transaction() as cur:
        if isinstance(views, PostgresViewStore):
            cur.execute(f'CREATE SCHEMA IF NOT EXISTS "{views.schema}"')
        cur.execute(f"CREATE TABLE {table} (n integer PRIMARY KEY, name text)")
        for n in range(rows):
            cur.execute(f"INSERT INTO {table} VALUES ({views.mark}, {views.mark})", (n, f"ô {n}"))
    return table


def _in_another_thread(work) -> None:
    failures: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:
            failures.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=20)
    assert not thread.is_alive(), "the other thread waited for the batches' reader"
    assert not failures, failures


def test_every_row_comes_in_order_a_batch_at_a_time(settings: Settings):
    views = open_view_store(settings)
    try:
        table = _table(views, 7)
        batches = list(views.fetch_batches(f"SELECT n, name FROM {table} ORDER BY n", (), 3))
        assert [len(b) for b in batches] == [3, 3, 1]
        assert [r for b in batches for r in b] == [{"n": n, "name": f"ô {n}"} for n in range(7)]
        where = f"SELECT n FROM {table} WHERE n >= {views.mark} ORDER BY n"
        assert list(views.fetch_batches(where, (7,), 3)) == []
    finally:
        views.close()


# The memory store's threads take turns on one connection: a writer waits for the reader
# there, so the snapshot holds by construction (and this test's writer would wait forever).
@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_rows_written_while_the_batches_are_read_are_not_among_them(settings: Settings):
    """One snapshot: a row a fold writes mid-export is in the next export, not half in this
    one."""
    views = open_view_store(settings)
    try:
        table = _table(views, 6)
        batches = views.fetch_batches(f"SELECT n FROM {table} ORDER BY n", (), 2)
        first = next(batches)

        def write() -> None:
            with views.transaction() as cur:
                cur.execute(f"INSERT INTO {table} VALUES ({views.mark}, 'mới')", (100,))

        _in_another_thread(write)
        rest = [r["n"] for b in batches for r in b]
        assert [r["n"] for r in first] + rest == list(range(6))
        assert [r["n"] for r in views.fetch_all(f"SELECT n FROM {table} WHERE n = 100")] == [100]
    finally:
        views.close()


def test_a_reader_that_stops_early_holds_nothing(settings: Settings):
    """Closing the batches ends the read: another thread reads and writes at once, and on
    PostgreSQL every connection of the pool is free again."""
    views = open_view_store(settings)
    try:
        table = _table(views, 6)
        for _ in range(8):  # more than the pool's connections, if each were kept
            batches = views.fetch_batches(f"SELECT n FROM {table} ORDER BY n", (), 2)
            next(batches)
            batches.close()

        def read_and_write() -> None:
            with views.transaction() as cur:
                cur.execute(f"UPDATE {table} SET name = 'khác' WHERE n = 0")
            assert views.fetch_all(f"SELECT name FROM {table} WHERE n = 0") == [{"name": "khác"}]

        _in_another_thread(read_and_write)
        if isinstance(views, PostgresViewStore):
            stats = views.pool.get_stats()
            assert stats["pool_available"] == stats["pool_size"]  # every connection back
    finally:
        views.close()


def test_a_reader_let_go_in_another_thread_frees_the_store(settings: Settings):
    """A reader the garbage collector finalises in another thread than the one that opened
    it (a refusal's traceback freed on the event loop) ends its read there: the store is
    free for everyone after, where the memory store's lock stayed taken for ever."""
    views = open_view_store(settings)
    try:
        table = _table(views, 6)
        handed: list = []

        def open_one() -> None:
            batches = views.fetch_batches(f"SELECT n FROM {table} ORDER BY n", (), 2)
            next(batches)
            handed.append(batches)

        _in_another_thread(open_one)
        handed.pop().close()  # here, not in the thread that opened it

        def read_and_write() -> None:
            with views.transaction() as cur:
                cur.execute(f"UPDATE {table} SET name = 'khác' WHERE n = 0")
            assert views.fetch_all(f"SELECT name FROM {table} WHERE n = 0") == [{"name": "khác"}]

        _in_another_thread(read_and_write)
    finally:
        views.close()
