"""The floor for a command over HTTP: the plain eventsourcing library behind a minimal FastAPI
endpoint, served by the same launcher as the API in ops/bench/write.py.

Per request it loads one aggregate (its 4 to 9 stored events, as a case under revision has),
triggers one event and saves it: no authentication, no scope, no If-Match, no idempotency
key, no hash chain, no views. Its aggregates live in the same database as the ledger's (own
tables, ``minimalfloor_events``), so both layers write to the same server and disk.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from fastapi import FastAPI, Response
from pydantic import BaseModel, Field

from application.adapters.backends import backend_for
from application.settings import Settings

#: Events a floor aggregate has before timing: created and three changes (a reviewed case
#: has four stored events: opened, evidenced, self-assessed, reviewed).
EVENTS_BEFORE = 4


class Scored(Aggregate):
    """An aggregate with one score per indicator, changed by ``revise``."""

    def __init__(self) -> None:
        self.scores: dict[str, str] = {}

    @event("Revised")
    def revise(self, indicator: str, score: str, reason: str) -> None:
        self.scores[indicator] = score


class MinimalFloor(Application[UUID]):
    """The library's own application with its defaults (snapshots off)."""


class Revision(BaseModel):
    indicator: str = Field(description="Indicator code", examples=["1"])
    score: Decimal = Field(description="New score", examples=["8"])
    reason: str = Field(description="Why", examples=["Đối chiếu lại"])


def library_env(settings: Settings, *, create: bool) -> dict[str, str]:
    """The ledger's own persistence settings (same database, schema, pool and lock timeout)
    without its chained recorder; on SQLite a file of its own beside the ledger's."""
    env = backend_for(settings).store_env(create_tables=create)
    env.pop("APPLICATION_RECORDER_TOPIC", None)
    if "SQLITE_DBNAME" in env:
        env["SQLITE_DBNAME"] = str(Path(settings.var_dir) / "minimal-floor.sqlite")
    return env


def set_up(app: MinimalFloor, count: int) -> list[UUID]:
    """``count`` aggregates with EVENTS_BEFORE stored events each."""
    ids = []
    for _ in range(count):
        aggregate = Scored()
        for k in range(EVENTS_BEFORE - 1):
            aggregate.revise("1", str(8 + k % 2), "chuẩn bị")
        app.save(aggregate)
        ids.append(aggregate.id)
    return ids


def create_minimal_app() -> FastAPI:
    """``uvicorn --factory`` entry: the floor endpoint on the store HOCTAP_* configures."""
    floor = MinimalFloor(env=library_env(Settings(), create=False))
    api = FastAPI()

    @api.post("/minimal/{aggregate_id}", summary="Revise one score (benchmark floor)")
    def revise(aggregate_id: UUID, body: Revision, response: Response) -> dict[str, int]:
        aggregate: Scored = floor.repository.get(aggregate_id)
        aggregate.revise(body.indicator, str(body.score), body.reason)
        floor.save(aggregate)
        response.headers["ETag"] = f'"{aggregate.version}"'
        return {"version": aggregate.version}

    @api.get("/health", summary="Ready")
    def health() -> dict[str, list[object]]:
        return {"projections": []}

    return api
