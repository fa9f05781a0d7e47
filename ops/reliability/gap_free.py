"""Check 1 — gap-free order: concurrent writers, some holding their transaction open, while
the projection runner folds; every view must end up with every event exactly once.

Writers are separate OS processes appending to one PostgreSQL schema through the ledger.
The slow ones sleep on the server *inside* each insert transaction, after their notification
ids were drawn and before COMMIT (``workload.hold_lock_after_insert``): if commit order could
differ from id order, a reader tailing the log would pass over an id that commits later.
Meanwhile ``hoctap projections run`` folds in its own process (small pages, so it folds many
times during the run) and this process tails the log the way the engine does ("after the
last id seen") and records every id it saw.

Verdicts: notification ids and chain positions are 1..N with no gap; the tailer saw every id
once and in order; each view's position is N; the activity view has exactly one row per
event and the statistics counters equal the number of cases and persons written (a double
fold would double them); ``hoctap projections check`` finds zero differing rows for every
view; ``hoctap verify`` passes.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from dataclasses import dataclass
from typing import Any

from application.adapters.audit import chained_events
from application.adapters.read_models import ReadModels
from application.ledger import Ledger
from application.settings import Settings
from ops.reliability.common import Report, Runner, Scratch, check_every_view, hoctap, summary
from ops.reliability.workload import EVENTS_PER_CASE, World, hold_lock_after_insert, prepare
from ops.reliability.workload import write_case as write_one_case


@dataclass(frozen=True)
class Params:
    writers: int = 8
    slow_writers: int = 3
    cases_per_writer: int = 30
    #: Seconds each slow writer keeps its insert transaction (and the table lock) open.
    hold_seconds: float = 0.1
    #: Events per runner transaction: small, so the runner folds often while writers run.
    runner_page_size: int = 20


def _writer(
    settings: Settings,
    world: World,
    tag: int,
    count: int,
    hold: float,
    barrier: Any,
    results: Any,
) -> None:  # runs in a child process
    """Write ``count`` units of work once every writer is ready; report how it went."""
    barrier.wait()
    started = time.monotonic()
    try:
        ledger = Ledger(settings, initialise=False)
        if hold > 0:
            hold_lock_after_insert(ledger.store.recorder, hold)
        for n in range(count):
            write_one_case(ledger, world, tag, n)
        ledger.close()
        results.put((tag, "ok", count, time.monotonic() - started))
    except Exception as exc:  # reported to the parent, which fails the check
        results.put((tag, f"{type(exc).__name__}: {exc}", 0, time.monotonic() - started))


def run_writers(
    settings: Settings, world: World, params: Params, timeout: float = 240
) -> list[tuple[int, str, int, float]]:
    """Start every writer at once (spawned processes); their reports by tag."""
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(params.writers), ctx.Queue()
    workers = [
        ctx.Process(
            target=_writer,
            args=(
                settings,
                world,
                tag,
                params.cases_per_writer,
                params.hold_seconds if tag < params.slow_writers else 0.0,
                barrier,
                results,
            ),
        )
        for tag in range(params.writers)
    ]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + timeout
    for worker in workers:
        worker.join(timeout=max(1.0, deadline - time.monotonic()))
        if worker.is_alive():
            worker.kill()
    reports = []
    for _ in workers:
        try:
            reports.append(results.get(timeout=5))
        except Exception:
            reports.append((-1, "no report (killed or timed out)", 0, 0.0))
    return sorted(reports)


class Tailer(threading.Thread):
    """Reads the log as the projection engine does, recording every id in the order seen."""

    def __init__(self, ledger: Ledger) -> None:
        super().__init__(name="tailer", daemon=True)
        self.recorder = ledger.store.recorder
        self.seen: list[int] = []
        self.done = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        after = 0
        try:
            while True:
                items = self.recorder.select_notifications(
                    start=after, limit=200, inclusive_of_start=False
                )
                self.seen.extend(n.id for n in items)
                if items:
                    after = items[-1].id
                elif self.done.is_set():
                    return
                else:
                    time.sleep(0.005)
        except BaseException as error:  # reported by the check
            self.error = error


def run(scratch: Scratch, params: Params) -> Report:
    report = Report("Gap-free order under concurrent and slow writers (PostgreSQL)")
    settings = scratch.settings
    ledger = Ledger(settings)  # creates the tables once, as `hoctap db init` does
    models = ReadModels(settings, ledger.store)
    runner: Runner | None = None
    try:
        world = prepare(ledger)
        models.initialise()
        before = ledger.store.recorder.max_notification_id() or 0
        runner = Runner(scratch, page_size=params.runner_page_size)
        tailer = Tailer(ledger)
        tailer.start()
        started = time.monotonic()
        reports = run_writers(settings, world, params)
        elapsed = time.monotonic() - started
        tailer.done.set()
        tailer.join(timeout=60)
        failed = [r for r in reports if r[1] != "ok"]
        written = sum(r[2] for r in reports)
        report.expect(
            f"{params.writers} writer processes ({params.slow_writers} holding the lock "
            f"{params.hold_seconds} s per save) all finished",
            not failed,
            f"{written} cases in {elapsed:.1f} s" if not failed else str(failed[:3]),
        )
        slow = [r[3] for r in reports if r[0] < params.slow_writers]
        fast = [r[3] for r in reports if r[0] >= params.slow_writers]
        if slow and fast:
            report.note(
                f"slow writers took {min(slow):.1f}-{max(slow):.1f} s, others "
                f"{min(fast):.1f}-{max(fast):.1f} s"
            )
        _check_log(report, ledger, tailer, before + written * EVENTS_PER_CASE)
        _check_views(report, scratch, models, runner, written)
    finally:
        if runner is not None:
            runner.stop()
        models.close()
        ledger.close()
    return report


def _check_log(report: Report, ledger: Ledger, tailer: Tailer, expected: int) -> None:
    ids = [n.id for n in _all_notifications(ledger)]
    report.expect(
        "notification ids are 1..N with no gap",
        ids == list(range(1, len(ids) + 1)) and len(ids) == expected,
        f"N = {len(ids)} (expected {expected})",
    )
    positions = [(r.position, r.notification_id) for r in chained_events(ledger.store)]
    report.expect(
        "every event has its chain row; chain positions are 1..N",
        [p for p, _ in positions] == list(range(1, len(ids) + 1))
        and [n for _, n in positions] == ids,
        f"{len(positions)} chain rows",
    )
    seen = tailer.seen
    report.expect(
        "a reader tailing the log during the writes saw every id once, in order",
        tailer.error is None and seen == ids,
        f"saw {len(seen)} ids, {len(set(ids) - set(seen))} missed, "
        f"{len(seen) - len(set(seen))} twice"
        + (f", error {tailer.error!r}" if tailer.error else ""),
    )


def _all_notifications(ledger: Ledger) -> list[Any]:
    out: list[Any] = []
    after = 0
    while items := ledger.store.recorder.select_notifications(
        start=after, limit=5000, inclusive_of_start=False
    ):
        out.extend(items)
        after = items[-1].id
    return out


def wait_for_views(models: ReadModels, position: int, timeout: float) -> bool:
    """True once every live view has folded ``position`` (the runner does the folding)."""
    return models.engine.wait_for(position, timeout)


def _check_views(
    report: Report, scratch: Scratch, models: ReadModels, runner: Runner, cases: int
) -> None:
    engine = models.engine
    last = engine.source.max_position()
    caught_up = wait_for_views(models, last, timeout=120)
    positions = {name: engine._live_position(name) for name in engine.projections}
    report.expect(
        "the runner (its own process) brought every view to the log's end",
        caught_up and runner.popen.poll() is None,
        f"log at {last}; views at {sorted(set(positions.values()))}"
        + ("" if runner.popen.poll() is None else f"; runner died:\n{runner.tail()}"),
    )
    runner.stop()  # the checks below rebuild and compare; nothing folds behind their back
    activity = engine.projections["activity"]
    rows = engine.rows(activity, engine.ensure_live(activity), "actions")
    report.expect(
        "activity: exactly one row per event",
        sorted(int(k) for k in rows) == list(range(1, last + 1)),
        f"{len(rows)} rows for {last} events",
    )
    statistics = engine.projections["statistics"]
    live = engine.ensure_live(statistics)
    registered = sum(r["registered"] or 0 for r in engine.rows(statistics, live, "counts").values())
    subjects = sum(r["subjects"] or 0 for r in engine.rows(statistics, live, "subjects").values())
    report.expect(
        "statistics: each case and each person counted exactly once",
        registered == cases and subjects == cases,
        f"registered {registered}, subjects {subjects}, written {cases}",
    )
    standings = engine.projections["standings"]
    count = len(engine.rows(standings, engine.ensure_live(standings), "cases"))
    report.expect("standings: one row per case", count == cases, f"{count} rows")
    check_every_view(report, scratch, list(engine.projections))
    verified = hoctap(scratch, "verify")
    report.expect("hoctap verify", verified.returncode == 0, summary(verified))
