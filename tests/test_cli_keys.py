"""``hoctap keys``: rotating the key-encryption key and retiring the old one, as an operator
would (development secrets in var/secrets.json)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from application.ledger import Ledger
from application.settings import Settings
from domain.glossary import UnitLevel
from domain.registry import Person
from tests.application.test_personal_data import ADMIN
from tests.test_cli import hoctap


def _register(var: Path) -> tuple[Person, str]:
    ledger = Ledger(Settings(var_dir=var, store="sqlite"))
    try:
        unit = ledger.registry.establish_unit(
            ADMIN, code="P", name="Tỉnh", level=UnitLevel.PROVINCE, unit_type="tinh",
            parent_id=None, valid_from=date(2020, 1, 1),
        )  # fmt: skip
        recorded = ledger.registry.register_person(
            ADMIN, cccd="001203004444", full_name="Hà Thị Xuân", birth_date=None,
            gender=None, ethnicity=None, target_group=None, unit_id=unit.id,
        )  # fmt: skip
        return ledger.records.get(Person, recorded.id), "Hà Thị Xuân"
    finally:
        ledger.close()


def test_rotating_the_key_encryption_key_then_retiring_the_old_one_keeps_data_readable(
    tmp_path: Path,
):
    var = tmp_path / "var"
    assert hoctap(var, "db", "init").returncode == 0
    person, name = _register(var)

    rotated = hoctap(var, "keys", "rotate", "--new-kek")
    assert rotated.returncode == 0, rotated.stderr
    assert "Đã bọc lại 1 khóa dữ liệu bằng khóa bọc 1" in rotated.stdout
    again = hoctap(var, "keys", "rotate")
    assert "Đã bọc lại 0 khóa" in again.stdout  # resumable: nothing left to do
    active = hoctap(var, "keys", "retire", "1")
    assert active.returncode == 1 and active.stderr.count("\n") == 1
    assert hoctap(var, "keys", "retire", "0").returncode == 0
    assert "Khóa bọc 1 (đang dùng): 1 khóa dữ liệu" in hoctap(var, "keys", "status").stdout

    settings = Settings(var_dir=var, store="sqlite")
    assert set(settings.key_ring().keys) == {"1"}
    ledger = Ledger(settings)
    try:
        details = ledger.vault.unseal(person.id, person.sealed)
    finally:
        ledger.close()
    assert details is not None and details["full_name"] == name
