"""Which complaints are overdue, and which are due soon."""

from __future__ import annotations

from datetime import date, timedelta

from projections.complaints.projection import COMPLAINTS, Complaints
from projections.engine import Engine, Row


def due(
    engine: Engine,
    today: date,
    within_days: int,
    *,
    status: str | None = None,
    unit_ids: set[str] | None = None,
    limit: int = 500,
) -> list[Row]:
    """Open complaints whose next deadline falls by ``today + within_days`` (overdue first),
    in ``unit_ids`` when given (a scoped reader's units)."""
    projection = Complaints()
    table = engine.qualified(projection, engine.ensure_live(projection), "complaints")
    mark = engine.store.mark
    until = today + timedelta(days=within_days)
    where = ["next_deadline IS NOT NULL", f"next_deadline <= {mark}"]
    params: list[object] = [until.isoformat() if engine.store.dialect == "sqlite" else until]
    if status is not None:
        where.append(f"status = {mark}")
        params.append(status)
    if unit_ids is not None:
        if not unit_ids:
            return []
        where.append(f"unit_id IN ({engine.store.marks(len(unit_ids))})")
        params.extend(sorted(unit_ids))
    sql = (
        f"SELECT * FROM {table} WHERE {' AND '.join(where)}"
        f" ORDER BY next_deadline, complaint_id LIMIT {int(limit)}"
    )
    return [COMPLAINTS.decode(r) for r in engine.store.fetch_all(sql, params)]


def listed(
    engine: Engine,
    *,
    unit_ids: set[str] | None = None,
    limit: int = 200,
) -> list[Row]:
    """Every complaint in ``unit_ids`` (all when None), open or closed, newest received first."""
    projection = Complaints()
    table = engine.qualified(projection, engine.ensure_live(projection), "complaints")
    where = ["1 = 1"]
    params: list[object] = []
    if unit_ids is not None:
        if not unit_ids:
            return []
        where.append(f"unit_id IN ({engine.store.marks(len(unit_ids))})")
        params.extend(sorted(unit_ids))
    sql = (
        f"SELECT * FROM {table} WHERE {' AND '.join(where)}"
        f" ORDER BY received_on DESC, complaint_id LIMIT {int(limit)}"
    )
    return [COMPLAINTS.decode(r) for r in engine.store.fetch_all(sql, params)]


def naming(engine: Engine, case_id: str) -> list[str]:
    """The ids of every complaint that names ``case_id`` (one scan of the complaints view,
    which is small beside the log)."""
    projection = Complaints()
    table = engine.qualified(projection, engine.ensure_live(projection), "complaints")
    rows = engine.store.fetch_all(
        f"SELECT complaint_id, case_ids FROM {table} WHERE case_ids LIKE {engine.store.mark}",
        [f"%{case_id}%"],
    )
    return [r["complaint_id"] for r in rows if case_id in COMPLAINTS.decode(r)["case_ids"]]
