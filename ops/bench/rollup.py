"""A commune's and a province's statistics report at 1,000,000 cases, beside a floor measured
in the same run: the plain SELECT of the rows the report needs (the unit's own count and
subject rows), and the reads the report made before it filtered by unit (the year's counts
and every subject row of the store).

    .venv/bin/python ops/bench/rollup.py --var /tmp/rollup/var30 --provinces 34 --requests 200
    .venv/bin/python ops/bench/rollup.py --var /tmp/rollup/var30 --postgres postgresql://postgres@127.0.0.1:5432/postgres

How the 1,000,000 cases are made. Generating them through the domain would take hours here
(about twelve events a case), so the fixture is written straight into the views:

1. one province is generated with ``hoctap demo generate --scale`` into ``--var`` (30,000 cases
   by default; skipped when ``--var`` already holds a store) and its views are folded;
2. its ``units`` rows and its ``statistics`` count and subject rows are copied, under new ids
   (codes ``MP02``..., parents, successors and predecessors remapped), into ``--provinces``
   provinces of a throwaway view store: a SQLite file in a temporary folder, or a scratch
   PostgreSQL schema with ``--postgres`` (dropped at the end). Every copied row is a row the
   fold produced; the copies repeat the generated province's shape.

Then ``projections.statistics.queries.report`` runs against that store exactly as the API
calls it, ``--requests`` times per unit and structure after three untimed runs (the first
builds and keeps the unit tree and the day's chains, as a serving process does), and the floor
reads run as many times on the same connection. p99 is the 99th percentile of the samples.

Each report is timed three ways: summed from nothing (the sums a report keeps dropped before
each request, untimed: what every request cost before reports kept them); kept, with no row
moved between requests (a quiet hour); and kept, with one count row of a unit inside moved
before each request, as the fold moves it (a new registration, stamped with the next
position: the report redoes that row's line).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from psycopg.conninfo import conninfo_to_dict

from application.adapters.read_models import ReadModels
from application.ledger import Ledger
from application.services.criteria import seed_structures
from application.settings import Settings
from domain.structures import Structure
from ops.bench.scratch import generated_province
from projections.engine import Engine, Envelope
from projections.statistics import Statistics
from projections.statistics.queries import report, unit_tree
from projections.store import PostgresViewStore, SQLiteViewStore, ViewStore
from projections.units import Units
from projections.units.tree import Unit

NAMESPACE = uuid.UUID("0f5d2c49-9a4e-4c8e-8a53-3b1f2e7d6a10")
#: The columns a report reads (the floor reads the same).
COUNTED = "unit_id, model, target_group, registered, assessed, recognised"
SUBJECTS = "unit_id, subject_kind, target_group, subjects"


def source_rows(var: Path) -> tuple[dict[str, list[tuple[Any, ...]]], int]:
    """The generated province's units, counts and subjects rows (as stored), and its cases."""
    settings = Settings(var_dir=var)
    ledger = Ledger(settings)
    models = ReadModels(settings, ledger.store)
    try:
        models.initialise()
        models.catch_up()
        engine, stats, units = models.engine, Statistics(), Units()
        generation, unit_generation = engine.ensure_live(stats), engine.ensure_live(units)
        rows = {
            "units": engine.qualified(units, unit_generation, "units"),
            "counts": engine.qualified(stats, generation, "counts"),
            "subjects": engine.qualified(stats, generation, "subjects"),
        }
        found = {name: engine.store.fetch_values(f"SELECT * FROM {t}") for name, t in rows.items()}
        flags = engine.qualified(stats, generation, "case_flags")
        [cases] = engine.store.fetch_values(f"SELECT COUNT(*) FROM {flags}")
        return found, int(cases[0])
    finally:
        models.close()
        ledger.close()


def new_id(copy: int, old: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{copy}:{old}"))


#: Per table: the columns that are counts (summed when two source rows meet); the last
#: column is the row's position (the later one is kept).
SUMMED = {"counts": range(5, 8), "subjects": range(4, 5)}


def copies(
    rows: dict[str, list[tuple[Any, ...]]], provinces: int
) -> dict[str, list[tuple[Any, ...]]]:
    """``provinces`` copies of the source under new ids, each one province: the generator
    makes provinces of about 15,000 cases, so the source's provinces are folded into its
    first (their districts and communes moved under it, their own rows added to its)."""
    units = rows["units"]
    tops = sorted((u for u in units if u[3] == "province"), key=lambda u: u[1])
    folded = {top[0]: tops[0][0] for top in tops[1:]}
    out: dict[str, list[tuple[Any, ...]]] = {"units": [], "counts": [], "subjects": []}
    for number in range(1, provinces + 1):
        ids = {u[0]: new_id(number, folded.get(u[0], u[0])) for u in units}
        for unit in units:
            if unit[0] in folded:
                continue
            # unit_id, code, name, level, unit_type, valid_from, valid_to, parents,
            # successor_id, predecessor_ids, position
            copied = list(unit)
            copied[0] = ids[unit[0]]
            copied[1] = f"MP{number:02d}-{unit[1]}" if unit[3] != "province" else f"MP{number:02d}"
            copied[2] = f"{unit[2]} ({number})" if unit[3] == "province" else unit[2]
            copied[7] = json.dumps([[ids[p], since] for p, since in json.loads(unit[7])])
            copied[8] = ids.get(unit[8]) if unit[8] else None
            copied[9] = json.dumps([ids[p] for p in json.loads(unit[9])])
            out["units"].append(tuple(copied))
        for table, summed in SUMMED.items():  # the key, then the unit id, lead both tables
            merged: dict[str, list[Any]] = {}
            for row in rows[table]:
                moved = ids[row[1]]
                key = moved + row[0][len(row[1]) :]
                if key in merged:
                    for column in summed:
                        merged[key][column] += row[column]
                    merged[key][-1] = max(merged[key][-1], row[-1])
                else:
                    merged[key] = [key, moved, *row[2:]]
            out[table] += [tuple(row) for row in merged.values()]
    return out


def fixture_store(args: argparse.Namespace, folder: Path) -> tuple[ViewStore, str | None]:
    if args.postgres:
        schema = f"bench_rollup_{uuid.uuid4().hex[:8]}"
        store = PostgresViewStore(conninfo_to_dict(args.postgres), schema)
        with store.transaction() as cur:
            cur.execute(f'CREATE SCHEMA "{schema}"')
        return store, schema
    return SQLiteViewStore(str(folder / "views.sqlite")), None


def load(engine: Engine, rows: dict[str, list[tuple[Any, ...]]]) -> None:
    engine.create_state_table()
    stats, units = Statistics(), Units()
    tables = {
        "units": engine.qualified(units, engine.ensure_live(units), "units"),
        "counts": engine.qualified(stats, engine.ensure_live(stats), "counts"),
        "subjects": engine.qualified(stats, engine.ensure_live(stats), "subjects"),
    }
    for name, table in tables.items():
        found = rows[name]
        marks = engine.store.marks(len(found[0]))
        for start in range(0, len(found), 20_000):
            with engine.store.transaction() as cur:
                cur.executemany(
                    f"INSERT INTO {table} VALUES ({marks})", found[start : start + 20_000]
                )
    with engine.store.transaction() as cur:
        for table in tables.values():
            cur.execute(f"ANALYZE {table}")


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(
    call: Callable[[], object], times: int, before: Callable[[], object] | None = None
) -> list[float]:
    """``call``'s times in ms after three untimed calls; ``before`` runs, untimed, first."""
    for _ in range(3):
        call()
    samples = []
    for _ in range(times):
        if before is not None:
            before()
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def forget_sums(engine: Engine) -> Callable[[], None]:
    """Drop the sums and lines reports keep, so the next report sums its rows and rolls
    them up from nothing."""

    def forget() -> None:
        unit_tree(engine).__dict__.pop("_kept_sums", None)
        unit_tree(engine).__dict__.pop("_kept_rollups", None)

    return forget


def one_row_moves(engine: Engine, counts: str, inside: list[str]) -> Callable[[], None]:
    """A write as the fold makes it: one count row of a unit inside gains a registration and
    the next position (so the next report redoes that row's line)."""
    mark = engine.store.mark
    found = engine.store.fetch_values(
        f"SELECT counter_key FROM {counts} WHERE cycle_year = {mark}"
        f" AND unit_id IN ({engine.store.marks(len(inside))})",
        [2025, *inside],
    )
    keys = [key for (key,) in found]
    chosen = random.Random(7)

    def move() -> None:
        [(newest,)] = engine.store.fetch_values(f"SELECT MAX(position) FROM {counts}")
        with engine.store.transaction() as cur:
            cur.execute(
                f"UPDATE {counts} SET registered = registered + 1, position = {mark}"
                f" WHERE counter_key = {mark}",
                [int(newest or 0) + 1, chosen.choice(keys)],
            )

    return move


def reads(store: ViewStore, statements: Sequence[tuple[str, list[Any]]]) -> Callable[[], None]:
    def run() -> None:
        for sql, params in statements:
            store.fetch_values(sql, params)

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--var", type=Path, required=True)
    parser.add_argument("--scale", type=int, default=30_000)
    parser.add_argument("--provinces", type=int, default=34)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--postgres", metavar="URL", help="a scratch schema there, not SQLite")
    parser.add_argument(
        "--keep", type=Path, metavar="FOLDER", help="SQLite: keep the fixture there, and reuse it"
    )
    parser.add_argument(
        "--depth",
        type=int,
        action="append",
        help="also time the report cut at this depth (2: what the statistics page asks for);"
        " repeatable; without it the full report only",
    )
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    if not args.keep or not (args.keep / "views.sqlite").exists():
        generated_province(args.var, args.scale)
    with tempfile.TemporaryDirectory(prefix="bench-rollup-") as folder:
        kept = args.keep is not None and (args.keep / "views.sqlite").exists()
        store, schema = fixture_store(args, args.keep or Path(folder))
        try:
            engine = Engine(store, NoEvents(), {})
            if not kept:
                rows, cases = source_rows(args.var)
                started = time.perf_counter()
                everything = copies(rows, args.provinces)
                load(engine, everything)
                print(
                    f"{cases * args.provinces:,} cases: {len(everything['units']):,} units,"
                    f" {len(everything['counts']):,} count rows,"
                    f" {len(everything['subjects']):,} subject rows"
                    f" ({store.dialect}, written in {time.perf_counter() - started:.0f} s)"
                )
            for depth in args.depth or [None]:
                measure(engine, args.requests, depth)
        finally:
            if schema:
                with store.transaction() as cur:
                    cur.execute(f'DROP SCHEMA "{schema}" CASCADE')
            store.close()


def measure(engine: Engine, requests: int, depth: int | None = None) -> None:
    tree = unit_tree(engine)
    province = max((u for u in tree.units.values() if u.level == "province"), key=lambda u: u.code)

    def commune_on(day: date) -> Unit:
        """The province's commune of that day with the most units inside it."""
        return max(
            (
                u
                for u in tree.units.values()
                if u.level == "commune" and u.is_valid_on(day) and u.code.startswith(province.code)
            ),
            key=lambda u: (len(tree.within(u.unit_id, day)), u.code),
        )

    stats = Statistics()
    generation = engine.ensure_live(stats)
    counts = engine.qualified(stats, generation, "counts")
    subjects = engine.qualified(stats, generation, "subjects")
    mark = engine.store.mark
    cut = f", depth {depth}" if depth else ", full report"
    print(f"\nprovince {province.code} ({province.name}){cut}\n")
    print("| read | units inside | rows read | p50 ms | p99 ms | p50 / floor p50 |")
    print("|---|---|---|---|---|---|")
    for structure in (seed_structures().named(c) for c in ("two_level", "three_level")):
        day = structure.geography_day
        for unit in (commune_on(day), province):
            inside = sorted(tree.within(unit.unit_id, day))
            marks = engine.store.marks(len(inside))
            floor: list[tuple[str, list[Any]]] = [
                (
                    f"SELECT {COUNTED} FROM {counts}"
                    f" WHERE cycle_year = {mark} AND unit_id IN ({marks})",
                    [2025, *inside],
                ),
                (f"SELECT {SUBJECTS} FROM {subjects} WHERE unit_id IN ({marks})", list(inside)),
            ]
            found = sum(len(engine.store.fetch_values(sql, p)) for sql, p in floor)
            floor_times = timed(reads(engine.store, floor), requests)
            base = statistics.median(floor_times)

            def asked(u: str = unit.unit_id, s: Structure = structure) -> object:
                return report(engine, cycle_year=2025, structure=s, root_id=u, depth=depth)

            name = f"{unit.level} {unit.code}, {structure.code}"
            for how, before in (
                ("summed from nothing", forget_sums(engine)),
                ("kept, no row moved", None),
                ("kept, a row moved before each", one_row_moves(engine, counts, inside)),
            ):
                times = timed(asked, requests, before)
                print(
                    f"| report, {name}, {how} | {len(inside):,} | {found:,} |"
                    f" {statistics.median(times):,.1f} | {percentile(times, 0.99):,.1f} |"
                    f" {statistics.median(times) / base:,.1f} |"
                )
            print(
                f"| floor: SELECT of its rows | | | {base:,.1f} |"
                f" {percentile(floor_times, 0.99):,.1f} | 1.0 |",
                flush=True,
            )
    store_wide = [
        (f"SELECT * FROM {counts} WHERE cycle_year = {mark}", [2025]),
        (f"SELECT * FROM {subjects}", []),
    ]
    wide = timed(reads(engine.store, store_wide), max(10, requests // 10))
    print(
        f"| the year's counts and every subject row (what a report read before) | | |"
        f" {statistics.median(wide):,.1f} | {percentile(wide, 0.99):,.1f} | |"
    )


class NoEvents:
    """The fixture has views and no log: nothing is folded during the benchmark."""

    def read(self, after: int, limit: int, topics: frozenset[str]) -> tuple[list[Envelope], int]:
        return [], after

    def max_position(self) -> int:
        return 0

    def recorded_at(self, position: int) -> datetime | None:
        return None


if __name__ == "__main__":
    main()
