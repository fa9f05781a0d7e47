"""The register's export at 100,000 and 1,000,000 decided titles: time and memory of the
file the API now writes (every row, read in batches from one snapshot and written to a
spooled file as it comes), beside the way it was written before (one read of at most
100,000 rows into a list, then the whole file built in memory; as at cb3facf), in the same
run and on the same rows.

    .venv/bin/python ops/bench/exports.py --rows 100000 1000000 --rounds 3
    .venv/bin/python ops/bench/exports.py --rows 100000 1000000 --rounds 3 \\
        --postgres postgresql://postgres@127.0.0.1:5432/postgres

The titles are written straight into a throwaway view store (a SQLite file in a temporary
folder, or a scratch PostgreSQL schema, dropped at the end): a million decided cases through
the domain would take hours here. Each size is a cycle year of its own, so an export reads
only its own rows through the year's index, as the API's does. Times are medians of
``--rounds`` alternated runs; memory is the peak of Python's allocations (tracemalloc) in a
separate run of each, which does not count what libpq holds for a PostgreSQL result (so it
understates the old way there).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import track
from rich.table import Table

from api.routers.exports import SPOOL_BYTES
from application.clients.exports import (
    REGISTER_COLUMNS,
    register_sheet,
    to_csv,
    to_xlsx,
    write_csv,
    write_xlsx,
)
from ops.bench.rollup import NoEvents, fixture_store
from projections.engine import Engine
from projections.register.projection import TITLES, Register
from projections.register.queries import decided

#: What the export read before: at most this many rows, the rest of the register left out.
OLD_LIMIT = 100_000
FIRST_YEAR = 2001
AUTHORITIES = ("UBND xã Hòa Bình", "UBND phường Đông Ngạc", "UBND tỉnh Thử Nghiệm")


def titles(year: int, first: int, count: int) -> list[tuple[Any, ...]]:
    """Decided titles ``first`` to ``first + count`` of ``year``, in the titles table's
    column order."""
    rows = []
    start = date(year, 3, 1)
    for n in range(first, first + count):
        granted = n % 7 != 0
        rows.append(
            (
                f"{year}-{n:08d}",  # case_id
                f"subject-{n:08d}",
                "person" if n % 5 else "household",
                f"unit-{n % 997:04d}",
                "cong_dan_hoc_tap" if n % 5 else "gia_dinh_hoc_tap",
                year,
                "granted" if granted else "refused",
                f"decision-{n // 500}",
                f"{n // 500 + 1}/QĐ-UBND",
                (start + timedelta(days=n % 200)).isoformat(),
                "signer-1",
                "Chủ tịch UBND xã",
                AUTHORITIES[n % 3],
                "244/QĐ-KHVN; 22/2020/TT-BGDĐT",
                None,
                (start + timedelta(days=n % 200)).isoformat() if granted else None,
                (start + timedelta(days=n % 200 + 364)).isoformat() if granted else None,
                None,
                "tot" if granted else None,
                1,
                str(Decimal(80 + n % 20)),
                None if granted else "Chưa đạt tiêu chí 2.1 (thiếu minh chứng)",
                f"{year}-03-01T09:00:00+07:00",
                n,
            )
        )
    return rows


def load(engine: Engine, sizes: list[int]) -> str:
    engine.create_state_table()
    table = engine.qualified(Register(), engine.ensure_live(Register()), "titles")
    for year, size in enumerate(sizes, start=FIRST_YEAR):
        for start in track(range(0, size, 20_000), description=f"Ghi {size:,} danh hiệu"):
            batch = titles(year, start, min(20_000, size - start))
            with engine.store.transaction() as cur:
                cur.executemany(
                    f"INSERT INTO {table} VALUES ({engine.store.marks(len(batch[0]))})", batch
                )
    with engine.store.transaction() as cur:
        cur.execute(f"ANALYZE {table}")
    return table


def new_way(engine: Engine, year: int, fmt: str) -> tuple[int, int]:
    """What the API does now: (rows, bytes)."""
    write = write_csv if fmt == "csv" else write_xlsx
    counted = 0

    def counting(rows):
        nonlocal counted
        for row in rows:
            counted += 1
            yield row

    rows = counting(decided(engine, cycle_year=year, columns=REGISTER_COLUMNS))
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        write(register_sheet(rows), spool)
        return counted, spool.tell()


def old_way(engine: Engine, table: str, year: int, fmt: str) -> tuple[int, int]:
    """What the API did before: one read of at most 100,000 rows, the file in memory."""
    mark = engine.store.mark
    sql = (
        f"SELECT {', '.join(REGISTER_COLUMNS)} FROM {table} WHERE outcome IS NOT NULL"
        f" AND cycle_year = {mark} ORDER BY decided_on, case_id LIMIT {OLD_LIMIT}"
    )
    rows = [TITLES.decode(r) for r in engine.store.fetch_all(sql, [year])]
    sheet = register_sheet(rows)
    body = to_csv(sheet) if fmt == "csv" else to_xlsx(sheet)
    return len(rows), len(body)


def timed(work: Callable[[], tuple[int, int]]) -> tuple[float, int, int]:
    started = time.perf_counter()
    rows, size = work()
    return time.perf_counter() - started, rows, size


def peak(work: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--formats", nargs="+", default=["csv", "xlsx"])
    parser.add_argument("--postgres", help="a PostgreSQL URL (default: a SQLite file)")
    args = parser.parse_args()
    console = Console(width=160)
    with tempfile.TemporaryDirectory(prefix="bench-exports-") as folder:
        store, schema = fixture_store(args, Path(folder))
        try:
            engine = Engine(store, NoEvents(), {})
            table = load(engine, args.rows)
            result = Table(title=f"Xuất sổ công nhận ({store.dialect})")
            for column in (
                "danh hiệu",
                "dạng",
                "cách",
                "dòng trong tệp",
                "MB",
                "giây (trung vị)",
                "bộ nhớ Python đỉnh, MB",
            ):
                result.add_column(column, justify="right")
            for year, size in enumerate(args.rows, start=FIRST_YEAR):
                for fmt in args.formats:
                    ways: dict[str, Callable[[], tuple[int, int]]] = {
                        "trước (≤ 100.000 dòng, trong bộ nhớ)": partial(
                            old_way, engine, table, year, fmt
                        ),
                        "nay (đủ dòng, ghi dần ra tệp)": partial(new_way, engine, year, fmt),
                    }
                    seconds: dict[str, list[float]] = {name: [] for name in ways}
                    shape: dict[str, tuple[int, int]] = {}
                    for _ in range(args.rounds):
                        for name, work in ways.items():
                            took, rows, size_bytes = timed(work)
                            seconds[name].append(took)
                            shape[name] = (rows, size_bytes)
                    for name, work in ways.items():
                        rows, size_bytes = shape[name]
                        result.add_row(
                            f"{size:,}",
                            fmt,
                            name,
                            f"{rows:,}",
                            f"{size_bytes / 2**20:.1f}",
                            f"{statistics.median(seconds[name]):.2f}",
                            f"{peak(work):.0f}",
                        )
            console.print(result)
        finally:
            store.close()
            if schema is not None:
                from psycopg import connect

                with connect(args.postgres, autocommit=True) as conn:
                    conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    main()
