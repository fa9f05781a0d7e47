"""Award explanations over HTTP, on every backend: what they say, and that every citation
leads to an event that holds what the statement says."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from api.routers.explanations import ExplanationPublic
from application.clients.demo import load_demo
from application.clients.explanation import explain
from application.ledger import Ledger
from application.services.records import FixedClock
from application.settings import Settings
from domain.assessment import AssessmentCase
from domain.glossary import TitleModel
from tests.api.helpers import Api, amending_decision, revoke_by_amending_decision
from tests.api.test_complaints import accepted_and_assigned, complain, refused_citizen
from tests.api.test_scenario import publish_sets, registry, run_case, staff

SCORES = {str(i): "9" for i in range(1, 11)} | {"6": "5", "7": "8.5"}
ISSUER = '<script>alert("x")</script> Chi hội Khuyến học'


def granted_citizen(api: Api) -> dict[str, Any]:
    """A citizen granted by decision 15/QĐ-UBND; indicator 1's evidence issuer is hostile."""
    publish_sets(api)
    ids = registry(api)
    users = staff(api, ids)
    case = api.created(
        "lan",
        "/cases",
        {
            "subject_id": str(ids["person"]),
            "model": "cong_dan_hoc_tap",
            "cycle_year": 2026,
            "opened_on": "2026-01-10",
        },
    )
    for code in range(1, 11):
        issuer = {"issuer": ISSUER} if code == 1 else {}
        upload = api.upload("lan", case, f"Giấy xác nhận {code}".encode(), str(code), **issuer)
        assert upload.status_code == 201, upload.text
    run_case(api, "lan", case, SCORES, users)
    decision = api.created(
        "signer",
        "/decisions",
        {
            "number": "15/QĐ-UBND",
            "decided_on": "2026-03-01",
            "signer_title": "Chủ tịch UBND xã",
            "authority_name": "UBND xã Hòa Bình",
            "authority_unit_id": str(ids["commune"]),
            "legal_basis": "244/QĐ-KHVN; 22/2020/TT-BGDĐT",
            "rulings": [{"case_id": str(case), "outcome": "granted"}],
        },
    )
    return {"case": case, "decision": decision, "users": users, "commune": ids["commune"]}


def sections(explanation: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {s["key"]: s["statements"] for s in explanation["sections"]}


def statements(explanation: dict[str, Any]) -> list[dict[str, Any]]:
    return [st for s in explanation["sections"] for st in s["statements"]]


def recorded(value: Any) -> set[str]:
    """Every value an event holds, nested ones and dictionary keys included, as text."""
    if isinstance(value, dict):
        return {str(k) for k in value} | {v for item in value.values() for v in recorded(item)}
    if isinstance(value, list | tuple):
        return {v for item in value for v in recorded(item)}
    return {str(value)}


def event_at(ledger: Ledger, citation: dict[str, Any]) -> Any:
    """Read the event at the cited log position; check the chain row and the citation agree."""
    recorder: Any = ledger.store.recorder
    [stored] = recorder.select_notifications(start=citation["notification_id"], limit=1)
    assert stored.id == citation["notification_id"]
    assert stored.topic == citation["topic"]
    assert UUID(str(stored.originator_id)) == UUID(citation["originator_id"])
    assert stored.originator_version == citation["version"]
    [row, *_] = recorder.select_chained(citation["notification_id"] - 1, 1)
    assert (row.position, row.notification_id) == (
        citation["position"],
        citation["notification_id"],
    )
    return ledger.store.mapper.to_domain_event(stored)


def follow_every_citation(ledger: Ledger, explanation: dict[str, Any]) -> set[UUID]:
    """Each citation leads to its event, and each fact of a statement is held by one of the
    events it cites; returns the records cited."""
    cited = set()
    for statement in statements(explanation):
        assert statement["citations"], statement["text"]
        events = [event_at(ledger, c) for c in statement["citations"]]
        held = set().union(*(recorded(vars(e)) for e in events))
        for name, value in statement["facts"].items():
            assert value in held, (statement["text"], name, value)
        cited |= {UUID(c["originator_id"]) for c in statement["citations"]}
    return cited


def test_the_explanation_names_the_set_each_score_the_council_and_the_decision(api: Api):
    world = granted_citizen(api)
    explanation = api.get("officer", f"/cases/{world['case']}/explanation").json()
    parts = sections(explanation)

    assert explanation["outcome"] == "granted"
    assert explanation["outcome_label"] == "Được công nhận"
    criteria = parts["criteria"][0]
    assert "244/QĐ-KHVN/CDHT/can-bo" in criteria["text"]
    assert "căn cứ pháp lý: 244/QĐ-KHVN" in criteria["text"]
    assert criteria["citations"][0]["topic"] == "hoctap.CriteriaSet.Published"
    reviewed = {s["facts"]["indicator"]: s for s in parts["review"] if "indicator" in s["facts"]}
    assert sorted(reviewed, key=int) == [str(i) for i in range(1, 11)]
    for code, score in SCORES.items():
        assert reviewed[code]["facts"]["score"] == score
        assert f"chấm {score.replace('.', ',')} điểm" in reviewed[code]["text"]
    council = " ".join(s["text"] for s in parts["council"])
    assert "Thành viên chair, chủ tịch hội đồng" in council  # accounts by user name
    assert str(world["users"]["chair"]) not in council
    decision = " ".join(s["text"] for s in parts["decision"])
    assert "15/QĐ-UBND" in decision
    assert "Chủ tịch UBND xã (người dùng signer)" in decision
    assert "hiệu lực từ ngày 01/03/2026 đến ngày 28/02/2027" in decision


def test_evidence_is_numbered_and_labelled_and_validity_quotes_its_basis(api: Api):
    """A reader sees "minh chứng số 3 – Giấy xác nhận", not an id and a code; the ids and
    codes stay among the facts; the validity period says where it comes from (for Công dân
    học tập no source was found: the seed says so instead of stating it as law)."""
    world = granted_citizen(api)
    explanation = api.get("officer", f"/cases/{world['case']}/explanation").json()
    parts = sections(explanation)
    case = api.get("officer", f"/cases/{world['case']}").json()
    evidence_ids = [e["evidence_id"] for e in case["evidence"]]

    items = parts["evidence"]
    assert [s["text"].split(",")[0] for s in items] == [
        f"Minh chứng số {n} – Giấy xác nhận" for n in range(1, 11)
    ]
    assert [s["facts"]["evidence_id"] for s in items] == evidence_ids
    assert {s["facts"]["kind"] for s in items} == {"giay_xac_nhan"}
    reviewed = {s["facts"]["indicator"]: s for s in parts["review"] if "indicator" in s["facts"]}
    assert reviewed["3"]["text"].endswith("minh chứng đã xem: số 3.")
    text = " ".join(s["text"] for s in statements(explanation))
    assert "giay_xac_nhan" not in text
    assert not [i for i in evidence_ids if i in text]
    [rules] = [s for s in parts["criteria"] if s["text"].startswith("Điều kiện công nhận")]
    assert "danh hiệu có giá trị 1 năm (chưa tìm thấy văn bản quy định thời hạn" in rules["text"]
    english = api.get("officer", f"/cases/{world['case']}/explanation?lang=en").json()
    assert sections(english)["evidence"][0]["text"].startswith(
        "Evidence no. 1 – certificate of confirmation, issued by"
    )


def test_every_citation_leads_to_the_event_that_holds_what_is_said(api: Api, ledger: Ledger):
    world = granted_citizen(api)
    explanation = api.get("lan", f"/cases/{world['case']}/explanation").json()

    cited = follow_every_citation(ledger, explanation)

    case = ledger.records.get(AssessmentCase, world["case"])
    assert cited == {case.id, case.criteria_set_id, world["decision"]}
    [review_of_7] = [
        s for s in sections(explanation)["review"] if s["facts"].get("indicator") == "7"
    ]
    reviewed = event_at(ledger, review_of_7["citations"][0])
    assert isinstance(reviewed, AssessmentCase.Reviewed)
    assert reviewed.scores["7"] == Decimal("8.5")
    issued = event_at(ledger, sections(explanation)["decision"][0]["citations"][0])
    assert issued.number == "15/QĐ-UBND"


def test_the_english_explanation_differs_and_cites_the_same_events(api: Api):
    world = granted_citizen(api)
    vi = api.get("officer", f"/cases/{world['case']}/explanation").json()
    en = api.get("officer", f"/cases/{world['case']}/explanation?lang=en").json()

    assert en["language"] == "en" and en["outcome_label"] == "granted"
    assert [s["heading"] for s in en["sections"]] != [s["heading"] for s in vi["sections"]]
    assert all(a["text"] != b["text"] for a, b in zip(statements(vi), statements(en), strict=True))
    assert [s["citations"] for s in statements(en)] == [s["citations"] for s in statements(vi)]
    assert [s["facts"] for s in statements(en)] == [s["facts"] for s in statements(vi)]
    assert "Decision no. 15/QĐ-UBND of 2026-03-01" in sections(en)["decision"][0]["text"]


def test_the_explanation_names_the_subject_only_to_readers_of_personal_data(api: Api):
    """A signer (no personal data in their role) reads an initial; the commune officer reads
    the name, and that reading goes into their read trail. Nothing else personal is shown."""
    world = granted_citizen(api)
    case = world["case"]
    signer = api.get("signer", f"/cases/{case}/explanation").text
    signer_page = api.get("signer", f"/cases/{case}/explanation.html").text
    officer = api.get("officer", f"/cases/{case}/explanation").text
    officer_page = api.get("officer", f"/cases/{case}/explanation.html").text

    for personal in ("001090000123", "1991-02-03", "03/02/1991"):
        assert all(personal not in text for text in (signer, signer_page, officer, officer_page))
    assert "Phạm Thị Lan" not in signer and "Phạm Thị Lan" not in signer_page
    assert "cho Công dân L. xét danh hiệu" in signer
    assert "cho Công dân Phạm Thị Lan xét danh hiệu" in officer
    assert "Phạm Thị Lan" in officer_page
    api.user("inspector", ["inspector"])
    officer_id, signer_id = world["users"]["officer"], world["users"]["signer"]
    position = api.client.get("/health").json()["log_position"]
    api.get("inspector", f"/standings?wait_for_position={position}")
    person = api.get("officer", f"/cases/{case}").json()["subject_id"]
    reads = api.get("inspector", f"/audit/reads?record_id={person}").json()
    assert {v["viewer_id"] for v in reads} == {str(officer_id)}  # the signer read no name
    assert str(signer_id) not in {v["viewer_id"] for v in reads}


def test_the_printable_page_shows_the_decision_and_every_citation(api: Api):
    world = granted_citizen(api)
    explanation = api.get("officer", f"/cases/{world['case']}/explanation").json()
    response = api.get("officer", f"/cases/{world['case']}/explanation.html")

    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert page.startswith("<!DOCTYPE html>") and '<html lang="vi">' in page
    assert '<meta charset="utf-8">' in page and "@media print" in page
    assert "15/QĐ-UBND" in page
    positions = {c["position"] for s in statements(explanation) for c in s["citations"]}
    for position in positions:
        assert f"[vị trí {position}]" in page
    english = api.get("officer", f"/cases/{world['case']}/explanation.html?lang=en").text
    assert '<html lang="en">' in english and f"[position {min(positions)}]" in english


def test_the_printable_page_escapes_what_users_typed(api: Api):
    world = granted_citizen(api)
    page = api.get("officer", f"/cases/{world['case']}/explanation.html").text

    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Chi hội Khuyến học" in page


def test_a_case_without_a_decision_has_no_explanation_yet(api: Api):
    publish_sets(api)
    ids = registry(api)
    staff(api, ids)
    body = {"subject_id": str(ids["person"]), "model": "cong_dan_hoc_tap", "cycle_year": 2026}
    case = api.created("lan", "/cases", body | {"opened_on": "2026-01-10"})

    pending = api.get("lan", f"/cases/{case}/explanation", status=409).json()
    assert pending["code"] == "step-out-of-order"
    unknown = api.get("lan", f"/cases/{ids['person']}/explanation.html", status=404).json()
    assert unknown["code"] == "not-found"
    anonymous = api.client.get(f"/cases/{case}/explanation")
    assert anonymous.status_code == 401


def test_an_overturned_refusal_explains_the_complaint_revision_and_new_decision(
    api: Api, ledger: Ledger
):
    world = refused_citizen(api)
    complaint = complain(api, world, "2026-02-21").json()["id"]
    accepted_and_assigned(api, world, complaint)
    resolution = {"outcome": "upheld", "reason": "Chứng chỉ tin học hợp lệ"}
    api.post("handler", f"/complaints/{complaint}/resolution", resolution, status=200)
    revision = {"indicator": "5", "score": "7", "reason": "Theo kết quả giải quyết khiếu nại"}
    revision |= {"complaint_id": complaint}
    api.post("reviewer", f"/cases/{world['case']}/score-revisions", revision, status=200)
    amending = amending_decision(
        api,
        world,
        [{"case_id": str(world["case"]), "outcome": "granted"}],
        number="41/QĐ-UBND",
        legal_basis="Luật Khiếu nại 2011; 244/QĐ-KHVN",
    )

    explanation = api.get("lan", f"/cases/{world['case']}/explanation").json()
    cited = follow_every_citation(ledger, explanation)

    assert explanation["outcome"] == "granted"
    assert cited >= {world["case"], world["decision"], amending, UUID(complaint)}
    first = " ".join(s["text"] for s in sections(explanation)["decision"])
    assert "30/QĐ-UBND" in first and "không được công nhận" in first
    appeal = " ".join(s["text"] for s in sections(explanation)["appeal"])
    assert f"khiếu nại lần 1 ({complaint}) về 30/QĐ-UBND" in appeal
    assert "Khiếu nại đúng" in appeal
    assert f"từ 4 thành 7 theo khiếu nại {complaint}" in appeal
    assert "41/QĐ-UBND ngày 01/03/2026" in appeal
    assert "sửa đổi quyết định 30/QĐ-UBND" in appeal  # by its number, not its id
    assert "Tổng điểm: yêu cầu ≥ 80, đạt 88: đạt" in appeal
    assert "Chỉ số 5 đã có chứng chỉ" not in appeal  # the sealed grounds stay sealed


def test_a_revoked_title_explains_the_revoking_decision_and_its_reason(api: Api, ledger: Ledger):
    world = granted_citizen(api)
    revoking = revoke_by_amending_decision(api, world, "Minh chứng chỉ số 1 không hợp lệ")

    explanation = api.get("officer", f"/cases/{world['case']}/explanation").json()

    assert explanation["outcome"] == "revoked"
    assert explanation["outcome_label"] == "Bị thu hồi danh hiệu"
    assert follow_every_citation(ledger, explanation) >= {world["decision"], revoking}
    [issued, revoked] = sections(explanation)["appeal"]
    assert "42/QĐ-UBND" in issued["text"] and "sửa đổi quyết định 15/QĐ-UBND" in issued["text"]
    assert revoked["text"].endswith(
        "bị thu hồi kể từ ngày 01/03/2026. Lý do: Minh chứng chỉ số 1 không hợp lệ."
    )


@pytest.fixture
def demo(settings: Settings, clock: FixedClock) -> Iterator[Ledger]:
    clock.current = clock.current.replace(month=11, day=20)  # after the demo's decisions
    ledger = Ledger(settings, clock=clock)
    load_demo(ledger)
    yield ledger
    ledger.close()


def test_the_demo_awards_cite_only_their_own_events(demo: Ledger):
    recorder: Any = demo.store.recorder
    granted = recorder.select_notifications(
        start=1, limit=10_000, topics=["hoctap.AssessmentCase.TitleGranted"]
    )
    totals = {}
    for notification in granted:
        case = demo.records.get(AssessmentCase, UUID(str(notification.originator_id)))
        explanation = ExplanationPublic.model_validate(explain(demo, case.id))
        as_json = explanation.model_dump(mode="json")
        cited = follow_every_citation(demo, as_json)
        assert cited == {case.id, case.decision_id, case.criteria_set_id}
        issued, granted_title = sections(as_json)["decision"]
        totals[issued["facts"]["number"]] = granted_title["facts"]["total"]
        if case.model is TitleModel.LEARNING_UNIT:
            assert "xếp loại Tốt" in granted_title["text"]
    assert totals == {
        "01/QĐ-UBND-DEMO": "87",
        "02/QĐ-UBND-DEMO": "91",
        "03/QĐ-UBND-DEMO": "85",  # the household, clan and community (illustrative sets)
        "04/QĐ-UBND-DEMO": "83",
        "05/QĐ-UBND-DEMO": "81",
    }
