"""Questions the register answers: who holds which title on a day; a subject's titles."""

from __future__ import annotations

from collections.abc import Generator, Sequence
from contextlib import closing
from datetime import date, datetime

from projections.engine import Engine, Row
from projections.register.projection import CHANGES, TITLES, Register


def _table(engine: Engine) -> str:
    projection = Register()
    return engine.qualified(projection, engine.ensure_live(projection), "titles")


def holders_on(
    engine: Engine,
    day: date,
    *,
    model: str | None = None,
    unit_ids: set[str] | None = None,
    known_at: datetime | None = None,
    limit: int = 1000,
    offset: int = 0,
    subject_ids: set[str] | None = None,
    up_to_position: int | None = None,
) -> list[Row]:
    """Titles held on ``day``: as known now, or as the register knew it at ``known_at`` (or
    at log position ``up_to_position``); only those of ``subject_ids`` when given.

    Folds each case's history of grants and revocations in recording order, keeping only
    what had been recorded by ``known_at``: a title revoked later still shows as held when
    asked as of an earlier day of knowledge.
    """
    projection = Register()
    table = engine.qualified(projection, engine.ensure_live(projection), "title_changes")
    mark = engine.store.mark
    sqlite = engine.store.dialect == "sqlite"
    where: list[str] = [f"(valid_from IS NULL OR valid_from <= {mark})"]
    params: list[object] = [day.isoformat() if sqlite else day]
    if model is not None:
        where.append(f"model = {mark}")
        params.append(model)
    if known_at is not None:
        where.append(f"recorded_at <= {mark}")
        params.append(known_at.isoformat() if sqlite else known_at)
    if up_to_position is not None:
        where.append(f"position <= {mark}")
        params.append(up_to_position)
    for column, wanted in (("unit_id", unit_ids), ("subject_id", subject_ids)):
        if wanted is not None:
            if not wanted:
                return []
            where.append(f"{column} IN ({engine.store.marks(len(wanted))})")
            params.extend(sorted(wanted))
    sql = f"SELECT * FROM {table} WHERE {' AND '.join(where)} ORDER BY case_id, position"
    held: dict[str, Row] = {}
    for raw in engine.store.fetch_all(sql, params):
        row = CHANGES.decode(raw)
        if row["change"] == "granted":
            held[row["case_id"]] = row | {"revoked_from": None}
        elif row["change"] == "revoked" and row["case_id"] in held:
            held[row["case_id"]]["revoked_from"] = row["effective_from"]
    current = [
        r
        for r in held.values()
        if r["valid_from"] <= day <= r["valid_until"]
        and (r["revoked_from"] is None or day < r["revoked_from"])
    ]
    current.sort(key=lambda r: (r["valid_from"], r["case_id"]))
    return current[offset : offset + limit]


def titles_of(engine: Engine, subject_id: str) -> list[Row]:
    """Every title a subject was granted or refused, oldest first."""
    sql = (
        f"SELECT * FROM {_table(engine)} WHERE subject_id = {engine.store.mark}"
        " AND outcome IS NOT NULL ORDER BY cycle_year, decided_on, case_id"
    )
    return [TITLES.decode(r) for r in engine.store.fetch_all(sql, [subject_id])]


def decided(
    engine: Engine,
    *,
    cycle_year: int | None = None,
    unit_ids: set[str] | None = None,
    columns: Sequence[str] | None = None,
) -> Generator[Row, None, None]:
    """Every decided title (granted or refused), oldest decision first, for exports; in
    ``unit_ids`` when given; only ``columns`` when named. Read a batch at a time from one
    snapshot, however many there are: a province's register is hundreds of thousands of wide
    rows, and an export never stops short of the last."""
    mark = engine.store.mark
    where: list[str] = ["outcome IS NOT NULL"]
    params: list[object] = []
    if cycle_year is not None:
        where.append(f"cycle_year = {mark}")
        params.append(cycle_year)
    if unit_ids is not None:
        if not unit_ids:
            return
        where.append(f"unit_id IN ({engine.store.marks(len(unit_ids))})")
        params.extend(sorted(unit_ids))
    sql = (
        f"SELECT {_columns(columns)} FROM {_table(engine)} WHERE {' AND '.join(where)}"
        " ORDER BY decided_on, case_id"
    )
    with closing(engine.store.fetch_batches(sql, params)) as batches:  # closed with this one
        for batch in batches:
            yield from (TITLES.decode(r) for r in batch)


def certificate(engine: Engine, serial: str) -> tuple[Row, list[Row]] | None:
    """The grant a certificate serial was printed for, with every later change of its case
    (a revocation, or a new grant by an amending decision); None for an unknown serial."""
    projection = Register()
    table = engine.qualified(projection, engine.ensure_live(projection), "title_changes")
    mark = engine.store.mark
    found = engine.store.fetch_all(f"SELECT * FROM {table} WHERE serial = {mark}", [serial])
    if not found:
        return None
    grant = CHANGES.decode(found[0])
    later = engine.store.fetch_all(
        f"SELECT * FROM {table} WHERE case_id = {mark} AND position > {mark} ORDER BY position",
        [grant["case_id"], grant["position"]],
    )
    return grant, [CHANGES.decode(r) for r in later]


def status_changes(engine: Engine, first: int, last: int) -> list[tuple[Row, list[Row]]]:
    """Each grant recorded at a log position in ``[first, last)`` (its certificate's status
    list index), with every later change of its case, for the certificates' status list."""
    projection = Register()
    table = engine.qualified(projection, engine.ensure_live(projection), "title_changes")
    mark = engine.store.mark
    sql = (
        "SELECT case_id, change, position, effective_from, valid_until"
        f" FROM {table} WHERE case_id IN (SELECT case_id FROM {table}"
        f" WHERE change = 'granted' AND position >= {mark} AND position < {mark})"
        " ORDER BY case_id, position"
    )
    rows = [CHANGES.decode(raw) for raw in engine.store.fetch_all(sql, [first, last])]
    return grants_with_later(rows, first, last)


def grants_with_later(rows: list[Row], first: int, last: int) -> list[tuple[Row, list[Row]]]:
    """Each grant at a position in ``[first, last)`` with the changes of its case after it,
    from ``rows`` ordered by case and position (pure)."""
    grants: list[tuple[Row, list[Row]]] = []
    current: tuple[Row, list[Row]] | None = None
    for row in rows:
        if current is not None and current[0]["case_id"] == row["case_id"]:
            current[1].append(row)  # a later change of the grant before it
        if row["change"] == "granted" and first <= row["position"] < last:
            current = (row, [])
            grants.append(current)
        elif current is not None and current[0]["case_id"] != row["case_id"]:
            current = None
    return grants


def _columns(columns: Sequence[str] | None) -> str:
    """The select list: the titles' own columns only (a name is never taken from input)."""
    if columns is None:
        return "*"
    unknown = set(columns) - set(TITLES.columns)
    if unknown:
        raise ValueError(f"not a column of the register: {sorted(unknown)}")
    return ", ".join(columns)
