"""``/health`` and ``/metrics`` tell a stalled read model from one that keeps up."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from application.ledger import Ledger
from application.services.records import VIETNAM, FixedClock
from application.settings import Settings
from tests.api.helpers import bootstrap_admin


@pytest.fixture
def stalled(settings: Settings, clock: FixedClock) -> Iterator[tuple[TestClient, Ledger]]:
    """An API whose views nobody folds (its runner is dead), with events waiting."""
    settings = settings.model_copy(
        update={"projections_in_api": False, "health_max_lag_seconds": 30.0}
    )
    ledger = Ledger(settings, clock=clock)
    bootstrap_admin(ledger)  # events the views have not folded
    clock.current = datetime.now(VIETNAM)
    with TestClient(create_app(settings, ledger=ledger)) as client:
        yield client, ledger
    ledger.close()


def test_health_is_ok_while_the_oldest_unfolded_event_is_younger_than_the_threshold(stalled):
    client, _ = stalled
    answer = client.get("/health")
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "ok" and body["max_lag_seconds"] == 30.0
    assert any(p["lag_events"] > 0 for p in body["projections"])
    assert not any(p["stalled"] for p in body["projections"])


def test_health_is_degraded_with_the_lag_of_each_view_when_views_stop_advancing(stalled):
    client, ledger = stalled
    ledger.clock.advance(seconds=31)  # type: ignore[attr-defined]
    answer = client.get("/health")
    # Still 200: the API takes commands; the status and each view say what is wrong
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "degraded"
    behind = [p for p in body["projections"] if p["stalled"]]
    assert behind and all(p["lag_events"] > 0 and p["lag_seconds"] > 30 for p in behind)
    metrics = client.get("/metrics").text
    assert f'hoctap_projection_stalled{{projection="{behind[0]["name"]}"}} 1.0' in metrics


def test_health_is_ok_again_once_the_views_reach_the_log_end(stalled):
    client, ledger = stalled
    ledger.clock.advance(seconds=31)  # type: ignore[attr-defined]
    client.app.state.read_models.catch_up()  # type: ignore[attr-defined]
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert all(p["lag_events"] == 0 for p in body["projections"])


def test_a_view_with_nothing_to_fold_is_never_stalled(stalled):
    client, ledger = stalled
    client.app.state.read_models.catch_up()  # type: ignore[attr-defined]
    ledger.clock.advance(days=2)  # type: ignore[attr-defined]
    assert client.get("/health").json()["status"] == "ok"
