"""An officer takes a new case through every step to a decision in Chromium: registers a
person, opens the case, uploads evidence and self-assesses; the reviewer, the commune
officer (council), a council member and the signer each take their step through the forms."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url("**/trang/dang-nhap")


def as_next(page: Page, live_server: LiveServer, username: str, case_url: str) -> None:
    sign_out(page)
    live_server.sign_in(page, username)
    page.goto(case_url)


def fill_scores(page: Page, points: str) -> None:
    inputs = page.locator('input[name^="diem."]')
    for n in range(inputs.count()):
        inputs.nth(n).fill(points)


def upload_evidence(page: Page) -> None:
    form = page.locator("#minh-chung")
    form.locator('input[name="file"]').set_input_files(
        files=[{"name": "xac-nhan.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n"}]
    )
    form.get_by_label("Loại giấy tờ").select_option("giay_xac_nhan")
    form.get_by_label("Nơi cấp").fill("Chi hội Khuyến học thôn Đông")
    form.get_by_label("Ngày cấp").fill("2026-02-01")
    boxes = form.locator('input[name="indicators"]')
    for n in range(boxes.count()):
        boxes.nth(n).check()
    form.get_by_role("button", name="Nộp minh chứng").click()
    expect(
        page.locator("h2", has_text="Minh chứng").locator("xpath=following-sibling::ul[1]")
    ).to_contain_text("Giấy xác nhận")  # the kind's label, not its code


def test_an_officer_takes_a_case_through_every_step_to_a_decision(
    page: Page, live_server: LiveServer, screenshot: Callable[[str], None]
):
    live_server.sign_in(page, "demo-village")
    page.get_by_role("link", name="Đăng ký công dân, hộ gia đình").first.click()
    person = page.locator("#cong-dan")
    person.get_by_label("Số CCCD").fill(
        "0010" + "".join(secrets.choice("0123456789") for _ in range(8))
    )
    person.get_by_label("Họ và tên").fill("Đỗ Thị Lan")
    person.get_by_label("Nhóm đối tượng").fill("nong_dan")
    person.get_by_role("button", name="Đăng ký công dân").click()
    expect(page.get_by_role("status")).to_contain_text("Đã đăng ký Đỗ Thị Lan")
    page.get_by_role("button", name="Mở hồ sơ đề nghị công nhận").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Đỗ Thị Lan")
    case_url = page.url

    upload_evidence(page)
    fill_scores(page, "9")
    page.get_by_role("button", name="Tự đánh giá").click()
    expect(page.locator("dl.facts")).to_contain_text("Đã tự đánh giá")
    screenshot("ho-so-can-bo")

    as_next(page, live_server, "demo-reviewer", case_url)
    expect(page.locator("#tham-dinh .rules")).to_contain_text("không được là người đã tự đánh giá")
    fill_scores(page, "9")
    page.get_by_role("button", name="Thẩm định").click()
    expect(page.locator("#hoi-dong, dl.facts").first).to_contain_text("Đã thẩm định")

    as_next(page, live_server, "demo-commune", case_url)
    council = page.locator("#hoi-dong")
    council.locator('input[name="member.0"]').fill("demo-council-1")
    council.locator('select[name="seat.0"]').select_option("chair")
    council.get_by_role("button", name="Thành lập hội đồng xét duyệt").click()
    expect(page.locator("h2", has_text="Hội đồng xét duyệt")).to_be_visible()

    sign_out(page)
    live_server.sign_in(page, "demo-council-1")
    page.get_by_role("link", name="Việc cần làm").first.click()
    expect(page.locator(".rules").first).to_be_visible()
    case_path = case_url.removeprefix(live_server.base_url)
    expect(page.locator(f'a[href="{case_path}"]')).to_have_text("L.")  # an initial: no need to know
    page.locator(f'a[href="{case_path}"]').click()
    appraisal = page.locator("#xet-duyet")
    appraisal.get_by_label("Đề nghị công nhận").check()
    appraisal.get_by_label("Số phiếu đồng ý").fill("1")
    appraisal.get_by_label("Số phiếu không đồng ý").fill("0")
    appraisal.get_by_role("button", name="Ghi kết quả xét duyệt").click()

    as_next(page, live_server, "demo-signer", case_url)
    decision = page.locator("#quyet-dinh")
    decision.get_by_label("Số quyết định").fill(
        f"{secrets.randbelow(900) + 100}/QĐ-UBND-TRINH-DUYET"
    )
    decision.get_by_label("Chức danh người ký").fill("Chủ tịch UBND xã")
    decision.get_by_label("Cơ quan ra quyết định").fill("UBND xã An Bình")
    decision.get_by_label("Căn cứ pháp lý").fill("244/QĐ-KHVN")
    decision.get_by_role("button", name="Ra quyết định công nhận").click()
    expect(page.locator("dl.facts")).to_contain_text("Được công nhận")
    expect(page.locator("ol.timeline")).to_contain_text("Công nhận danh hiệu")
    screenshot("ho-so-da-cong-nhan")
