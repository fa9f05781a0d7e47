"""What an outside tester did, on SQLite and PostgreSQL: register a person, attach a file,
erase them, run the maintenance step (``hoctap keys scrub``), then search every file under
the data folder — and, on PostgreSQL, the raw pages of the key table and its indexes — for
the person's wrapped key, data key, look-up hash, name, CCCD and the file's marker.

Before the erasure the same scan finds the wrapped key and the look-up hash, and a planted
copy of the marker, so a scan that could never find anything would fail here.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import psycopg
import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from application.adapters.blobs import FileErased
from application.ledger import Ledger
from application.services.records import FixedClock
from application.settings import Settings
from domain.base import CommandContext
from domain.glossary import Role, TitleModel, UnitLevel
from tests.conftest import PG_URL

OFFICER = CommandContext("cli:forensic", Role.COMMUNE_OFFICER.value, "forensic")
ADMIN = CommandContext("cli:forensic", Role.ADMINISTRATOR.value, "forensic")
NAME = "Quách Thị Pháp Chứng"
CCCD = "089204007731"
MARKER = "DẤU-VẾT-MINH-CHỨNG-7731"


def forms(text: str) -> list[bytes]:
    """How a string can be stored: UTF-8, JSON-escaped ASCII, UTF-16 (either order)."""
    escaped = json.dumps(text).strip('"').encode()
    return [text.encode(), escaped, text.encode("utf-16-le"), text.encode("utf-16-be")]


def registered(ledger: Ledger) -> tuple[object, object]:
    ledger.criteria.load_seed_criteria(ADMIN)
    unit = ledger.registry.establish_unit(
        ADMIN, code="F", name="Tỉnh F", level=UnitLevel.PROVINCE, unit_type="tinh",
        parent_id=None, valid_from=date(2008, 1, 1),
    )  # fmt: skip
    person = ledger.registry.register_person(
        ADMIN, cccd=CCCD, full_name=NAME, birth_date=date(1990, 4, 2), gender="nu",
        ethnicity="Kinh", target_group="can_bo", unit_id=unit.id,
    )  # fmt: skip
    case = ledger.assessments.open_case(
        OFFICER, person.id, TitleModel.LEARNING_CITIZEN, 2026, date(2026, 1, 10)
    )
    _, evidence = ledger.assessments.attach_evidence(
        OFFICER,
        case.id,
        content=f"Giấy xác nhận {MARKER} của {NAME}, CCCD {CCCD}".encode(),
        kind="giay_xac_nhan",
        issuer="Chi hội Khuyến học",
        issued_on=date(2026, 1, 15),
        indicators=["1"],
    )
    return person.id, (case.id, evidence)


def wrapped_key(settings: Settings, person_id: object) -> tuple[str, bytes]:
    """The person's row as a tester reads it straight from the key table."""
    if settings.backend == "sqlite":
        with sqlite3.connect(settings.var_dir / "keys.sqlite") as conn:
            row = conn.execute(
                "SELECT kek_id, wrapped FROM subject_keys WHERE subject_id = ?", (str(person_id),)
            ).fetchone()
    else:
        with psycopg.connect(PG_URL) as conn:
            row = conn.execute(
                f'SELECT kek_id, wrapped FROM "{settings.database_schema}".subject_keys'
                " WHERE subject_id = %s",
                (person_id,),
            ).fetchone()
    assert row is not None
    return row[0], bytes(row[1])


def files_under(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def pages(schema: str) -> dict[str, bytes]:
    """Every raw page of the key table, its indexes and the event table."""
    found: dict[str, bytes] = {}
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        relations = conn.execute(
            "SELECT c.oid::regclass::text, c.relpages FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %s AND c.relkind IN ('r', 'i', 't')"
            " AND (c.relname LIKE 'subject_keys%%' OR c.relname LIKE 'hoctap_events%%')",
            (schema,),
        ).fetchall()
        for relation, _ in relations:
            blocks = conn.execute(
                "SELECT pg_relation_size(%s::regclass) / current_setting('block_size')::int",
                (relation,),
            ).fetchone()
            for block in range(blocks[0] if blocks else 0):
                page = conn.execute("SELECT get_raw_page(%s, %s)", (relation, block)).fetchone()
                found[f"{relation}#{block}"] = bytes(page[0]) if page else b""
    return found


def findings(places: dict[str, bytes], needles: dict[str, list[bytes]]) -> list[str]:
    return sorted(
        f"{what} in {where}"
        for where, content in places.items()
        for what, variants in needles.items()
        if any(v in content for v in variants)
    )


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_after_erasure_and_the_maintenance_step_nothing_of_the_person_is_left(
    settings: Settings, clock: FixedClock
):
    ledger = Ledger(settings, clock=clock)
    try:
        person_id, (case_id, evidence_id) = registered(ledger)
        kek_id, wrapped = wrapped_key(settings, person_id)
        kek = settings.key_ring().keys[kek_id]
        data_key = AESGCM(kek).decrypt(wrapped[:12], wrapped[12:], person_id.bytes)  # type: ignore[attr-defined]
        needles = {
            "wrapped key": [wrapped],
            "data key": [data_key],
            "look-up hash": forms(ledger.vault.lookup_hash(CCCD)),
            "name": forms(NAME),
            "CCCD": forms(CCCD),
            "marker": forms(MARKER),
        }

        def scan() -> list[str]:
            places = files_under(settings.var_dir)
            if settings.backend == "postgres":
                places |= pages(settings.database_schema)
            return findings(places, needles)

        ledger.vault.scrub(60)  # so that what is found before is in the pages, not only in WAL
        planted = settings.var_dir / "planted.txt"
        planted.write_text(f"đối chứng {MARKER}", encoding="utf-8")
        before = scan()
        planted.unlink()
        key_place = "keys.sqlite" if settings.backend == "sqlite" else "subject_keys"
        assert any(f.startswith("wrapped key in") and key_place in f for f in before), before
        assert any(f.startswith("look-up hash in") for f in before), before
        assert "marker in planted.txt" in before
        assert [f for f in before if f.split(" in ")[0] in ("name", "CCCD", "marker")] == [
            "marker in planted.txt"
        ]  # the file and the personal fields were encrypted from the start

        ledger.registry.erase_person(ADMIN, person_id, "Yêu cầu xóa dữ liệu cá nhân")  # type: ignore[arg-type]
        assert ledger.vault.scrub(60)  # the documented maintenance step
        with pytest.raises(FileErased):
            ledger.assessments.read_evidence(OFFICER, case_id, evidence_id)
        assert scan() == []
    finally:
        ledger.close()
    assert findings(files_under(settings.var_dir), needles) == []  # and once closed
