"""Check 4 — backup and restore, while writers keep writing: a PostgreSQL ``pg_dump`` of the
scratch schema restored into another schema, and an SQLite online backup
(``hoctap db backup``) of the embedded store.

On each backend: write a few cases, fold the views, sign a checkpoint, then start a writer
that keeps appending while the copy is taken. On the copy, ``hoctap verify`` must pass and
count every checkpoint signed before the backup (it recomputes the chain and each signed
Merkle root over the restored events); ``hoctap projections check`` must find zero
differing rows in every view (the copied views may lag the copied log, never lead it); every
person in the copy must still open with their key; and the copy must accept new writes
that extend the same chain. Finally one byte of one restored event is changed and
``hoctap verify`` must then fail — the control that shows the verification can fail.
"""

from __future__ import annotations

import multiprocessing
import re
import subprocess
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg

from application.adapters.read_models import ReadModels
from application.ledger import Ledger
from application.services.records import VIETNAM
from application.settings import Settings
from domain.registry import Person
from ops.reliability.common import (
    PG_URL,
    Report,
    Scratch,
    check_every_view,
    hoctap,
    scratch_store,
    summary,
)
from ops.reliability.workload import World, prepare, write_case

PSQL = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1"]


@dataclass(frozen=True)
class Params:
    cases_before: int = 60
    #: Views checked on each restored copy (all of them by default).
    views: tuple[str, ...] = ()


def run_both(params: Params, url: str = PG_URL, keep: bool = False) -> Report:
    report = Report("Backup and restore under writes (pg_dump; SQLite online backup)")
    with scratch_store("postgres", url=url, keep=keep) as scratch:
        run_postgres(report, scratch, params, url)
    with scratch_store("sqlite", keep=keep) as scratch:
        run_sqlite(report, scratch, params)
    return report


def _seed(settings: Settings, cases: int) -> tuple[World, int, list[str]]:
    """Cases, folded views and a signed checkpoint: (world, checkpoint size, view names)."""
    ledger = Ledger(settings)
    models = ReadModels(settings, ledger.store)
    try:
        world = prepare(ledger)
        for n in range(cases):
            write_case(ledger, world, 900, n)
        models.initialise()
        models.catch_up()
        checkpoint = ledger.auditor.make_checkpoint(datetime.now(VIETNAM))
        return world, checkpoint.tree_size, list(models.engine.projections)
    finally:
        models.close()
        ledger.close()


class Writer(threading.Thread):
    """Keeps writing cases until stopped (in its own ledger: its own connections)."""

    def __init__(self, settings: Settings, world: World, tag: int) -> None:
        super().__init__(name="writer", daemon=True)
        self.settings, self.world, self.tag = settings, world, tag
        self.stop = threading.Event()
        self.written = 0
        self.error: str | None = None

    def run(self) -> None:
        ledger = Ledger(self.settings, initialise=False)
        try:
            while not self.stop.is_set():
                write_case(ledger, self.world, self.tag, self.written)
                self.written += 1
        except Exception as error:  # reported by the check
            self.error = repr(error)
        finally:
            ledger.close()


def run_postgres(report: Report, scratch: Scratch, params: Params, url: str) -> None:
    assert scratch.schema is not None
    world, signed, views = _seed(scratch.settings, params.cases_before)
    writer = Writer(scratch.settings, world, 901)
    writer.start()
    time.sleep(0.5)
    dump = scratch.var_dir / "dump.sql"
    dumped = subprocess.run(
        [
            "pg_dump",
            f"--dbname={url}",
            f"--schema={scratch.schema}",
            "--no-owner",
            f"--file={dump}",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    time.sleep(0.5)
    writer.stop.set()
    writer.join(timeout=60)
    report.expect(
        "pg_dump of the schema while a writer appends",
        dumped.returncode == 0 and writer.error is None and writer.written > 0,
        f"{dump.stat().st_size if dump.exists() else 0:,} bytes; writer added "
        f"{writer.written} cases meanwhile"
        + (f"; {dumped.stderr.strip()[:200]}" if dumped.returncode else "")
        + (f"; writer error {writer.error}" if writer.error else ""),
    )
    restored = scratch.with_schema(f"{scratch.schema}_restored")
    text = re.sub(
        rf"\b{re.escape(scratch.schema)}\b", str(restored.schema), dump.read_text("utf-8")
    )
    (scratch.var_dir / "restore.sql").write_text(text, encoding="utf-8")
    loaded = subprocess.run(
        [*PSQL, f"--dbname={url}", "-f", str(scratch.var_dir / "restore.sql")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report.expect(
        f"restored into schema {restored.schema} (psql)",
        loaded.returncode == 0,
        loaded.stderr.strip()[:200] or "ok",
    )
    _check_copy(report, "PostgreSQL", restored, world, signed, params.views or tuple(views))
    _tamper_postgres(url, str(restored.schema))
    _expect_tamper_detected(report, "PostgreSQL", restored)


def _sqlite_writer(settings: Settings, world: World, stop: Any, written: Any) -> None:
    """In a child process: write cases until ``stop`` is set."""
    ledger = Ledger(settings, initialise=False)
    try:
        while not stop.is_set():
            write_case(ledger, world, 902, written.value)
            written.value += 1
    finally:
        ledger.close()


def run_sqlite(report: Report, scratch: Scratch, params: Params) -> None:
    world, signed, views = _seed(scratch.settings, params.cases_before)
    ctx = multiprocessing.get_context("spawn")
    stop, written = ctx.Event(), ctx.Value("i", 0)
    writer = ctx.Process(target=_sqlite_writer, args=(scratch.settings, world, stop, written))
    writer.start()
    deadline = time.monotonic() + 60
    while written.value == 0 and writer.is_alive() and time.monotonic() < deadline:
        time.sleep(0.1)
    target = scratch.var_dir.parent / f"{scratch.var_dir.name}-backup"
    backed = hoctap(scratch, "db", "backup", str(target))
    during = written.value
    stop.set()
    writer.join(timeout=60)
    report.expect(
        "hoctap db backup (SQLite online backup) while another process writes",
        backed.returncode == 0 and during > 0 and writer.exitcode == 0,
        summary(backed) + f"; writer had added {during} cases",
    )
    copy = scratch.with_var_dir(target)
    try:
        _check_copy(report, "SQLite", copy, world, signed, params.views or tuple(views))
        _tamper_sqlite(target / "hoctap.sqlite")
        _expect_tamper_detected(report, "SQLite", copy)
    finally:
        subprocess.run(["rm", "-rf", str(target)], check=False)


def _check_copy(
    report: Report,
    label: str,
    copy: Scratch,
    world: World,
    signed: int,
    views: tuple[str, ...],
) -> None:
    verified = hoctap(copy, "verify")
    output = verified.stdout + verified.stderr
    counts = re.search(r"(\d+) sự kiện, (\d+) điểm kiểm", output)
    events, checkpoints = (int(counts[1]), int(counts[2])) if counts else (0, 0)
    report.expect(
        f"{label} copy: hoctap verify passes with the checkpoint signed before the backup",
        verified.returncode == 0 and checkpoints >= 1 and events >= signed,
        summary(verified) + f" (checkpoint over {signed} events)",
    )
    check_every_view(report, copy, list(views))
    ledger = Ledger(copy.settings, initialise=False)
    try:
        people = _people(ledger)
        unreadable = [p for p in people if ledger.vault.unseal(p.id, p.sealed) is None]
        report.expect(
            f"{label} copy: every person's sealed data opens with the copied keys",
            bool(people) and not unreadable,
            f"{len(people)} persons, {len(unreadable)} unreadable",
        )
        write_case(ledger, world, 903, 0)  # the copy holds the same units and staff
        result = ledger.auditor.verify()
        report.expect(
            f"{label} copy: accepts new writes that extend the same chain",
            result.ok,
            f"{result.events} events, {result.checkpoints} checkpoints"
            + (f"; {result.problem}" if result.problem else ""),
        )
    finally:
        ledger.close()


def _people(ledger: Ledger) -> list[Person]:
    topic = "hoctap.Person.Registered"
    found: list[Person] = []
    after = 0
    while items := ledger.store.recorder.select_notifications(
        start=after, limit=2000, inclusive_of_start=False
    ):
        found += [
            ledger.records.get(Person, UUID(str(n.originator_id)))
            for n in items
            if n.topic == topic
        ]
        after = items[-1].id
    return found


def _tamper_postgres(url: str, schema: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            f"UPDATE \"{schema}\".hoctap_events SET state = state || '\\x20'::bytea"
            f' WHERE notification_id = (SELECT min(notification_id) + 7 FROM "{schema}".hoctap_events)'
        )


def _tamper_sqlite(path: Path) -> None:
    import sqlite3

    with sqlite3.connect(path) as conn:
        conn.execute(
            "UPDATE stored_events SET state = state || x'20'"
            " WHERE rowid = (SELECT min(rowid) + 7 FROM stored_events)"
        )
    conn.close()


def _expect_tamper_detected(report: Report, label: str, copy: Scratch) -> None:
    verified = hoctap(copy, "verify")
    report.expect(
        f"{label} control: one changed byte in the copy makes hoctap verify fail",
        verified.returncode == 1,
        summary(verified),
    )
