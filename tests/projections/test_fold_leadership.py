"""One process at a time folds a store's views (application/adapters/leadership.py).

Given another process holding the store's fold lock, this process's loop does not fold on
its own account; when one of its readers waits for a position it folds anyway
(read-your-writes is never left to the other process); once the lock is given up, the loop
takes it and folds what follows. On SQLite the other process is a real one (POSIX locks are
per process); on PostgreSQL another session holding the advisory lock is enough.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator

import psycopg
import pytest

from application.adapters.backends import backend_for
from application.adapters.leadership import AdvisoryLock, FileLock
from application.adapters.read_models import ReadModels
from application.ledger import Ledger
from application.settings import Settings
from tests.application.test_store import ADMIN, _province
from tests.conftest import PG_URL

HOLD_FILE_LOCK = """
import fcntl, sys, time
with open(sys.argv[1], "ab") as f:
    fcntl.lockf(f, fcntl.LOCK_EX)
    print("held", flush=True)
    sys.stdin.readline()
"""


@pytest.fixture
def other_process(settings: Settings) -> Iterator[Callable[[], None]]:
    """Another process holding the store's fold lock; calling the result gives it up."""
    leadership = backend_for(settings).leadership()
    if isinstance(leadership, FileLock):
        leadership.path.parent.mkdir(parents=True, exist_ok=True)
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLD_FILE_LOCK, str(leadership.path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"

        def give_up() -> None:
            if holder.poll() is None:
                holder.communicate("\n", timeout=10)

        yield give_up
        give_up()
        return
    assert isinstance(leadership, AdvisoryLock)
    session = psycopg.connect(PG_URL, autocommit=True)
    assert session.execute("SELECT pg_try_advisory_lock(%s)", (leadership.number,)).fetchone()
    yield session.close
    session.close()


@pytest.fixture
def loop(settings: Settings) -> Iterator[tuple[Ledger, ReadModels, threading.Thread]]:
    ledger = Ledger(settings)
    models = ReadModels(settings, ledger.store)
    models.initialise()
    thread = threading.Thread(target=models.run, kwargs={"poll_seconds": 0.05}, daemon=True)
    yield ledger, models, thread
    models.close()
    thread.join(timeout=15)
    ledger.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_loop_folds_only_while_its_process_leads_or_a_reader_waits(other_process, loop):
    ledger, models, thread = loop
    thread.start()
    # Given another process leading, when a command is saved here
    first = ledger.registry.establish_unit(ADMIN, **_province("LEAD-1")).position or 0
    models.nudge()
    # Then this loop leaves it to the leader
    assert not models.engine.wait_for(first, 1.0)
    # When a reader of this process waits for it, then it is folded here and now
    models.require(first, timeout=20)
    assert models.engine.wait_for(first, 0)
    # When the other process gives the lock up, the loop takes it and folds what follows
    other_process()
    later = ledger.registry.establish_unit(ADMIN, **_province("LEAD-2")).position or 0
    deadline = time.monotonic() + 20
    while not models.engine.wait_for(later, 0.2) and time.monotonic() < deadline:
        pass
    assert models.engine.wait_for(later, 0)
    assert all(models.engine.check(p) == [] for p in models.engine.projections.values())


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_two_loops_of_one_process_both_lead(backend: str, settings: Settings):
    """Several ledgers of one process on one store (tests, many provinces in one
    deployment): the lock is the process's, so each of its loops folds."""
    first, second = backend_for(settings).leadership(), backend_for(settings).leadership()
    listeners = [
        psycopg.connect(PG_URL, autocommit=True) if backend == "postgres" else None
        for _ in range(2)
    ]
    try:
        assert first.holds(listeners[0]) and second.holds(listeners[1])
        first.release()
        assert second.holds(listeners[1])  # it takes the lock itself once the first lets go
    finally:
        second.release()
        for listener in listeners:
            if listener is not None:
                listener.close()
