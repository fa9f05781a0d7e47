"""Personal data never appears in plaintext in an event: events are forever."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import psycopg

from application.ledger import Ledger
from application.services.records import FixedClock
from application.settings import Settings
from domain.base import CommandContext
from domain.glossary import Role, SubjectKind, UnitLevel
from domain.registry import Person
from tests.conftest import PG_URL

ADMIN = CommandContext("cli:test", Role.ADMINISTRATOR.value, "test")
CCCD = "079203004567"
NAME = "Đặng Thị Ngọc Ánh"
HOUSEHOLD = "Hộ ông Đặng Văn Hùng"


def register_people(ledger: Ledger) -> Person:
    province = ledger.registry.establish_unit(
        ADMIN,
        code="P",
        name="Tỉnh A",
        level=UnitLevel.PROVINCE,
        unit_type="tinh",
        parent_id=None,
        valid_from=date(2020, 1, 1),
    )
    person = ledger.registry.register_person(
        ADMIN,
        cccd=CCCD,
        full_name=NAME,
        birth_date=date(2003, 7, 9),
        gender="nu",
        ethnicity="Kinh",
        target_group="cong_nhan",
        unit_id=province.id,
    )
    household = ledger.registry.register_collective(
        ADMIN, kind=SubjectKind.HOUSEHOLD, name=HOUSEHOLD, unit_id=province.id
    )
    ledger.registry.add_member(ADMIN, household.id, person.id, "con")
    return ledger.records.get(Person, person.id)


def stored_states(ledger: Ledger, settings: Settings) -> list[bytes]:
    """The raw bytes of every stored event, read from the store's own table."""
    if settings.backend == "sqlite":
        with sqlite3.connect(settings.var_dir / "hoctap.sqlite") as conn:
            return [bytes(r[0]) for r in conn.execute("SELECT state FROM stored_events")]
    if settings.backend == "postgres":
        with psycopg.connect(PG_URL) as conn:
            rows = conn.execute(
                f'SELECT state FROM "{settings.database_schema}".hoctap_events'
            ).fetchall()
            return [bytes(r[0]) for r in rows]
    items = ledger.store.recorder.select_notifications(start=None, limit=10_000)
    return [n.state for n in items]


def forms_of(text: str) -> list[bytes]:
    """How a string could appear in stored JSON: UTF-8, or escaped to ASCII."""
    return [text.encode(), json.dumps(text).strip('"').encode()]


def test_no_cccd_number_or_name_is_stored_in_plaintext(settings: Settings, clock: FixedClock):
    ledger = Ledger(settings, clock=clock)
    try:
        register_people(ledger)
        states = stored_states(ledger, settings)
    finally:
        ledger.close()
    assert len(states) >= 5
    assert all(isinstance(json.loads(state), dict) for state in states)  # JSON, never pickle
    everything = b"\n".join(states)
    for secret in (CCCD, NAME, "Ngọc Ánh", HOUSEHOLD, "2003-07-09"):
        for form in forms_of(secret):
            assert form not in everything, f"{secret!r} found in the stored events"


def test_personal_data_reads_back_for_those_allowed(settings: Settings, clock: FixedClock):
    ledger = Ledger(settings, clock=clock)
    try:
        person = register_people(ledger)
        details = ledger.vault.unseal(person.id, person.sealed)
        assert details is not None
        assert details["full_name"] == NAME
        assert details["cccd"] == CCCD
        assert ledger.registry.find_person_by_cccd("0792 0300 4567").id == person.id
    finally:
        ledger.close()


def test_erasing_a_person_destroys_their_key_and_keeps_the_log(
    settings: Settings, clock: FixedClock
):
    ledger = Ledger(settings, clock=clock)
    try:
        person = register_people(ledger)
        before = len(stored_states(ledger, settings))
        ledger.registry.erase_person(ADMIN, person.id, "Yêu cầu xóa dữ liệu cá nhân")
        erased = ledger.records.get(Person, person.id)
        assert erased.erased
        assert ledger.vault.unseal(erased.id, erased.sealed) is None
        assert len(stored_states(ledger, settings)) == before + 1
    finally:
        ledger.close()
