"""Questions the register answers: who holds which title on a day; a subject's titles."""

from __future__ import annotations

from datetime import date

from projections.engine import Engine, Row
from projections.register.projection import TITLES, Register


def _table(engine: Engine) -> str:
    projection = Register()
    return engine.qualified(projection, engine.ensure_live(projection), "titles")


def holders_on(
    engine: Engine,
    day: date,
    *,
    model: str | None = None,
    unit_ids: set[str] | None = None,
    limit: int = 1000,
    offset: int = 0,
) -> list[Row]:
    """Titles granted and valid on ``day``, as known now."""
    mark = engine.store.mark
    day_value = day.isoformat() if engine.store.dialect == "sqlite" else day
    where = ["outcome = 'granted'", f"valid_from <= {mark}", f"valid_until >= {mark}"]
    params: list[object] = [day_value, day_value]
    if model is not None:
        where.append(f"model = {mark}")
        params.append(model)
    if unit_ids is not None:
        if not unit_ids:
            return []
        where.append(f"unit_id IN ({engine.store.marks(len(unit_ids))})")
        params.extend(sorted(unit_ids))
    sql = (
        f"SELECT * FROM {_table(engine)} WHERE {' AND '.join(where)}"
        f" ORDER BY valid_from, case_id LIMIT {int(limit)} OFFSET {int(offset)}"
    )
    return [TITLES.decode(r) for r in engine.store.fetch_all(sql, params)]


def titles_of(engine: Engine, subject_id: str) -> list[Row]:
    """Every title a subject was granted or refused, oldest first."""
    sql = (
        f"SELECT * FROM {_table(engine)} WHERE subject_id = {engine.store.mark}"
        " AND outcome IS NOT NULL ORDER BY cycle_year, decided_on, case_id"
    )
    return [TITLES.decode(r) for r in engine.store.fetch_all(sql, [subject_id])]


def decided(engine: Engine, *, cycle_year: int | None = None, limit: int = 100_000) -> list[Row]:
    """Every decided title (granted or refused), for exports."""
    mark = engine.store.mark
    where, params = ["outcome IS NOT NULL"], []
    if cycle_year is not None:
        where.append(f"cycle_year = {mark}")
        params.append(cycle_year)
    sql = (
        f"SELECT * FROM {_table(engine)} WHERE {' AND '.join(where)}"
        f" ORDER BY decided_on, case_id LIMIT {int(limit)}"
    )
    return [TITLES.decode(r) for r in engine.store.fetch_all(sql, params)]
