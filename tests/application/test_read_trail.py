"""Recording a read appends to the day's read trail without replaying it, on every backend:
a page costs the same after 300 earlier reads as after none."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest

from application.ledger import Ledger
from application.services.records import FixedClock
from application.settings import Settings
from domain.access import ReadTrail, UserAccount, read_trail_id_for
from domain.base import CommandContext

OFFICER = CommandContext("u-officer", "commune_officer", "test-read-trail")
EARLIER = 300


@pytest.fixture
def ledger(settings: Settings, clock: FixedClock) -> Iterator[Ledger]:
    ledger = Ledger(settings, clock=clock)
    yield ledger
    ledger.close()


class EventReads:
    """Counts the recorder's event reads (calls and rows) while installed on a ledger."""

    def __init__(self, ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        self.rows = 0
        recorder: Any = ledger.store.recorder
        for name in ("select_events", "select_events_of"):
            monkeypatch.setattr(recorder, name, self._counting(getattr(recorder, name)))

    def _counting(self, read: Any) -> Any:
        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            found = read(*args, **kwargs)
            self.rows += sum(map(len, found.values())) if isinstance(found, dict) else len(found)
            return found

        return counted

    def reset(self) -> None:
        self.calls = self.rows = 0


def trail_id(ledger: Ledger) -> Any:
    return read_trail_id_for(OFFICER.actor_id, ledger.records.today())


def viewed(ledger: Ledger) -> list[str]:
    """The record ids of the trail's views, oldest first, as its events say."""
    return [
        e.record_id
        for e in ledger.records.history(trail_id(ledger))
        if isinstance(e, ReadTrail.Viewed)
    ]


def test_one_more_read_after_300_reads_two_rows_and_the_trail_keeps_them_all(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
):
    for n in range(EARLIER):
        ledger.access.record_view(OFFICER, "person", f"p-{n}")
    reads = EventReads(ledger, monkeypatch)

    ledger.access.record_view(OFFICER, "person", "p-last", "tên hiện trên trang")

    assert (reads.calls, reads.rows) == (2, 2)  # its creation and its last event
    reads.reset()
    trail = ledger.records.get(ReadTrail, trail_id(ledger))
    assert reads.rows == EARLIER + 2  # a full load, for contrast: every event
    assert trail.views == EARLIER + 1 and trail.version == EARLIER + 2
    assert viewed(ledger) == [f"p-{n}" for n in range(EARLIER)] + ["p-last"]


def test_the_first_read_of_a_day_starts_the_trail(ledger: Ledger):
    assert ledger.records.tail(ReadTrail, trail_id(ledger)) is None
    ledger.access.record_views(OFFICER, [("person", "p-1"), ("household", "h-1")])
    tail = ledger.records.tail(ReadTrail, trail_id(ledger))
    full = ledger.records.get(ReadTrail, trail_id(ledger))
    assert tail is not None
    assert (tail.user_id, tail.day, tail.version, tail.views) == (
        full.user_id,
        full.day,
        3,
        2,
    )
    assert tail.modified_on == full.modified_on and tail.created_on == full.created_on


def test_two_concurrent_appends_both_land_one_retried(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
):
    ledger.access.record_view(OFFICER, "person", "p-0")
    tail = ledger.records.tail
    calls: list[str] = []

    def interleaved(cls: Any, aggregate_id: Any) -> Any:
        found = tail(cls, aggregate_id)
        calls.append("tail")
        if len(calls) == 1:  # another request of the same user appends after this read
            ledger.access.record_view(OFFICER, "person", "p-other")
        return found

    monkeypatch.setattr(ledger.records, "tail", interleaved)
    ledger.access.record_view(OFFICER, "person", "p-mine")

    assert len(calls) == 3  # mine, the other's, mine again after the conflict
    assert viewed(ledger) == ["p-0", "p-other", "p-mine"]
    assert ledger.records.get(ReadTrail, trail_id(ledger)).version == 4


def test_tail_is_refused_for_an_aggregate_that_is_not_append_only(ledger: Ledger):
    with pytest.raises(TypeError, match="not append_only"):
        ledger.records.tail(UserAccount, uuid4())
