"""A citizen self-assesses on a 390-pixel-wide phone screen in Chromium: sees her own and her
household's cases and titles, registers herself for next year's title, uploads evidence and
scores each indicator, without the page ever scrolling sideways."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.test_officer import fill_scores, upload_evidence

PHONE = {"width": 390, "height": 844}


def fits_the_screen(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_citizen_self_assesses_on_a_small_phone(
    page: Page, live_server: LiveServer, screenshot: Callable[[str], None]
):
    page.set_viewport_size(PHONE)
    live_server.sign_in(page, "demo-citizen")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hồ sơ và danh hiệu của tôi")
    households_row = page.locator("tr", has_text="Hộ bà Nguyễn Thị Hoa")
    expect(households_row.locator('td[data-label="Danh hiệu"]')).to_have_text("Gia đình học tập")
    expect(households_row.locator('td[data-label="Trạng thái"]')).to_have_text("Được công nhận")
    own_row = page.locator("tr", has=page.get_by_role("link", name="Nguyễn Thị Hoa", exact=True))
    expect(own_row.locator('td[data-label="Danh hiệu"]')).to_have_text("Công dân học tập")
    expect(page.locator("table")).not_to_contain_text("Dòng họ Nguyễn thôn Đông")  # not hers
    assert fits_the_screen(page)
    screenshot("cong-dan-trang-chinh")

    households_row.get_by_role("link", name="Hộ bà Nguyễn Thị Hoa").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Gia đình học tập 2026: Hộ bà Nguyễn Thị Hoa"
    )
    expect(page.locator("#khieu-nai")).to_be_visible()  # she may complain for her household
    assert fits_the_screen(page)
    page.go_back()

    page.get_by_label("Năm").fill("2027")
    page.get_by_role("button", name="Đăng ký Công dân học tập").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Công dân học tập 2027")
    assert fits_the_screen(page)

    upload_evidence(page)
    fill_scores(page, "8")
    page.get_by_role("button", name="Tự đánh giá").click()
    expect(page.locator("dl.facts")).to_contain_text("Đã tự đánh giá")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nguyễn Thị Hoa")
    expect(page.locator("ol.timeline")).to_contain_text("Tự đánh giá — demo-citizen (Công dân)")
    assert fits_the_screen(page)
    screenshot("cong-dan-tu-danh-gia")
