"""Bulk import: persons with their households through ``ImportService.run``, against the same
kind of rows through the API one by one, and against a raw floor, in the same run per backend
(the machine is shared: compare the in-round ratios).

    .venv/bin/python ops/bench/imports.py --backend both --persons 10000 --api-persons 1000 --rounds 3

Per round and backend, on a fresh store holding one province, two communes and their villages:

* **import**: a generated village workbook of ``--persons`` persons (two to five per household,
  households on their own sheet) imported into commune 1 with ``ImportService.run``, the
  check of every row included: what ``hoctap import FILE --unit`` does without the console;
* **API one by one**: ``--api-persons`` persons of another generated workbook registered into
  commune 2 over HTTP (FastAPI TestClient, bearer token, rate limit off), as a client with
  no import would: per household ``POST /collectives``, then per member ``POST /persons`` and
  ``POST /collectives/{id}/members`` with ``If-Match``. Fewer rows than the import (the rate
  per person does not depend on the count: each call is its own transaction);
* **floor**: the event rows the import wrote (their stored bytes) copied into a table of the
  same columns with no index, in one transaction: PostgreSQL ``COPY``, SQLite ``executemany``
  into a fresh file. Neither looks anything up, seals or chains.

Prints persons/s per variant (medians over rounds) and the median in-round ratios import/API
(goal: >= 10) and floor/import. The scratch schema and temporary folder are removed at the end.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

import psycopg
from fastapi.testclient import TestClient
from psycopg.sql import SQL, Identifier
from rich.console import Console
from rich.table import Table

from api.app import create_app
from application.clients.generator.workbook import VillageRows, village_workbook
from application.ledger import Ledger
from application.settings import Settings
from domain.access import user_id_for
from domain.base import CommandContext
from domain.glossary import Role, SubjectKind, UnitLevel
from domain.registry import unit_id_for

DEFAULT_URL = "postgresql://root@127.0.0.1:5432/test"
CONSOLE = CommandContext("cli:bench", Role.ADMINISTRATOR.value, "bench-imports")
VILLAGES_1 = ("B1-T01", "B1-T02", "B1-T03", "B1-T04")
VILLAGES_2 = ("B2-T01", "B2-T02")
GENDERS = {"Nam": "nam", "Nữ": "nu"}
GROUPS = {"Nông dân": "nong_dan", "Công nhân": "cong_nhan", "Cán bộ": "can_bo", None: None}
RELATIONS = {"Chủ hộ": "chu_ho", "Vợ": "vo", "Con": "con"}
out = Console()


@dataclass
class Round:
    imported: float  # persons/s
    api: float
    floor: float


@contextmanager
def fresh_settings(backend: str, url: str) -> Iterator[Settings]:
    var = Path(mkdtemp(prefix=f"hoctap-imports-{backend}-"))
    schema = f"bench_imports_{uuid.uuid4().hex[:8]}"
    common: dict[str, Any] = {"var_dir": var, "rate_limit_per_second": 0}
    if backend == "postgres":
        settings = Settings(database_url=url, database_schema=schema, **common)
    else:
        settings = Settings(**common)
    try:
        yield settings
    finally:
        if backend == "postgres":
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(Identifier(schema)))
        shutil.rmtree(var, ignore_errors=True)


def geography(ledger: Ledger) -> None:
    def unit(code: str, level: UnitLevel, parent: str | None) -> None:
        ledger.registry.establish_unit(
            CONSOLE,
            code=code,
            name=f"Đơn vị {code}",
            level=level,
            unit_type=level.value,
            parent_id=unit_id_for(parent) if parent else None,
            valid_from=date(2020, 1, 1),
        )

    unit("B", UnitLevel.PROVINCE, None)
    for commune, villages in (("B1", VILLAGES_1), ("B2", VILLAGES_2)):
        unit(commune, UnitLevel.COMMUNE, "B")
        for village in villages:
            unit(village, UnitLevel.VILLAGE, commune)


def rows_of(villages: tuple[str, ...], persons: int, prefix: int) -> VillageRows:
    """Whole households until at least ``persons`` persons."""
    rows = village_workbook(villages, households=max(1, persons * 10 // 35), prefix=prefix)
    while len(rows.persons) < persons:
        rows = village_workbook(villages, households=len(rows.households) + 50, prefix=prefix)
    keep = {p["household_code"] for p in rows.persons[:persons]}
    last = rows.persons[persons - 1]["household_code"]
    persons_kept = [p for p in rows.persons if p["household_code"] in keep]
    households = [h for h in rows.households if h["household_code"] in keep]
    assert persons_kept[-1]["household_code"] == last
    return VillageRows(households, persons_kept)


def timed_import(ledger: Ledger, rows: VillageRows) -> tuple[float, int, int]:
    """Seconds to import, and the log positions before and after."""
    content = rows.content()
    before = ledger.store.recorder.max_notification_id() or 0
    started = time.perf_counter()
    outcome = ledger.imports.run(CONSOLE, unit_id_for("B1"), content)
    elapsed = time.perf_counter() - started
    assert outcome.accepted == len(rows.persons) + len(rows.households), outcome
    return elapsed, before, ledger.store.recorder.max_notification_id() or 0


def timed_api(ledger: Ledger, settings: Settings, rows: VillageRows) -> float:
    """Seconds to register ``rows`` over HTTP, one call per record and membership."""
    ledger.access.create_user(CONSOLE, "bench-canbo", [Role.COMMUNE_OFFICER], unit_id_for("B2"))
    token = ledger.access.issue_token(CONSOLE, user_id_for("bench-canbo")).token
    app = create_app(settings, ledger=ledger)
    members: dict[str, list[dict[str, Any]]] = {}
    for person in rows.persons:
        members.setdefault(person["household_code"], []).append(person)
    with TestClient(app) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        started = time.perf_counter()
        for household in rows.households:
            village = str(unit_id_for(household["village_code"]))
            body = {
                "kind": SubjectKind.HOUSEHOLD.value,
                "name": household["name"],
                "unit_id": village,
            }
            created = client.post("/collectives", json=body)
            assert created.status_code == 201, created.text
            household_id, version = created.json()["id"], created.json()["version"]
            for person in members[household["household_code"]]:
                day, month, year = person["birth_date"].split("/")
                registered = client.post(
                    "/persons",
                    json={
                        "cccd": person["cccd"],
                        "full_name": person["full_name"],
                        "birth_date": f"{year}-{month}-{day}",
                        "gender": GENDERS[person["gender"]],
                        "ethnicity": person["ethnicity"],
                        "target_group": GROUPS[person["target_group"]],
                        "unit_id": village,
                    },
                )
                assert registered.status_code == 201, registered.text
                added = client.post(
                    f"/collectives/{household_id}/members",
                    json={
                        "member_id": registered.json()["id"],
                        "relation": RELATIONS[person["relation"]],
                    },
                    headers={"If-Match": f'"{version}"'},
                )
                assert added.status_code == 200, added.text
                version = added.json()["version"]
        elapsed = time.perf_counter() - started
    models = getattr(app.state, "read_models", None)
    if models is not None:
        models.close()  # an app given a ledger leaves its views open
    return elapsed


def stored_rows(ledger: Ledger, after: int, upto: int) -> list[tuple[Any, int, str, bytes]]:
    rows: list[tuple[Any, int, str, bytes]] = []
    start = after + 1
    while start <= upto:
        page = ledger.store.recorder.select_notifications(start=start, limit=1000, stop=upto)
        if not page:
            break
        rows.extend((n.originator_id, n.originator_version, n.topic, n.state) for n in page)
        start = page[-1].id + 1
    return rows


def timed_floor(settings: Settings, url: str, rows: list[tuple[Any, ...]]) -> float:
    """Seconds to write the same event rows with nothing else: COPY, or one executemany."""
    if settings.database_url:
        schema = Identifier(settings.database_schema)
        with psycopg.connect(url) as conn:
            conn.execute(
                SQL(
                    "CREATE TABLE {}.floor (originator_id uuid, originator_version int,"
                    " topic text, state bytea)"
                ).format(schema)
            )
            conn.commit()
            started = time.perf_counter()
            with (
                conn.cursor() as cur,
                cur.copy(SQL("COPY {}.floor FROM STDIN").format(schema)) as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            conn.commit()
            return time.perf_counter() - started
    path = settings.var_dir / "floor.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE floor (originator_id text, originator_version int, topic text, state blob)"
        )
        started = time.perf_counter()
        conn.executemany(
            "INSERT INTO floor VALUES (?, ?, ?, ?)", [(str(a), b, c, d) for a, b, c, d in rows]
        )
        conn.commit()
        return time.perf_counter() - started


def one_round(backend: str, url: str, persons: int, api_persons: int, seed: int) -> Round:
    with fresh_settings(backend, url) as settings:
        ledger = Ledger(settings)
        try:
            geography(ledger)
            bulk = rows_of(VILLAGES_1, persons, prefix=30 + seed)
            single = rows_of(VILLAGES_2, api_persons, prefix=60 + seed)
            seconds, before, after = timed_import(ledger, bulk)
            api_seconds = timed_api(ledger, settings, single)
            floor_seconds = timed_floor(settings, url, stored_rows(ledger, before, after))
        finally:
            ledger.close()
    return Round(
        len(bulk.persons) / seconds,
        len(single.persons) / api_seconds,
        len(bulk.persons) / floor_seconds,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("postgres", "sqlite", "both"), default="both")
    parser.add_argument("--persons", type=int, default=10_000)
    parser.add_argument("--api-persons", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--url", default=DEFAULT_URL)
    args = parser.parse_args()
    backends = ("sqlite", "postgres") if args.backend == "both" else (args.backend,)
    table = Table(title=f"Nhập {args.persons:,} người (API: {args.api_persons:,}), người/giây")
    for column in ("backend", "import", "API one by one", "floor", "import/API", "floor/import"):
        table.add_column(column, justify="right")
    for backend in backends:
        rounds = []
        for number in range(args.rounds):
            result = one_round(backend, args.url, args.persons, args.api_persons, number)
            out.print(
                f"{backend} round {number + 1}: import {result.imported:,.0f}/s,"
                f" API {result.api:,.0f}/s, floor {result.floor:,.0f}/s"
            )
            rounds.append(result)

        def median(values: list[float]) -> float:
            return statistics.median(values)

        table.add_row(
            backend,
            f"{median([r.imported for r in rounds]):,.0f}",
            f"{median([r.api for r in rounds]):,.0f}",
            f"{median([r.floor for r in rounds]):,.0f}",
            f"{median([r.imported / r.api for r in rounds]):.1f}",
            f"{median([r.floor / r.imported for r in rounds]):.1f}",
        )
    out.print(table)


if __name__ == "__main__":
    main()
