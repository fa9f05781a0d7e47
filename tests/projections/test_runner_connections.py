"""The projection runner outlives the loss of every connection it holds (PostgreSQL).

Every connection of the test's ledger and runner carries an application name of its own
(``PGAPPNAME``, read by libpq), so cutting "all of them" cuts only this test's, never those
of other test runs sharing the server.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from application.adapters.read_models import ReadModels
from application.ledger import Ledger
from tests.application.test_store import ADMIN, _province
from tests.conftest import PG_URL, make_settings


def cut_every_connection(application_name: str) -> int:
    """``pg_terminate_backend`` of every backend with this application name (a restart, as
    far as these processes can tell); how many there were."""
    with psycopg.connect(PG_URL, autocommit=True, application_name="hoctap-test-admin") as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND application_name = %s"
            " AND pid <> pg_backend_pid()",
            (application_name,),
        ).fetchall()
    return len(rows)


@pytest.fixture
def running(
    pg_schema: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Ledger, ReadModels, threading.Thread, str]]:
    name = f"hoctap-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("PGAPPNAME", name)
    settings = make_settings("postgres", tmp_path, pg_schema).model_copy(
        update={"pg_check_idle_seconds": 0.0}
    )
    ledger = Ledger(settings)
    models = ReadModels(settings, ledger.store)
    models.initialise()
    thread = threading.Thread(target=models.run, kwargs={"poll_seconds": 0.1}, daemon=True)
    thread.start()
    yield ledger, models, thread, name
    models.close()
    thread.join(timeout=15)
    ledger.close()


def _reaches(models: ReadModels, position: int, timeout: float = 30) -> bool:
    return models.engine.wait_for(position, timeout)


def test_the_runner_keeps_folding_after_every_connection_it_holds_is_cut(running):
    ledger, models, thread, name = running
    first = ledger.registry.establish_unit(ADMIN, **_province("RUN-1"))
    assert _reaches(models, first.position or 0)
    for round_ in range(3):
        # When every backend of this ledger and runner is terminated (LISTEN, folds, store)
        assert cut_every_connection(name) >= 2
        time.sleep(0.3)
        written = ledger.registry.establish_unit(ADMIN, **_province(f"RUN-CUT-{round_}"))
        # Then the runner is still alive and folds the new event
        assert thread.is_alive()
        assert _reaches(models, written.position or 0), f"round {round_}"
    assert all(models.engine.check(p) == [] for p in models.engine.projections.values())
