"""Views under load and faults, on SQLite and PostgreSQL (memory cannot cross processes):

- a runner killed with SIGKILL in mid-stream and restarted double-counts nothing and
  misses nothing;
- views folded incrementally while 100,000+ events are written equal a fresh rebuild,
  row for row.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime

import pytest

from application.adapters.read_models import ReadModels
from application.clients.generator import generate
from application.ledger import Ledger
from application.services.records import VIETNAM, FixedClock
from application.settings import Settings
from tests.conftest import PG_URL

LATE_2026 = datetime(2026, 11, 20, 12, 0, tzinfo=VIETNAM)


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def ledger(settings: Settings) -> Iterator[Ledger]:
    the_ledger = Ledger(settings, clock=FixedClock(LATE_2026))
    yield the_ledger
    the_ledger.close()


def runner_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ) | {
        "HOCTAP_VAR_DIR": str(settings.var_dir),
        "HOCTAP_ENVIRONMENT": "test",
        "HOCTAP_MASTER_KEY": settings.master_key.get_secret_value() if settings.master_key else "",
        "HOCTAP_LOOKUP_SECRET": (
            settings.lookup_secret.get_secret_value() if settings.lookup_secret else ""
        ),
    }
    env.pop("HOCTAP_DATABASE_URL", None)
    if settings.backend == "postgres":
        env |= {"HOCTAP_DATABASE_URL": PG_URL, "HOCTAP_DATABASE_SCHEMA": settings.database_schema}
    return env


def test_a_runner_killed_mid_stream_resumes_without_double_counting(
    ledger: Ledger, settings: Settings
):
    generate(ledger, scale=1500)
    models = ReadModels(settings, ledger.store)
    models.initialise()
    last = models.engine.source.max_position()
    runner = subprocess.Popen(
        [sys.executable, "-m", "cli", "projections", "run", "--page-size", "25"],
        env=runner_env(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        killed_at = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and runner.poll() is None:
            positions = [models.engine._live_position(n) for n in models.engine.projections]
            if any(0 < p < last for p in positions) and sum(positions) > last:
                runner.send_signal(signal.SIGKILL)
                killed_at = positions
                break
            time.sleep(0.02)
        runner.wait(timeout=30)
        assert killed_at is not None, f"runner never got mid-stream: {runner.stderr.read()!r}"
        assert runner.returncode == -signal.SIGKILL
        assert any(p < last for p in killed_at)

        models.catch_up()  # restart: resume from the stored positions
        for projection in models.engine.projections.values():
            assert models.engine._live_position(projection.name) == last
            assert models.engine.check(projection) == [], projection.name
    finally:
        if runner.poll() is None:
            runner.kill()
        models.close()


def test_views_folded_while_100k_events_are_written_equal_a_fresh_rebuild(
    ledger: Ledger, settings: Settings
):
    models = ReadModels(settings, ledger.store)
    models.initialise()
    models.engine.page_size = 2000
    done = threading.Event()
    failures: list[BaseException] = []

    def fold_while_writing() -> None:
        try:
            while not done.is_set():
                models.catch_up()
                time.sleep(0.05)
        except BaseException as error:  # reported below
            failures.append(error)

    folding = threading.Thread(target=fold_while_writing)
    folding.start()
    try:
        summary = generate(ledger, scale=9000)
    finally:
        done.set()
        folding.join(timeout=120)
    assert failures == []
    assert summary.events >= 100_000
    models.catch_up()
    try:
        for projection in models.engine.projections.values():
            differences = models.engine.check(projection)
            assert differences == [], (projection.name, differences[:3])
    finally:
        models.close()
