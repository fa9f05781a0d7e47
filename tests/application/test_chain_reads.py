"""The chain recorders' reads on SQLite and PostgreSQL, and the helpers that turn database rows
into chained events: a log read a page at a time with chain rows whose events were deleted,
each row exactly as written (position, ids, bytes, chain hash)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from application.adapters.chain import (
    ChainedPOPORecorder,
    _as_bytes,
    _by_originator,
    _chained,
    _in_log_order,
    _receipt,
    chain_rows,
    own_ids,
)
from application.adapters.keyed_requests import Receipt, claimed
from application.ledger import Ledger
from application.settings import Settings
from domain.integrity import GENESIS, ChainedEvent, chain_hash, leaf_bytes, leaf_hash
from tests.conftest import PG_URL

ONE = UUID("00000000-0000-0000-0000-000000000001")
TWO = UUID("00000000-0000-0000-0000-000000000002")


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def ledger(settings: Settings) -> Iterator[Ledger]:
    opened = Ledger(settings)
    yield opened
    opened.close()


def written(ledger: Ledger, count: int) -> list[StoredEvent]:
    """``count`` events written one save each, so notification id n is chain position n."""
    events = [
        StoredEvent(uuid4(), 1, "tests.Synthetic", f'{{"n": {n}}}'.encode()) for n in range(count)
    ]
    for event in events:
        ledger.store.recorder.insert_events([event])
    return events


def delete_events(settings: Settings, ids: list[int]) -> None:
    """Delete events behind the recorder's back; their chain rows stay (orphans)."""
    marks = ",".join("?" * len(ids))
    if settings.backend == "sqlite":
        with sqlite3.connect(settings.var_dir / "hoctap.sqlite") as conn:
            conn.execute(f"DELETE FROM stored_events WHERE rowid IN ({marks})", ids)
        return
    table = f'"{settings.database_schema}".hoctap_events'
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(
            f"DELETE FROM {table} WHERE notification_id IN ({marks.replace('?', '%s')})", ids
        )


def as_written(events: list[StoredEvent], gone: set[int]) -> list[ChainedEvent]:
    """The chained rows the log should read back: position n holds the n-th event."""
    rows, previous = [], GENESIS
    for n, e in enumerate(events, start=1):
        previous = chain_hash(
            previous, leaf_bytes(n, e.originator_id, e.originator_version, e.topic, e.state)
        )
        if n in gone:
            rows.append(ChainedEvent(n, n, None, None, None, None, previous))
        else:
            rows.append(
                ChainedEvent(
                    n, n, e.originator_id, e.originator_version, e.topic, e.state, previous
                )
            )
    return rows


def paged(recorder: Any, limit: int) -> list[ChainedEvent]:
    """The whole log read ``limit`` events at a time, as ``verify`` reads it."""
    found: list[ChainedEvent] = []
    after = 0
    while rows := recorder.select_chained(after, limit):
        found += rows
        after = max(r.notification_id or 0 for r in rows)
    return found


@pytest.mark.parametrize("gone", [[3, 4, 10], [3], [1], [6, 7, 8]], ids=str)
def test_every_page_size_reads_the_log_with_its_orphaned_chain_rows_in_order(
    ledger: Ledger, settings: Settings, gone: list[int]
):
    """Given ten events of which some were deleted (first, last, one or several between two
    of a page's events), the log read a page of any size is every chain row in position
    order, the deleted ones with no event."""
    events = written(ledger, 10)
    delete_events(settings, gone)
    expected = as_written(events, set(gone))
    for limit in range(1, 12):
        assert paged(ledger.store.recorder, limit) == expected, limit


def test_a_page_ends_at_its_last_event_and_holds_the_orphans_before_it(
    ledger: Ledger, settings: Settings
):
    events = written(ledger, 8)
    delete_events(settings, [3, 4, 7])
    expected = as_written(events, {3, 4, 7})
    recorder: Any = ledger.store.recorder
    assert recorder.select_chained(0, 2) == expected[:2]
    assert recorder.select_chained(2, 2) == expected[2:6]  # events 5 and 6, orphans 3 and 4
    assert recorder.select_chained(6, 2) == expected[6:8]  # event 8 and orphan 7
    assert recorder.select_chained(8, 2) == []
    assert recorder.select_chained(4, 1) == [expected[4]]


def insert_unchained(settings: Settings, events: list[StoredEvent], ledger: Any = None) -> None:
    """Insert events behind the recorder's back: rows in the log with no chain row (in
    memory, through the library's own insert, which knows nothing of the chain)."""
    rows = [(e.originator_id.hex, e.originator_version, e.topic, e.state) for e in events]
    if settings.backend == "memory":
        recorder = ledger.store.recorder
        super(ChainedPOPORecorder, recorder)._insert_events(events)
        return
    if settings.backend == "sqlite":
        with sqlite3.connect(settings.var_dir / "hoctap.sqlite") as conn:
            conn.executemany(
                "INSERT INTO stored_events (originator_id, originator_version, topic, state)"
                " VALUES (?, ?, ?, ?)",
                rows,
            )
        return
    table = f'"{settings.database_schema}".hoctap_events'
    with psycopg.connect(PG_URL, autocommit=True) as conn, conn.cursor() as curs:
        curs.executemany(
            f"INSERT INTO {table} (originator_id, originator_version, topic, state)"
            " VALUES (%s, %s, %s, %s)",
            rows,
        )


def test_an_orphan_is_read_even_when_its_page_holds_more_unchained_events_than_chain_rows(
    ledger: Ledger, settings: Settings
):
    """Given three chained events, the second deleted (its chain row an orphan), then three
    events inserted with no chain row: a page of all of them holds the first event, the
    orphan, the third and the three unchained events, in log order. (The orphans are looked
    for when the range holds more chain rows than the page's chained events, here 3 against
    2; the three unchained events must not be counted in their place.)"""
    events = written(ledger, 3)
    delete_events(settings, [2])
    extra = [StoredEvent(uuid4(), 1, "tests.Inserted", f'{{"n": {n}}}'.encode()) for n in range(3)]
    insert_unchained(settings, extra)
    recorder: Any = ledger.store.recorder
    page = recorder.select_chained(0, 10)
    assert page[:3] == as_written(events, {2})
    assert [(r.position, r.stored_hash, r.originator_id, r.state) for r in page[3:]] == [
        (None, None, e.originator_id, e.state) for e in extra
    ]
    assert [r.notification_id for r in page] == sorted(r.notification_id or 0 for r in page)


def test_orphans_at_the_end_of_a_long_log_are_read_with_the_last_page(
    ledger: Ledger, settings: Settings
):
    """The last page has no upper bound of its own: chain rows far past the first hundred
    whose events are gone are still read."""
    events = [StoredEvent(uuid4(), 1, "tests.Synthetic", b"{}") for _ in range(130)]
    ledger.store.recorder.insert_events(events)
    delete_events(settings, [129, 130])
    assert paged(ledger.store.recorder, 2000) == as_written(events, {129, 130})


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_every_page_size_reads_an_untouched_log_in_order(ledger: Ledger):
    events = written(ledger, 7)
    for limit in (1, 2, 3, 7, 8):
        assert paged(ledger.store.recorder, limit) == as_written(events, set()), limit


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_the_events_of_some_aggregates_come_with_their_chain_rows_in_log_order(ledger: Ledger):
    events = written(ledger, 6)
    recorder: Any = ledger.store.recorder
    expected = as_written(events, set())
    wanted = [events[4].originator_id, events[1].originator_id]
    assert recorder.select_chained_of(wanted) == [expected[1], expected[4]]
    assert recorder.chained_notification_id(5) == 5
    assert recorder.chained_notification_id(7) is None
    found = recorder.select_events_of(wanted)
    assert found == {e.originator_id: [e] for e in (events[1], events[4])}


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_chain_positions_and_notification_ids_part_once_an_event_has_no_chain_row(
    ledger: Ledger, settings: Settings
):
    """Given two chained events, one written with no chain row, then two more chained: the
    third and fourth positions point to notification ids 4 and 5, and an aggregate's read
    gives the unchained event with no position or hash, between the chained ones."""
    events = written(ledger, 2)
    extra = [StoredEvent(uuid4(), 1, "tests.Inserted", b'{"n": 9}')]
    insert_unchained(settings, extra, ledger)
    more = written(ledger, 2)
    recorder: Any = ledger.store.recorder
    assert [recorder.chained_notification_id(p) for p in (1, 2, 3, 4, 5)] == [1, 2, 4, 5, None]
    assert ledger.auditor.tiles.chain_size() == 4  # the last position, not its event's id
    chain = as_written([*events, *more], set())
    third = replace(chain[2], notification_id=4)
    unchained = ChainedEvent(
        None, 3, extra[0].originator_id, 1, "tests.Inserted", b'{"n": 9}', None
    )
    wanted = [more[0].originator_id, extra[0].originator_id, events[0].originator_id]
    assert recorder.select_chained_of(wanted) == [chain[0], unchained, third]


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_an_aggregate_far_into_the_log_is_read_with_its_chain_row(ledger: Ledger):
    """An aggregate's events are looked for in the whole log, not its first page."""
    events = [StoredEvent(uuid4(), 1, "tests.Synthetic", f"{n}".encode()) for n in range(70)]
    ledger.store.recorder.insert_events(events)
    recorder: Any = ledger.store.recorder
    assert recorder.select_chained_of([events[69].originator_id]) == [as_written(events, set())[69]]
    assert recorder.chained_notification_id(70) == 70


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_the_rows_verify_checks_are_plain_tuples_of_the_page(
    ledger: Ledger, settings: Settings, backend: str
):
    """``select_chained_rows`` is ``select_chained`` as tuples (position, notification id,
    originator id as text, version, topic, state, hash): the id canonical, or its 32 hex
    digits as SQLite stores them; a page after a notification id and of a given size."""
    events = written(ledger, 5)
    recorder: Any = ledger.store.recorder

    def text(originator: Any) -> str:
        return originator.hex if backend == "sqlite" else str(originator)

    rows = [
        (
            r.position,
            r.notification_id,
            text(r.originator_id),
            r.version,
            r.topic,
            r.state,
            r.stored_hash,
        )
        for r in as_written(events, set())
    ]
    assert recorder.select_chained_rows(0, 10) == rows
    assert recorder.select_chained_rows(1, 2) == rows[1:3]
    assert recorder.select_chained_rows(5, 2) == []
    if backend == "memory":
        return  # the in-memory log cannot lose an event
    delete_events(settings, [2])
    orphan = (2, 2, None, None, None, None, rows[1][6])
    assert recorder.select_chained_rows(1, 2) == [orphan, *rows[2:4]]


# --- rows as the databases hand them back ------------------------------------------------


def stored(originator: UUID, version: int, state: bytes = b"{}") -> StoredEvent:
    return StoredEvent(originator, version, "tests.Synthetic", state)


def found_row(event: StoredEvent, notification_id: Any, **changed: Any) -> dict[str, Any]:
    row = {
        "originator_id": event.originator_id,
        "originator_version": event.originator_version,
        "topic": event.topic,
        "state": memoryview(event.state),  # as psycopg hands bytea back
        "notification_id": notification_id,
    }
    return {**row, **changed}


def test_a_retried_save_is_its_own_only_when_every_event_is_found_byte_for_byte():
    mine = [stored(ONE, 1, b"a"), stored(ONE, 2, b"b"), stored(TWO, 1, b"c")]
    rows = [found_row(mine[2], 9), found_row(mine[0], "7"), found_row(mine[1], 8)]
    assert own_ids(mine, rows) == [7, 8, 9]
    assert own_ids(mine, rows[:2]) is None  # one is missing
    assert own_ids(mine, [*rows[:2], found_row(mine[1], 8, topic="tests.Other")]) is None
    assert own_ids(mine, [*rows[:2], found_row(mine[1], 8, state=b"B")]) is None
    assert own_ids([], []) == []


def test_rows_ordered_by_originator_become_each_aggregates_events():
    rows = [
        found_row(stored(ONE, 1, b"a"), 1),
        found_row(stored(ONE, 2, b"b"), 3),
        found_row(stored(TWO, 1, b"c"), 2),
    ]
    assert _by_originator(rows) == {
        ONE: [stored(ONE, 1, b"a"), stored(ONE, 2, b"b")],
        TWO: [stored(TWO, 1, b"c")],
    }
    assert all(type(e.state) is bytes for events in _by_originator(rows).values() for e in events)


def test_a_receipt_row_is_read_back_on_either_backend():
    row = {"originator_id": ONE, "originator_version": "3", "position": "12"}
    assert _receipt(row) == Receipt(ONE, 3, 12)
    assert _receipt({**row, "originator_id": ONE.hex}) == Receipt(ONE, 3, 12)  # SQLite: text
    assert _receipt({**row, "position": None}) is None  # a fence: nothing committed
    assert _receipt(None) is None


def chain_row(**values: Any) -> dict[str, Any]:
    row = {
        "notification_id": 4,
        "originator_id": ONE,
        "originator_version": 2,
        "topic": "tests.Synthetic",
        "state": b"{}",
        "position": 3,
        "hash": memoryview(bytes(range(32))),
        "chained_id": 4,
    }
    return {**row, **values}


def test_a_chained_row_is_read_back_whatever_the_driver_hands_over():
    assert _chained(chain_row()) == ChainedEvent(
        3, 4, ONE, 2, "tests.Synthetic", b"{}", bytes(range(32))
    )
    assert _chained(chain_row(originator_id=ONE.hex)).originator_id == ONE  # SQLite's hex
    assert _chained(chain_row(originator_id="not-a-uuid")).originator_id == "not-a-uuid"
    orphan = chain_row(notification_id=None, originator_id=None, originator_version=None)
    orphan |= {"topic": None, "state": None}
    assert _chained(orphan) == ChainedEvent(3, 4, None, None, None, None, bytes(range(32)))
    unchained = _chained(chain_row(position=None, hash=None, chained_id=None))
    assert (unchained.position, unchained.notification_id, unchained.stored_hash) == (None, 4, None)
    assert type(_chained(chain_row()).stored_hash) is bytes


def test_stored_bytes_read_back_as_bytes_and_text_as_its_utf8():
    assert _as_bytes(None) is None
    assert _as_bytes("Hà Nội") == "Hà Nội".encode()
    assert _as_bytes(memoryview(b"\x00\x01")) == b"\x00\x01"
    assert type(_as_bytes(memoryview(b"\x00"))) is bytes


def test_orphaned_chain_rows_are_merged_into_a_page_by_their_notification_id():
    page = [chain_row(notification_id=2), chain_row(notification_id=5)]
    orphans = [chain_row(notification_id=None, chained_id=4), chain_row(notification_id=None)]
    orphans[1]["chained_id"] = 1
    merged = _in_log_order([*page, *orphans])
    assert [r["notification_id"] or r["chained_id"] for r in merged] == [1, 2, 4, 5]


def test_chain_rows_continue_the_chain_from_its_last_row():
    events = [stored(ONE, 1, b"a"), stored(TWO, 1, b"b")]
    last = bytes(range(32))
    first = leaf_bytes(8, ONE, 1, "tests.Synthetic", b"a")
    second = leaf_bytes(9, TWO, 1, "tests.Synthetic", b"b")
    leaves: list[bytes] = []
    rows = chain_rows(events, [21, 22], 7, last, leaves)
    h8 = chain_hash(last, first)
    assert rows == [(8, 21, h8), (9, 22, chain_hash(h8, second))]
    assert leaves == [leaf_hash(first), leaf_hash(second)]
    assert chain_rows(events, [21, 22], 7, last) == rows  # the leaves are optional
    with pytest.raises(ValueError):
        chain_rows(events, [21], 7, last)


# --- the receipts of keyed requests ---------------------------------------------------------


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_a_keyed_request_leaves_one_receipt_that_of_its_first_save_with_events(ledger: Ledger):
    """Given a keyed request that first saves nothing, then saves twice, when a retry fences
    its owner, then it finds the receipt of the first save that wrote events (its event,
    version and position); the empty save owed none and the second save wrote no other
    (the receipts' key would refuse a second row for the owner)."""
    recorder: Any = ledger.store.recorder
    with claimed("owner-1") as claim:
        recorder.insert_events([])
        assert not claim.written
        events = written(ledger, 2)
        assert claim.written
    assert recorder.fence("owner-1") == Receipt(events[0].originator_id, 1, 1)
    assert recorder.fence("owner-1") == Receipt(events[0].originator_id, 1, 1)  # still there
    assert [r.notification_id for r in paged(recorder, 10)] == [1, 2]


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_a_fenced_request_may_save_nothing_but_its_events_are_refused(ledger: Ledger, backend: str):
    """Given an owner fenced by a retry before it committed, when its request saves nothing
    then saves an event, then the empty save passes, the event is refused and not written,
    and the fence still holds nothing."""
    recorder: Any = ledger.store.recorder
    assert recorder.fence("slow-owner") is None
    with claimed("slow-owner"):
        assert not recorder.insert_events([])  # nothing to write, nothing refused
        with pytest.raises(IntegrityError) as refused:
            written(ledger, 1)
    if backend == "memory":
        assert str(refused.value) == "request slow-owner was fenced"
    assert recorder.fence("slow-owner") is None
    assert paged(recorder, 10) == []
    other = written(ledger, 1)  # a request without a claim still writes, at position 1
    assert [(r.position, r.originator_id) for r in paged(recorder, 10)] == [
        (1, other[0].originator_id)
    ]
