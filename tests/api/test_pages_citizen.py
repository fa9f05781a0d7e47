"""A citizen's pages: my cases and titles, registering myself, and self-assessing with
evidence uploaded from the same form a phone shows."""

from __future__ import annotations

import re
from typing import Any

from tests.api.pages import alert_of, csrf_of, take_step
from tests.api.test_pages_officer import as_user, demo, indicator_codes, wait_for

__all__ = ["demo"]  # the fixture, shared with the officer's tests


def open_own_case(citizen: Any, year: str = "2027") -> str:
    start = citizen.get("/trang").text
    assert "Đăng ký danh hiệu cho bản thân" in start
    person = re.search(r'name="subject_id" value="([0-9a-f-]{36})"', start)
    assert person
    opened = citizen.client.post(
        "/trang/ho-so",
        data={
            "csrf": csrf_of(start),
            "subject_id": person.group(1),
            "model": "cong_dan_hoc_tap",
            "cycle_year": year,
        },
    )
    assert opened.status_code == 303, alert_of(opened.text)
    return str(opened.headers["location"]).rsplit("/", 1)[1]


def upload(citizen: Any, case_id: str, codes: list[str], content: bytes, name: str = "a.pdf"):
    page = citizen.get(f"/trang/ho-so/{case_id}").text
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version
    return citizen.client.post(
        f"/trang/ho-so/{case_id}/minh-chung",
        data={
            "csrf": csrf_of(page),
            "version": version.group(1),
            "kind": "giay_xac_nhan",
            "issuer": "Chi hội Khuyến học thôn Đông",
            "issued_on": "2026-02-01",
            "indicators": codes,
        },
        files={"file": (name, content, "application/pdf")},
    )


def test_a_citizen_registers_herself_uploads_evidence_and_self_assesses(demo: Any):
    citizen = as_user(demo, "demo-citizen")
    case_id = open_own_case(citizen)
    page = citizen.get(f"/trang/ho-so/{case_id}").text
    assert 'name="viewport"' in page and 'enctype="multipart/form-data"' in page
    codes = indicator_codes(page)
    assert upload(citizen, case_id, codes, b"%PDF-1.4\n% xac nhan\n").status_code == 303
    scores = {f"diem.{code}": "8" for code in codes}
    assessed = take_step(citizen, case_id, "tu-danh-gia", scores)
    assert assessed.status_code == 303, alert_of(assessed.text)
    after = citizen.get(f"/trang/ho-so/{case_id}").text
    assert "Tự đánh giá" in after and "Nguyễn Thị Hoa" in after


def test_an_upload_over_the_apis_limit_is_refused_at_the_form(demo: Any):
    app, _ = demo
    citizen = as_user(demo, "demo-citizen")
    case_id = open_own_case(citizen)
    limit = app.state.settings.max_upload_bytes
    codes = indicator_codes(citizen.get(f"/trang/ho-so/{case_id}").text)
    refused = upload(citizen, case_id, codes, b"%PDF-1.4\n" + b"0" * limit)
    assert refused.status_code in (413, 422)
    assert "quá lớn" in refused.text or refused.status_code == 413


def test_a_citizen_cannot_open_another_persons_case_page(demo: Any):
    officer = as_user(demo, "demo-commune")
    school_case = re.search(
        r'href="/trang/ho-so/([0-9a-f-]{36})">Trường Mầm non',
        wait_for(officer, "/trang", "Trường Mầm non"),
    )
    assert school_case
    citizen = as_user(demo, "demo-citizen")
    assert citizen.get(f"/trang/ho-so/{school_case.group(1)}", status=403)


def test_a_household_head_sees_her_households_case_and_title_and_may_complain_of_it(demo: Any):
    citizen = as_user(demo, "demo-citizen")
    start = wait_for(citizen, "/trang", "Hộ bà Nguyễn Thị Hoa")
    household_case = re.search(
        r'href="/trang/ho-so/([0-9a-f-]{36})">Hộ bà Nguyễn Thị Hoa</a></td>\s*'
        r'<td data-label="Danh hiệu">Gia đình học tập</td>',
        start,
    )
    assert household_case, "the household's case is not on its head's start page"
    assert "Dòng họ Nguyễn thôn Đông" not in start  # the clan's case is not hers
    page = citizen.get(f"/trang/ho-so/{household_case.group(1)}").text
    assert "Được công nhận" in page
    assert 'action="/trang/khieu-nai"' in page  # as POST /complaints: her household's case
    form = page[page.index('action="/trang/khieu-nai"') :].split("</form>", 1)[0]
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    filed = citizen.client.post(
        "/trang/khieu-nai", data=hidden | {"learnt_on": "2026-03-02", "grounds": "Chưa tính"}
    )
    assert filed.status_code == 303, alert_of(filed.text)
    complaint = citizen.get(str(filed.headers["location"])).text
    assert "Khiếu nại lần 1: Hộ bà Nguyễn Thị Hoa" in complaint
