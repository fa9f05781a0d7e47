"""Who viewed a record, or what a viewer viewed."""

from __future__ import annotations

from projections.engine import Engine, Row
from projections.reads.projection import VIEWS, Reads


def views(
    engine: Engine,
    *,
    record_id: str | None = None,
    viewer_id: str | None = None,
    kind: str | None = None,
    viewer_unit_ids: set[str] | None = None,
    after_position: int | None = None,
    limit: int = 200,
    newest: bool = False,
) -> list[Row]:
    """``viewer_unit_ids``: only views by accounts of these units (a scoped reader's);
    ``newest``: the latest ``limit`` views (still in log order) instead of the first."""
    if viewer_unit_ids is not None and not viewer_unit_ids:
        return []
    projection = Reads()
    table = engine.qualified(projection, engine.ensure_live(projection), "views")
    mark = engine.store.mark
    where: list[str] = []
    params: list[object] = []
    for column, value in (("record_id", record_id), ("viewer_id", viewer_id), ("kind", kind)):
        if value is not None:
            where.append(f"{column} = {mark}")
            params.append(value)
    if viewer_unit_ids is not None:
        where.append(f"viewer_unit_id IN ({engine.store.marks(len(viewer_unit_ids))})")
        params.extend(sorted(viewer_unit_ids))
    if after_position is not None:
        where.append(f"position > {mark}")
        params.append(after_position)
    sql = (
        f"SELECT * FROM {table}"
        + (f" WHERE {' AND '.join(where)}" if where else "")
        + f" ORDER BY position{' DESC' if newest else ''} LIMIT {int(limit)}"
    )
    rows = [VIEWS.decode(r) for r in engine.store.fetch_all(sql, params)]
    return rows[::-1] if newest else rows
