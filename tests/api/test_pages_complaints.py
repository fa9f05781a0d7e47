"""The complaint pages: a citizen files from the case page, the handler lists and takes each
step through forms on the API's schemas and services (real HTTP), with the API's scope and
refusals, and overdue deadlines marked by the same rule as the API."""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

from application.ledger import Ledger
from application.services.records import FixedClock
from domain.access import read_trail_id_for, user_id_for
from domain.assessment import AssessmentCase, case_id_for
from domain.complaints import Complaint
from domain.glossary import ComplaintStatus, Role, TitleModel, UnitLevel
from tests.api.pages import CONSOLE, PASSWORD, Visitor, alert_of, csrf_of, give_password
from tests.api.test_pages_officer import as_user, changes_since, demo, wait_for

__all__ = ["demo"]  # the fixture, shared with the officer's tests

GROUNDS = "Chỉ số 6 chưa tính chứng chỉ ngoại ngữ <b>đã nộp</b>"


def citizen_case(ledger: Ledger) -> uuid.UUID:
    citizen = ledger.access.user_by_name("demo-citizen").person_id
    assert citizen is not None
    return case_id_for(citizen, TitleModel.LEARNING_CITIZEN, 2026, 1)


def file_from_case_page(citizen: Visitor, case_id: uuid.UUID, learnt_on: str = "2026-03-02"):
    page = citizen.get(f"/trang/ho-so/{case_id}").text
    assert 'action="/trang/khieu-nai"' in page, "no complaint form on the case page"
    form = page[page.index('action="/trang/khieu-nai"') :].split("</form>", 1)[0]
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    return citizen.client.post(
        "/trang/khieu-nai", data=hidden | {"learnt_on": learnt_on, "grounds": GROUNDS}
    )


def filed(demo: tuple[Any, dict[str, str]], ledger: Ledger) -> str:
    response = file_from_case_page(as_user(demo, "demo-citizen"), citizen_case(ledger))
    assert response.status_code == 303, alert_of(response.text)
    return str(response.headers["location"]).rsplit("/", 1)[1]


def step(visitor: Visitor, complaint_id: str, slug: str, fields: dict[str, str]):
    """Fill a step's form on the complaint page, as read now (its token and version)."""
    page = visitor.get(f"/trang/khieu-nai/{complaint_id}")
    action = f'action="/trang/khieu-nai/{complaint_id}/buoc/{slug}"'
    assert action in page.text, f"no form for {slug} on the complaint page"
    form = page.text[page.text.index(action) :].split("</form>", 1)[0]
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    return visitor.client.post(f"/trang/khieu-nai/{complaint_id}/buoc/{slug}", data=hidden | fields)


def complaint_of(ledger: Ledger, complaint_id: str) -> Complaint:
    return ledger.records.get(Complaint, uuid.UUID(complaint_id))


def other_unit_handler(demo: tuple[Any, dict[str, str]], ledger: Ledger) -> Visitor:
    province = ledger.access.user_by_name("demo-inspector").unit_id
    elsewhere = ledger.registry.establish_unit(
        CONSOLE,
        code="KHAC-X",
        name="Xã Khác",
        level=UnitLevel.COMMUNE,
        unit_type="xa",
        parent_id=province,
        valid_from=date(2008, 1, 1),
    ).id
    ledger.access.create_user(CONSOLE, "kn-xa-khac", [Role.COMPLAINT_HANDLER], elsewhere)
    give_password(ledger, "kn-xa-khac")
    visitor = Visitor(demo[0])
    assert visitor.sign_in("kn-xa-khac", PASSWORD).status_code == 303
    return visitor


def test_a_citizen_files_from_the_case_page_and_the_complaint_is_taken_to_resolution(
    demo: tuple[Any, dict[str, str]], ledger: Ledger
):
    complaint_id = filed(demo, ledger)
    citizen_view = as_user(demo, "demo-citizen").get(f"/trang/khieu-nai/{complaint_id}").text
    assert "Đã nhận đơn" in citizen_view and "Hạn thụ lý" in citizen_view
    assert "&lt;b&gt;đã nộp&lt;/b&gt;" in citizen_view  # the grounds, escaped
    assert "/buoc/thu-ly" not in citizen_view  # the complainant does not accept

    handler = as_user(demo, "demo-complaints")
    assert step(handler, complaint_id, "thu-ly", {"on": "2026-04-01"}).status_code == 303
    assert complaint_of(ledger, complaint_id).status is ComplaintStatus.ACCEPTED
    page = handler.get(f"/trang/khieu-nai/{complaint_id}").text
    assert "Khiếu nại chưa được phân công người giải quyết." in page
    assigned = step(handler, complaint_id, "phan-cong", {"handler": "demo-complaints"})
    assert assigned.status_code == 303, alert_of(assigned.text)
    resolved = step(
        handler,
        complaint_id,
        "giai-quyet",
        {"outcome": "rejected", "on": "2026-04-01", "reason": "Đã tính đủ điểm chỉ số 6"},
    )
    assert resolved.status_code == 303, alert_of(resolved.text)
    done = complaint_of(ledger, complaint_id)
    assert done.status is ComplaintStatus.RESOLVED
    assert done.handler_id == str(user_id_for("demo-complaints"))

    page = handler.get(f"/trang/khieu-nai/{complaint_id}").text
    for seen in ("Nhận đơn khiếu nại", "Thụ lý", "Giải quyết", "demo-complaints", "Khiếu nại sai"):
        assert seen in page
    assert "Đã tính đủ điểm chỉ số 6" in page  # why, on the timeline
    assert f"/trang/ho-so/{citizen_case(ledger)}" in page  # the linked case

    citizen = as_user(demo, "demo-citizen")
    sued = step(citizen, complaint_id, "khoi-kien", {"on": "2026-04-01", "court": "TAND tỉnh"})
    assert sued.status_code == 303, alert_of(sued.text)
    page = citizen.get(f"/trang/khieu-nai/{complaint_id}").text
    assert "Khởi kiện hành chính" in page and "/buoc/khoi-kien" not in page  # once only


def test_a_complaint_not_accepted_names_its_rule(demo: tuple[Any, dict[str, str]], ledger: Ledger):
    complaint_id = filed(demo, ledger)
    commune = as_user(demo, "demo-commune")
    refused = step(
        commune,
        complaint_id,
        "tu-choi-thu-ly",
        {"on": "2026-04-01", "rule": "Điều 11 Luật Khiếu nại 2011", "reason": "Đã có bản án"},
    )
    assert refused.status_code == 303, alert_of(refused.text)
    assert complaint_of(ledger, complaint_id).status is ComplaintStatus.NOT_ACCEPTED
    assert "Không thụ lý" in commune.get(f"/trang/khieu-nai/{complaint_id}").text


def test_a_refused_step_says_the_apis_message_in_vietnamese_and_writes_nothing(
    demo: tuple[Any, dict[str, str]], ledger: Ledger
):
    complaint_id = filed(demo, ledger)
    handler = as_user(demo, "demo-complaints")
    before = ledger.store.recorder.max_notification_id()
    early = step(handler, complaint_id, "thu-ly", {"on": "2026-03-01"})  # before it was received
    assert early.status_code == 409, alert_of(early.text)  # DateOutOfOrder, as the API
    assert "ngày thụ lý trước ngày nhận đơn" in alert_of(early.text)
    assert 'value="2026-03-01"' in early.text  # what was typed is kept
    no_rule = step(handler, complaint_id, "tu-choi-thu-ly", {"rule": "", "reason": "x"})
    assert no_rule.status_code == 422 and 'role="alert"' in no_rule.text
    assert changes_since(ledger, before) == []

    assert step(handler, complaint_id, "thu-ly", {"on": "2026-04-01"}).status_code == 303
    step(handler, complaint_id, "phan-cong", {"handler": "demo-commune"})  # someone else
    before = ledger.store.recorder.max_notification_id()
    page = handler.get(f"/trang/khieu-nai/{complaint_id}").text
    assert "đã được phân công cho người khác" in page
    not_mine = step(
        handler, complaint_id, "giai-quyet", {"outcome": "rejected", "reason": "Không có căn cứ"}
    )
    assert not_mine.status_code == 409, alert_of(not_mine.text)  # SeparationOfDuties, as the API
    assert 'role="alert">chỉ người được phân công mới giải quyết khiếu nại' in not_mine.text
    assert changes_since(ledger, before) == []


def test_a_form_without_its_token_is_refused_and_writes_nothing(
    demo: tuple[Any, dict[str, str]], ledger: Ledger
):
    complaint_id = filed(demo, ledger)
    handler = as_user(demo, "demo-complaints")
    page = handler.get(f"/trang/khieu-nai/{complaint_id}").text
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version
    before = ledger.store.recorder.max_notification_id()
    response = handler.client.post(
        f"/trang/khieu-nai/{complaint_id}/buoc/thu-ly", data={"version": version.group(1)}
    )
    assert response.status_code == 403 and "biểu mẫu đã hết hạn" in response.text
    citizen = as_user(demo, "demo-citizen")
    unsigned = citizen.client.post(
        "/trang/khieu-nai",
        data={"case_id": str(citizen_case(ledger)), "learnt_on": "2026-03-02", "grounds": "x"},
    )
    assert unsigned.status_code == 403
    assert changes_since(ledger, before) == []
    assert complaint_of(ledger, complaint_id).status is ComplaintStatus.RECEIVED


def test_a_form_read_at_an_older_version_is_refused(
    demo: tuple[Any, dict[str, str]], ledger: Ledger
):
    complaint_id = filed(demo, ledger)
    handler = as_user(demo, "demo-complaints")
    page = handler.get(f"/trang/khieu-nai/{complaint_id}").text
    assert step(handler, complaint_id, "thu-ly", {"on": "2026-04-01"}).status_code == 303
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version
    stale = handler.client.post(
        f"/trang/khieu-nai/{complaint_id}/buoc/phan-cong",
        data={"csrf": csrf_of(page), "version": version.group(1), "handler": "demo-complaints"},
    )
    assert stale.status_code == 412, alert_of(stale.text)
    assert complaint_of(ledger, complaint_id).handler_id is None


def test_a_late_filing_is_refused_at_the_case_pages_form(
    demo: tuple[Any, dict[str, str]], ledger: Ledger
):
    citizen = as_user(demo, "demo-citizen")
    before = ledger.store.recorder.max_notification_id()
    late = file_from_case_page(citizen, citizen_case(ledger), learnt_on="2025-01-02")
    assert late.status_code in (409, 422), alert_of(late.text)
    assert 'role="alert"' in late.text and GROUNDS.replace("<", "&lt;").replace(">", "&gt;") in (
        late.text
    )
    assert changes_since(ledger, before) == []
    others = as_user(demo, "demo-commune").get(f"/trang/ho-so/{citizen_case(ledger)}").text
    assert 'action="/trang/khieu-nai"' not in others  # the form is for the subject


def test_the_list_shows_names_by_the_names_rule_and_marks_what_is_overdue(
    demo: tuple[Any, dict[str, str]], ledger: Ledger, clock: FixedClock
):
    complaint_id = filed(demo, ledger)
    handler = as_user(demo, "demo-complaints")
    listed = wait_for(handler, "/trang/khieu-nai", complaint_id)
    # a handler reads no personal data in general, but the complainant's name is their work
    assert "Nguyễn Thị Hoa" in listed
    trail = ledger.records.history(
        read_trail_id_for(str(user_id_for("demo-complaints")), ledger.records.today())
    )
    complainant = str(complaint_of(ledger, complaint_id).complainant_id)
    assert complainant in {getattr(e, "record_id", None) for e in trail}  # and it is audited
    assert "Công dân học tập 2026" in listed and "Đã nhận đơn" in listed
    assert "quá hạn" not in row_of(listed, complaint_id)
    assert "Nguyễn Thị Hoa" in as_user(demo, "demo-commune").get("/trang/khieu-nai").text
    assert 'href="/trang/khieu-nai"' in handler.get("/trang").text  # the menu entry
    assert f"/trang/khieu-nai/{complaint_id}" in handler.get("/trang/hang-doi").text

    acceptance = complaint_of(ledger, complaint_id).acceptance_deadline
    clock.advance(days=(acceptance - ledger.records.today()).days + 1)
    handler = as_user(demo, "demo-complaints")  # the session would have gone idle
    listed = handler.get("/trang/khieu-nai").text
    assert "quá hạn" in row_of(listed, complaint_id)
    page = handler.get(f"/trang/khieu-nai/{complaint_id}").text
    assert re.search(r"Hạn thụ lý</dt><dd>[^<]*<strong class=\"error\">quá hạn", page)
    api = handler.client.get(
        f"/complaints/{complaint_id}",
        headers={"Authorization": f"Bearer {token_of(ledger, 'demo-complaints')}"},
    )
    assert api.json()["overdue"] == ["acceptance"]  # one rule


def row_of(listed: str, complaint_id: str) -> str:
    return listed[listed.index(f"/trang/khieu-nai/{complaint_id}") :].split("</tr>", 1)[0]


def token_of(ledger: Ledger, username: str) -> str:
    return ledger.access.issue_token(CONSOLE, user_id_for(username)).token


def test_the_pages_keep_the_apis_scope(demo: tuple[Any, dict[str, str]], ledger: Ledger):
    complaint_id = filed(demo, ledger)
    elsewhere = other_unit_handler(demo, ledger)
    path = f"/trang/khieu-nai/{complaint_id}"
    api = elsewhere.client.get(
        f"/complaints/{complaint_id}",
        headers={"Authorization": f"Bearer {token_of(ledger, 'kn-xa-khac')}"},
    )
    assert api.status_code in (403, 404)
    assert elsewhere.get(path, status=None).status_code == api.status_code
    assert complaint_id not in elsewhere.get("/trang/khieu-nai").text
    before = ledger.store.recorder.max_notification_id()
    refused = elsewhere.client.post(
        f"{path}/buoc/thu-ly",
        data={"csrf": csrf_of(elsewhere.get("/trang").text), "version": "1", "on": "2026-04-01"},
    )
    assert refused.status_code == api.status_code
    assert changes_since(ledger, before) == []
    assert as_user(demo, "demo-citizen").get("/trang/khieu-nai", status=403)
    assert as_user(demo, "demo-reviewer").get(path, status=None).status_code == 200
    assert as_user(demo, "demo-reviewer").get("/trang/khieu-nai", status=403)
    assert isinstance(ledger.records.get(AssessmentCase, citizen_case(ledger)), AssessmentCase)
