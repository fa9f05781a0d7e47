"""A commune officer imports a village list in Chromium: downloads the template, uploads a
file with mistakes and reads them row by row, uploads the corrected file and confirms."""

from __future__ import annotations

import io
import secrets
from collections.abc import Callable
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from application.clients.generator.workbook import village_workbook, with_mistakes
from tests.browser.conftest import LiveServer

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(page: Page, name: str, content: bytes) -> None:
    form = page.locator("#tai-len")
    form.locator('input[name="file"]').set_input_files(
        files=[{"name": name, "mimeType": XLSX, "buffer": content}]
    )
    form.get_by_role("button", name="Kiểm tra (chưa ghi gì)").click()


def test_a_commune_officer_reads_every_mistake_then_imports_the_corrected_file(
    page: Page, live_server: LiveServer, screenshot: Callable[..., None]
) -> None:
    rows = village_workbook(("DEMO-TH1",), households=8, prefix=100 + secrets.randbelow(800))
    spoiled, mistakes = with_mistakes(rows, 5)
    live_server.sign_in(page, "demo-commune")
    page.get_by_role("link", name="Nhập danh sách từ Excel").first.click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Mẫu: Hộ gia đình và nhân khẩu").click()
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert [r[0] for r in book["Danh mục"].iter_rows(min_row=2, values_only=True)] == ["DEMO-TH1"]

    upload(page, "thon-dong.xlsx", spoiled.content())

    table = page.locator("#loi tbody tr")
    expect(table).to_have_count(len(mistakes))
    for n, mistake in enumerate(mistakes):
        expect(table.nth(n).locator('td[data-label="Dòng"]')).to_have_text(str(mistake.row))
        expect(table.nth(n).locator('td[data-label="Cột"]')).to_have_text(mistake.column)
    expect(page.get_by_role("button", name="Xác nhận nhập", exact=False)).to_have_count(0)
    screenshot("nhap-danh-sach-loi", full_page=True)

    upload(page, "thon-dong-da-sua.xlsx", rows.content())
    total = len(rows.persons) + len(rows.households)
    expect(page.locator("#bao-cao")).to_contain_text(f"{total} dòng, không có lỗi")
    page.get_by_role("button", name=f"Xác nhận nhập {total} dòng").click()

    expect(page.locator("#ket-qua")).to_contain_text(f"Đã nhập {total} dòng ({total} bản ghi mới)")
