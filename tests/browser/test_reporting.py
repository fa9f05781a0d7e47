"""A reporting officer picks a unit and a cycle, reads the charts and downloads a report."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer


def test_a_reporting_officer_downloads_a_report(
    page: Page, live_server: LiveServer, screenshot: Callable[..., None], tmp_path: Path
):
    live_server.sign_in(page, "demo-reporting")
    page.get_by_role("link", name="Thống kê").first.click()

    page.get_by_label("Năm").select_option("2026")
    page.get_by_label("Cơ cấu hành chính").select_option("three_level")
    page.get_by_role("button", name="Xem").click()

    expect(page.locator("svg.chart").first).to_be_visible()
    expect(page).to_have_url(re.compile(r"co_cau=three_level"))
    screenshot("thong-ke", full_page=True)

    with page.expect_download() as xlsx:
        page.locator("li", has_text="Thống kê theo đơn vị").get_by_role(
            "link", name="Excel (XLSX)"
        ).click()
    book = tmp_path / xlsx.value.suggested_filename
    xlsx.value.save_as(book)
    rows = list(load_workbook(book).active.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row[:2] == ("Mã đơn vị", "Tên đơn vị"))
    assert rows[0][0] == "Báo cáo kết quả công nhận các mô hình học tập năm 2026"
    assert len(rows) > header + 1  # the demo's units follow the header

    with page.expect_download() as listed:
        page.locator("li", has_text="Sổ công nhận").get_by_role("link", name="CSV").click()
    text = Path(listed.value.path()).read_text(encoding="utf-8-sig")
    assert len(list(csv.reader(io.StringIO(text)))) > 1
