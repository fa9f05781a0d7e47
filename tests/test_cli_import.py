"""``hoctap import`` and ``hoctap import-template`` run as a commune officer would run them."""

from __future__ import annotations

from pathlib import Path

from application.adapters.workbooks import read_workbook
from application.clients.generator.workbook import village_workbook, with_mistakes
from application.ledger import Ledger
from application.settings import Settings
from domain.imports import SheetKind
from tests.application.test_imports import ELSEWHERE_CCCD, VILLAGES, establish_geography
from tests.test_cli import hoctap


def geography(var: Path) -> None:
    ledger = Ledger(Settings(var_dir=var))
    try:
        establish_geography(ledger)
    finally:
        ledger.close()


def test_a_dry_run_prints_every_mistake_and_a_clean_file_imports_once(tmp_path: Path) -> None:
    var = tmp_path / "var"
    assert hoctap(var, "db", "init").returncode == 0
    geography(var)
    rows = village_workbook(VILLAGES, households=40)
    spoiled, mistakes = with_mistakes(rows, 10, registered_elsewhere=ELSEWHERE_CCCD)
    (tmp_path / "sai.xlsx").write_bytes(spoiled.content())
    (tmp_path / "dung.xlsx").write_bytes(rows.content())

    checked = hoctap(var, "import", str(tmp_path / "sai.xlsx"), "--unit", "XA1", "--dry-run")

    assert checked.returncode == 1
    printed = checked.stdout.splitlines()
    assert len(printed) == len(mistakes)
    for line, mistake in zip(printed, mistakes, strict=True):
        assert line.startswith(f"Nhân khẩu, dòng {mistake.row}, cột “{mistake.column}”: ")
    assert checked.stderr.strip().splitlines() == [
        f"Lỗi: sai.xlsx: {len(rows.persons) + len(rows.households)} dòng, 10 lỗi ở 10 dòng;"
        " chưa ghi gì: sửa tệp rồi chạy lại"
    ]

    dry = hoctap(var, "import", str(tmp_path / "dung.xlsx"), "--unit", "XA1", "--dry-run")
    imported = hoctap(var, "import", str(tmp_path / "dung.xlsx"), "--unit", "XA1")
    again = hoctap(var, "import", str(tmp_path / "dung.xlsx"), "--unit", "XA1")

    assert dry.returncode == 0 and "Chạy thử: chưa ghi gì." in dry.stdout
    assert imported.returncode == 0, imported.stderr
    total = len(rows.persons) + len(rows.households)
    assert f"đã nhập {total} dòng ({total} bản ghi mới), 0 dòng đã có" in imported.stdout
    assert again.returncode == 0 and "tệp này đã được nhập" in again.stdout


def test_importing_into_an_unknown_unit_is_one_line(tmp_path: Path) -> None:
    var = tmp_path / "var"
    (tmp_path / "dung.xlsx").write_bytes(village_workbook(VILLAGES, households=1).content())

    result = hoctap(var, "import", str(tmp_path / "dung.xlsx"), "--unit", "KHONG-CO")

    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("Lỗi: không tìm thấy đơn vị hành chính")


def test_a_template_is_written_to_a_file_and_reads_back_empty(tmp_path: Path) -> None:
    target = tmp_path / "mau.xlsx"

    result = hoctap(tmp_path / "var", "import-template", "--kind", "households", "-o", str(target))

    assert result.returncode == 0, result.stderr
    book = read_workbook(target.read_bytes())
    assert set(book.sheets) == {SheetKind.HOUSEHOLDS, SheetKind.PERSONS} and book.row_count == 0


def test_an_unknown_template_kind_is_one_line(tmp_path: Path) -> None:
    result = hoctap(tmp_path / "var", "import-template", "--kind", "clans", "-o", "x.xlsx")

    assert result.returncode == 1
    assert result.stderr.strip().startswith("Lỗi: không có mẫu “clans”; có: persons, households")
