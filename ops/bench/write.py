"""Write path: one command's cost as raw SQL, through the application, and over HTTP, measured
in the same run per backend (the machine is shared: compare the in-round ratios).

    .venv/bin/python ops/bench/write.py --backend both --commands 500 --rounds 3

The command is a reviewer revising one score of a reviewed case (``revise_score``; over HTTP
``POST /cases/{id}/score-revisions`` with ``If-Match``): it loads the case and the actor's
account (authorisation scope; the case's pinned criteria set is kept in memory once read)
and appends one event, whose hash-chain row is written in the same transaction. Each round
and layer revises fresh cases (opened, evidenced, self-assessed and reviewed through the
ledger's own services before any timing), five revisions each, so aggregates have the same
length in every layer and round (raw read+write writes to tables of its own, so the cases it
reads keep their 4 stored events where the application's grow from 4 to 8).
Per round and backend, in turn:

* **raw**: plain psycopg / sqlite3 writing the rows one such command writes (the event row
  and its chain row, with the state bytes the application stored), one transaction per
  command, under the lock the library takes (PostgreSQL ``LOCK TABLE ... IN EXCLUSIVE MODE``;
  SQLite's single writer), into tables made by the same DDL. It reads nothing;
* **raw read+write**: the same plain connection doing per command what the application has
  to read before it writes, then the raw write: SELECT the stored events of the case and of
  the actor's account (all their rows, ordered by version, with the library's statement)
  from the application's own events table, each in its own transaction as the library
  reads, then the raw command's insert. It reads real cases set up for it (fresh ones, as
  for every layer) and decodes nothing;
* **application**: the same commands through ``Ledger.revise_score``, one thread;
* **HTTP 1 client** and **HTTP**: the same commands against the API under uvicorn's
  multi-worker supervisor (``--workers``, a fresh server per round, rate limit off), first
  from one client, then from ``--clients`` threads, each on its own cases and keep-alive
  connection. ``--listener stock`` runs ``uvicorn --workers N`` itself, whose listener
  leaves TCP_NODELAY off (see :func:`serve_workers`);
* **HTTP floor**: the plain eventsourcing library behind a minimal FastAPI endpoint
  (:mod:`minimal_endpoint`: load an aggregate of 4-9 events, append one, save; no
  authentication, scope, If-Match, idempotency or chain), same database, same launcher,
  same workers and clients. The goal of the full command is at least the floor's rate.

Prints commands/s, p50 and p99 per layer (medians over rounds) and the median in-round
ratios application/raw and HTTP/application (goal: each >= 0.5) and HTTP/HTTP floor (goal:
>= 1), and, for information, raw read+write/raw and application/raw read+write. Loopback only; the scratch schema and
temporary folder are removed at the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import partial
from pathlib import Path
from tempfile import mkdtemp
from typing import Any, Protocol
from uuid import UUID

import psycopg
from fastapi import FastAPI
from psycopg.sql import SQL, Identifier
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from application.adapters.backends import backend_for, postgres_conninfo
from application.adapters.store import HoctapStore
from application.ledger import Ledger
from application.settings import Settings
from domain.base import CommandContext
from domain.glossary import Role, TitleModel, UnitLevel
from domain.integrity import GENESIS, chain_hash, leaf_bytes
from ops.bench import minimal_endpoint

DEFAULT_URL = "postgresql://root@127.0.0.1:5432/test"
#: Revisions per case and round: aggregates stay 5-9 events long whatever --commands is.
REVISIONS = 5
INDICATOR = "1"
REASON = "Đối chiếu lại giấy xác nhận của chi hội khuyến học"
SCORES = {str(i): Decimal(9) for i in range(1, 11)}
LAYERS = ("raw", "raw read+write", "application", "HTTP 1 client", "HTTP", "HTTP floor")
#: What each layer is compared with, and the goal for each ratio (None: for information).
BELOW: dict[str, tuple[tuple[str, float | None], ...]] = {
    "raw read+write": (("raw", None),),
    "application": (("raw", 0.5), ("raw read+write", None)),
    "HTTP 1 client": (("application", None),),
    "HTTP": (("application", 0.5), ("HTTP floor", 1.0)),
}
#: The application's events table (PostgreSQL: ``hoctap_events``; SQLite: ``stored_events``
#: in ``hoctap.sqlite``), which raw read+write reads.
APP_EVENTS = f"{HoctapStore.name.lower()}_events"
#: The library's ``select_events`` of a whole aggregate (``SELECT *``, ascending versions).
SQLITE_SELECT_EVENTS = (
    "SELECT * FROM stored_events WHERE originator_id=? ORDER BY originator_version ASC "
)
#: Cases each HTTP client revises, untimed, once the server is up (pools, prepared SQL).
WARM_UP_CASES_PER_CLIENT = 2
console = Console(width=None if sys.stdout.isatty() else 110)
#: Reports progress: ``tick(n)`` after n more commands.
Tick = Callable[[int], None]


# --- what is measured -------------------------------------------------------------------


@dataclass
class Sample:
    """One layer's timed run: wall time and each command's latency (seconds)."""

    seconds: float
    latencies: list[float]

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.latencies) * 1000

    @property
    def p99_ms(self) -> float:
        return statistics.quantiles(self.latencies, n=100)[98] * 1000


@dataclass
class Case:
    """A reviewed case under revision: the version last seen, and the score it now has."""

    id: UUID
    version: int
    score: Decimal = Decimal(9)

    def next_score(self) -> Decimal:
        """Alternate 8 and 9: a revision must change the score."""
        self.score = Decimal(8) if self.score == 9 else Decimal(9)
        return self.score


@dataclass
class Staff:
    officer: CommandContext
    reviewer: CommandContext
    reviewer_token: str
    commune: UUID


@dataclass
class Target:
    """One backend's scratch place and the settings every process uses for it."""

    backend: str
    settings: Settings
    var: Path
    url: str
    results: dict[str, list[Sample]] = field(default_factory=dict)
    events_before: int = 0
    events_after: int = 0


# --- set-up through the application's own services --------------------------------------


def bootstrap(ledger: Ledger) -> Staff:
    """Criteria, a province and a commune, and two staff accounts with no unit (national
    scope), as an administrator would make them at the console."""
    admin = CommandContext("cli:bench", Role.ADMINISTRATOR.value, "bench-setup")
    ledger.criteria.load_seed_criteria(admin)
    province = ledger.registry.establish_unit(
        admin,
        code="BENCH-T",
        name="Tỉnh Đo Tải",
        level=UnitLevel.PROVINCE,
        unit_type="tinh",
        parent_id=None,
        valid_from=date(2008, 1, 1),
    ).id
    commune = ledger.registry.establish_unit(
        admin,
        code="BENCH-X",
        name="Xã Đo Tải",
        level=UnitLevel.COMMUNE,
        unit_type="xa",
        parent_id=province,
        valid_from=date(2025, 7, 1),
    ).id
    officer = ledger.access.create_user(admin, "bench-officer", [Role.COMMUNE_OFFICER]).id
    reviewer = ledger.access.create_user(admin, "bench-reviewer", [Role.REVIEWER]).id
    token = ledger.access.issue_token(admin, reviewer, label="write benchmark").token
    return Staff(
        CommandContext(str(officer), Role.COMMUNE_OFFICER.value, "bench-setup"),
        CommandContext(str(reviewer), Role.REVIEWER.value, "bench-write"),
        token,
        commune,
    )


def reviewed_case(ledger: Ledger, staff: Staff, number: int) -> Case:
    """A citizen registered, their 2026 case opened, evidenced, self-assessed and reviewed."""
    person = ledger.registry.register_person(
        staff.officer,
        cccd=f"{1_090_000_000 + number:012d}",
        full_name=f"Người Đo Tải {number}",
        birth_date=date(1990, 1, 1),
        gender="nu",
        ethnicity="Kinh",
        target_group="can_bo",
        unit_id=staff.commune,
    ).id
    case = ledger.assessments.open_case(
        staff.officer, person, TitleModel.LEARNING_CITIZEN, 2026, on=date(2026, 1, 10)
    ).id
    ledger.assessments.attach_evidence(
        staff.officer,
        case,
        content=f"Giấy xác nhận {number}".encode(),
        kind="giay_xac_nhan",
        issuer="Chi hội Khuyến học",
        issued_on=date(2026, 1, 15),
        indicators=list(SCORES),
    )
    ledger.assessments.self_assess(staff.officer, case, SCORES, on=date(2026, 2, 1))
    done = ledger.assessments.review(
        staff.reviewer, case, SCORES, remarks="Đủ minh chứng", on=date(2026, 2, 5)
    )
    return Case(case, done.version)


def revise(ledger: Ledger, staff: Staff, case: Case) -> None:
    """The measured command, through the application layer."""
    recorded = ledger.assessments.revise_score(
        staff.reviewer, case.id, INDICATOR, case.next_score(), REASON, None, case.version
    )
    case.version = recorded.version


# --- raw: the same rows, plain drivers --------------------------------------------------


class RawWriter(Protocol):
    def write(self, originator_id: UUID, version: int, topic: str, state: bytes) -> None: ...

    def read(self, originator_id: UUID) -> list[tuple[Any, ...]]: ...

    def close(self) -> None: ...


class RawTables(HoctapStore):
    """Tables for the raw writers, made by the very DDL of the application's recorder."""

    name = "RawBench"  # PostgreSQL: rawbench_events and rawbench_events_chain


class RawPostgres:
    """BEGIN; lock; insert the event; read the chain's head; insert the chain row; COMMIT,
    pipelined as the library does (without its NOTIFY, which writes no row)."""

    def __init__(self, settings: Settings) -> None:
        self.conn = psycopg.connect(**postgres_conninfo(settings), autocommit=True)
        schema = Identifier(settings.database_schema)
        events, chain = Identifier("rawbench_events"), Identifier("rawbench_events_chain")
        self.lock = [
            SQL("SET LOCAL lock_timeout = '{0}s'").format(settings.lock_timeout_seconds),
            SQL("LOCK TABLE {0}.{1} IN EXCLUSIVE MODE").format(schema, events),
        ]
        self.insert = SQL(
            "INSERT INTO {0}.{1} (originator_id, originator_version, topic, state)"
            " VALUES (%s, %s, %s, %s) RETURNING notification_id"
        ).format(schema, events)
        self.head = SQL("SELECT position, hash FROM {0}.{1} ORDER BY position DESC LIMIT 1").format(
            schema, chain
        )
        self.chain = SQL(
            "INSERT INTO {0}.{1} (position, notification_id, hash) VALUES (%s, %s, %s)"
        ).format(schema, chain)
        self.select = SQL(
            "SELECT * FROM {0}.{1} WHERE originator_id = %s ORDER BY originator_version ASC"
        ).format(schema, Identifier(APP_EVENTS))

    def read(self, originator_id: UUID) -> list[tuple[Any, ...]]:
        """One aggregate's stored events from the application's table, as the library's
        ``select_events`` reads them (autocommit, prepared), left undecoded."""
        with self.conn.cursor() as curs:
            curs.execute(self.select, (originator_id,), prepare=True)
            return curs.fetchall()

    def write(self, originator_id: UUID, version: int, topic: str, state: bytes) -> None:
        conn = self.conn
        with conn.pipeline() as pipeline, conn.transaction():
            with conn.cursor() as curs:
                for statement in self.lock:
                    curs.execute(statement, prepare=True)
            with conn.cursor() as inserted, conn.cursor() as head:
                inserted.execute(self.insert, (originator_id, version, topic, state), prepare=True)
                head.execute(self.head, prepare=True)
                pipeline.sync()
                row, last = inserted.fetchone(), head.fetchone()
                assert row is not None
                position, previous = (last[0], bytes(last[1])) if last else (0, GENESIS)
                digest = chain_hash(
                    previous, leaf_bytes(position + 1, originator_id, version, topic, state)
                )
                inserted.execute(self.chain, (position + 1, row[0], digest), prepare=True)

    def close(self) -> None:
        self.conn.close()


class RawSQLite:
    """BEGIN; insert the event; read the chain's head; insert the chain row; COMMIT, on a
    WAL-mode file of its own, as the library's SQLite recorder does. Reads go to the
    application's file, on a connection of their own (the library reads on its own too)."""

    def __init__(self, path: Path, events: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.reader = sqlite3.connect(events, isolation_level=None, check_same_thread=False)

    def read(self, originator_id: UUID) -> list[tuple[Any, ...]]:
        """BEGIN; the library's select; ROLLBACK, as its ``select_events`` reads."""
        curs = self.reader.cursor()
        curs.execute("BEGIN")
        rows = curs.execute(SQLITE_SELECT_EVENTS, (originator_id.hex,)).fetchall()
        curs.execute("ROLLBACK")
        return rows

    def write(self, originator_id: UUID, version: int, topic: str, state: bytes) -> None:
        curs = self.conn.cursor()
        curs.execute("BEGIN")
        curs.execute(
            "INSERT INTO stored_events (originator_id, originator_version, topic, state)"
            " VALUES (?, ?, ?, ?)",
            (originator_id.hex, version, topic, state),
        )
        notification_id = curs.lastrowid
        last = curs.execute(
            "SELECT position, hash FROM stored_events_chain ORDER BY position DESC LIMIT 1"
        ).fetchone()
        position, previous = (last[0], bytes(last[1])) if last else (0, GENESIS)
        digest = chain_hash(
            previous, leaf_bytes(position + 1, originator_id, version, topic, state)
        )
        curs.execute(
            "INSERT INTO stored_events_chain (position, notification_id, hash) VALUES (?, ?, ?)",
            (position + 1, notification_id, digest),
        )
        curs.execute("COMMIT")

    def close(self) -> None:
        self.reader.close()
        self.conn.close()


def raw_writer(target: Target) -> RawWriter:
    """Create the raw tables (same DDL as the application's) and open a plain connection."""
    env = backend_for(target.settings).store_env(create_tables=True)
    if target.backend == "sqlite":
        env["SQLITE_DBNAME"] = str(target.var / "raw.sqlite")
    RawTables(env=env).close()
    if target.backend == "sqlite":
        events = backend_for(target.settings).store_env(create_tables=False)["SQLITE_DBNAME"]
        return RawSQLite(target.var / "raw.sqlite", Path(events))
    return RawPostgres(target.settings)


# --- the layers ------------------------------------------------------------------------


def timed(commands: list[Callable[[], None]], tick: Tick) -> Sample:
    """Run commands one after another, timing each."""
    latencies = []
    started = time.perf_counter()
    for number, command in enumerate(commands, 1):
        t0 = time.perf_counter()
        command()
        latencies.append(time.perf_counter() - t0)
        if number % 50 == 0:
            tick(50)
    tick(len(commands) % 50)
    return Sample(time.perf_counter() - started, latencies)


def in_rounds(cases: list[Case]) -> Iterator[Case]:
    """Each case REVISIONS times, never the same case twice in a row."""
    for _ in range(REVISIONS):
        yield from cases


def run_raw(writer: RawWriter, row: tuple[str, bytes], count: int, tick: Tick) -> Sample:
    """The rows of ``count`` commands, versions 5-9 of fresh ids as the cases' revisions."""
    topic, state = row
    ids = [uuid.uuid4() for _ in range(math.ceil(count / REVISIONS))]
    plan = [(i, v) for v in range(5, 5 + REVISIONS) for i in ids][:count]
    return timed([partial(writer.write, i, v, topic, state) for i, v in plan], tick)


def read_write(writer: RawWriter, row: tuple[str, bytes], user_id: UUID, case: Case) -> None:
    """What the command reads (the case, then the actor's account), then the raw write of
    the case's next version."""
    if not writer.read(case.id) or not writer.read(user_id):
        raise RuntimeError(f"raw read+write: no stored events for {case.id} or {user_id}")
    case.version += 1
    writer.write(case.id, case.version, *row)


def run_raw_read_write(
    writer: RawWriter, row: tuple[str, bytes], user_id: UUID, cases: list[Case], tick: Tick
) -> Sample:
    """Each case REVISIONS times, as the application layer revises its own cases."""
    return timed([partial(read_write, writer, row, user_id, c) for c in in_rounds(cases)], tick)


def run_application(ledger: Ledger, staff: Staff, cases: list[Case], tick: Tick) -> Sample:
    return timed([partial(revise, ledger, staff, c) for c in in_rounds(cases)], tick)


#: Sends one revision of a case on a connection.
Post = Callable[[http.client.HTTPConnection, Case], None]


def run_http(port: int, post: Post, cases: list[Case], clients: int, tick: Tick) -> Sample:
    """Each client thread revises its own cases on one keep-alive connection."""
    shares = [cases[k::clients] for k in range(clients)]
    latencies: list[list[float]] = [[] for _ in shares]
    errors: list[BaseException] = []
    start = threading.Barrier(clients + 1)

    def client(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        start.wait()
        try:
            for number, case in enumerate(in_rounds(shares[k]), 1):
                t0 = time.perf_counter()
                post(conn, case)
                latencies[k].append(time.perf_counter() - t0)
                if number % 20 == 0:
                    tick(20)
        except BaseException as exc:
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return Sample(elapsed, [t for share in latencies for t in share])


def post_revision(token: str, conn: http.client.HTTPConnection, case: Case) -> None:
    body = json.dumps({"indicator": INDICATOR, "score": str(case.next_score()), "reason": REASON})
    conn.request(
        "POST",
        f"/cases/{case.id}/score-revisions",
        body=body.encode(),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "If-Match": f'"{case.version}"',
        },
    )
    took_version(conn, case)


def post_floor(conn: http.client.HTTPConnection, case: Case) -> None:
    """The same revision to the floor endpoint: no token, no If-Match."""
    body = json.dumps({"indicator": INDICATOR, "score": str(case.next_score()), "reason": REASON})
    conn.request(
        "POST",
        f"/minimal/{case.id}",
        body=body.encode(),
        headers={"Content-Type": "application/json"},
    )
    took_version(conn, case)


def took_version(conn: http.client.HTTPConnection, case: Case) -> None:
    """Read the answer; the case's new version from its ETag."""
    response = conn.getresponse()
    payload = response.read()
    if response.status != 200:
        raise RuntimeError(f"HTTP {response.status}: {payload[:300]!r}")
    case.version = int((response.getheader("ETag") or "").strip('"'))


# --- the HTTP server --------------------------------------------------------------------


def server_app() -> FastAPI:
    """``uvicorn --factory`` entry: the API as ``hoctap serve`` builds it from HOCTAP_*."""
    from api.app import create_app

    return create_app(Settings())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


#: What ``--serve-app`` names: the API, or the floor endpoint.
APPS = {"api": "write:server_app", "floor": "ops.bench.minimal_endpoint:create_minimal_app"}


def serve_workers(port: int, workers: int, app: str = "api") -> None:
    """uvicorn's own multi-worker supervisor, on a listener made with IPPROTO_TCP.

    ``uvicorn --workers N`` binds its listener with ``proto`` 0; accepted sockets inherit it
    and asyncio then leaves TCP_NODELAY off, so on Linux every keep-alive response waits
    ~40 ms for the client's delayed ACK (uvicorn issue #3149, open in 0.54). Only the
    listener differs from ``uvicorn --workers N``.
    """
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(
        APPS[app],
        factory=True,
        host="127.0.0.1",
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.set_inheritable(True)
    Multiprocess(config, sockets=[sock]).run()


def server_command(port: int, workers: int, listener: str, app: str) -> list[str]:
    if listener == "tcp":
        return [
            *(sys.executable, __file__, "--serve", str(port)),
            *("--workers", str(workers), "--serve-app", app),
        ]
    return [
        *(sys.executable, "-m", "uvicorn", "--factory", APPS[app]),
        *("--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)),
        *("--log-level", "warning", "--no-access-log"),
    ]


@contextmanager
def serving(target: Target, workers: int, listener: str, app: str = "api") -> Iterator[int]:
    """The API (or the floor) with ``workers`` processes on a free loopback port, stopped on
    leaving."""
    port = free_port()
    paths = [str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")]
    env = os.environ | {
        "PYTHONPATH": os.pathsep.join(paths),
        "HOCTAP_VAR_DIR": str(target.var),
        "HOCTAP_RATE_LIMIT_PER_SECOND": "0",
        "HOCTAP_DATABASE_SCHEMA": target.settings.database_schema,
    }
    if target.backend == "postgres":
        env["HOCTAP_DATABASE_URL"] = target.url
    server = subprocess.Popen(server_command(port, workers, listener, app), env=env)
    try:
        settle(
            port,
            caught_up=target.settings.runs_projections_in_api and app == "api",
            alive=lambda: server.poll() is None,
        )
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def settle(port: int, *, caught_up: bool, alive: Callable[[], bool] = lambda: True) -> None:
    """Until /health answers (and, when projections run in the API, shows no lag), so that
    start-up and folding earlier events into the views are not measured."""
    deadline = time.monotonic() + 120
    ready = 0
    while ready < 4:
        if not alive() or time.monotonic() > deadline:
            raise RuntimeError("the API server did not start or did not catch up")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/health")
            health = json.loads(conn.getresponse().read())
            conn.close()
            lag = sum(p["lag_events"] for p in health["projections"]) if caught_up else 0
            ready = ready + 1 if lag == 0 else 0
        except (OSError, http.client.HTTPException, ValueError, KeyError):
            ready = 0
        time.sleep(0.25)


# --- one backend ------------------------------------------------------------------------


def make_target(backend: str, url: str) -> Target:
    var = Path(mkdtemp(prefix=f"hoctap-write-{backend}-"))
    schema = f"bench_write_{uuid.uuid4().hex[:8]}"
    if backend == "postgres":
        settings = Settings(database_url=url, database_schema=schema, var_dir=var)
    else:
        settings = Settings(var_dir=var)
    return Target(backend, settings, var, url)


def drop_target(target: Target) -> None:
    if target.backend == "postgres":
        with psycopg.connect(target.url, autocommit=True) as conn:
            conn.execute(
                SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                    Identifier(target.settings.database_schema)
                )
            )
    shutil.rmtree(target.var, ignore_errors=True)


def sample_row(ledger: Ledger, staff: Staff, case: Case) -> tuple[str, bytes]:
    """Topic and stored state of one real revision: what the raw writers insert."""
    revise(ledger, staff, case)
    stored = ledger.store.recorder.select_events(case.id, desc=True, limit=1)[0]
    return stored.topic, stored.state


def bench_backend(target: Target, args: argparse.Namespace, progress: Progress) -> None:
    """Set up cases, then run every layer once per round, in turn."""
    per_layer = math.ceil(args.commands / REVISIONS)
    per_round = 4 * per_layer + WARM_UP_CASES_PER_CLIENT * args.clients
    ledger = Ledger(target.settings)
    writer: RawWriter | None = None
    try:
        staff = bootstrap(ledger)
        cases = set_up_cases(ledger, staff, 1 + args.rounds * per_round, progress, target)
        probe = cases.pop(0)
        row = sample_row(ledger, staff, probe)
        writer = raw_writer(target)
        check_reader(ledger, writer, probe.id)
        floor_cases = set_up_floor(target, args.rounds * per_round, progress)
        target.events_before = ledger.store.recorder.max_notification_id() or 0
        target.results = {layer: [] for layer in LAYERS}
        for round_number in range(1, args.rounds + 1):
            batch, cases = cases[:per_round], cases[per_round:]
            floor, floor_cases = floor_cases[:per_round], floor_cases[per_round:]
            shares = [batch[k * per_layer : (k + 1) * per_layer] for k in range(4)]
            Round(target, args, progress, round_number, per_layer * REVISIONS).run(
                ledger,
                staff,
                writer,
                row,
                [*shares, batch[4 * per_layer :]],
                (floor[:per_layer], floor[per_layer:]),
            )
        target.events_after = ledger.store.recorder.max_notification_id() or 0
    finally:
        if writer is not None:
            writer.close()
        ledger.close()


def set_up_floor(target: Target, count: int, progress: Progress) -> list[Case]:
    """Aggregates for the floor endpoint, as long as the reviewed cases, in its own tables."""
    task = progress.add_task(f"{target.backend}: set up {count} floor aggregates", total=count)
    floor = minimal_endpoint.MinimalFloor(
        env=minimal_endpoint.library_env(target.settings, create=True)
    )
    try:
        ids = []
        for _ in range(count):
            ids += minimal_endpoint.set_up(floor, 1)
            progress.advance(task)
    finally:
        floor.close()
    return [Case(i, minimal_endpoint.EVENTS_BEFORE) for i in ids]


def check_reader(ledger: Ledger, writer: RawWriter, case_id: UUID) -> None:
    """Raw read+write must read the very rows the application loads (untimed, once)."""
    raw = [bytes(row[3]) for row in writer.read(case_id)]
    stored = [s.state for s in ledger.store.recorder.select_events(case_id)]
    if raw != stored:
        raise RuntimeError("raw read+write does not read the application's stored events")


def set_up_cases(
    ledger: Ledger, staff: Staff, count: int, progress: Progress, target: Target
) -> list[Case]:
    task = progress.add_task(f"{target.backend}: set up {count} reviewed cases", total=count)
    cases = []
    for number in range(count):
        cases.append(reviewed_case(ledger, staff, number))
        progress.advance(task)
    return cases


@dataclass
class Round:
    """One round on one backend: each layer in turn, on its own fresh cases."""

    target: Target
    args: argparse.Namespace
    progress: Progress
    number: int
    count: int

    def run(
        self,
        ledger: Ledger,
        staff: Staff,
        writer: RawWriter,
        row: tuple[str, bytes],
        cases: list[list[Case]],
        floor: tuple[list[Case], list[Case]],
    ) -> None:
        rw_cases, app_cases, one_cases, many_cases, warm_cases = cases
        clients = self.args.clients
        post = partial(post_revision, staff.reviewer_token)
        user_id = UUID(staff.reviewer.actor_id)
        self.record("raw", lambda tick: run_raw(writer, row, self.count, tick))
        self.record(
            "raw read+write",
            lambda tick: run_raw_read_write(writer, row, user_id, rw_cases, tick),
        )
        self.record("application", lambda tick: run_application(ledger, staff, app_cases, tick))
        caught_up = self.target.settings.runs_projections_in_api
        with serving(self.target, self.args.workers, self.args.listener) as port:
            run_http(port, post, warm_cases, clients, lambda n: None)  # pools, prepared SQL
            settle(port, caught_up=caught_up)
            self.record("HTTP 1 client", lambda tick: run_http(port, post, one_cases, 1, tick))
            settle(port, caught_up=caught_up)
            self.record("HTTP", lambda tick: run_http(port, post, many_cases, clients, tick))
        floor_cases, floor_warm = floor
        with serving(self.target, self.args.workers, self.args.listener, "floor") as port:
            run_http(port, post_floor, floor_warm, clients, lambda n: None)
            self.record(
                "HTTP floor",
                lambda tick: run_http(port, post_floor, floor_cases, clients, tick),
            )
        results = self.target.results
        console.print(
            f"{self.target.backend} round {self.number}: "
            + ", ".join(
                f"{layer} {results[layer][-1].rate:,.0f}/s (p50 {results[layer][-1].p50_ms:.2f})"
                for layer in LAYERS
            )
        )

    def record(self, layer: str, run: Callable[[Callable[[int], None]], Sample]) -> None:
        label = f"{self.target.backend} round {self.number}: {layer}"
        task = self.progress.add_task(label, total=self.count)
        sample = run(lambda n: self.progress.advance(task, n))
        self.progress.update(task, completed=self.count)
        self.target.results[layer].append(sample)


# --- report -----------------------------------------------------------------------------


def ratio(results: dict[str, list[Sample]], top: str, bottom: str) -> float:
    """Median of the in-round ratios of commands per second."""
    pairs = zip(results[top], results[bottom], strict=True)
    return statistics.median(a.rate / b.rate for a, b in pairs)


def report(targets: list[Target], args: argparse.Namespace) -> None:
    """A rich table on the terminal, and the same figures as Markdown for the docs."""
    table = Table(title=f"Write path, medians of {args.rounds} rounds")
    for column in ("backend", "layer", "commands/s", "p50 ms", "p99 ms", "ratio", "goal"):
        table.add_column(column, justify="left" if column in ("backend", "layer") else "right")
    lines = ["| backend | layer | commands/s | p50 ms | p99 ms | ratio (median in-round) |"]
    lines.append("|---|---|---|---|---|---|")
    for target in targets:
        for layer in LAYERS:
            samples = target.results[layer]
            rate = statistics.median(s.rate for s in samples)
            p50 = statistics.median(s.p50_ms for s in samples)
            p99 = statistics.median(s.p99_ms for s in samples)
            shares = [
                (ratio(target.results, layer, below), below, applies)
                for below, applies in BELOW.get(layer, ())
            ]
            label = ", ".join(f"{share:.2f} of {below}" for share, below, _ in shares)
            goals = [
                f"{'met' if share >= wanted else 'NOT met'} (>= {wanted:g} of {below})"
                for share, below, wanted in shares
                if wanted is not None
            ]
            goal = ("; ".join(goals) or "(no goal)") if shares else ""
            name = f"{layer}, {args.clients} clients" if layer.startswith("HTTP") else layer
            if layer == "HTTP 1 client":
                name = layer
            cells = (f"{rate:,.0f}", f"{p50:.2f}", f"{p99:.2f}", label, goal)
            table.add_row(target.backend, name, *cells)
            lines.append(f"| {target.backend} | {name} | {' | '.join(cells[:4])} |")
    console.print(table)
    for target in targets:
        console.print(
            f"{target.backend}: {target.events_before:,} events before timing,"
            f" {target.events_after:,} after"
        )
    console.print(
        "goal: application >= 0.5 of raw, HTTP >= 0.5 of application and >= 1 of HTTP floor"
    )
    console.print(
        "informational (no goal): application / raw read+write "
        + ", ".join(
            f"{t.backend} {ratio(t.results, 'application', 'raw read+write'):.2f}" for t in targets
        )
    )
    console.print("\n".join(lines), markup=False, soft_wrap=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("postgres", "sqlite", "both"), default="both")
    parser.add_argument("--commands", type=int, default=500, help="per layer and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--clients", type=int, default=4, help="concurrent HTTP clients")
    parser.add_argument(
        "--listener",
        choices=("tcp", "stock"),
        default="tcp",
        help="tcp: uvicorn's supervisor on an IPPROTO_TCP listener; stock: uvicorn --workers",
    )
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--serve-app", choices=tuple(APPS), default="api", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve_workers(args.serve, args.workers, args.serve_app)
        return
    backends = ["postgres", "sqlite"] if args.backend == "both" else [args.backend]
    console.print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {args.commands} commands per layer"
        f" and round, {args.rounds} rounds, {args.workers} workers, {args.clients} clients"
    )
    targets = [make_target(backend, args.url) for backend in backends]
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    try:
        with Progress(*columns, TimeElapsedColumn(), console=console) as progress:
            for target in targets:
                bench_backend(target, args, progress)
        report(targets, args)
    finally:
        for target in targets:
            drop_target(target)


if __name__ == "__main__":
    main()
