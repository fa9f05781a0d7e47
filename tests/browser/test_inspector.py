"""An inspector audits a granted title in Chromium: signs in, finds the case, sees every
event proven against the signed checkpoint, checks one on the public page, downloads the
bundle."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer


def test_an_inspector_audits_a_granted_title(
    page: Page, live_server: LiveServer, screenshot: Callable[[str], None], tmp_path: Path
):
    ledger = live_server.ledger  # earlier tests on this server may have added to the case
    ledger.auditor.make_checkpoint(ledger.clock.now())  # (a complaint): sign them all
    live_server.sign_in(page, "demo-inspector")

    page.get_by_role("link", name="Kiểm tra hồ sơ").first.click()
    page.locator("select[name=ket_qua]").select_option(label="Được công nhận")
    page.locator("select[name=danh_hieu]").select_option(label="Công dân học tập")
    page.get_by_role("button", name="Lọc").click()
    row = page.locator("tr", has_text="Nguyễn Thị Hoa")  # named, with its unit and decision
    expect(row).to_contain_text("Được công nhận")
    expect(row).to_contain_text("Thôn Đông")
    assert page.locator("tbody tr", has_text="Không công nhận").count() == 0
    screenshot("kiem-tra-ho-so-danh-sach")
    row.get_by_role("link", name="Kiểm tra").click()

    expect(page.locator(".verdict")).to_contain_text("đều nằm trong điểm kiểm")
    expect(page.locator("table.events .ok").first).to_be_visible()
    assert page.locator("table.events .bad").count() == 0
    expect(page.get_by_text("demo-commune").first).to_be_visible()  # the trail names accounts
    screenshot("kiem-tra-ho-so")

    with page.expect_download() as download:
        page.get_by_role("link", name="Tải gói kiểm tra (JSON)").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    bundle = json.loads(saved.read_text(encoding="utf-8"))
    assert bundle["format"] == "hoctap-bundle/v1" and bundle["events"]

    page.locator("table.events a").first.click()  # a position: the public check, prefilled
    expect(page.locator(".verdict")).to_contain_text("✓")
    screenshot("kiem-tra")


def test_the_public_checkpoint_page_needs_no_sign_in(page: Page, screenshot: Callable[[str], None]):
    page.goto("/trang/nhat-ky")

    expect(page.get_by_role("heading", level=1)).to_have_text("Điểm kiểm mới nhất của sổ cái")
    expect(page.locator("pre.note")).to_contain_text("hoctap")
    screenshot("nhat-ky")
