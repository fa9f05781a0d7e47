"""A connection lost in the middle of a save on PostgreSQL: the client is told what happened.

The fault is injected at the one point a network cut or a terminated backend makes the
outcome unknown: the connection fails as the insert's transaction ends, either after the
server committed (the reply was lost) or before (nothing was written).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, OperationalError, StoredEvent

from application.adapters.chain import ChainedPostgresRecorder
from application.adapters.keyed_requests import Receipt, claimed
from application.ledger import Ledger
from domain.base import CommandContext
from domain.errors import VersionConflict
from domain.glossary import Role
from domain.registry import AdministrativeUnit
from tests.application.test_store import _province
from tests.conftest import PG_URL, make_settings

ADMIN = CommandContext("cli:test", Role.ADMINISTRATOR.value, "test")


class LostReply:
    """Wraps the store's recorder: the next insert is cut off after its COMMIT reached the
    server (``after-commit``: the reply is lost) or just before (``before-commit``: the
    backend is terminated, so the server rolls back)."""

    def __init__(self, recorder: Any) -> None:
        self.real_connection = recorder.datastore.get_connection
        self.real_fetch = recorder._fetch_ids_after_insert_events
        self.armed: str | None = None
        self.cuts = 0
        recorder.datastore.get_connection = self.get_connection
        recorder._fetch_ids_after_insert_events = self.fetch_ids

    def arm(self, when: str) -> None:
        self.armed = when

    @contextmanager
    def get_connection(self) -> Iterator[Any]:
        with self.real_connection() as conn:
            yield conn
        if self.armed == "after-commit":
            self.armed = None
            self.cuts += 1
            raise OperationalError("server closed the connection unexpectedly")

    def fetch_ids(self, curs: Any, *args: Any, **kwargs: Any) -> Any:
        ids = self.real_fetch(curs, *args, **kwargs)
        if self.armed == "before-commit":
            self.armed = None
            self.cuts += 1
            self.cut(curs.connection.info.backend_pid)
        return ids

    def cut(self, pid: int) -> None:
        with psycopg.connect(PG_URL, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


@pytest.fixture
def ledger(pg_schema: str, tmp_path: Path) -> Iterator[Ledger]:
    the_ledger = Ledger(make_settings("postgres", tmp_path, pg_schema))
    yield the_ledger
    the_ledger.close()


def _log(ledger: Ledger) -> list[Any]:
    return list(ledger.store.recorder.select_notifications(start=1, limit=1000))


def test_a_save_whose_commit_reply_was_lost_is_answered_with_its_own_events(ledger: Ledger):
    fault = LostReply(ledger.store.recorder)
    before = len(_log(ledger))
    # When the connection is lost after the server committed the new unit
    fault.arm("after-commit")
    recorded = ledger.registry.establish_unit(ADMIN, **_province("LOST-1"))
    # Then the command succeeds, once, where it really landed
    assert fault.cuts == 1
    log = _log(ledger)
    assert len(log) == before + 1
    assert recorded.position == log[-1].id
    assert (log[-1].originator_id, log[-1].originator_version) == (recorded.id, 1)
    assert ledger.records.get(AdministrativeUnit, recorded.id).code == "LOST-1"


def test_a_save_cut_off_before_its_commit_is_written_once_by_the_retry(ledger: Ledger):
    fault = LostReply(ledger.store.recorder)
    before = len(_log(ledger))
    fault.arm("before-commit")
    recorded = ledger.registry.establish_unit(ADMIN, **_province("LOST-2"))
    assert fault.cuts == 1
    log = _log(ledger)
    assert len(log) == before + 1 and recorded.position == log[-1].id


def test_a_retry_that_meets_someone_elses_event_is_still_a_conflict(ledger: Ledger):
    # Given the connection is lost before the commit, and meanwhile another process
    # records the very same unit (same deterministic id, a different event)
    fault = LostReply(ledger.store.recorder)
    other = Ledger(ledger.settings, initialise=False)
    try:
        real_cut = fault.cut

        def cut_and_race(pid: int) -> None:
            real_cut(pid)
            other.registry.establish_unit(ADMIN, **_province("LOST-3"))

        fault.cut = cut_and_race  # type: ignore[method-assign]
        fault.arm("before-commit")
        # Then the retry is refused as a conflict: that event is not ours
        with pytest.raises(VersionConflict):
            ledger.registry.establish_unit(ADMIN, **_province("LOST-3"))
    finally:
        other.close()
    assert fault.cuts == 1


def test_a_keyed_save_whose_commit_reply_was_lost_meets_its_own_receipt_and_succeeds(
    ledger: Ledger,
):
    fault = LostReply(ledger.store.recorder)
    fault.arm("after-commit")
    with claimed("owner-of-a-lost-reply"):
        recorded = ledger.registry.establish_unit(ADMIN, **_province("LOST-4"))
    assert fault.cuts == 1
    receipt = ledger.keyed_requests.receipts.fence("owner-of-a-lost-reply")
    assert receipt == Receipt(recorded.id, recorded.version, recorded.position or 0)


def test_a_save_is_tried_again_up_to_insert_attempts_times_and_no_more(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
):
    # Given a recorder that tries an insert three times, and a connection that is lost
    # before each of the next ``lost`` inserts reaches the server
    recorder = ledger.store.recorder
    recorder.insert_attempts, recorder.insert_retry_wait = 3, 0.0
    real = ChainedPostgresRecorder._insert_atomically
    lost = [2]

    def insert(self: Any, stored_events: Any, **kwargs: Any) -> Any:
        if lost[0]:
            lost[0] -= 1
            raise OperationalError("server closed the connection unexpectedly")
        return real(self, stored_events, **kwargs)

    monkeypatch.setattr(ChainedPostgresRecorder, "_insert_atomically", insert)
    before = len(_log(ledger))
    # When two attempts are lost, the third one saves the unit, once
    recorded = ledger.registry.establish_unit(ADMIN, **_province("LOST-5"))
    assert lost == [0]
    log = _log(ledger)
    assert len(log) == before + 1 and recorded.position == log[-1].id
    # When three are lost, the save gives up after the third, and nothing is written
    lost[0] = 4
    with pytest.raises(OperationalError):
        ledger.registry.establish_unit(ADMIN, **_province("LOST-6"))
    assert lost == [1]
    assert len(_log(ledger)) == before + 1


def test_an_insert_that_meets_its_own_events_with_no_connection_lost_is_a_conflict(
    ledger: Ledger,
):
    # Given events already in the log
    recorder = ledger.store.recorder
    event = StoredEvent(originator_id=uuid4(), originator_version=1, topic="t:T", state=b"{}")
    recorder.insert_events([event])
    before = len(_log(ledger))
    # When the very same events are inserted again, with no connection lost in between
    # Then it is a conflict: only a retry after a lost connection may take them as its own
    with pytest.raises(IntegrityError):
        recorder.insert_events([event])
    assert len(_log(ledger)) == before
