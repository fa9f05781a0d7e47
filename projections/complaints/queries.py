"""Which complaints are overdue, and which are due soon; both lists a page at a time.

A page ends with a cursor naming its last row by its sort key (a day and the complaint id),
so the next page starts just after that row however many complaints arrive meanwhile.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date, timedelta

from projections.complaints.projection import COMPLAINTS, Complaints
from projections.engine import Engine, Row


@dataclass(frozen=True)
class Page:
    items: list[Row]
    next_cursor: str | None


def _cursor(day: date, complaint_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([day.isoformat(), complaint_id]).encode()).decode()


def _uncursor(cursor: str) -> tuple[date, str]:
    """The (day, complaint id) a cursor names; ValueError if it names none."""
    try:
        day, complaint_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if not isinstance(complaint_id, str) or len(complaint_id) > 64:
            raise ValueError(complaint_id)
        return date.fromisoformat(day), complaint_id
    except (ValueError, TypeError) as error:
        raise ValueError("cursor không hợp lệ") from error


def _paged(engine: Engine, sql: str, params: list[object], limit: int, column: str) -> Page:
    raw = engine.store.fetch_all(f"{sql} LIMIT {int(limit) + 1}", params)
    rows = [COMPLAINTS.decode(r) for r in raw[:limit]]
    more = len(raw) > limit and rows
    next_cursor = _cursor(rows[-1][column], rows[-1]["complaint_id"]) if more else None
    return Page(rows, next_cursor)


def due(
    engine: Engine,
    today: date,
    within_days: int,
    *,
    status: str | None = None,
    unit_ids: set[str] | None = None,
    cursor: str | None = None,
    limit: int = 500,
) -> Page:
    """Open complaints whose next deadline falls by ``today + within_days`` (overdue first),
    in ``unit_ids`` when given (a scoped reader's units), from just after ``cursor``."""
    projection = Complaints()
    table = engine.qualified(projection, engine.ensure_live(projection), "complaints")
    mark = engine.store.mark
    until = today + timedelta(days=within_days)
    where = ["next_deadline IS NOT NULL", f"next_deadline <= {mark}"]
    params: list[object] = [_day(engine, until)]
    if status is not None:
        where.append(f"status = {mark}")
        params.append(status)
    if unit_ids is not None:
        if not unit_ids:
            return Page([], None)
        where.append(f"unit_id IN ({engine.store.marks(len(unit_ids))})")
        params.extend(sorted(unit_ids))
    if cursor:
        day, complaint_id = _uncursor(cursor)
        where.append(
            f"(next_deadline > {mark} OR (next_deadline = {mark} AND complaint_id > {mark}))"
        )
        params.extend([_day(engine, day), _day(engine, day), complaint_id])
    sql = f"SELECT * FROM {table} WHERE {' AND '.join(where)} ORDER BY next_deadline, complaint_id"
    return _paged(engine, sql, params, limit, "next_deadline")


def listed(
    engine: Engine,
    *,
    unit_ids: set[str] | None = None,
    cursor: str | None = None,
    limit: int = 200,
) -> Page:
    """Every complaint in ``unit_ids`` (all when None), open or closed, newest received first,
    from just after ``cursor``."""
    projection = Complaints()
    table = engine.qualified(projection, engine.ensure_live(projection), "complaints")
    mark = engine.store.mark
    where = ["1 = 1"]
    params: list[object] = []
    if unit_ids is not None:
        if not unit_ids:
            return Page([], None)
        where.append(f"unit_id IN ({engine.store.marks(len(unit_ids))})")
        params.extend(sorted(unit_ids))
    if cursor:
        day, complaint_id = _uncursor(cursor)
        where.append(f"(received_on < {mark} OR (received_on = {mark} AND complaint_id > {mark}))")
        params.extend([_day(engine, day), _day(engine, day), complaint_id])
    sql = (
        f"SELECT * FROM {table} WHERE {' AND '.join(where)} ORDER BY received_on DESC, complaint_id"
    )
    return _paged(engine, sql, params, limit, "received_on")


def _day(engine: Engine, day: date) -> object:
    """A day as the backend stores it (SQLite: ISO text; PostgreSQL: a date)."""
    return day.isoformat() if engine.store.dialect == "sqlite" else day


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
