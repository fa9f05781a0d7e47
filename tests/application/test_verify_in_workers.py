"""``verify(parallel=True)`` answers exactly as the check in one process, range after range.

On a SQLite file, a large log is checked a range of notification ids at a time in worker
processes, each range's first row (the seam) here against the range before it. Here a page
is 7 events and a range 2 pages (14 ids), and the thresholds are lowered so the demo log
(about ten pages) goes to two workers; the corpus's tampers fall inside the first range,
and the ones below on the seams. Each report must be the one ``verify`` gives with every
page checked by ``verify_chain`` alone.
"""

from __future__ import annotations

from typing import Any

import pytest

from application.adapters import audit, chain_workers
from application.ledger import Ledger
from tests.application.test_tamper import TAMPERS, RawLog, world

__all__ = ["world"]  # the fixture, from the tamper corpus

RANGE = 14  # ids in a range: 2 pages of 7


@pytest.fixture
def backend() -> str:
    return "sqlite"  # workers read a database file; PostgreSQL is checked in one process


@pytest.fixture
def accepted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Workers on for the demo log; the ends of the ranges whose leaves verify took from a
    worker (joined at their seam)."""
    monkeypatch.setattr(audit, "PAGE", 7)
    monkeypatch.setattr(chain_workers, "RANGE_PAGES", 2)
    monkeypatch.setattr(audit, "worker_count", lambda total: 2)
    joined: list[int] = []
    join_range = audit.join_range

    def noting(checked: Any, previous: bytes, position: int) -> list[bytes] | None:
        leaves = join_range(checked, previous, position)
        if leaves is not None:
            joined.append(checked.position - 1)  # the range's last position
        return leaves

    monkeypatch.setattr(audit, "join_range", noting)
    return joined


def reference(ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> object:
    """The report with every page left to verify_chain, in this process."""
    with monkeypatch.context() as slow:
        slow.setattr(audit, "plain_chain", lambda *_: None)
        return ledger.auditor.verify()


def test_an_untouched_log_is_checked_by_workers_with_the_same_report(world, accepted, monkeypatch):
    ledger, raw = world
    seen: list[tuple[int, int]] = []
    report = ledger.auditor.verify(lambda done, total: seen.append((done, total)), parallel=True)
    assert report == reference(ledger, monkeypatch)
    assert report.ok and report.events == raw.count() > 60
    assert accepted == [*range(RANGE, raw.count(), RANGE), raw.count()]  # every range
    assert seen[-1] == (raw.count(), raw.count())
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


@pytest.mark.parametrize("name", list(TAMPERS))
def test_each_tamper_gets_the_report_of_one_process(world, accepted, monkeypatch, name: str):
    ledger, raw = world
    size = raw.count()
    tamper, kind, position = TAMPERS[name]
    tamper(raw)
    report = ledger.auditor.verify(parallel=True)
    assert report == reference(ledger, monkeypatch)
    assert report.problem is not None
    assert (report.problem.kind, report.problem.position) == (kind, position(size))


def modified(raw: RawLog, rowid: int) -> None:
    raw.set_state(rowid, raw.state(rowid).replace(b"}", b" }", 1))


@pytest.mark.parametrize(
    "rowid",
    [RANGE, RANGE + 1, 2 * RANGE, 2 * RANGE + 1, 3 * RANGE + 1],
    ids=["last of a range", "seam", "last of the second", "second seam", "third seam"],
)
def test_a_payload_changed_at_a_seam_or_beside_it_is_named(world, accepted, monkeypatch, rowid):
    ledger, raw = world
    modified(raw, rowid)
    report = ledger.auditor.verify(parallel=True)
    assert report == reference(ledger, monkeypatch)
    assert report.problem is not None
    assert (report.problem.kind, report.problem.position) == ("hash-mismatch", rowid)
    assert accepted == list(range(RANGE, rowid, RANGE))  # the ranges before, and no other


def test_a_deleted_event_at_a_seam_is_named(world, accepted, monkeypatch):
    ledger, raw = world
    raw.run(f"DELETE FROM {raw.events} WHERE rowid = ?", (RANGE + 1,))
    report = ledger.auditor.verify(parallel=True)
    assert report == reference(ledger, monkeypatch)
    assert report.problem is not None
    assert (report.problem.kind, report.problem.position) == ("missing-event", RANGE + 1)


def test_the_corpus_tampers_of_the_chain_fall_in_the_first_range_checked_by_a_worker():
    assert all(TAMPERS[name][2](0) < RANGE for name in ("modified-payload", "swapped-rows"))


@pytest.mark.parametrize(
    ("cpus", "total", "workers"),
    [(1, 10**6, 0), (2, 10**4, 0), (2, chain_workers.PARALLEL_FROM, 2), (64, 10**6, 4)],
)
def test_workers_come_from_the_cpu_count_and_only_for_a_large_log(
    monkeypatch, cpus, total, workers
):
    monkeypatch.setattr(chain_workers.os, "cpu_count", lambda: cpus)
    assert chain_workers.worker_count(total) == workers


def test_a_range_a_worker_cannot_read_is_checked_here(world, accepted, monkeypatch):
    ledger, _ = world
    recorder = ledger.store.recorder
    source = recorder.chain_source
    monkeypatch.setattr(
        type(recorder),
        "chain_source",
        chain_workers.Source(str(source.path) + ".nowhere", "x", "y"),
    )
    report = ledger.auditor.verify(parallel=True)
    assert report == reference(ledger, monkeypatch) and report.ok
    assert accepted == []
