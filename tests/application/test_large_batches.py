"""One very large batch saved on PostgreSQL: it lands whole, and does not hang.

``hoctap demo generate --scale 20000`` hung in the pipelined insert once one batch's INSERT
passed about 5 MB (application/adapters/pipelines.py explains why). The save runs in a
thread with a deadline, so a hang fails the test instead of the CI run; the backend left
waiting is then terminated so that the schema can be dropped.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import psycopg
import pytest

from application.clients.generator.batches import Batches
from application.ledger import Ledger
from domain.base import CommandContext, acting
from domain.glossary import Role, UnitLevel
from domain.registry import AdministrativeUnit
from tests.conftest import PG_URL, make_settings

SYSTEM = CommandContext("system:generator", Role.ADMINISTRATOR.value, "test")
EVENTS = 50_000
DEADLINE = 180  # seconds; the save takes a few on a laptop


@pytest.fixture
def ledger(pg_schema: str, tmp_path: Path) -> Iterator[Ledger]:
    the_ledger = Ledger(make_settings("postgres", tmp_path, pg_schema))
    yield the_ledger
    the_ledger.close()


def _units(count: int) -> list[AdministrativeUnit]:
    """Units whose Established event is stored in about 1 KB (a long, random legal basis)."""
    with acting(SYSTEM):
        return [
            AdministrativeUnit.establish(
                code=f"BIG{n}",
                name="Tỉnh",
                level=UnitLevel.PROVINCE,
                unit_type="tinh",
                parent=None,
                valid_from=date(2020, 1, 1),
                legal_basis=secrets.token_hex(300),
            )
            for n in range(count)
        ]


def _unblock(ledger: Ledger, schema: str) -> None:
    """End the hung save: no retry, and every backend holding a lock in ``schema`` killed."""
    ledger.store.recorder.insert_attempts = 1  # type: ignore[attr-defined]
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(l.pid) FROM pg_locks l"
            " JOIN pg_class c ON c.oid = l.relation"
            " JOIN pg_namespace s ON s.oid = c.relnamespace"
            " WHERE s.nspname = %s AND l.pid <> pg_backend_pid()",
            (schema,),
        )


def test_one_batch_of_50_000_events_of_1_kb_is_saved_whole(ledger: Ledger, pg_schema: str):
    units = _units(EVENTS)
    states = {
        u.id: ledger.store.mapper.to_stored_event(e).state for u in units for e in u.pending_events
    }
    assert len(states) == EVENTS and sum(map(len, states.values())) >= 40_000_000
    # When the generator saves them as one batch (its own code path, one transaction)
    batches = Batches(ledger, len(units), None, size=len(units) + 1)
    batches.add(*units)
    failure: list[BaseException] = []

    def save() -> None:
        try:
            batches.flush()
        except BaseException as exc:  # reported to the test below
            failure.append(exc)

    saving = threading.Thread(target=save, daemon=True)
    saving.start()
    saving.join(DEADLINE)
    if saving.is_alive():
        _unblock(ledger, pg_schema)
        saving.join(30)
        pytest.fail(f"saving {EVENTS} events in one batch hung for {DEADLINE} s")
    assert not failure, failure
    # Then every event reads back as written, each with its chain row
    found = ledger.store.recorder.select_events_of(list(states))  # type: ignore[attr-defined]
    assert {i: [e.state for e in events] for i, events in found.items()} == {
        i: [state] for i, state in states.items()
    }
    assert ledger.store.recorder.max_notification_id() == EVENTS
    assert ledger.store.recorder.chained_notification_id(EVENTS) == EVENTS  # type: ignore[attr-defined]
