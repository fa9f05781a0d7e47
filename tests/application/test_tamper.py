"""A corpus of named tamper cases, each detected with its position, on SQLite and PostgreSQL.

The log is changed behind the application's back, with raw SQL, as someone with write
access to the database could; ``verify`` must find the first bad position and say what
differs. An untouched log verifies.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from uuid import UUID

import psycopg
import pytest

from application.clients.demo import load_demo
from application.ledger import Ledger
from application.services.records import VIETNAM, FixedClock
from application.settings import Settings
from domain.integrity import GENESIS, chain_hash, leaf_bytes
from tests.conftest import PG_URL


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class RawLog:
    """The events, chain and checkpoint tables, reached directly with SQL."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.sqlite = settings.backend == "sqlite"
        schema = f'"{settings.database_schema}".'
        self.events = "stored_events" if self.sqlite else f"{schema}hoctap_events"
        self.chain = "stored_events_chain" if self.sqlite else f"{schema}hoctap_events_chain"
        self.checkpoints = "checkpoints" if self.sqlite else f"{schema}hoctap_checkpoints"
        self.tiles = "stored_events_tiles" if self.sqlite else f"{schema}hoctap_events_tiles"
        self.id = "rowid" if self.sqlite else "notification_id"

    def run(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        if self.sqlite:
            with sqlite3.connect(self.settings.var_dir / "hoctap.sqlite") as conn:
                return list(conn.execute(sql, params).fetchall())
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            cursor = conn.execute(sql.replace("?", "%s"), params)
            return list(cursor.fetchall()) if cursor.description else []

    def state(self, n: int) -> bytes:
        return bytes(self.run(f"SELECT state FROM {self.events} WHERE {self.id} = ?", (n,))[0][0])

    def set_state(self, n: int, state: bytes) -> None:
        self.run(f"UPDATE {self.events} SET state = ? WHERE {self.id} = ?", (state, n))

    def count(self) -> int:
        return int(self.run(f"SELECT COUNT(*) FROM {self.events}")[0][0])

    def rebuild_tiles(self) -> None:
        """What an operator who rewrote the log runs next (``hoctap tiles catch-up
        --rebuild``), so that the tiles agree with the rewrite: detection must come from
        the chain, the checkpoints and the witnesses, not from stale tiles."""
        ledger = Ledger(self.settings, initialise=False)
        try:
            ledger.auditor.catch_up_tiles(rebuild=True)
        finally:
            ledger.close()


@pytest.fixture
def world(settings: Settings) -> Iterator[tuple[Ledger, RawLog]]:
    ledger = Ledger(settings, clock=FixedClock(datetime(2026, 11, 20, tzinfo=VIETNAM)))
    load_demo(ledger)
    ledger.auditor.make_checkpoint(datetime(2026, 11, 20, 10, tzinfo=VIETNAM))
    yield ledger, RawLog(settings)
    ledger.close()


def modified_payload(raw: RawLog) -> None:
    raw.set_state(5, raw.state(5).replace(b"demo-load", b"demo-l0ad"))


def deleted_row(raw: RawLog) -> None:
    raw.run(f"DELETE FROM {raw.events} WHERE {raw.id} = 7")


def inserted_row(raw: RawLog) -> None:
    originator = (
        "00000000000000000000000000000001"
        if raw.sqlite
        else ("00000000-0000-0000-0000-000000000001")
    )
    raw.run(
        f"INSERT INTO {raw.events} (originator_id, originator_version, topic, state)"
        " VALUES (?, 1, ?, ?)",
        (originator, "hoctap.Person.Registered", b'{"forged": true}'),
    )


def swapped_rows(raw: RawLog) -> None:
    third, fourth = raw.state(3), raw.state(4)
    raw.set_state(3, fourth)
    raw.set_state(4, third)


def truncated_log(raw: RawLog) -> None:
    last = raw.count()
    raw.run(f"DELETE FROM {raw.chain} WHERE position > ?", (last - 3,))
    raw.run(f"DELETE FROM {raw.events} WHERE {raw.id} > ?", (last - 3,))
    raw.rebuild_tiles()


def changed_topic(raw: RawLog) -> None:
    """The same bytes filed as another kind of event: the payload is untouched."""
    raw.run(f"UPDATE {raw.events} SET topic = topic || 'x' WHERE {raw.id} = 4")


def changed_originator(raw: RawLog) -> None:
    """The same event moved onto another record."""
    other = "0" * 31 + "2" if raw.sqlite else "00000000-0000-0000-0000-000000000002"
    raw.run(f"UPDATE {raw.events} SET originator_id = ? WHERE {raw.id} = 6", (other,))


def changed_version(raw: RawLog) -> None:
    """The same event renumbered within its record's history."""
    raw.run(f"UPDATE {raw.events} SET originator_version = 1000 WHERE {raw.id} = 8")


def flipped_tile_byte(raw: RawLog) -> None:
    """One bit of a stored Merkle tile (the second leaf's hash): proofs served from it
    would not verify, and nothing in the chain changed."""
    ((hashes,),) = raw.run(f"SELECT hashes FROM {raw.tiles} WHERE level = 0 AND idx = 0")
    flipped = bytearray(hashes)
    flipped[40] ^= 1
    raw.run(f"UPDATE {raw.tiles} SET hashes = ? WHERE level = 0 AND idx = 0", (bytes(flipped),))


def forged_checkpoint(raw: RawLog) -> None:
    raw.run(f"UPDATE {raw.checkpoints} SET root_hash = ?", (bytes(32),))


def rechained_history(raw: RawLog) -> None:
    """Change a payload and recompute the whole chain, as an insider with the code would."""
    modified_payload(raw)
    rows = raw.run(
        f"SELECT c.position, e.originator_id, e.originator_version, e.topic, e.state"
        f" FROM {raw.events} e JOIN {raw.chain} c ON c.notification_id = e.{raw.id}"
        " ORDER BY c.position"
    )
    previous = GENESIS
    for position, originator, version, topic, state in rows:
        previous = chain_hash(
            previous,
            leaf_bytes(
                position,
                str(originator) if not raw.sqlite else _uuid(originator),
                version,
                topic,
                bytes(state),
            ),
        )
        raw.run(f"UPDATE {raw.chain} SET hash = ? WHERE position = ?", (previous, position))
    raw.rebuild_tiles()


def _uuid(hex_id: str) -> str:
    return str(UUID(hex=hex_id))


TAMPERS: dict[str, tuple[Callable[[RawLog], None], str, Callable[[int], int]]] = {
    # name: (how, the kind of problem found, the position it is found at given the log size)
    "modified-payload": (modified_payload, "hash-mismatch", lambda n: 5),
    "deleted-row": (deleted_row, "missing-event", lambda n: 7),
    "inserted-row": (inserted_row, "unchained-event", lambda n: n + 1),
    "swapped-rows": (swapped_rows, "hash-mismatch", lambda n: 3),
    "changed-topic": (changed_topic, "hash-mismatch", lambda n: 4),
    "changed-originator": (changed_originator, "hash-mismatch", lambda n: 6),
    "changed-version": (changed_version, "hash-mismatch", lambda n: 8),
    "truncated-log": (truncated_log, "truncated", lambda n: n - 2),
    "forged-checkpoint": (forged_checkpoint, "forged-checkpoint", lambda n: n),
    "rechained-history": (rechained_history, "root-mismatch", lambda n: n),
    "flipped-tile-byte": (flipped_tile_byte, "tile-mismatch", lambda n: 1),  # tile/0/000
}


def test_an_untouched_log_verifies(world):
    ledger, raw = world
    report = ledger.auditor.verify()
    assert report.ok and report.events == raw.count() > 60 and report.checkpoints == 1


@pytest.mark.parametrize("name", list(TAMPERS))
def test_each_tamper_case_is_detected_at_its_position(world, name: str):
    ledger, raw = world
    size = raw.count()
    tamper, kind, position = TAMPERS[name]
    tamper(raw)
    report = ledger.auditor.verify()
    assert report.problem is not None, name
    assert (report.problem.kind, report.problem.position) == (kind, position(size)), str(
        report.problem
    )
    assert report.problem.expected != report.problem.found


def test_a_flipped_tile_byte_names_the_tile_that_differs(world):
    ledger, raw = world
    flipped_tile_byte(raw)
    problem = ledger.auditor.verify().problem
    events = raw.count()
    first = "tile/0/000" if events >= 256 else f"tile/0/000.p/{events}"  # tile 0 of level 0
    stored = 32 * min(events, 256)
    assert problem is not None and problem.kind == "tile-mismatch"
    assert problem.expected.startswith(f"{first} ")
    assert problem.found.startswith(f"{first} {stored} byte")
