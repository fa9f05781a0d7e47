"""Exports open in a spreadsheet program with the Vietnamese text intact."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from application.clients import xlsx
from tests.api.helpers import Api, seed_content
from tests.api.test_read_audit import recorded_views
from tests.api.test_reads import granted_world


def test_the_statistics_export_has_the_annual_report_shape_in_csv_and_xlsx(api: Api):
    world = granted_world(api)
    api.user("reporter", ["reporting_officer"], unit_id=world["province"])
    api.get("officer", f"/standings?wait_for_position={world['position']}")
    response = api.get("reporter", "/exports/statistics.csv?cycle_year=2026")
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets read UTF-8 right
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Báo cáo kết quả công nhận các mô hình học tập năm 2026"
    at = next(i for i, row in enumerate(rows) if row and row[0] == "Mã đơn vị")
    headers = rows[at]
    assert headers[:3] == ["Mã đơn vị", "Tên đơn vị", "Cấp"]
    assert "Công dân học tập: công nhận" in headers
    commune = next(r for r in rows[at + 1 :] if r[1] == "Xã Hòa Bình")
    assert commune[headers.index("Tổng công nhận")] == "2"
    assert commune[headers.index("Đơn vị học tập: tỷ lệ (%)")] == "100.0"

    book = load_workbook(
        io.BytesIO(api.get("reporter", "/exports/statistics.xlsx?cycle_year=2026").content)
    )
    sheet = book.active
    assert sheet.title == "Thống kê"
    assert sheet["A3"].value == "Mã đơn vị" and sheet["B3"].font.bold
    names = [row[1] for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert "Tỉnh Thử Nghiệm" in names and "Xã Hòa Bình" in names


def test_the_register_and_standings_export_in_vietnamese(api: Api):
    world = granted_world(api)
    api.get("officer", f"/standings?wait_for_position={world['position']}")
    register = api.get("officer", "/exports/register.xlsx?cycle_year=2026")
    assert register.headers["content-disposition"] == (
        'attachment; filename="so-cong-nhan-2026.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(register.content)).active
    header = [c.value for c in sheet[1]]
    assert header[:6] == [
        "Mã hồ sơ",
        "Danh hiệu",
        "Năm",
        "Loại đối tượng",
        "Mã đối tượng",
        "Kết quả",
    ]
    outcomes = {row[5] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert outcomes == {"Công nhận"}
    standings = api.get("officer", "/exports/standings.csv?cycle_year=2026")
    text = standings.content.decode("utf-8-sig")
    assert "Được công nhận" in text and "Đơn vị học tập" in text
    this_year = api.get("officer", "/exports/standings.csv")  # the clock's year: 2026
    assert this_year.content == standings.content
    assert 'filename="bang-xep-hang-2026.csv"' in this_year.headers["content-disposition"]


def test_the_register_csv_carries_every_column_of_each_decided_title(api: Api):
    world = granted_world(api)
    api.get("officer", f"/standings?wait_for_position={world['position']}")
    text = api.get("officer", "/exports/register.csv?cycle_year=2026").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    at = next(i for i, row in enumerate(rows) if row and row[0] == "Mã hồ sơ")
    lines = {row[0]: dict(zip(rows[at], row, strict=True)) for row in rows[at + 1 :]}
    assert set(lines) == {str(world["citizen_case"]), str(world["school_case"])}
    citizen = lines[str(world["citizen_case"])]
    assert citizen == citizen | {
        "Danh hiệu": "Công dân học tập",
        "Năm": "2026",
        "Loại đối tượng": "Công dân",
        "Mã đối tượng": str(world["person"]),
        "Kết quả": "Công nhận",
        "Số quyết định": "20/QĐ-UBND",
        "Ngày quyết định": "2026-03-01",
        "Cơ quan": "UBND xã Hòa Bình",
        "Chức danh người ký": "Chủ tịch UBND xã",
        "Căn cứ": "244/QĐ-KHVN; 22/2020/TT-BGDĐT",
        "Hiệu lực từ": "2026-03-01",
        "Tổng điểm": "90.0",
    }
    assert citizen["Hiệu lực đến"] == "2027-02-28" and citizen["Lý do"] == ""
    assert lines[str(world["school_case"])]["Xếp loại"] == "kha"


CAN_BO = "Cán bộ, công chức, viên chức, nhân viên từ cấp xã trở lên"


def test_statistics_give_each_target_group_its_name_counts_and_rate(api: Api):
    """The table a province publishes (domain.md §2.3): registered, assessed, recognised and
    the rate per target group, named as the published criteria set names the group."""
    world = granted_world(api)
    api.user("reporter", ["reporting_officer"], unit_id=world["province"])
    wait = f"wait_for_position={world['position']}"
    report = api.get("reporter", f"/statistics?cycle_year=2026&{wait}").json()
    commune = next(line for line in report["lines"] if line["name"] == "Xã Hòa Bình")
    [group] = commune["groups"]
    assert group == {
        "code": "can_bo",
        "label": CAN_BO,
        "registered": 1,
        "assessed": 1,
        "recognised": 1,
        "subjects": 1,
        "rate_of_registered": "100.00",
        "rate_of_subjects": "100.00",
    }

    rows = list(
        csv.reader(
            io.StringIO(
                api.get("reporter", "/exports/statistics.csv?cycle_year=2026").content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    at = next(i for i, row in enumerate(rows) if row and row[0] == "Mã đơn vị")
    headers = rows[at]
    row = next(r for r in rows[at + 1 :] if r[1] == "Xã Hòa Bình")
    named = f"Công dân học tập – {CAN_BO}"
    assert [row[headers.index(f"{named}: {what}")] for what in ("đăng ký", "công nhận")] == [
        "1",
        "1",
    ]
    assert row[headers.index(f"{named}: tỷ lệ trên đăng ký (%)")] == "100.0"
    assert not any("can_bo" in header for header in headers)  # labels, not codes

    sheet = load_workbook(
        io.BytesIO(api.get("reporter", "/exports/statistics.xlsx?cycle_year=2026").content)
    ).active
    header_row = [c.value for c in sheet[3]]
    line = next(r for r in sheet.iter_rows(min_row=4) if r[1].value == "Xã Hòa Bình")
    rate = line[header_row.index(f"{named}: tỷ lệ trên đăng ký (%)")]
    count = line[header_row.index(f"{named}: đăng ký")]
    assert (rate.value, rate.number_format) == (100.0, "#,##0.00")  # a number, two decimals
    assert (count.value, count.number_format) == (1, "#,##0")


def test_every_export_says_when_a_title_is_assessed_under_an_illustrative_set(api: Api):
    world = granted_world(api)
    family = api.created("admin", "/criteria-sets", seed_content("criteria-minh-hoa-gdht.json"))
    assert api.get("officer", f"/criteria-sets/{family}").json()["illustrative"] is True
    api.user("reporter", ["reporting_officer"], unit_id=world["province"])
    api.get("officer", f"/standings?wait_for_position={world['position']}")
    note = (
        "Lưu ý: Gia đình học tập đang xét theo bộ tiêu chí MINH HỌA (MINH-HOA/GDHT/2022), chưa"
        " phải bộ tiêu chí chính thức; kết quả chỉ để minh họa quy trình."
    )
    for path in ("statistics", "register", "standings"):
        text = api.get("reporter", f"/exports/{path}.csv?cycle_year=2026").content.decode(
            "utf-8-sig"
        )
        assert [note] in list(csv.reader(io.StringIO(text))), path  # a line of its own


def test_an_xlsx_past_a_worksheets_rows_is_refused_whole_and_nothing_is_recorded(
    api: Api, monkeypatch: pytest.MonkeyPatch
):
    """The register is written whole or not at all: a file one row over the sheet's limit is
    a problem answer (never a file cut short), the read is not recorded, and the CSV of the
    same register still carries every row."""
    world = granted_world(api)
    exporter = api.user("exporter", ["commune_officer"])
    api.user("inspector", ["inspector"])
    api.get("officer", f"/standings?wait_for_position={world['position']}")
    lines = _csv_lines(api, "/exports/register.csv?cycle_year=2026")
    monkeypatch.setattr(xlsx, "MAX_ROWS", len(lines))  # notes, header and rows: just fits
    whole = api.get("exporter", "/exports/register.xlsx?cycle_year=2026")
    assert load_workbook(io.BytesIO(whole.content)).active.max_row == len(lines)

    monkeypatch.setattr(xlsx, "MAX_ROWS", len(lines) - 1)
    refused = api.get("exporter", "/exports/register.xlsx?cycle_year=2026", status=422)
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json() == refused.json() | {
        "code": "too-many-rows",
        "status": 422,
        "errors": {"limit": len(lines) - 1},
        "detail": f"Tệp XLSX không thể chứa hết: một trang tính chỉ chứa được {len(lines) - 1}"
        " dòng. Hãy tải dạng CSV hoặc chọn một đơn vị nhỏ hơn.",
    }
    assert _csv_lines(api, "/exports/register.csv?cycle_year=2026") == lines
    exports = recorded_views(api, f"kind=export&viewer_id={exporter}")
    assert [v["record_id"] for v in exports] == ["register.csv", "register.xlsx", "register.csv"]


@pytest.mark.parametrize("export", ["register", "standings"])
def test_a_refused_xlsx_ends_the_views_read_before_it_answers(
    api: Api, monkeypatch: pytest.MonkeyPatch, export: str
):
    """The rows are read from an open snapshot (on PostgreSQL a pooled connection, in memory
    the store's lock). A refusal mid-file must end that read in the request's own thread:
    left to the garbage collector, the refusal's traceback kept it open and it was finalised
    in another thread, which could not release the lock, and every fold after waited (the
    reads answered 503). Every reader opened is closed by the time the answer comes."""
    world = granted_world(api)
    api.user("exporter", ["commune_officer"])
    api.get("officer", f"/standings?wait_for_position={world['position']}")
    store = api.client.app.state.read_models.engine.store
    opened: list = []
    real = store.fetch_batches

    def kept(*args, **kwargs):  # a reference of our own: only an explicit close ends these
        opened.append(real(*args, **kwargs))
        return opened[-1]

    lines = _csv_lines(api, f"/exports/{export}.csv?cycle_year=2026")
    monkeypatch.setattr(store, "fetch_batches", kept)
    monkeypatch.setattr(xlsx, "MAX_ROWS", len(lines) - 1)  # one row over

    try:
        api.get("exporter", f"/exports/{export}.xlsx?cycle_year=2026", status=422)
        assert opened and all(reader.gi_frame is None for reader in opened)
    finally:
        for reader in opened:  # a reader left open would hold the store past this test
            reader.close()
    monkeypatch.undo()
    api.get("exporter", f"/exports/{export}.csv?cycle_year=2026")  # its read is recorded
    position = api.client.get("/health").json()["log_position"]
    api.get("officer", f"/standings?wait_for_position={position}")  # and folded


def test_every_export_says_its_length_and_sends_exactly_that(api: Api):
    world = granted_world(api)
    api.user("reporter", ["reporting_officer"], unit_id=world["province"])
    api.get("officer", f"/standings?wait_for_position={world['position']}")
    for name in ("register", "standings", "statistics"):
        for fmt in ("csv", "xlsx"):
            answer = api.get("reporter", f"/exports/{name}.{fmt}?cycle_year=2026")
            assert int(answer.headers["content-length"]) == len(answer.content) > 0, name


def _csv_lines(api: Api, path: str) -> list[list[str]]:
    text = api.get("exporter", path).content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))
