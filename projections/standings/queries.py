"""Questions the standings answer: filtered, sorted, cursor-paginated lists of cases."""

from __future__ import annotations

import base64
import json
from collections.abc import Generator
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from typing import Any

from projections.engine import Engine, Row
from projections.standings.projection import CASES, Standings

SORTABLE = {"updated_at", "opened_on", "total", "cycle_year"}


@dataclass(frozen=True)
class Page:
    items: list[Row]
    next_cursor: str | None


def _cursor(value: Any, key: str) -> str:
    raw = json.dumps([str(value) if value is not None else None, key]).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _uncursor(cursor: str) -> tuple[str | None, str]:
    try:
        value, key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError) as exc:
        raise ValueError("cursor không hợp lệ") from exc
    return value, str(key)


def list_cases(
    engine: Engine,
    *,
    unit_ids: set[str] | None = None,
    model: str | None = None,
    cycle_year: int | None = None,
    status: str | None = None,
    statuses: set[str] | None = None,
    classification: str | None = None,
    subject_id: str | None = None,
    subject_ids: set[str] | None = None,
    sort: str = "updated_at",
    descending: bool = True,
    cursor: str | None = None,
    limit: int = 50,
) -> Page:
    if sort not in SORTABLE:
        raise ValueError(f"sort: một trong {', '.join(sorted(SORTABLE))}")
    table = _cases_table(engine)
    mark = engine.store.mark
    chosen = _filters(
        engine,
        {
            "model": model,
            "cycle_year": cycle_year,
            "status": status,
            "classification": classification,
            "subject_id": subject_id,
        },
        {"unit_id": unit_ids, "subject_id": subject_ids, "status": statuses},
    )
    if chosen is None:
        return Page([], None)
    where, params = chosen
    if cursor:
        value, key = _uncursor(cursor)
        op = "<" if descending else ">"
        # a row-value comparison, so the (sort, case_id) index serves a deep page directly
        where.append(f"({sort}, case_id) {op} ({mark}, {mark})")
        params.extend([value, key])
    direction = "DESC" if descending else "ASC"
    sql = (
        f"SELECT * FROM {table}"
        + (f" WHERE {' AND '.join(where)}" if where else "")
        + f" ORDER BY {sort} {direction}, case_id {direction} LIMIT {int(limit) + 1}"
    )
    raw = engine.store.fetch_all(sql, params)
    more = len(raw) > limit
    raw = raw[:limit]
    # the cursor carries the value as the backend stores it: decoded, a SQLite timestamp
    # would come back as "2026-03-01 09:00" and sort before the stored "2026-03-01T09:00"
    next_cursor = _cursor(raw[-1][sort], raw[-1]["case_id"]) if more and raw else None
    return Page([CASES.decode(r) for r in raw], next_cursor)


def every_case(
    engine: Engine,
    *,
    unit_ids: set[str] | None = None,
    subject_ids: set[str] | None = None,
    model: str | None = None,
    cycle_year: int | None = None,
) -> Generator[Row, None, None]:
    """Every case the filters choose, oldest opened first, read a batch at a time from one
    snapshot: what an export lists, however many there are."""
    chosen = _filters(
        engine,
        {"model": model, "cycle_year": cycle_year},
        {"unit_id": unit_ids, "subject_id": subject_ids},
    )
    if chosen is None:
        return
    where, params = chosen
    sql = (
        f"SELECT * FROM {_cases_table(engine)}"
        + (f" WHERE {' AND '.join(where)}" if where else "")
        + " ORDER BY opened_on, case_id"
    )
    with closing(engine.store.fetch_batches(sql, params)) as batches:  # closed with this one
        for batch in batches:
            yield from (CASES.decode(r) for r in batch)


def _cases_table(engine: Engine) -> str:
    projection = Standings()
    return engine.qualified(projection, engine.ensure_live(projection), "cases")


def _filters(
    engine: Engine, equal: dict[str, Any], among: dict[str, set[str] | None]
) -> tuple[list[str], list[object]] | None:
    """The WHERE terms and their parameters for columns equal to a value (None: any) and
    columns among a set (None: any); None when an empty set leaves nothing to find."""
    mark = engine.store.mark
    where: list[str] = []
    params: list[object] = []
    for column, value in equal.items():
        if value is not None:
            where.append(f"{column} = {mark}")
            params.append(value)
    for column, values in among.items():
        if values is not None:
            if not values:
                return None
            where.append(f"{column} IN ({engine.store.marks(len(values))})")
            params.extend(sorted(values))
    return where, params


def lapsed_titles(engine: Engine, today: date, limit: int = 1000) -> list[str]:
    """Granted titles whose validity ended before ``today`` and whose expiry is not recorded
    yet (the scheduled expiry job's work list), oldest first."""
    table = _cases_table(engine)
    mark = engine.store.mark
    day = today.isoformat() if engine.store.dialect == "sqlite" else today
    rows = engine.store.fetch_all(
        f"SELECT case_id FROM {table} WHERE status = 'granted' AND expired_on IS NULL"
        f" AND valid_until < {mark} ORDER BY valid_until, case_id LIMIT {int(limit)}",
        [day],
    )
    return [str(r["case_id"]) for r in rows]


def titles_of(engine: Engine, case_ids: list[str]) -> dict[str, tuple[str, int]]:
    """(title, cycle year) of each of these cases the view holds, by case id: what a list of
    complaints shows of the case each is about, without loading the cases."""
    if not case_ids:
        return {}
    table = _cases_table(engine)
    wanted = sorted(set(case_ids))
    rows = engine.store.fetch_values(
        f"SELECT case_id, model, cycle_year FROM {table}"
        f" WHERE case_id IN ({engine.store.marks(len(wanted))})",
        wanted,
    )
    return {str(case_id): (model, int(year)) for case_id, model, year in rows}
