"""The audit pages: the public checkpoint and verification pages, and an inspector's audit
of a granted title with its bundle (real HTTP through TestClient, on the demo data)."""

from __future__ import annotations

import html
import json
import re
from uuid import UUID

import pytest

from api.web import audit
from api.web.audit import PUBLIC_PROOF
from application.clients.case_audit import audit_case
from application.settings import Settings
from domain.access import user_id_for
from domain.assessment import AssessmentCase
from domain.base import CommandContext
from domain.glossary import Role, label
from projections.standings.queries import list_cases
from tests.application.test_tamper import RawLog
from tests.web.conftest import SIGNED_AT, Demo

# --- public pages --------------------------------------------------------------------------


def test_the_checkpoint_page_is_open_to_anyone_and_says_so_when_nothing_is_signed(demo: Demo):
    page = demo.visitor().get("/trang/nhat-ky")

    assert "Chưa có điểm kiểm nào được ký" in page.text


def test_the_checkpoint_page_shows_the_latest_signed_checkpoint_and_its_note(shared: Demo):
    signed = max(shared.ledger.auditor.checkpoints.all(), key=lambda c: c.tree_size)

    page = shared.visitor().get("/trang/nhat-ky").text

    assert signed.root_hash.hex() in page and "10:00 ngày 20/11/2026" in page
    assert f"{shared.ledger.auditor.origin}\n{signed.tree_size}\n" in page
    assert "chưa có nhân chứng nào đồng ký" in page


def test_anyone_can_check_an_events_inclusion_with_its_leaf_hash(shared: Demo):
    visitor = shared.visitor()
    leaf = shared.ledger.auditor.inclusion(3, 3)[0].hex()

    page = visitor.get(f"/trang/kiem-tra?vi_tri=3&ma_bam={leaf.upper()}").text

    assert "✓ Sự kiện ở vị trí 3 nằm trong điểm kiểm" in page and "đúng là sự kiện" in page


def test_a_leaf_hash_of_another_event_is_told_apart(shared: Demo):
    other = shared.ledger.auditor.inclusion(4, 4)[0].hex()

    page = shared.visitor().get(f"/trang/kiem-tra?vi_tri=3&ma_bam={other}").text

    assert "✗ Sự kiện ở vị trí 3 không phải sự kiện có mã băm đã nhập" in page


def test_an_event_changed_after_signing_fails_the_public_check(demo: Demo, settings: Settings):
    demo.ledger.auditor.make_checkpoint(SIGNED_AT)
    raw = RawLog(settings)
    raw.set_state(5, raw.state(5) + b" ")

    page = demo.visitor().get("/trang/kiem-tra?vi_tri=5").text

    assert "✗ Bằng chứng không dẫn tới gốc cây đã ký" in page


@pytest.mark.parametrize(
    ("position", "leaf", "message"),
    [
        ("0", "", "vị trí phải từ 1 đến"),
        ("99999999", "", "vị trí phải từ 1 đến"),
        ("9" * 19, "", "vị trí phải từ 1 đến"),
        ("9" * 20, "", "số nguyên dương viết bằng chữ số 0-9"),
        ("-1", "", "số nguyên dương viết bằng chữ số 0-9"),
        ("١٢", "", "số nguyên dương viết bằng chữ số 0-9"),  # Arabic-Indic digits
        ("１２", "", "số nguyên dương viết bằng chữ số 0-9"),  # full-width digits
        ("1e3", "", "số nguyên dương viết bằng chữ số 0-9"),
        ("3\x00", "", "số nguyên dương viết bằng chữ số 0-9"),
        ("", "ab" * 32, "số nguyên dương viết bằng chữ số 0-9"),
        ("3", "xyz", "đúng 64 chữ số thập lục phân"),
        ("3", "<script>alert(1)</script>", "đúng 64 chữ số thập lục phân"),
    ],
)
def test_bad_input_is_answered_on_the_page_in_vietnamese(
    shared: Demo, position: str, leaf: str, message: str
):

    answer = shared.visitor().client.get(
        "/trang/kiem-tra", params={"vi_tri": position, "ma_bam": leaf}
    )

    assert answer.status_code == 422
    assert message in answer.text and "<script>alert" not in answer.text


def test_text_longer_than_a_form_field_is_refused(shared: Demo):
    answer = shared.visitor().client.get("/trang/kiem-tra", params={"vi_tri": "1" * 201})

    assert answer.status_code == 422 and "dữ liệu không hợp lệ" in answer.text


# --- the inspector's audit page ------------------------------------------------------------


def test_an_inspector_sees_every_event_of_a_granted_title_proven(shared: Demo):
    case_id = shared.granted_case()

    page = shared.visitor("demo-inspector").get(f"/trang/kiem-tra-ho-so/{case_id}").text

    assert "đều nằm trong điểm kiểm" in page and "✗" not in page.split("<h2>Giải trình")[1]
    assert 'href="#su-kien-' in page  # claims link to their events
    assert "demo-commune" in page  # the activity trail names the accounts


def test_events_newer_than_the_checkpoint_are_pending_not_failed(demo: Demo):
    """A complaint filed after the latest signature is cited but not yet signed: the page
    says it waits for the next checkpoint, and raises no alarm."""
    demo.ledger.auditor.make_checkpoint(SIGNED_AT)
    case_id = demo.granted_case()
    citizen = CommandContext(str(user_id_for("demo-citizen")), Role.CITIZEN.value, "pending-test")
    demo.ledger.complaints.file_complaint(
        citizen,
        case_ids=[case_id],
        grounds="Điểm chỉ số 6 chưa đúng",
        learnt_on=demo.ledger.records.today(),
    )
    demo.app.state.read_models.catch_up()

    page = demo.visitor("demo-inspector").get(f"/trang/kiem-tra-ho-so/{case_id}").text

    assert "chưa được ký (dấu –)" in page and 'class="error verdict"' not in page
    assert "✗" not in page.split("<h2>Giải trình")[1]


def test_the_inspector_reads_the_subjects_name_and_that_read_is_recorded(shared: Demo):
    case_id = shared.granted_case()
    inspector = shared.visitor("demo-inspector")

    inspector.get(f"/trang/kiem-tra-ho-so/{case_id}")
    shared.app.state.read_models.catch_up()
    again = inspector.get(f"/trang/kiem-tra-ho-so/{case_id}").text

    assert "tên hiện trên trang" in again  # the first visit's read, in the read trail
    assert "demo-inspector" in again.split("Ai đã xem")[1]


def test_the_bundle_downloads_with_the_session_and_holds_the_cases_events(shared: Demo):
    case_id = shared.granted_case()

    answer = shared.visitor("demo-inspector").get(
        f"/trang/kiem-tra-ho-so/{case_id}/goi-kiem-tra.json"
    )

    assert "attachment" in answer.headers["content-disposition"]
    bundle = json.loads(answer.content)
    assert bundle["case_id"] == str(case_id) and bundle["events"]


def test_the_inspectors_list_links_to_the_decided_cases(shared: Demo):
    case_id = shared.granted_case()

    page = shared.visitor("demo-inspector").get("/trang/kiem-tra-ho-so").text

    assert f"/trang/kiem-tra-ho-so/{case_id}" in page


@pytest.mark.parametrize("username", ["demo-commune", "demo-citizen", "demo-reporting"])
def test_other_roles_cannot_open_the_audit_page_nor_the_bundle(shared: Demo, username: str):
    case_id = shared.granted_case()
    visitor = shared.visitor(username)

    for path in (
        f"/trang/kiem-tra-ho-so/{case_id}",
        f"/trang/kiem-tra-ho-so/{case_id}/goi-kiem-tra.json",
    ):
        assert visitor.get(path, status=403).status_code == 403


def test_signed_out_the_audit_page_sends_to_sign_in(shared: Demo):
    case_id = shared.granted_case()

    answer = shared.visitor().get(f"/trang/kiem-tra-ho-so/{case_id}", status=303)

    assert answer.headers["location"].startswith("/trang/dang-nhap?next=")


@pytest.mark.parametrize("case", ["khong-phai-uuid", "1" * 300, str(UUID(int=5))])
def test_a_case_that_is_not_one_is_refused_on_a_page(shared: Demo, case: str):
    answer = shared.visitor("demo-inspector").client.get(f"/trang/kiem-tra-ho-so/{case}")

    assert answer.status_code in {404, 422} and '<html lang="vi">' in answer.text


def test_the_explanation_reads_names_where_it_wrote_record_ids(shared: Demo):
    case_id = shared.granted_case()
    subject = shared.ledger.records.get(AssessmentCase, case_id).subject_id
    citizen = shared.ledger.access.user_by_name("demo-citizen").id

    page = shared.visitor("demo-inspector").get(f"/trang/kiem-tra-ho-so/{case_id}").text
    explained = page.split("<h2>Giải trình</h2>")[1].split("<h2>")[0]

    assert str(subject) not in explained and str(citizen) not in explained
    assert "Nguyễn Thị Hoa" in explained and "demo-citizen" in explained


def test_a_public_check_while_another_runs_is_turned_away_not_queued(shared: Demo):
    with PUBLIC_PROOF:  # another visitor's check is running
        busy = shared.visitor().client.get("/trang/kiem-tra?vi_tri=1")
    after = shared.visitor().client.get("/trang/kiem-tra?vi_tri=1")

    assert busy.status_code == 503 and busy.headers["retry-after"] == "30"
    assert "mời thử lại sau" in busy.text
    assert after.status_code == 200 and "✓" in after.text


def test_the_public_pages_without_a_question_never_wait_for_a_check(shared: Demo):
    with PUBLIC_PROOF:
        assert shared.visitor().client.get("/trang/kiem-tra").status_code == 200
        assert shared.visitor().client.get("/trang/nhat-ky").status_code == 200


# --- the inspector's list of decided cases --------------------------------------------------

ANY_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _decided(demo: Demo, **filters) -> list[dict]:
    demo.app.state.read_models.catch_up()
    engine = demo.app.state.read_models.engine
    return list_cases(engine, statuses=set(audit.DECIDED), limit=1000, **filters).items


def _listed(page: str) -> list[str]:
    return re.findall(r"/trang/kiem-tra-ho-so/([0-9a-f-]{36})\"", page)


def test_the_inspectors_list_names_subjects_and_units_and_shows_the_decision(shared: Demo):
    case_id = shared.granted_case()
    case = shared.ledger.records.get(AssessmentCase, case_id)

    page = shared.visitor("demo-inspector").get("/trang/kiem-tra-ho-so").text
    [row] = [r for r in page.split("<tr>") if f"/trang/kiem-tra-ho-so/{case_id}" in r]

    assert "Nguyễn Thị Hoa" in row and label("granted") in row
    decided = next(r for r in _decided(shared) if r["case_id"] == str(case_id))
    assert decided["decision_number"] in row
    assert decided["decided_on"].strftime("%d/%m/%Y") in row
    shown = re.sub(r'href="[^"]*"', "", page)  # ids only in links, never as the text read
    assert str(case.subject_id) not in shown and str(case.unit_id) not in shown
    assert not ANY_ID.search(shown)


def test_the_inspectors_list_pages_through_every_decided_case_once(
    shared: Demo, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(audit, "AUDIT_PAGE_SIZE", 1)
    inspector = shared.visitor("demo-inspector")
    expected = {r["case_id"] for r in _decided(shared)}
    assert len(expected) >= 2  # else there is no second page to walk to

    seen: list[str] = []
    page = inspector.get("/trang/kiem-tra-ho-so").text
    assert "Về đầu danh sách" not in page
    for _ in range(len(expected) + 1):
        seen += _listed(page)
        found = re.search(r'<a href="(\?[^"]*tiep=[^"]*)">Trang sau', page)
        if found is None:
            break
        page = inspector.get("/trang/kiem-tra-ho-so" + html.unescape(found.group(1))).text
        assert "Về đầu danh sách" in page

    assert sorted(seen) == sorted(expected) and len(seen) == len(set(seen))


def test_the_inspectors_list_filters_by_result_title_and_year_and_keeps_them_on_the_next_page(
    shared: Demo, monkeypatch: pytest.MonkeyPatch
):
    inspector = shared.visitor("demo-inspector")
    granted = {r["case_id"] for r in _decided(shared, status="granted")}
    citizens = {r["case_id"] for r in _decided(shared, model="cong_dan_hoc_tap")}
    year = _decided(shared)[0]["cycle_year"]

    assert set(_listed(inspector.get("/trang/kiem-tra-ho-so?ket_qua=granted").text)) == granted
    by_title = inspector.get("/trang/kiem-tra-ho-so?danh_hieu=cong_dan_hoc_tap").text
    assert set(_listed(by_title)) == citizens
    assert set(_listed(inspector.get(f"/trang/kiem-tra-ho-so?nam={year}").text))
    none = inspector.get(f"/trang/kiem-tra-ho-so?nam={year - 10}").text
    assert not _listed(none) and "Không có hồ sơ nào khớp với điều kiện lọc" in none

    monkeypatch.setattr(audit, "AUDIT_PAGE_SIZE", 1)
    first = inspector.get("/trang/kiem-tra-ho-so?ket_qua=granted&danh_hieu=cong_dan_hoc_tap").text
    if len(granted & citizens) > 1:
        link = html.unescape(re.search(r'<a href="(\?[^"]*)">Trang sau', first).group(1))
        assert "ket_qua=granted" in link and "danh_hieu=cong_dan_hoc_tap" in link


@pytest.mark.parametrize(
    "query",
    [
        "nam=２０２６",  # full-width digits
        "nam=٢٠٢٦",  # Arabic-Indic digits
        "nam=20%2026",
        "nam=1999",
        "nam=2101",
        "nam=%00",
        "nam=99999",
        "ket_qua=%3Cscript%3E",
        "ket_qua=granted%00",
        "ket_qua=withdrawn",  # a status, but not a decision
        "danh_hieu=x",
        "danh_hieu=CONG_DAN_HOC_TAP",
        "tiep=khong-phai-con-tro",
        "tiep=" + "A" * 600,
    ],
)
def test_a_filter_that_is_not_one_is_refused_on_the_page_in_vietnamese(shared: Demo, query: str):
    answer = shared.visitor("demo-inspector").client.get(f"/trang/kiem-tra-ho-so?{query}")

    assert answer.status_code == 422 and '<html lang="vi">' in answer.text
    assert "<script>" not in answer.text


def test_the_audit_page_names_each_event_and_action_in_vietnamese(shared: Demo):
    case_id = shared.granted_case()

    page = shared.visitor("demo-inspector").get(f"/trang/kiem-tra-ho-so/{case_id}").text

    assert "hoctap." not in page and "TitleGranted" not in page and "Reviewed" not in page
    events = page.split("<h2>Ai đã làm gì</h2>")
    assert "Công nhận danh hiệu" in events[0] and "Thẩm định" in events[0]  # the proven events
    assert "Công nhận danh hiệu" in events[1] and "Thẩm định" in events[1]  # who did what


def test_an_audit_says_when_its_trails_hold_more_than_it_shows(shared: Demo):
    case_id = shared.granted_case()
    inspector = shared.visitor("demo-inspector")
    for _ in range(3):  # each view reads the subject's name: the read trail grows
        inspector.get(f"/trang/kiem-tra-ho-so/{case_id}")
    shared.app.state.read_models.catch_up()
    engine = shared.app.state.read_models.engine

    whole = audit_case(shared.ledger, engine, case_id)
    cut = audit_case(shared.ledger, engine, case_id, trail_limit=2)

    assert not whole.more_activity and not whole.more_reads
    assert len(whole.activity) > 2 and len(whole.reads) > 2
    assert cut.more_activity and cut.activity == whole.activity[:2]  # the first actions
    assert cut.more_reads and cut.reads == whole.reads[-2:]  # the latest reads
    exact = audit_case(shared.ledger, engine, case_id, trail_limit=len(whole.activity))
    assert not exact.more_activity and exact.activity == whole.activity


def test_the_audit_page_says_when_a_trail_is_cut(shared: Demo, monkeypatch: pytest.MonkeyPatch):
    case_id = shared.granted_case()
    inspector = shared.visitor("demo-inspector")
    for _ in range(3):
        inspector.get(f"/trang/kiem-tra-ho-so/{case_id}")
    shared.app.state.read_models.catch_up()
    monkeypatch.setattr(audit, "audit_case", lambda *args: audit_case(*args, trail_limit=2))

    page = inspector.get(f"/trang/kiem-tra-ho-so/{case_id}").text

    assert "Hồ sơ có hơn 2 việc; trang này hiện 2 việc đầu tiên." in page
    assert "Có hơn 2 lượt xem; trang này hiện 2 lượt mới nhất." in page
