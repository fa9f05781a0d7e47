"""A national report over many provincial stores: fanned out in parallel against the same
provinces read one after another, in the same run (medians, and their ratio).

    nice -n 10 env PYTHONPATH=. .venv/bin/python ops/bench/provinces.py \\
        --stores 34 --scale 100 --rounds 7

Each province is a PostgreSQL schema of its own (``bench_<run>_<code>``, dropped after) with
about ``--scale`` cases made by the data generator (``hoctap demo generate``), its views
folded before timing. A round times both orders (parallel then serial, then the reverse next
round) so drift in the machine's load falls on both.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from tempfile import mkdtemp

import psycopg

from application.clients.generator import generate
from application.clients.provinces import REPORT_WORKERS, Provinces
from application.services.records import VIETNAM, FixedClock
from application.settings import Settings
from ops.bench.scratch import DEFAULT_URL

AFTER_EVERYTHING = datetime(2026, 11, 20, 9, 0, tzinfo=VIETNAM)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stores", type=int, default=34)
    parser.add_argument("--scale", type=int, default=100, help="cases per province (about)")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--workers", type=int, default=REPORT_WORKERS)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--url", default=DEFAULT_URL)
    args = parser.parse_args()

    run = uuid.uuid4().hex[:8]
    var = Path(mkdtemp(prefix="hoctap-provinces-"))
    codes = [f"{n:02d}" for n in range(1, args.stores + 1)]
    schemas = [f"bench_{run}_{code}" for code in codes]
    file = var / "tinh.json"
    entries = [
        {"code": code, "name": f"Tỉnh {code}", "database_schema": schema}
        for code, schema in zip(codes, schemas, strict=True)
    ]
    file.write_text(json.dumps({"provinces": entries}), encoding="utf-8")
    base = Settings(
        database_url=args.url, var_dir=var, provinces_file=file, environment="test", pool_size=2
    )
    provinces = None
    try:
        started = time.perf_counter()
        provinces = Provinces(base, clock=FixedClock(AFTER_EVERYTHING))
        opened = time.perf_counter() - started
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=2) as pool:  # two cores: generate two at a time
            made = list(
                pool.map(
                    lambda code: generate(
                        provinces.ledger_for(code), args.scale, int(code), province=int(code)
                    ),
                    codes,
                )
            )
        generated = time.perf_counter() - started
        started = time.perf_counter()
        views = provinces.open_read_models(catch_up=True)
        folded = time.perf_counter() - started
        cases = sum(s.cases for s in made)
        events = sum(s.events for s in made)
        print(
            f"{args.stores} stores, {cases:,} cases, {events:,} events"
            f" (opened {opened:.1f} s, generated {generated:.1f} s, folded {folded:.1f} s)"
        )
        parallel: list[float] = []
        serial: list[float] = []
        totals = set()
        for round_ in range(args.rounds):
            order = [(args.workers, parallel), (1, serial)]
            for workers, times in order if round_ % 2 == 0 else reversed(order):
                started = time.perf_counter()
                result = provinces.national_report(views, cycle_year=args.year, workers=workers)
                times.append(time.perf_counter() - started)
                totals.add((result.total.registered, result.total.recognised))
        assert len(totals) == 1, totals  # both ways give the same national figures
        [(registered, recognised)] = totals
        p, s = statistics.median(parallel), statistics.median(serial)
        print(f"national report {args.year}: registered {registered:,}, recognised {recognised:,}")
        print(f"parallel ({args.workers} workers): median {p * 1000:.0f} ms  {_all(parallel)}")
        print(f"one after another:      median {s * 1000:.0f} ms  {_all(serial)}")
        print(f"ratio serial / parallel: {s / p:.2f}")
        for models in views.values():
            models.close()
    finally:
        if provinces is not None:
            provinces.close()
        shutil.rmtree(var, ignore_errors=True)
        with psycopg.connect(args.url, autocommit=True) as conn:
            for schema in schemas:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _all(times: list[float]) -> str:
    return "[" + ", ".join(f"{t * 1000:.0f}" for t in times) + "]"


if __name__ == "__main__":
    main()
