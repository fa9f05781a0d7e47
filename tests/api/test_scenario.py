"""The whole path over HTTP, on every backend: publish, register, open, upload evidence,
self-assess, review, notice, appraise, decide — for one citizen and one learning unit."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from tests.api.helpers import Api, seed_content


def publish_sets(api: Api) -> None:
    api.created(
        "admin",
        "/criteria-sets",
        seed_content("criteria-cdht-can-bo.json", public_notice_required=True, notice_days=10),
    )
    api.created("admin", "/criteria-sets", seed_content("criteria-dvht-tt22-2020.json"))


def registry(api: Api) -> dict[str, UUID]:
    province = api.created(
        "admin",
        "/units",
        {
            "code": "T01",
            "name": "Tỉnh Thử Nghiệm",
            "level": "province",
            "unit_type": "tinh",
            "valid_from": "2008-01-01",
        },
    )
    commune = api.created(
        "admin",
        "/units",
        {
            "code": "X01",
            "name": "Xã Hòa Bình",
            "level": "commune",
            "unit_type": "xa",
            "parent_id": str(province),
            "valid_from": "2025-07-01",
        },
    )
    person = api.created(
        "admin",
        "/persons",
        {
            "cccd": "001090000123",
            "full_name": "Phạm Thị Lan",
            "birth_date": "1991-02-03",
            "gender": "nu",
            "ethnicity": "Kinh",
            "target_group": "can_bo",
            "unit_id": str(commune),
        },
    )
    school = api.created(
        "admin",
        "/collectives",
        {
            "kind": "organisation",
            "name": "Trường THCS Hòa Bình",
            "unit_id": str(commune),
            "organisation_type": "truong_hoc",
        },
    )
    return {"province": province, "commune": commune, "person": person, "school": school}


def staff(api: Api, ids: dict[str, UUID]) -> dict[str, UUID]:
    unit = ids["commune"]
    return {
        "citizen": api.user("lan", ["citizen"], unit_id=unit, person_id=ids["person"]),
        "officer": api.user("officer", ["commune_officer"], unit_id=unit),
        "reviewer": api.user("reviewer", ["reviewer"], unit_id=unit),
        "chair": api.user("chair", ["council_member"], unit_id=unit),
        "member": api.user("member", ["council_member"], unit_id=unit),
        "signer": api.user("signer", ["signer"], unit_id=unit),
    }


def second_commune(api: Api, province: UUID) -> UUID:
    """Commune X02 of the same province, beside registry()'s X01."""
    return api.created(
        "admin",
        "/units",
        {
            "code": "X02",
            "name": "Xã Bình An",
            "level": "commune",
            "unit_type": "xa",
            "parent_id": str(province),
            "valid_from": "2025-07-01",
        },
    )


def open_citizen_case(api: Api, person: UUID, applicant: str = "lan") -> UUID:
    """Open the citizen's 2026 case and attach one evidence file per indicator."""
    case_id = api.created(
        applicant,
        "/cases",
        {
            "subject_id": str(person),
            "model": "cong_dan_hoc_tap",
            "cycle_year": 2026,
            "opened_on": "2026-01-10",
        },
    )
    for code in range(1, 11):
        upload = api.upload(applicant, case_id, f"Giấy xác nhận {code}".encode(), str(code))
        assert upload.status_code == 201, upload.text
    return case_id


def run_case(
    api: Api,
    applicant: str,
    case_id: UUID,
    scores: dict[str, str],
    users: dict,
    recommended: bool = True,
) -> None:
    ready_for_council(api, applicant, case_id, scores)
    api.post(
        "officer",
        f"/cases/{case_id}/council",
        {
            "name": "Hội đồng xét công nhận năm 2026",
            "members": [
                {"user_id": str(users["chair"]), "role": "chair"},
                {"user_id": str(users["member"])},
            ],
            "formed_on": "2026-02-17",
        },
        status=200,
    )
    api.post(
        "chair",
        f"/cases/{case_id}/appraisal",
        {
            "recommended": recommended,
            "votes_for": 2 if recommended else 0,
            "votes_against": 0 if recommended else 2,
            "appraised_on": "2026-02-20",
        },
        status=200,
    )


def ready_for_council(api: Api, applicant: str, case_id: UUID, scores: dict[str, str]) -> None:
    """Self-assessed, reviewed, and its public notice closed on 2026-02-16."""
    api.post(
        applicant,
        f"/cases/{case_id}/self-assessment",
        {"scores": scores, "assessed_on": "2026-02-01"},
        status=200,
    )
    api.post(
        "reviewer",
        f"/cases/{case_id}/review",
        {"scores": scores, "remarks": "Đủ minh chứng", "reviewed_on": "2026-02-05"},
        status=200,
    )
    api.post(
        "officer",
        f"/cases/{case_id}/notice",
        {"posted_on": "2026-02-06", "closes_on": "2026-02-16", "place": "Nhà văn hóa xã"},
        status=200,
    )
    api.post(
        "officer",
        f"/cases/{case_id}/notice/closure",
        {"closed_on": "2026-02-16", "comments_received": 0},
        status=200,
    )


def test_a_citizen_and_a_learning_unit_are_recognised_over_http(api: Api) -> None:
    publish_sets(api)
    ids = registry(api)
    users = staff(api, ids)

    citizen_case = open_citizen_case(api, ids["person"])
    citizen_scores = {str(i): "9" for i in range(1, 11)} | {"6": "5", "7": "8.5"}
    run_case(api, "lan", citizen_case, citizen_scores, users)

    unit_case = api.created(
        "officer",
        "/cases",
        {
            "subject_id": str(ids["school"]),
            "model": "don_vi_hoc_tap",
            "cycle_year": 2026,
            "opened_on": "2026-01-10",
        },
    )
    codes = "1.1,1.2,1.3,2.1,2.2,2.3,2.4,3.1,3.2,3.3"
    upload = api.upload("officer", unit_case, b"%PDF-1.4\nbao cao", codes, kind="bao_cao")
    assert upload.status_code == 201, upload.text
    unit_scores = dict(
        zip(codes.split(","), ["10", "9", "8", "10", "5", "9", "4", "12", "10", "4"], strict=True)
    )
    run_case(api, "officer", unit_case, unit_scores, users)

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
            "rulings": [
                {"case_id": str(citizen_case), "outcome": "granted"},
                {"case_id": str(unit_case), "outcome": "granted"},
            ],
        },
    )

    citizen = api.get("officer", f"/cases/{citizen_case}").json()
    assert citizen["status"] == "granted"
    assert Decimal(citizen["total"]) == Decimal("85.5")
    assert citizen["verdict"]["passed"] is True
    assert citizen["valid_from"] == "2026-03-01"
    assert citizen["valid_until"] == "2027-02-28"
    assert citizen["decision_id"] == str(decision)
    assert len(citizen["evidence"]) == 10

    unit = api.get("officer", f"/cases/{unit_case}").json()
    assert unit["status"] == "granted"
    assert Decimal(unit["total"]) == Decimal(81)
    assert unit["verdict"]["classification"] == "kha"
    assert unit["verdict"]["classification_label"] == "Khá"

    issued = api.get("officer", f"/decisions/{decision}").json()
    assert issued["signer_id"] == str(users["signer"])
    assert {e["outcome"] for e in issued["entries"]} == {"granted"}
    assert issued["authority_level"] == "commune"


def test_a_refused_case_shows_why_over_http(api: Api) -> None:
    publish_sets(api)
    ids = registry(api)
    users = staff(api, ids)
    case_id = open_citizen_case(api, ids["person"])
    scores = {str(i): "9" for i in range(1, 11)} | {"5": "4"}  # 85 in total, one indicator at 4
    ready_for_council(api, "lan", case_id, scores)
    early = api.post(
        "officer",
        f"/cases/{case_id}/council",
        {
            "name": "Hội đồng",
            "members": [{"user_id": str(users["chair"])}],
            "formed_on": "2026-02-10",
        },
        status=409,
    )
    assert early.json()["code"] == "date-out-of-order"
    api.post(
        "officer",
        f"/cases/{case_id}/council",
        {
            "name": "Hội đồng",
            "members": [{"user_id": str(users["chair"])}],
            "formed_on": "2026-02-17",
        },
        status=200,
    )

    refused = api.post(
        "chair",
        f"/cases/{case_id}/appraisal",
        {
            "recommended": True,
            "votes_for": 1,
            "votes_against": 0,
            "appraised_on": "2026-02-18",
        },
        status=409,
    )
    problem = refused.json()
    assert refused.headers["content-type"] == "application/problem+json"
    assert problem["code"] == "threshold-not-met"
    assert problem["errors"]["failures"][0]["indicator"] == "5"

    api.post(
        "chair",
        f"/cases/{case_id}/appraisal",
        {
            "recommended": False,
            "votes_for": 0,
            "votes_against": 1,
            "appraised_on": "2026-02-18",
        },
        status=200,
    )
    api.post(
        "signer",
        "/decisions",
        {
            "number": "16/QĐ-UBND",
            "decided_on": "2026-02-20",
            "signer_title": "Chủ tịch UBND xã",
            "authority_name": "UBND xã Hòa Bình",
            "authority_unit_id": str(ids["commune"]),
            "legal_basis": "244/QĐ-KHVN",
            "rulings": [{"case_id": str(case_id), "outcome": "refused"}],
        },
        status=201,
    )
    case = api.get("officer", f"/cases/{case_id}").json()
    assert case["status"] == "refused"
    assert Decimal(case["total"]) == Decimal(85)
