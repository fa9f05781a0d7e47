"""A complaint in Chromium: the citizen files it from her decided case's page on a small phone;
the commune's complaint handler finds it in "Khiếu nại" with its deadline, accepts, assigns
and resolves it, each step on the timeline, and a refused step says why at its form."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from uuid import UUID

from playwright.sync_api import Page, ViewportSize, expect

from domain.assessment import case_id_for
from domain.complaints import Complaint
from domain.glossary import TitleModel
from tests.browser.conftest import LiveServer
from tests.browser.test_citizen import fits_the_screen
from tests.browser.test_officer import sign_out

SMALL_PHONE: ViewportSize = {"width": 360, "height": 740}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
GROUNDS = "Chỉ số 6 chưa tính chứng chỉ ngoại ngữ đã nộp"


def citizen_case_path(live_server: LiveServer) -> str:
    person = live_server.ledger.access.user_by_name("demo-citizen").person_id
    assert person is not None
    return f"/trang/ho-so/{case_id_for(person, TitleModel.LEARNING_CITIZEN, 2026, 1)}"


def acceptance_deadline(live_server: LiveServer, complaint_id: str) -> str:
    ledger = live_server.ledger
    complaint = ledger.records.get(Complaint, UUID(complaint_id))
    on = complaint.deadlines(ledger.complaints.clocks_of(complaint))["acceptance"]
    assert on is not None
    return on.strftime("%d/%m/%Y")


def open_the_list_until_listed(page: Page, complaint_path: str) -> None:
    """The list reads a view that follows the ledger: reload until the complaint is in it."""
    page.get_by_role("link", name="Khiếu nại").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Khiếu nại")
    for _ in range(50):
        if page.locator(f'a[href="{complaint_path}"]').count():
            return
        page.wait_for_timeout(200)
        page.reload()
    expect(page.locator(f'a[href="{complaint_path}"]')).to_be_visible()


def test_a_citizen_files_a_complaint_and_the_handler_takes_it_to_resolution(
    page: Page, live_server: LiveServer, screenshot: Callable[..., None]
):
    page.set_viewport_size(SMALL_PHONE)
    live_server.sign_in(page, "demo-citizen")
    case_path = citizen_case_path(live_server)
    page.locator(f'a[href="{case_path}"]').first.click()
    expect(page.locator("dl.facts")).to_contain_text("Được công nhận")
    form = page.locator("#khieu-nai")
    expect(form.get_by_role("heading", name="Gửi khiếu nại")).to_be_visible()
    assert fits_the_screen(page)

    today = live_server.ledger.records.today()
    form.get_by_label("Ngày nhận được hoặc biết được quyết định").fill(
        (today + timedelta(days=1)).isoformat()  # a day to come: refused, kept at the form
    )
    form.get_by_label("Nội dung, lý do khiếu nại").fill(GROUNDS)
    form.get_by_role("button", name="Gửi khiếu nại").click()
    expect(page.locator("#khieu-nai [role=alert]")).to_contain_text(
        "ngày nhận đơn trước ngày biết quyết định"
    )
    expect(page.locator("#khieu-nai textarea")).to_have_value(GROUNDS)
    assert fits_the_screen(page)
    page.locator("#khieu-nai").scroll_into_view_if_needed()
    screenshot("khieu-nai-gui-bi-tu-choi")

    form = page.locator("#khieu-nai")
    form.get_by_label("Ngày nhận được hoặc biết được quyết định").fill(today.isoformat())
    form.get_by_role("button", name="Gửi khiếu nại").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Khiếu nại lần 1")
    expect(page.locator("dl.facts")).to_contain_text("Hạn thụ lý")
    expect(page.locator("ol.timeline")).to_contain_text("Nhận đơn khiếu nại")
    expect(page.locator("#thu-ly")).to_have_count(0)  # the complainant does not accept
    assert fits_the_screen(page)
    complaint_path = page.url.removeprefix(live_server.base_url)
    complaint_id = complaint_path.rsplit("/", 1)[1]

    sign_out(page)
    live_server.sign_in(page, "demo-complaints")
    open_the_list_until_listed(page, complaint_path)
    row = page.locator("tr", has=page.locator(f'a[href="{complaint_path}"]'))
    expect(row.locator('td[data-label="Danh hiệu"]')).to_have_text("Công dân học tập 2026")
    expect(row.locator('td[data-label="Bước tiếp theo"]')).to_have_text("Thụ lý")
    expect(row.locator('td[data-label="Hạn"]')).to_contain_text(
        acceptance_deadline(live_server, complaint_id)
    )
    assert fits_the_screen(page)
    screenshot("khieu-nai-danh-sach-dien-thoai")

    page.set_viewport_size(DESKTOP)
    row.locator(f'a[href="{complaint_path}"]').click()
    expect(page.locator(".prose")).to_have_text(GROUNDS)

    accept = page.locator("#thu-ly")
    accept.get_by_label("Ngày thụ lý").fill((today - timedelta(days=1)).isoformat())
    accept.get_by_role("button", name="Thụ lý khiếu nại").click()
    expect(page.locator("#thu-ly [role=alert]")).to_contain_text("ngày thụ lý trước ngày nhận đơn")
    expect(page.locator("dl.facts")).to_contain_text("Đã nhận đơn")
    page.locator("#thu-ly").get_by_label("Ngày thụ lý").fill(today.isoformat())
    page.locator("#thu-ly").get_by_role("button", name="Thụ lý khiếu nại").click()
    expect(page.locator("ol.timeline")).to_contain_text("Thụ lý — demo-complaints")
    expect(page.locator("dl.facts")).to_contain_text("Hạn giải quyết")

    resolve = page.locator("#giai-quyet")
    expect(resolve).to_contain_text("Khiếu nại chưa được phân công người giải quyết.")
    resolve.get_by_label("Kết quả").select_option(label="Khiếu nại sai")
    resolve.get_by_label("Lý do").fill("Đã tính đủ điểm chỉ số 6")
    resolve.get_by_role("button", name="Giải quyết khiếu nại").click()  # before assigning
    expect(page.locator("#giai-quyet [role=alert]")).to_contain_text(
        "chỉ người được phân công mới giải quyết khiếu nại"
    )
    expect(page.locator("#giai-quyet textarea")).to_have_value("Đã tính đủ điểm chỉ số 6")
    screenshot("khieu-nai-buoc-bi-tu-choi", full_page=True)

    assign = page.locator("#phan-cong")
    assign.get_by_label("Tên đăng nhập của người giải quyết").fill("demo-complaints")
    assign.get_by_role("button", name="Phân công người giải quyết").click()
    expect(page.locator("ol.timeline")).to_contain_text("Phân công người giải quyết")
    expect(page.locator("dl.facts")).to_contain_text("demo-complaints")

    resolve = page.locator("#giai-quyet")
    expect(resolve.locator("p.error")).to_have_count(0)
    resolve.get_by_label("Kết quả").select_option(label="Khiếu nại sai")
    resolve.get_by_label("Lý do").fill("Đã tính đủ điểm chỉ số 6")
    resolve.get_by_role("button", name="Giải quyết khiếu nại").click()
    expect(page.locator("dl.facts")).to_contain_text("Khiếu nại sai")
    timeline = page.locator("ol.timeline li")
    expect(timeline).to_have_count(4)
    for n, step in enumerate(
        ("Nhận đơn khiếu nại", "Thụ lý", "Phân công người giải quyết", "Giải quyết")
    ):
        expect(timeline.nth(n)).to_contain_text(step)
    expect(timeline.nth(3)).to_contain_text("lý do: Đã tính đủ điểm chỉ số 6")
    expect(page.locator("#giai-quyet")).to_have_count(0)
    screenshot("khieu-nai-da-giai-quyet", full_page=True)

    page.set_viewport_size(SMALL_PHONE)
    assert fits_the_screen(page)
