"""Standings and statistics over HTTP at 1,000,000 assessment cases on PostgreSQL, beside the
raw SQL of the same queries through psycopg, in one run (the machine is shared: compare ratios).

    .venv/bin/python ops/bench/reads.py --source-scale 89999 --provinces 34

How the 1,000,000 cases are made. The generator writes about twelve events per case at a few
thousand events a second, so a full log of 1,000,000 cases (12,000,000 events) is out of reach
of a benchmark run. Instead:

1. ``--source-scale`` cases (three provinces of 30,000) are generated in full with the
   generator (``hoctap demo generate``) into a scratch SQLite store;
2. that log is folded into a scratch PostgreSQL schema by the projections' own code (the
   engine's rebuild of ``units``, ``standings`` and ``statistics``);
3. the folded rows of the source provinces are replicated under new ids until there are
   ``--provinces`` provinces (34, as since 2025-07-01): units (new ids, codes ``MP04``...,
   parents, successors and predecessors remapped), standings rows (new case and subject ids,
   remapped units), and the statistics' flags, counts and subjects (remapped unit keys).
   Every replicated row is a row the fold produced, under other ids.

Then the API is served with uvicorn on loopback (``hoctap serve``) against that schema, with a
nationwide reporting officer's token, and each query is timed ``--requests`` times over HTTP
(one keep-alive connection) and as the same SQL through psycopg. The schema is dropped at the
end unless ``--keep``; ``--reuse SCHEMA`` skips steps 1-3 on a schema kept earlier.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from tempfile import mkdtemp
from typing import Any
from urllib.parse import urlencode

import psycopg
from psycopg.rows import dict_row, tuple_row

from application.adapters.backends import postgres_conninfo
from application.adapters.read_models import StoreEventSource
from application.clients.generator import generate
from application.ledger import Ledger
from application.settings import Settings
from domain.base import CommandContext
from domain.glossary import Role
from ops.bench.scratch import HOCTAP
from projections.catalogue import all_projections
from projections.engine import Engine
from projections.store import PostgresViewStore

DEFAULT_URL = "postgresql://root@127.0.0.1:5432/test"
FOLDED = ("units", "standings", "statistics")
NAMESPACE = uuid.UUID("5b1f0c3e-6a55-4c1e-9d2a-0b6f3f2a7c11")


@dataclass(frozen=True)
class Tables:
    """The qualified names of the live view tables the reads use."""

    units: str
    cases: str
    flags: str
    counts: str
    subjects: str


def live_tables(conn: psycopg.Connection[Any], schema: str) -> Tables:
    """The live generation of each view the reads use."""
    rows = (
        conn.cursor(row_factory=tuple_row)
        .execute(f'SELECT name, generation FROM "{schema}".projection_generations WHERE live = 1')
        .fetchall()
    )
    live = {name: generation for name, generation in rows}
    return Tables(
        units=f'"{schema}"."units_g{live["units"]}_units"',
        cases=f'"{schema}"."standings_g{live["standings"]}_cases"',
        flags=f'"{schema}"."statistics_g{live["statistics"]}_case_flags"',
        counts=f'"{schema}"."statistics_g{live["statistics"]}_counts"',
        subjects=f'"{schema}"."statistics_g{live["statistics"]}_subjects"',
    )


# --- building the data set -----------------------------------------------------------------


def fold_source(args: argparse.Namespace, settings: Settings, var: Path) -> None:
    """Generate the source provinces in SQLite; fold them into PostgreSQL views."""
    source = Ledger(Settings(var_dir=var / "source"))
    try:
        started = time.perf_counter()
        summary = generate(source, args.source_scale, args.seed)
        took = time.perf_counter() - started
        print(
            f"generated {summary.cases:,} cases, {summary.events:,} events in {took:.0f} s"
            f" ({summary.events / took:,.0f} ev/s, SQLite, {summary.provinces} provinces)"
        )
        views = PostgresViewStore(postgres_conninfo(settings), settings.database_schema)
        chosen = {name: p for name, p in all_projections().items() if name in FOLDED}
        engine = Engine(views, StoreEventSource(source.store), chosen)
        engine.create_state_table()
        for projection in chosen.values():
            started = time.perf_counter()
            engine.rebuild(projection)
            print(f"folded {projection.name} in {time.perf_counter() - started:.0f} s")
        views.close()
    finally:
        source.close()


def new_id(copy: int, old: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{copy}:{old}"))


def replicate(conn: psycopg.Connection[Any], tables: Tables, provinces: int) -> None:
    """Copy the source provinces' view rows under new ids up to ``provinces`` provinces."""
    units = conn.execute(f"SELECT * FROM {tables.units}").fetchall()
    sources = sorted(u["code"] for u in units if u["level"] == "province")
    conn.execute("CREATE TEMP TABLE unit_map (copy INT, old_id TEXT, new_id TEXT)")
    new_units: list[dict[str, Any]] = []
    for number in range(len(sources) + 1, provinces + 1):
        source = sources[(number - 1) % len(sources)]
        members = [u for u in units if u["code"].split("-")[0] == source]
        mapping = {u["unit_id"]: new_id(number, u["unit_id"]) for u in members}
        for unit in members:
            new_units.append(_copied_unit(unit, mapping, f"MP{number:02d}", number))
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO unit_map VALUES (%s, %s, %s)",
                [(number, old, new) for old, new in mapping.items()],
            )
    columns = list(units[0].keys())
    with conn.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {tables.units} ({', '.join(columns)})"
            f" VALUES ({', '.join(['%s'] * len(columns))})",
            [[u[c] for c in columns] for u in new_units],
        )
    conn.execute("CREATE INDEX ON unit_map (old_id)")
    _copy_keyed_rows(conn, tables)
    conn.commit()
    for table in (tables.units, tables.cases, tables.flags, tables.counts, tables.subjects):
        conn.execute(f"ANALYZE {table}")
    conn.commit()


def _copied_unit(
    unit: dict[str, Any], mapping: dict[str, str], code: str, number: int
) -> dict[str, Any]:
    copied = dict(unit)
    copied["unit_id"] = mapping[unit["unit_id"]]
    copied["code"] = code + unit["code"][len(code) :]
    if unit["level"] == "province":
        copied["name"] = f"{unit['name']} ({number})"
    copied["parents"] = json.dumps([[mapping[p], d] for p, d in json.loads(unit["parents"])])
    predecessors = [mapping[p] for p in json.loads(unit["predecessor_ids"])]
    copied["predecessor_ids"] = json.dumps(predecessors)
    copied["successor_id"] = mapping.get(unit["successor_id"]) if unit["successor_id"] else None
    return copied


def _copy_keyed_rows(conn: psycopg.Connection[Any], tables: Tables) -> None:
    """Cases, flags, counts and subjects of each copied unit, under new ids (in SQL)."""
    case_columns = [
        r[0]
        for r in conn.execute(f"SELECT * FROM {tables.cases} LIMIT 0").description or []
        if r[0] not in ("case_id", "subject_id", "unit_id")
    ]
    kept = ", ".join(f"c.{c}" for c in case_columns)
    ns = f"'{NAMESPACE}'"
    conn.execute(
        f"INSERT INTO {tables.cases} (case_id, subject_id, unit_id, {', '.join(case_columns)})"
        f" SELECT md5({ns} || m.copy || ':' || c.case_id)::uuid::text,"
        f" md5({ns} || m.copy || ':' || c.subject_id)::uuid::text, m.new_id, {kept}"
        f" FROM {tables.cases} c JOIN unit_map m ON m.old_id = c.unit_id"
    )
    rekey = "m.new_id || substr({col}, length(m.old_id) + 1)"
    conn.execute(
        f"INSERT INTO {tables.flags} (case_id, counter_key, registered, assessed, recognised)"
        f" SELECT md5({ns} || m.copy || ':' || f.case_id)::uuid::text,"
        f" {rekey.format(col='f.counter_key')}, f.registered, f.assessed, f.recognised"
        f" FROM {tables.flags} f JOIN unit_map m ON m.old_id = split_part(f.counter_key, '|', 1)"
    )
    conn.execute(
        f"INSERT INTO {tables.counts} (counter_key, unit_id, model, cycle_year, target_group,"
        f" registered, assessed, recognised)"
        f" SELECT {rekey.format(col='k.counter_key')}, m.new_id, k.model, k.cycle_year,"
        f" k.target_group, k.registered, k.assessed, k.recognised"
        f" FROM {tables.counts} k JOIN unit_map m ON m.old_id = k.unit_id"
    )
    conn.execute(
        f"INSERT INTO {tables.subjects} (subject_key, unit_id, subject_kind, target_group,"
        f" subjects)"
        f" SELECT {rekey.format(col='s.subject_key')}, m.new_id, s.subject_kind,"
        f" s.target_group, s.subjects"
        f" FROM {tables.subjects} s JOIN unit_map m ON m.old_id = s.unit_id"
    )


def reader_token(settings: Settings) -> str:
    """A nationwide reporting officer (no unit), as an administrator creates one."""
    ledger = Ledger(settings)
    try:
        ctx = CommandContext("cli:bench-reads", Role.ADMINISTRATOR.value, str(uuid.uuid4()))
        name = f"bench.thong-ke.{uuid.uuid4().hex[:6]}"
        user = ledger.access.create_user(ctx, name, [Role.REPORTING_OFFICER])
        return ledger.access.issue_token(ctx, user.id, 24, "ops/bench/reads.py").token
    finally:
        ledger.close()


# --- timing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    name: str
    path: str
    params: dict[str, str]
    sql: list[tuple[str, list[Any]]]  # what the same read runs in the database
    heavy: bool = False  # timed --heavy-requests times instead of --requests
    http: bool = True  # False: SQL only (a variant of the query for comparison)


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(call: Callable[[], object], times: int) -> list[float]:
    for _ in range(3):  # warm-up: connections, caches, plans
        call()
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def http_get(conn: http.client.HTTPConnection, token: str, path: str) -> bytes:
    conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"GET {path}: {response.status} {body[:300]!r}")
    return body


def sql_run(conn: psycopg.Connection[Any], statements: list[tuple[str, list[Any]]]) -> None:
    for statement, params in statements:
        conn.execute(statement, params).fetchall()


def cursor_at(conn: psycopg.Connection[Any], tables: Tables, depth: int) -> tuple[str, Any, str]:
    """The standings cursor after ``depth`` rows (updated_at desc), as the API encodes it."""
    value, key = conn.execute(
        f"SELECT updated_at, case_id FROM {tables.cases}"
        f" ORDER BY updated_at DESC, case_id DESC OFFSET {depth - 1} LIMIT 1"
    ).fetchone() or (None, "")
    raw = json.dumps([str(value), key]).encode()
    return base64.urlsafe_b64encode(raw).decode(), value, key


def queries(conn: psycopg.Connection[Any], tables: Tables, depth: int) -> list[Query]:
    page = f"SELECT * FROM {tables.cases} {{where}} ORDER BY updated_at DESC, case_id DESC LIMIT 51"
    province = conn.execute(
        f"SELECT unit_id FROM {tables.units} WHERE level = 'province' ORDER BY code DESC LIMIT 1"
    ).fetchone()
    commune = conn.execute(
        f"SELECT unit_id FROM {tables.units} WHERE level = 'commune' AND valid_to IS NULL"
        " AND code LIKE %s ORDER BY code DESC LIMIT 1",
        ["MP%-XM%"],
    ).fetchone()
    assert province and commune
    commune_units = [
        r[0]
        for r in conn.execute(
            f"SELECT unit_id FROM {tables.units} WHERE unit_id = %s"
            f" OR parents LIKE %s OR successor_id = %s",
            [commune[0], f"%{commune[0]}%", commune[0]],
        ).fetchall()
    ]
    marks = ", ".join(["%s"] * len(commune_units))
    cursor, value, key = cursor_at(conn, tables, depth)
    deep = "WHERE (updated_at < %s OR (updated_at = %s AND case_id < %s))"
    statistics_sql = [
        (f"SELECT * FROM {tables.units}", []),
        (f"SELECT * FROM {tables.counts} WHERE cycle_year = %s", [2025]),
        (f"SELECT * FROM {tables.subjects}", []),
    ]
    return [
        Query("standings, first page", "/standings", {}, [(page.format(where=""), [])]),
        Query(
            "standings, one commune",
            "/standings",
            {"unit_id": commune[0]},
            [(page.format(where=f"WHERE unit_id IN ({marks})"), sorted(commune_units))],
            heavy=True,
        ),
        Query(
            "standings, status refused",
            "/standings",
            {"status": "refused"},
            [(page.format(where="WHERE status = %s"), ["refused"])],
        ),
        Query(
            "standings, status reopened",
            "/standings",
            {"status": "reopened"},
            [(page.format(where="WHERE status = %s"), ["reopened"])],
        ),
        Query(
            f"standings, cursor at row {depth:,}",
            "/standings",
            {"cursor": cursor},
            [(page.format(where=deep), [str(value), str(value), key])],
            heavy=True,
        ),
        Query(
            f"standings, cursor at row {depth:,}, as a row comparison (SQL only)",
            "/standings",
            {},
            [(page.format(where="WHERE (updated_at, case_id) < (%s, %s)"), [str(value), key])],
            heavy=True,
            http=False,
        ),
        Query(
            "statistics, province, two-level",
            "/statistics",
            {"cycle_year": "2025", "structure": "two_level", "unit_id": province[0]},
            statistics_sql,
            heavy=True,
        ),
        Query(
            "statistics, province, three-level",
            "/statistics",
            {"cycle_year": "2025", "structure": "three_level", "unit_id": province[0]},
            statistics_sql,
            heavy=True,
        ),
    ]


def serve(settings: Settings, var: Path, port: int) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "HOCTAP_DATABASE_URL": settings.database_url or "",
        "HOCTAP_DATABASE_SCHEMA": settings.database_schema,
        "HOCTAP_VAR_DIR": str(var),
        "HOCTAP_RATE_LIMIT_PER_SECOND": "0",
    }
    log = (var / "server.log").open("ab")
    process = subprocess.Popen(
        [str(HOCTAP), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/health")
            conn.getresponse().read()
            return process
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError("the API did not start")


def measure(args: argparse.Namespace, settings: Settings, var: Path, token: str) -> None:
    url = settings.database_url or DEFAULT_URL
    with psycopg.connect(url, autocommit=True) as raw:
        tables = live_tables(raw, settings.database_schema)
        cases = raw.execute(f"SELECT count(*) FROM {tables.cases}").fetchone()
        units = raw.execute(f"SELECT count(*) FROM {tables.units}").fetchone()
        print(f"{cases[0] if cases else 0:,} cases, {units[0] if units else 0:,} units")
        chosen = [q for q in queries(raw, tables, args.depth) if args.only in q.name]
        process = serve(settings, var, args.port)
        try:
            lines = []
            for query in chosen:
                # A fresh keep-alive connection per query: the server closes idle ones after
                # 5 s, and the SQL timings of the previous query can take longer than that.
                http_conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=300)
                times = args.heavy_requests if query.heavy else args.requests
                path = query.path + ("?" + urlencode(query.params) if query.params else "")
                over_http = (
                    timed(partial(http_get, http_conn, token, path), times) if query.http else []
                )
                in_sql = timed(partial(sql_run, raw, query.sql), times)
                lines.append(_line(query.name, over_http, in_sql, times))
                print(lines[-1], flush=True)
        finally:
            process.terminate()
            process.wait(timeout=30)
    print()
    print("| read | n | HTTP p50 ms | HTTP p99 ms | SQL p50 ms | SQL p99 ms | HTTP/SQL p50 |")
    print("|---|---|---|---|---|---|---|")
    for line in lines:
        print(line)


def _line(name: str, over_http: list[float], in_sql: list[float], times: int) -> str:
    s50, s99 = percentile(in_sql, 0.5), percentile(in_sql, 0.99)
    if not over_http:
        return f"| {name} | {times} | - | - | {s50:,.1f} | {s99:,.1f} | - |"
    h50, h99 = percentile(over_http, 0.5), percentile(over_http, 0.99)
    return (
        f"| {name} | {times} | {h50:,.1f} | {h99:,.1f} | {s50:,.1f} | {s99:,.1f} |"
        f" {h50 / s50 if s50 else float('nan'):,.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--source-scale", type=int, default=89_999)
    parser.add_argument("--provinces", type=int, default=34)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--heavy-requests", type=int, default=30, help="for reads that take a second or more"
    )
    parser.add_argument("--depth", type=int, default=500_000, help="rows before the deep page")
    parser.add_argument("--only", default="", help="time only the reads whose name has this")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--reuse", metavar="SCHEMA", help="a schema kept by an earlier --keep")
    parser.add_argument("--keep", action="store_true", help="keep the schema for --reuse")
    args = parser.parse_args()

    schema = args.reuse or f"bench_reads_{uuid.uuid4().hex[:8]}"
    var = Path(mkdtemp(prefix="hoctap-reads-"))
    settings = Settings(database_url=args.url, database_schema=schema, var_dir=var / "api")
    print(f"schema {schema}, {date.today().isoformat()}")
    try:
        if not args.reuse:
            Ledger(settings).close()  # the schema and the event tables
            fold_source(args, settings, var)
            started = time.perf_counter()
            with psycopg.connect(args.url, row_factory=dict_row) as conn:
                replicate(conn, live_tables(conn, schema), args.provinces)
            print(
                f"replicated to {args.provinces} provinces in {time.perf_counter() - started:.0f} s"
            )
        measure(args, settings, var, reader_token(settings))
    finally:
        shutil.rmtree(var, ignore_errors=True)  # the SQLite source: a gigabyte at full size
        if not args.keep:
            with psycopg.connect(args.url, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


if __name__ == "__main__":
    main()
