"""Each event is folded exactly once: a failed page writes nothing, racing runners never
double-count, and a runner resumes where it stopped."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from application.adapters.read_models import ReadModels, StoreEventSource, open_view_store
from application.clients.demo import load_demo
from application.ledger import Ledger
from application.services.records import FixedClock
from application.settings import Settings
from projections.engine import ConcurrentRunner, Engine, Envelope, Rows
from projections.statistics import Statistics


@pytest.fixture
def demo(settings: Settings, clock: FixedClock) -> Iterator[tuple[Ledger, ReadModels]]:
    clock.current = clock.current.replace(month=11, day=20)  # after the demo's decisions
    ledger = Ledger(settings, clock=clock)
    load_demo(ledger)
    models = ReadModels(settings, ledger.store)
    models.initialise()
    yield ledger, models
    models.close()
    ledger.close()


class FailsOnce(Statistics):
    """The statistics fold, failing once on the n-th event it sees."""

    def __init__(self, fail_at: int) -> None:
        self.fail_at, self.seen = fail_at, 0

    def apply(self, envelope: Envelope, rows: Rows) -> None:
        self.seen += 1
        if self.seen == self.fail_at:
            raise RuntimeError("crash in the middle of a page")
        super().apply(envelope, rows)


def counts(engine: Engine) -> dict[str, tuple[int, int, int]]:
    projection = engine.projections["statistics"]
    live = engine.ensure_live(projection)
    return {
        key: (row["registered"], row["assessed"], row["recognised"])
        for key, row in engine.rows(projection, live, "counts").items()
    }


def test_a_page_that_fails_halfway_writes_nothing_and_the_next_run_resumes(demo):
    _, models = demo
    engine = models.engine
    failing = FailsOnce(fail_at=6)
    generation = engine.ensure_live(failing)
    engine.page_size = 4
    with pytest.raises(RuntimeError):
        engine.catch_up(failing)
    stopped_at = engine.position("statistics", generation)
    assert 0 < stopped_at < engine.source.max_position()
    engine.catch_up(failing)  # the same projection, now past its fault
    assert engine.position("statistics", generation) == engine.source.max_position()
    assert engine.check(engine.projections["statistics"]) == []
    assert counts(engine)  # something was counted, once


def test_two_runners_racing_on_the_same_views_never_double_count(demo, settings: Settings):
    ledger, models = demo
    engines = [models.engine]
    other_store = open_view_store(settings) if settings.backend != "memory" else models.views
    engines.append(
        Engine(
            other_store, StoreEventSource(ledger.store), {"statistics": Statistics()}, page_size=3
        )
    )
    models.engine.page_size = 3
    errors: list[BaseException] = []

    def race(engine: Engine) -> None:
        projection = engine.projections["statistics"]
        try:
            while engine.position("statistics", engine.ensure_live(projection)) < (
                engine.source.max_position()
            ):
                try:
                    engine.catch_up(projection)
                except ConcurrentRunner:
                    continue
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=race, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if other_store is not models.views:
        other_store.close()
    assert errors == []
    assert models.engine.check(models.engine.projections["statistics"]) == []
    total = sum(c[0] for c in counts(models.engine).values())
    assert total == 5  # the demo's five granted cases, each counted once


def test_views_survive_a_restart_of_their_process(demo, settings: Settings, tmp_path: Path):
    ledger, models = demo
    models.catch_up()
    before = counts(models.engine)
    models.close()
    again = ReadModels(settings, ledger.store)
    if settings.backend == "memory":  # an in-memory view store dies with its process
        again.initialise()
        again.catch_up()
    else:
        again.initialise()
        assert again.catch_up() == 0  # nothing to fold twice
    assert counts(again.engine) == before
    again.close()
