"""The event store on each backend: set-up, conflicts, atomic saves, evidence integrity."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import time
from datetime import date
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from eventsourcing.persistence import StoredEvent

from application.adapters.audit import chained_events
from application.adapters.blobs import BlobStore, EvidenceCorrupted
from application.ledger import Ledger
from application.services.records import FixedClock
from application.settings import Settings
from domain.assessment import AssessmentCase
from domain.base import CommandContext, acting
from domain.errors import VersionConflict
from domain.glossary import Role, SubjectKind, TitleModel, UnitLevel
from domain.registry import AdministrativeUnit
from tests.conftest import PG_URL, make_settings

ADMIN = CommandContext("cli:test", Role.ADMINISTRATOR.value, "test")


def _write(
    settings: Settings, barrier, results, tag: int, count: int, initialise: bool
) -> None:  # in a child process
    """Start a ledger at the barrier, then establish ``count`` units; report "ok" or why not."""
    barrier.wait()
    try:
        ledger = Ledger(settings, initialise=initialise)
        for n in range(count):
            ledger.registry.establish_unit(
                ADMIN,
                code=f"W{tag}-{n}",
                name="Tỉnh",
                level=UnitLevel.PROVINCE,
                unit_type="tinh",
                parent_id=None,
                valid_from=date(2020, 1, 1),
            )
        ledger.close()
        results.put("ok")
    except Exception as exc:  # reported to the parent, which fails the test
        results.put(f"{type(exc).__name__}: {exc}")


def run_writers(settings: Settings, count: int, *, initialise: bool) -> list[str]:
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(4), ctx.Queue()
    workers = [
        ctx.Process(target=_write, args=(settings, barrier, results, tag, count, initialise))
        for tag in range(4)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    return [results.get(timeout=5) for _ in workers]


def test_several_processes_starting_at_once_on_a_new_postgres_schema_all_succeed(
    pg_schema: str, tmp_path: Path
):
    settings = make_settings("postgres", tmp_path, pg_schema)
    assert run_writers(settings, 1, initialise=True) == ["ok"] * 4


def _read_secrets(var_dir: Path, barrier, results) -> None:  # in a child process
    barrier.wait()
    try:
        results.put(Settings(var_dir=var_dir, environment="development")._development_secrets())
    except Exception as exc:  # reported to the parent, which fails the test
        results.put(f"{type(exc).__name__}: {exc}")


def test_processes_making_development_secrets_at_once_all_get_the_same_ones(tmp_path: Path):
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(6), ctx.Queue()
    workers = [
        ctx.Process(target=_read_secrets, args=(tmp_path / "var", barrier, results))
        for _ in range(6)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    seen = [results.get(timeout=5) for _ in workers]
    assert all(isinstance(secrets, dict) for secrets in seen), seen
    assert len({json.dumps(secrets, sort_keys=True) for secrets in seen}) == 1
    assert sorted(path.name for path in (tmp_path / "var").iterdir()) == ["secrets.json"]
    assert (tmp_path / "var" / "secrets.json").stat().st_mode & 0o077 == 0


def test_embedded_default_is_sqlite_under_var(tmp_path: Path):
    settings = Settings(var_dir=tmp_path / "var", environment="development")
    ledger = Ledger(settings)
    try:
        assert settings.backend == "sqlite"
        assert (tmp_path / "var" / "hoctap.sqlite").exists()
        assert (tmp_path / "var" / "keys.sqlite").exists()
        assert (tmp_path / "var" / "secrets.json").stat().st_mode & 0o077 == 0
    finally:
        ledger.close()


def test_a_stale_copy_cannot_overwrite_a_newer_change(settings: Settings, clock: FixedClock):
    ledger = Ledger(settings, clock=clock)
    try:
        province = ledger.registry.establish_unit(
            ADMIN,
            code="P1",
            name="Tỉnh",
            level=UnitLevel.PROVINCE,
            unit_type="tinh",
            parent_id=None,
            valid_from=date(2000, 1, 1),
        )
        one = ledger.registry.establish_unit(
            ADMIN,
            code="X1",
            name="Xã 1",
            level=UnitLevel.COMMUNE,
            unit_type="xa",
            parent_id=province.id,
            valid_from=date(2025, 7, 1),
        )
        two = ledger.registry.establish_unit(
            ADMIN,
            code="X2",
            name="Xã 2",
            level=UnitLevel.COMMUNE,
            unit_type="xa",
            parent_id=province.id,
            valid_from=date(2025, 7, 1),
        )
        first, stale = (
            ledger.records.get(AdministrativeUnit, one.id),
            ledger.records.get(AdministrativeUnit, one.id),
        )
        with acting(ADMIN):
            first.merge_into(
                ledger.records.get(AdministrativeUnit, two.id), date(2026, 1, 1), "NQ 1"
            )
            stale.merge_into(
                ledger.records.get(AdministrativeUnit, two.id), date(2026, 1, 1), "NQ 2"
            )
        ledger.records.save(first)
        with pytest.raises(VersionConflict):
            ledger.records.save(stale)
        with pytest.raises(VersionConflict):
            ledger.records.get(AdministrativeUnit, one.id, expected_version=1)
    finally:
        ledger.close()


def test_registering_the_same_unit_code_twice_is_a_conflict(settings: Settings, clock):
    ledger = Ledger(settings, clock=clock)
    try:

        def establish():
            return ledger.registry.establish_unit(
                ADMIN,
                code="P1",
                name="Tỉnh",
                level=UnitLevel.PROVINCE,
                unit_type="tinh",
                parent_id=None,
                valid_from=date(2000, 1, 1),
            )

        establish()
        with pytest.raises(VersionConflict):
            establish()
    finally:
        ledger.close()


def test_evidence_read_back_is_checked_against_its_digest(tmp_path: Path):
    blobs = BlobStore(tmp_path / "blobs")
    digest = blobs.put(b"%PDF-1.4 giay chung nhan")
    assert blobs.get(digest) == b"%PDF-1.4 giay chung nhan"
    blobs.path_of(digest).write_bytes(b"%PDF-1.4 giay chung nhan (da sua)")
    with pytest.raises(EvidenceCorrupted) as raised:
        blobs.get(digest)
    assert raised.value.details["expected"] == digest


def test_a_case_opened_before_versions_were_recorded_reads_back_with_an_unknown_version(
    tmp_path: Path,
):
    """Stored rows are never rewritten: old shapes are upcast when read."""
    ledger = Ledger(make_settings("memory", tmp_path))
    try:
        with acting(ADMIN):
            unit = AdministrativeUnit.establish(
                code="P",
                name="Tỉnh",
                level=UnitLevel.PROVINCE,
                unit_type="tinh",
                parent=None,
                valid_from=date(2000, 1, 1),
            )

        ledger.criteria.load_seed_criteria(ADMIN)
        spec = ledger.criteria.spec_in_force(TitleModel.LEARNING_UNIT, None, None, date(2026, 1, 1))
        with acting(ADMIN):
            case = AssessmentCase.open(
                subject_id=uuid4(),
                subject_kind=SubjectKind.ORGANISATION,
                unit_id=unit.id,
                model=TitleModel.LEARNING_UNIT,
                cycle_year=2026,
                spec=spec,
                opened_on=date(2026, 1, 5),
            )
        [opened] = case.collect_events()
        state = json.loads(ledger.store.mapper.to_stored_event(opened).state)
        assert state.pop("class_version") == 2 and state.pop("criteria_set_version") == 1
        old = StoredEvent(
            originator_id=opened.originator_id,
            originator_version=1,
            topic="hoctap.AssessmentCase.Opened",
            state=json.dumps(state).encode(),
        )
        assert ledger.store.mapper.to_domain_event(old).criteria_set_version is None
    finally:
        ledger.close()


def test_chain_positions_stay_gap_free_under_concurrent_writers(pg_schema: str, tmp_path: Path):
    settings = make_settings("postgres", tmp_path, pg_schema)
    Ledger(settings).close()  # tables first, as `hoctap db init` does
    assert run_writers(settings, 25, initialise=False) == ["ok"] * 4
    ledger = Ledger(settings)
    try:
        rows = list(chained_events(ledger.store))
        assert [r.position for r in rows] == list(range(1, 101))
        assert ledger.auditor.verify().ok
    finally:
        ledger.close()


def _cut_off(pool: Any) -> int:
    """Terminate, on the server, every connection the pool holds (as a restart would)."""
    held = [pool.getconn() for _ in range(pool.get_stats()["pool_available"])]
    pids = [conn.info.backend_pid for conn in held]
    for conn in held:
        pool.putconn(conn)
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", (pids,))
    return len(pids)


def test_connections_cut_off_while_idle_are_replaced_before_use(pg_schema: str, tmp_path: Path):
    # Given a ledger whose pooled connections have all been cut off while idle
    settings = make_settings("postgres", tmp_path, pg_schema).model_copy(
        update={"pg_check_idle_seconds": 0.2}
    )
    ledger = Ledger(settings, initialise=True)
    try:
        first = ledger.registry.establish_unit(ADMIN, **_province("CUT-1"))
        pool = ledger.store.recorder.datastore.pool  # type: ignore[attr-defined]
        assert _cut_off(pool) >= 1
        time.sleep(0.3)
        # When the ledger writes to its own tables (no library retry there) and to the log
        assert ledger.idempotency.claim("cut", "key-1", "digest", "owner", 0.0) is None
        second = ledger.registry.establish_unit(ADMIN, **_province("CUT-2"))
        # Then both succeed on fresh connections, and the log holds both units
        assert ledger.records.get(AdministrativeUnit, first.id).code == "CUT-1"
        assert ledger.records.get(AdministrativeUnit, second.id).code == "CUT-2"
    finally:
        ledger.close()


def _province(code: str) -> dict[str, Any]:
    return {
        "code": code,
        "name": "Tỉnh",
        "level": UnitLevel.PROVINCE,
        "unit_type": "tinh",
        "parent_id": None,
        "valid_from": date(2020, 1, 1),
    }


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_paged_chain_read_gives_the_same_rows_at_every_page_size(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
):
    """Pages of the log joined with its chain (what verify, proofs and bundles read) meet
    without losing or repeating a row, across a gap in the notification ids (PostgreSQL: a
    sequence that moved on, as a rolled-back insert leaves it) and events deleted mid-log,
    one of them on a page boundary, whose chain rows must still come back in their place."""
    schema = request.getfixturevalue("pg_schema") if backend == "postgres" else None
    settings = make_settings(backend, tmp_path / "var", schema)
    ledger = Ledger(settings)
    recorder: Any = ledger.store.recorder
    try:

        def insert(count: int) -> None:
            recorder.insert_events(
                [StoredEvent(uuid4(), 1, "test.Synthetic", b'{"n": %d}' % n) for n in range(count)]
            )

        insert(10)
        if backend == "postgres":
            with psycopg.connect(PG_URL, autocommit=True) as conn:
                conn.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'notification_id'), 100)",
                    (f'"{schema}".hoctap_events',),
                )
        insert(10)
        ids = sorted(recorder.chained_notification_id(p) for p in range(1, 21))
        deleted = {ids[5], ids[12], ids[15]}  # ids[5] ends a page of 3 and of 6
        events = recorder.events_table_name
        if backend == "postgres":
            with psycopg.connect(PG_URL, autocommit=True) as conn:
                for n in deleted:
                    conn.execute(f'DELETE FROM "{schema}".{events} WHERE notification_id = {n}')
        else:
            with sqlite3.connect(settings.var_dir / "hoctap.sqlite") as lite:
                for n in deleted:
                    lite.execute(f"DELETE FROM {events} WHERE rowid = {n}")
        if backend == "postgres":
            assert ids[10] > 100  # the gap is there
        monkeypatch.setattr("application.adapters.audit.PAGE", 10_000)
        whole = list(chained_events(ledger.store))
        assert [r.position for r in whole] == list(range(1, 21))
        assert [r.notification_id for r in whole] == ids
        assert {r.notification_id for r in whole if r.state is None} == deleted
        assert all(r.stored_hash for r in whole)
        for page in (1, 2, 3, 4, 6, 7, 19, 20):
            monkeypatch.setattr("application.adapters.audit.PAGE", page)
            assert list(chained_events(ledger.store)) == whole, page
    finally:
        ledger.close()
