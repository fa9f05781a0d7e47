"""An officer's pages: register a person, open a case, and take it through every step to a
decision, each step by the role the law gives it, through the forms (real HTTP)."""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.web import queues as queue_pages
from application.clients.demo import demo_passwords, load_demo
from application.ledger import Ledger
from application.services.records import VIETNAM, FixedClock
from application.settings import Settings
from domain.assessment import AssessmentCase
from domain.glossary import CaseStatus
from tests.api.pages import Visitor, alert_of, csrf_of, take_step

CCCD = "001091000777"


@pytest.fixture
def demo(
    settings: Settings, ledger: Ledger, clock: FixedClock
) -> Iterator[tuple[Any, dict[str, str]]]:
    settings.projections_in_api = True
    clock.current = datetime(2026, 4, 1, 9, 0, tzinfo=VIETNAM)  # after the demo's decisions
    load_demo(ledger)
    passwords = {username: password for _, username, password in demo_passwords(ledger)}
    application = create_app(settings, ledger=ledger)
    try:
        with TestClient(application):
            yield application, passwords
    finally:  # an app given a ledger leaves its views open (a pool each, on PostgreSQL)
        application.state.read_models.close()


def as_user(demo: tuple[Any, dict[str, str]], username: str) -> Visitor:
    app, passwords = demo
    visitor = Visitor(app)
    assert visitor.sign_in(username, passwords[username]).status_code == 303
    return visitor


def register_and_open(officer: Visitor, cccd: str = CCCD, name: str = "Phạm Thị Mai") -> str:
    registered = officer.submit(
        "/trang/dang-ky/cong-dan",
        {
            "cccd": cccd,
            "full_name": name,
            "birth_date": "1992-05-04",
            "gender": "nu",
            "ethnicity": "Kinh",
            "target_group": "nong_dan",
        },
        token_from="/trang/dang-ky",
    )
    assert registered.status_code == 200, alert_of(registered.text)
    assert f"Đã đăng ký {name}" in registered.text
    subject = re.search(r'name="subject_id" value="([0-9a-f-]{36})"', registered.text)
    assert subject
    opened = officer.client.post(
        "/trang/ho-so",
        data={
            "csrf": csrf_of(registered.text),
            "subject_id": subject.group(1),
            "model": "cong_dan_hoc_tap",
            "cycle_year": "2026",
        },
    )
    assert opened.status_code == 303, alert_of(opened.text)
    return opened.headers["location"].rsplit("/", 1)[1]


def indicator_codes(page: str) -> list[str]:
    return re.findall(r'name="diem\.([^"]+)"', page)


def attach_evidence_for_all(officer: Visitor, case_id: str) -> None:
    page = officer.get(f"/trang/ho-so/{case_id}").text
    codes = re.findall(r'name="indicators" value="([^"]+)"', page)
    assert '<option value="giay_xac_nhan">Giấy xác nhận</option>' in page  # picked, not typed
    response = officer.client.post(
        f"/trang/ho-so/{case_id}/minh-chung",
        data={
            "csrf": csrf_of(page),
            "version": re.search(r'name="version" value="(\d+)"', page).group(1),  # type: ignore[union-attr]
            "kind": "giay_xac_nhan",
            "issuer": "Chi hội Khuyến học thôn Đông",
            "issued_on": "2026-02-01",
            "indicators": codes,
        },
        files={"file": ("xac-nhan.pdf", b"%PDF-1.4\n% minh chung\n", "application/pdf")},
    )
    assert response.status_code == 303, alert_of(response.text)
    shown = officer.get(f"/trang/ho-so/{case_id}").text
    assert "Giấy xác nhận</a>" in shown and "giay_xac_nhan</a>" not in shown


def status_of_case(ledger: Ledger, case_id: str) -> CaseStatus:
    return ledger.records.get(AssessmentCase, uuid.UUID(case_id)).status


def test_an_officer_takes_a_case_through_every_step_to_a_decision(
    demo: tuple[Any, dict[str, str]], ledger: Ledger, clock: FixedClock
):
    village = as_user(demo, "demo-village")
    case_id = register_and_open(village)
    attach_evidence_for_all(village, case_id)
    codes = indicator_codes(village.get(f"/trang/ho-so/{case_id}").text)
    scores = {f"diem.{code}": "9" for code in codes}
    assert take_step(village, case_id, "tu-danh-gia", scores).status_code == 303

    reviewer = as_user(demo, "demo-reviewer")
    page = reviewer.get(f"/trang/ho-so/{case_id}").text
    assert "Người thẩm định không được là người đã tự đánh giá" in page
    assert take_step(reviewer, case_id, "tham-dinh", scores | {"remarks": "Đủ"}).status_code == 303

    commune = as_user(demo, "demo-commune")
    today = ledger.records.today()
    closes = (today + timedelta(days=7)).isoformat()
    posted = take_step(
        commune,
        case_id,
        "niem-yet",
        {"posted_on": today.isoformat(), "closes_on": closes, "place": "Nhà văn hóa thôn Đông"},
    )
    assert posted.status_code == 303
    deadline = f"niêm yết đến {date.fromisoformat(closes):%d/%m/%Y}"
    listed = wait_for(commune, "/trang/ho-so", deadline)  # the worklist, once folded
    row = listed[listed.index(f'/trang/ho-so/{case_id}"') :].split("</tr>", 1)[0]
    assert deadline in row
    others = listed.count("niêm yết đến")
    assert others == listed.count('data-label="Trạng thái">Đang niêm yết')
    early = take_step(
        commune, case_id, "ket-thuc-niem-yet", {"on": today.isoformat(), "comments_received": "0"}
    )
    assert early.status_code == 409 and "chưa hết thời gian niêm yết" in early.text
    clock.advance(days=7)
    commune = as_user(demo, "demo-commune")  # the session would have gone idle
    closed = take_step(
        commune, case_id, "ket-thuc-niem-yet", {"on": closes, "comments_received": "0"}
    )
    assert closed.status_code == 303
    formed = take_step(
        commune,
        case_id,
        "hoi-dong",
        {"name": "Hội đồng xét công nhận 2026", "member.0": "demo-council-1", "seat.0": "chair"},
    )
    assert formed.status_code == 303, alert_of(formed.text)

    council = as_user(demo, "demo-council-1")
    appraised = take_step(
        council,
        case_id,
        "xet-duyet",
        {"recommended": "true", "votes_for": "1", "votes_against": "0"},
    )
    assert appraised.status_code == 303, alert_of(appraised.text)

    signer = as_user(demo, "demo-signer")
    decided = take_step(
        signer,
        case_id,
        "quyet-dinh",
        {
            "number": "09/QĐ-UBND-TRANG",
            "on": ledger.records.today().isoformat(),
            "signer_title": "Chủ tịch UBND xã",
            "authority_name": "UBND xã An Bình",
            "legal_basis": "244/QĐ-KHVN",
            "outcome": "granted",
        },
    )
    assert decided.status_code == 303, alert_of(decided.text)
    assert status_of_case(ledger, case_id) is CaseStatus.GRANTED

    timeline = commune.get(f"/trang/ho-so/{case_id}").text
    for seen in ("Phạm Thị Mai", "demo-reviewer", "Người thẩm định hồ sơ", "Công nhận danh hiệu"):
        assert seen in timeline
    assert case_id not in re.sub(r'(href|action)="[^"]*"', "", timeline).replace(
        f'value="{case_id}"', ""
    )


def test_a_refused_step_shows_the_apis_message_at_its_form_and_keeps_what_was_typed(
    demo: tuple[Any, dict[str, str]],
):
    village = as_user(demo, "demo-village")
    case_id = register_and_open(village)
    codes = indicator_codes(village.get(f"/trang/ho-so/{case_id}").text)
    too_high = {f"diem.{code}": "9" for code in codes} | {f"diem.{codes[0]}": "999"}
    refused = take_step(village, case_id, "tu-danh-gia", too_high)
    assert refused.status_code == 409
    assert 'role="alert"' in refused.text and 'value="999"' in refused.text


def test_a_form_read_at_an_older_version_is_refused(demo: tuple[Any, dict[str, str]]):
    village = as_user(demo, "demo-village")
    case_id = register_and_open(village)
    page = village.get(f"/trang/ho-so/{case_id}").text
    attach_evidence_for_all(village, case_id)  # the case moved on meanwhile
    stale = village.client.post(
        f"/trang/ho-so/{case_id}/buoc/rut-ho-so",
        data={
            "csrf": csrf_of(page),
            "version": re.search(r'name="version" value="(\d+)"', page).group(1),
            "reason": "Chuyển nơi ở",
        },  # type: ignore[union-attr]
    )
    assert stale.status_code == 412
    assert "phiên bản" in stale.text or "thay đổi" in stale.text


def test_a_citizen_sees_their_own_cases_and_titles_by_name(demo: tuple[Any, dict[str, str]]):
    citizen = as_user(demo, "demo-citizen")
    page = citizen.get("/trang").text
    assert "Hồ sơ và danh hiệu của tôi" in page and "Nguyễn Thị Hoa" in page


def test_each_queue_lists_what_waits_for_that_role_and_says_its_rules_first(
    demo: tuple[Any, dict[str, str]],
):
    village = as_user(demo, "demo-village")
    case_id = register_and_open(village)
    attach_evidence_for_all(village, case_id)
    codes = indicator_codes(village.get(f"/trang/ho-so/{case_id}").text)
    take_step(village, case_id, "tu-danh-gia", {f"diem.{code}": "9" for code in codes})
    reviewer = as_user(demo, "demo-reviewer")
    queue = wait_for(reviewer, "/trang/hang-doi", "Phạm Thị Mai")
    assert "Người thẩm định không được là người đã tự đánh giá hồ sơ" in queue
    assert f"/trang/ho-so/{case_id}" in queue
    council = as_user(demo, "demo-council-1").get("/trang/hang-doi").text
    assert "Phạm Thị Mai" not in council  # not on its council (none formed yet)
    assert "xung đột lợi ích" in council
    assert "Người ký không được" in as_user(demo, "demo-signer").get("/trang/hang-doi").text
    handler = as_user(demo, "demo-complaints").get("/trang/hang-doi").text
    assert "Chỉ người được phân công mới giải quyết khiếu nại" in handler


def test_a_council_member_finds_the_case_seating_them_past_a_full_page_of_other_councils(
    demo: tuple[Any, dict[str, str]], monkeypatch: pytest.MonkeyPatch
):
    """The view does not know who sits on a council: the queue reads on, a page of formed
    councils at a time, until it has the member's cases, not only the first page's."""
    monkeypatch.setattr(queue_pages, "QUEUE_SIZE", 1)
    village, reviewer = as_user(demo, "demo-village"), as_user(demo, "demo-reviewer")
    commune = as_user(demo, "demo-commune")
    seated = {}
    for cccd, name, member in (
        ("001091000778", "Lê Văn An", "demo-council-2"),  # opened first: the first page
        ("001091000779", "Đỗ Thị Bích", "demo-council-1"),
    ):
        case_id = register_and_open(village, cccd, name)
        attach_evidence_for_all(village, case_id)
        codes = indicator_codes(village.get(f"/trang/ho-so/{case_id}").text)
        scores = {f"diem.{code}": "9" for code in codes}
        assert take_step(village, case_id, "tu-danh-gia", scores).status_code == 303
        reviewed = take_step(reviewer, case_id, "tham-dinh", scores | {"remarks": "Đủ"})
        assert reviewed.status_code == 303
        formed = take_step(
            commune,
            case_id,
            "hoi-dong",
            {"name": "Hội đồng", "member.0": member, "seat.0": "chair"},
        )
        assert formed.status_code == 303, alert_of(formed.text)
        seated[member] = f'href="/trang/ho-so/{case_id}"'

    first = wait_for(as_user(demo, "demo-council-1"), "/trang/hang-doi", seated["demo-council-1"])
    assert seated["demo-council-2"] not in first  # a member sees only the councils they sit on


def test_a_role_without_a_queue_is_refused_the_queue_page(demo: tuple[Any, dict[str, str]]):
    response = as_user(demo, "demo-village").get("/trang/hang-doi", status=403)
    assert "vai trò của bạn không được phép" in response.text


def wait_for(visitor: Visitor, path: str, text: str) -> str:
    """The page once the views have folded what was just written (they run beside)."""
    for _ in range(100):
        page = visitor.get(path).text
        if text in page:
            return page
        time.sleep(0.05)
    raise AssertionError(f"{text!r} never showed on {path}")


HOSTILE = {
    "control": "ab\x00c\x07d",
    "bidi": "\u202eabc",
    "arabic-digits": "٠٠١٠٩١٠٠٠٧٧٧",
    "fullwidth-digits": "００１０９１０００７７７",
    "huge-number": "9" * 40,
    "negative": "-1",
    "long": "x" * 10_000,
}


#: Form handling is the same on every store: the hostile classes run in memory (fast).
@pytest.mark.parametrize("backend", ["memory"])
@pytest.mark.parametrize("value", list(HOSTILE.values()), ids=list(HOSTILE))
@pytest.mark.parametrize("field", ["cccd", "full_name", "birth_date", "target_group"])
def test_hostile_registration_input_is_refused_at_the_form_and_nothing_is_written(
    demo: tuple[Any, dict[str, str]], ledger: Ledger, field: str, value: str
):
    village = as_user(demo, "demo-village")
    form = {"cccd": "001091000888", "full_name": "Hồ Văn Nam", "target_group": "nong_dan"}
    before = ledger.store.recorder.max_notification_id()
    response = village.submit(
        "/trang/dang-ky/cong-dan", form | {field: value}, token_from="/trang/dang-ky"
    )
    if response.status_code == 200:  # a value the API also takes (a name may be anything printable)
        assert field in ("full_name", "target_group") and "Đã đăng ký" in response.text
        return
    assert response.status_code in (409, 422), alert_of(response.text)
    assert 'role="alert"' in response.text
    assert changes_since(ledger, before) == []


def changes_since(ledger: Ledger, position: int) -> list[str]:
    """Topics of the events written after ``position``, but for reads recorded (a page that
    shows names records that it did)."""
    written = ledger.store.recorder.select_notifications(start=position + 1, limit=10_000)
    return [n.topic for n in written if not n.topic.startswith("hoctap.ReadTrail")]


#: Form handling is the same on every store: the hostile classes run in memory (fast).
@pytest.mark.parametrize("backend", ["memory"])
@pytest.mark.parametrize("value", list(HOSTILE.values()), ids=list(HOSTILE))
@pytest.mark.parametrize(
    ("slug", "field"),
    [("tu-danh-gia", "diem.1"), ("tu-danh-gia", "on"), ("rut-ho-so", "reason")],
)
def test_hostile_step_input_is_refused_at_the_form_and_nothing_is_written(
    demo: tuple[Any, dict[str, str]], ledger: Ledger, slug: str, field: str, value: str
):
    village = as_user(demo, "demo-village")
    case_id = register_and_open(village)
    before = ledger.store.recorder.max_notification_id()
    codes = indicator_codes(village.get(f"/trang/ho-so/{case_id}").text)
    fields = {f"diem.{code}": "1" for code in codes} if slug == "tu-danh-gia" else {"reason": "x"}
    response = take_step(village, case_id, slug, fields | {field: value})
    if field == "reason" and value not in (HOSTILE["control"], HOSTILE["long"]):
        assert response.status_code == 303  # text the API takes as a reason, as the API does
        return
    assert response.status_code in (409, 412, 422), alert_of(response.text)
    assert changes_since(ledger, before) == []


def test_a_list_shown_right_after_a_form_shows_what_the_form_wrote(
    demo: tuple[Any, dict[str, str]],
):
    """Given views that fold the next write late (their fold held for half a second), when
    an officer opens a case through the form and goes straight to the case list, then the
    list waits for the fold and shows the new case, where the same browser without the
    form's position would be shown the list before it."""
    app, _ = demo
    models = app.state.read_models
    village = as_user(demo, "demo-village")
    models.catch_up()
    models._lock.acquire()
    release = threading.Timer(0.5, models._lock.release)
    try:
        case_id = register_and_open(village)
        written = village.client.cookies.get("hoctap_da_ghi")
        assert written and int(written) >= 1
        village.client.cookies.delete("hoctap_da_ghi", path="/trang")
        assert case_id not in village.get("/trang/ho-so").text  # the fold is held
        village.client.cookies.set("hoctap_da_ghi", written, path="/trang")
        release.start()
        listed = village.get("/trang/ho-so").text
    finally:
        if release.is_alive() or not release.finished.is_set():
            release.cancel()
            models._lock.release()
        release.join()
    assert case_id in listed


@pytest.mark.parametrize(
    "written",
    ["999999999999", "0", "-1", "1e9", "١٢٣", "１２", " 12", "12\x00", "9" * 40, ""],
)
def test_a_made_up_or_foreign_write_position_never_holds_up_or_refuses_a_page(
    demo: tuple[Any, dict[str, str]], written: str
):
    """A position the log does not hold (a cookie from another store, or made up), or no
    position at all (other digits, signs, spaces, control characters, too long): the page
    is shown at once, from what the views hold."""
    village = as_user(demo, "demo-village")
    session = "; ".join(f"{name}={value}" for name, value in village.client.cookies.items())
    cookies = f"{session}; hoctap_da_ghi={written}".encode()  # as a browser sends it: UTF-8
    started = time.monotonic()
    page = village.client.get("/trang/ho-so", headers={"Cookie": cookies})
    assert page.status_code == 200
    assert "Hồ sơ" in page.text
    assert time.monotonic() - started < 1.5


def test_a_queue_fuller_than_it_shows_says_so(
    demo: tuple[Any, dict[str, str]], monkeypatch: pytest.MonkeyPatch
):
    village, reviewer = as_user(demo, "demo-village"), as_user(demo, "demo-reviewer")
    opened = []
    for cccd, name in (("001091000781", "Trần Văn Bình"), ("001091000782", "Vũ Thị Cúc")):
        case_id = register_and_open(village, cccd, name)
        attach_evidence_for_all(village, case_id)
        codes = indicator_codes(village.get(f"/trang/ho-so/{case_id}").text)
        take_step(village, case_id, "tu-danh-gia", {f"diem.{code}": "9" for code in codes})
        opened.append(f'href="/trang/ho-so/{case_id}"')
    whole = wait_for(reviewer, "/trang/hang-doi", "Vũ Thị Cúc")
    assert all(link in whole for link in opened) and "còn hồ sơ khác đang chờ" not in whole

    monkeypatch.setattr(queue_pages, "QUEUE_SIZE", 1)
    cut = reviewer.get("/trang/hang-doi").text

    assert sum(link in cut for link in opened) <= 1
    assert "Hàng đợi hiện 1 hồ sơ mở sớm nhất của mỗi trạng thái; còn hồ sơ khác đang chờ" in cut
