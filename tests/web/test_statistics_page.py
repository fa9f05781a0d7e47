"""The statistics page: charts for a unit and a cycle, and the exports downloaded with the
session cookie, on the demo data (real HTTP through TestClient)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.web.conftest import Demo

UNITS = "/trang/thong-ke?nam=2026"


def reporting(shared: Demo) -> Any:
    shared.app.state.read_models.catch_up()
    return shared.visitor("demo-reporting")


def test_the_page_draws_the_four_charts_as_inline_svg(shared: Demo):
    page = reporting(shared).get(UNITS).text

    assert page.count('<svg class="chart"') >= 2  # titles and units have figures in the demo
    for heading in (
        "Đăng ký và công nhận theo danh hiệu",
        "Công dân học tập theo nhóm đối tượng",
        "Tiến độ so với mục tiêu của chương trình (%)",
        "Theo đơn vị trực thuộc",
    ):
        assert heading in page
    assert "<script" not in page


def test_the_unit_picker_offers_the_units_of_the_chosen_structure(shared: Demo):
    visitor = reporting(shared)

    two = visitor.get(UNITS + "&co_cau=two_level").text
    three = visitor.get(UNITS + "&co_cau=three_level").text

    assert "Cấp huyện" not in two.split('<select name="don_vi">')[1].split("</select>")[0]
    assert "Cấp huyện" in three.split('<select name="don_vi">')[1].split("</select>")[0]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("name", ["thong-ke", "so-cong-nhan", "bang-xep-hang"])
def test_each_export_downloads_with_the_session_and_parses(shared: Demo, name: str, fmt: str):
    answer = reporting(shared).get(f"/trang/thong-ke/tai/{name}.{fmt}?nam=2026")

    assert "attachment" in answer.headers["content-disposition"]
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    else:
        rows = list(load_workbook(io.BytesIO(answer.content)).active.iter_rows(values_only=True))
    assert len(rows) >= 2  # a header and at least one row of the demo


@pytest.mark.parametrize("name", ["thong-ke", "so-cong-nhan", "bang-xep-hang"])
def test_an_xlsx_past_a_worksheets_rows_is_a_vietnamese_page_offering_the_csv(
    shared: Demo, name: str, monkeypatch: pytest.MonkeyPatch
):
    """A file one row over the sheet's limit is refused on a page the officer can read (not
    the API's JSON), nothing is sent or recorded, and the CSV of the same rows still comes."""
    from application.clients import xlsx
    from projections.reads.queries import views

    visitor = reporting(shared)
    monkeypatch.setattr(xlsx, "MAX_ROWS", 2)  # the sheet's notes and header fill it
    models = shared.app.state.read_models
    before = [r["record_id"] for r in views(models.engine)]

    refused = visitor.get(f"/trang/thong-ke/tai/{name}.xlsx?nam=2026", status=422)

    assert refused.headers["content-type"].startswith("text/html")
    assert "attachment" not in refused.headers.get("content-disposition", "")
    assert "Tệp XLSX không thể chứa hết: một trang tính chỉ chứa được 2 dòng" in refused.text
    assert "Hãy tải dạng CSV hoặc chọn một đơn vị nhỏ hơn" in refused.text
    models.catch_up()
    assert [r["record_id"] for r in views(models.engine)] == before
    assert visitor.get(f"/trang/thong-ke/tai/{name}.csv?nam=2026").content


def test_a_download_is_recorded_in_the_read_trail(shared: Demo):
    reporting(shared).get("/trang/thong-ke/tai/thong-ke.csv?nam=2026")
    shared.app.state.read_models.catch_up()

    inspector = shared.visitor("demo-inspector")
    assert inspector  # the trail is read through the API's /audit/reads below
    from projections.reads.queries import views

    kinds = [(r["kind"], r["record_id"]) for r in views(shared.app.state.read_models.engine)]
    assert ("export", "statistics.csv") in kinds


@pytest.mark.parametrize("username", ["demo-commune", "demo-citizen", "demo-signer"])
def test_other_roles_get_no_statistics_page_nor_files(shared: Demo, username: str):
    visitor = shared.visitor(username)

    visitor.get(UNITS, status=403)
    visitor.get("/trang/thong-ke/tai/thong-ke.csv?nam=2026", status=403)


def test_signed_out_a_download_sends_to_sign_in(shared: Demo):
    answer = shared.visitor().get("/trang/thong-ke/tai/thong-ke.csv?nam=2026", status=303)

    assert answer.headers["location"].startswith("/trang/dang-nhap")


@pytest.mark.parametrize(
    "query",
    [
        "nam=１２",
        "nam=٢٠٢٦",
        "nam=1999",
        "nam=99999999999999999999999",
        "nam=2026&don_vi=" + "a" * 5000,
        "nam=2026%00",
    ],
)
def test_bad_choices_are_refused_on_a_page(shared: Demo, query: str):
    answer = reporting(shared).client.get(f"/trang/thong-ke?{query}")

    assert answer.status_code == 422 and "dữ liệu không hợp lệ" in answer.text


@pytest.mark.parametrize(
    "structure", ["bon_cap", "hai cấp", "２level", "<script>x</script>", "x" * 64]
)
def test_a_structure_not_published_is_refused_by_name(shared: Demo, structure: str):
    answer = reporting(shared).client.get(
        "/trang/thong-ke", params={"nam": 2026, "co_cau": structure}
    )

    assert answer.status_code == 422 and "không có cơ cấu báo cáo" in answer.text
    assert "<script>x" not in answer.text


@pytest.mark.parametrize(
    "unit",
    [
        "khong-phai-uuid",
        "１" * 32,  # full-width digits, which UUID() reads
        "{12345678-1234-1234-1234-12345678}",
        "12345678123412341234123456789abc",
        "12345678-1234-1234-1234-1234567890AB",
        "\u0000" * 8,
    ],
)
def test_a_unit_that_is_not_an_id_is_refused_in_vietnamese(shared: Demo, unit: str):
    answer = reporting(shared).client.get("/trang/thong-ke", params={"nam": 2026, "don_vi": unit})

    assert answer.status_code == 422 and "đơn vị đã chọn không hợp lệ" in answer.text


def test_an_empty_unit_choice_means_the_readers_whole_scope(shared: Demo):
    answer = reporting(shared).get(UNITS + "&don_vi=")

    assert '<svg class="chart"' in answer.text


def test_a_unit_outside_the_readers_scope_is_refused(shared: Demo):
    from uuid import uuid4

    answer = reporting(shared).client.get(f"{UNITS}&don_vi={uuid4()}")

    assert answer.status_code in {403, 404} and '<html lang="vi">' in answer.text
