"""The import page: a commune officer uploads a village workbook, reads every mistake,
uploads the corrected file and confirms; real HTTP through TestClient, real files."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from api.app import create_app
from application.clients.generator.workbook import VillageRows, village_workbook, with_mistakes
from application.ledger import Ledger
from application.services.records import VIETNAM, FixedClock
from domain.glossary import Role
from domain.registry import unit_id_for
from tests.api.pages import CONSOLE, Visitor, csrf_of, give_password
from tests.application.test_imports import (
    ELSEWHERE_CCCD,
    VILLAGES,
    establish_geography,
    persons_of,
)
from tests.conftest import make_settings

PAGE = "/trang/nhap-danh-sach"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[dict[str, Any]]:
    settings = make_settings("sqlite", tmp_path / "var")
    settings.projections_in_api = True
    ledger = Ledger(settings, clock=FixedClock(datetime(2026, 12, 6, 9, 0, tzinfo=VIETNAM)))
    establish_geography(ledger)
    for username, role, unit in (
        ("canbo-xa1", Role.COMMUNE_OFFICER, "XA1"),
        ("canbo-thon", Role.VILLAGE_OFFICER, VILLAGES[0]),
    ):
        ledger.access.create_user(CONSOLE, username, [role], unit_id_for(unit))
        give_password(ledger, username)
    app = create_app(settings, ledger=ledger)
    with TestClient(app):
        app.state.read_models.catch_up()
        officer = Visitor(app)
        assert officer.sign_in("canbo-xa1").status_code == 303
        yield {"ledger": ledger, "officer": officer, "app": app, "var": settings.var_dir}
    app.state.read_models.close()
    ledger.close()


def upload(visitor: Visitor, content: bytes, name: str = "thon.xlsx") -> Any:
    token = csrf_of(visitor.get(PAGE).text)
    return visitor.client.post(
        f"{PAGE}/kiem-tra", data={"csrf": token}, files={"file": (name, content, XLSX)}
    )


def confirm(visitor: Visitor, page: str) -> Any:
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', page)
    assert digest, "no confirmation form on the page"
    return visitor.client.post(
        f"{PAGE}/xac-nhan", data={"csrf": csrf_of(page), "digest": digest.group(1)}
    )


def sealed_files(var: Path) -> list[Path]:
    return sorted((var / "imports").glob("*.sealed")) if (var / "imports").exists() else []


def test_every_mistake_is_listed_by_row_and_column_and_nothing_is_written(world) -> None:
    ledger: Ledger = world["ledger"]
    rows = village_workbook(VILLAGES, households=60)
    spoiled, mistakes = with_mistakes(rows, 12, registered_elsewhere=ELSEWHERE_CCCD)
    before = ledger.store.recorder.max_notification_id()

    answer = upload(world["officer"], spoiled.content())

    assert answer.status_code == 422
    cells = re.findall(
        r'<td data-label="Trang">([^<]+)</td>\s*<td data-label="Dòng">(\d+)</td>\s*'
        r'<td data-label="Cột">([^<]+)</td>',
        answer.text,
    )
    assert sorted((s, int(r), c) for s, r, c in cells) == sorted(
        (m.sheet, m.row, m.column) for m in mistakes
    )
    assert "Chưa ghi gì" in answer.text and 'name="digest"' not in answer.text
    assert ledger.store.recorder.max_notification_id() == before
    assert sealed_files(world["var"]) == []


def test_a_clean_file_waits_sealed_then_imports_once_on_confirmation(world) -> None:
    ledger: Ledger = world["ledger"]
    officer: Visitor = world["officer"]
    rows = village_workbook(VILLAGES, households=20)
    content = rows.content()

    checked = upload(officer, content)

    assert checked.status_code == 200, checked.text[-500:]
    total = len(rows.persons) + len(rows.households)
    assert f"{total} dòng, không có lỗi" in checked.text
    (waiting,) = sealed_files(world["var"])
    kept = waiting.read_bytes()
    assert content not in kept and rows.persons[0]["full_name"].encode() not in kept
    assert persons_of(ledger, rows) == {}  # nothing written before the confirmation

    done = confirm(officer, checked.text)

    assert done.status_code == 200, done.text[-500:]
    assert f"Đã nhập {total} dòng ({total} bản ghi mới)" in done.text
    assert len(persons_of(ledger, rows)) == len(rows.persons)
    assert sealed_files(world["var"]) == []  # the file is not kept after the import

    again = confirm(officer, upload(officer, content).text)

    assert "đã được nhập trước đây" in again.text


def test_confirming_without_the_form_token_is_refused(world) -> None:
    officer: Visitor = world["officer"]
    page = upload(officer, village_workbook(VILLAGES, households=2).content()).text
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', page)
    assert digest

    answer = officer.client.post(f"{PAGE}/xac-nhan", data={"digest": digest.group(1)})

    assert answer.status_code == 403
    assert len(sealed_files(world["var"])) == 1


def test_confirming_a_file_never_uploaded_is_not_found(world) -> None:
    officer: Visitor = world["officer"]
    page = officer.get(PAGE).text

    answer = officer.client.post(
        f"{PAGE}/xac-nhan", data={"csrf": csrf_of(page), "digest": "a" * 64}
    )

    assert answer.status_code == 404


def test_a_file_that_is_not_a_workbook_is_reported_not_crashed_on(world) -> None:
    answer = upload(world["officer"], b"\x00\x01 not a workbook", name="../../etc/passwd")

    assert answer.status_code == 422
    assert "cần tệp Excel .xlsx" in answer.text


def test_the_template_lists_the_villages_of_the_officers_commune(world) -> None:
    answer = world["officer"].get(f"{PAGE}/mau/households")

    assert answer.headers["content-type"] == XLSX
    book = load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == ["Hướng dẫn", "Hộ gia đình", "Nhân khẩu", "Danh mục"]
    codes = [row[0] for row in book["Danh mục"].iter_rows(min_row=2, values_only=True)]
    assert codes == list(VILLAGES)  # not the village of the other commune


def test_a_village_officer_cannot_open_the_import_page(world) -> None:
    village = Visitor(world["app"])
    assert village.sign_in("canbo-thon").status_code == 303

    assert village.get(PAGE, status=None).status_code == 403
    assert village.get(f"{PAGE}/mau/persons", status=None).status_code == 403


def test_a_corrected_file_adds_only_the_new_rows(world) -> None:
    ledger: Ledger = world["ledger"]
    officer: Visitor = world["officer"]
    rows = village_workbook(VILLAGES, households=10)
    part = VillageRows(
        rows.households[:5], [p for p in rows.persons if p["household_code"] <= "H00005"]
    )
    confirm(officer, upload(officer, part.content()).text)

    done = confirm(officer, upload(officer, rows.content()).text)

    new = len(rows.persons) - len(part.persons) + 5
    assert f"Đã nhập {new} dòng ({new} bản ghi mới)" in done.text
    assert len(persons_of(ledger, rows)) == len(rows.persons)
