"""What someone did: every event by actor, role and time range."""

from __future__ import annotations

from datetime import datetime

from projections.activity.projection import ACTIONS, Activity
from projections.engine import Engine, Row


def actions(
    engine: Engine,
    *,
    actor_id: str | None = None,
    actor_role: str | None = None,
    actor_unit_ids: set[str] | None = None,
    record_ids: set[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    after_position: int | None = None,
    limit: int = 100,
) -> list[Row]:
    """``actor_unit_ids``: only actions by accounts of these units (a scoped reader's);
    ``record_ids``: only actions on these records (one case's audit trail)."""
    if (actor_unit_ids is not None and not actor_unit_ids) or record_ids == set():
        return []
    projection = Activity()
    table = engine.qualified(projection, engine.ensure_live(projection), "actions")
    mark = engine.store.mark
    sqlite = engine.store.dialect == "sqlite"
    where: list[str] = []
    params: list[object] = []
    for clause, value in (
        (f"actor_id = {mark}", actor_id),
        (f"actor_role = {mark}", actor_role),
        (f"recorded_at >= {mark}", since.isoformat() if since and sqlite else since),
        (f"recorded_at < {mark}", until.isoformat() if until and sqlite else until),
        (f"position > {mark}", after_position),
    ):
        if value is not None:
            where.append(clause)
            params.append(value)
    if actor_unit_ids is not None:
        where.append(f"actor_unit_id IN ({engine.store.marks(len(actor_unit_ids))})")
        params.extend(sorted(actor_unit_ids))
    if record_ids is not None:
        where.append(f"record_id IN ({engine.store.marks(len(record_ids))})")
        params.extend(sorted(record_ids))
    sql = (
        f"SELECT * FROM {table}"
        + (f" WHERE {' AND '.join(where)}" if where else "")
        + f" ORDER BY position LIMIT {int(limit)}"
    )
    return [ACTIONS.decode(r) for r in engine.store.fetch_all(sql, params)]
