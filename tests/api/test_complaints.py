"""Complaints over HTTP: clocks, refusals as late, appeals that overturn, two time axes."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from tests.api.helpers import SEED, Api
from tests.api.test_scenario import open_citizen_case, publish_sets, registry, run_case, staff

CLOCKS = json.loads((SEED / "complaint-clocks-2011.json").read_text(encoding="utf-8"))


def refused_citizen(api: Api) -> dict:
    """A citizen refused on 2026-02-20 (85 points, indicator 5 under the floor of 5)."""
    publish_sets(api)
    api.created("admin", "/rules/complaint-clocks", CLOCKS)
    ids = registry(api)
    users = staff(api, ids)
    users["handler"] = api.user("handler", ["complaint_handler"], unit_id=ids["commune"])
    users["province_handler"] = api.user(
        "province_handler", ["complaint_handler"], unit_id=ids["province"]
    )
    case = open_citizen_case(api, ids["person"])
    scores = {str(i): "9" for i in range(1, 11)} | {"5": "4"}
    run_case(api, "lan", case, scores, users, recommended=False)
    decision = api.created(
        "signer",
        "/decisions",
        {
            "number": "30/QĐ-UBND",
            "decided_on": "2026-02-20",
            "signer_title": "Chủ tịch UBND xã",
            "authority_name": "UBND xã Hòa Bình",
            "authority_unit_id": str(ids["commune"]),
            "legal_basis": "244/QĐ-KHVN",
            "rulings": [{"case_id": str(case), "outcome": "refused"}],
        },
    )
    return ids | {"users": users, "case": case, "decision": decision}


def complain(api: Api, world: dict, learnt_on: str, **extra):
    return api.post(
        "lan",
        "/complaints",
        {
            "case_ids": [str(world["case"])],
            "decision_id": str(world["decision"]),
            "grounds": "Chỉ số 5 đã có chứng chỉ tin học nhưng chưa được tính",
            "learnt_on": learnt_on,
        }
        | extra,
    )


def accepted_and_assigned(api: Api, world: dict, complaint: str) -> None:
    api.post("officer", f"/complaints/{complaint}/acceptance", {}, status=200)
    api.post(
        "officer",
        f"/complaints/{complaint}/handler",
        {"handler_id": str(world["users"]["handler"])},
        status=200,
    )


def test_a_complaint_in_time_overturns_a_refusal_through_an_amending_decision(api: Api):
    world = refused_citizen(api)
    complaint = complain(api, world, "2026-02-21")
    assert complaint.status_code == 201, complaint.text
    complaint_id = complaint.json()["id"]
    read = api.get("lan", f"/complaints/{complaint_id}").json()
    assert read["deadlines"]["filing"] == "2026-05-22"
    assert read["grounds"].startswith("Chỉ số 5")

    accepted_and_assigned(api, world, complaint_id)
    deadlines = api.get("officer", f"/complaints/{complaint_id}").json()["deadlines"]
    assert deadlines["resolution"] == "2026-03-31"  # 30 days from acceptance on 2026-03-01
    api.post(
        "handler",
        f"/complaints/{complaint_id}/resolution",
        {
            "outcome": "upheld",
            "reason": "Chứng chỉ tin học hợp lệ, cấp trước kỳ đánh giá",
        },
        status=200,
    )
    case = api.get("officer", f"/cases/{world['case']}").json()
    assert case["status"] == "reopened" and case["appeal_complaint_id"] == complaint_id

    api.post(
        "reviewer",
        f"/cases/{world['case']}/score-revisions",
        {
            "indicator": "5",
            "score": "7",
            "reason": "Theo kết quả giải quyết khiếu nại",
            "complaint_id": complaint_id,
        },
        status=200,
    )
    amending = api.post(
        "signer",
        "/decisions",
        {
            "number": "41/QĐ-UBND",
            "decided_on": "2026-03-01",
            "signer_title": "Chủ tịch UBND xã",
            "authority_name": "UBND xã Hòa Bình",
            "authority_unit_id": str(world["commune"]),
            "legal_basis": "Luật Khiếu nại 2011; 244/QĐ-KHVN",
            "amends": str(world["decision"]),
            "rulings": [{"case_id": str(world["case"]), "outcome": "granted"}],
        },
        status=201,
    ).json()

    case = api.get("officer", f"/cases/{world['case']}").json()
    assert case["status"] == "granted" and case["total"] == "88"
    [title] = api.get(
        "officer",
        f"/register/subjects/{world['person']}?wait_for_position={amending['position']}",
    ).json()
    assert title["outcome"] == "granted"
    assert title["decision_id"] == amending["id"]
    assert title["amends_decision_id"] == str(world["decision"])
    original = api.get("officer", f"/decisions/{world['decision']}").json()
    assert [e["outcome"] for e in original["entries"]] == ["refused"]  # never rewritten


def test_a_complaint_filed_late_is_refused_naming_the_rule_and_the_deadline(api: Api):
    world = refused_citizen(api)
    position = api.client.get("/health").json()["log_position"]
    late = complain(api, world, "2025-11-01")
    assert late.status_code == 409, late.text
    problem = late.json()
    assert problem["code"] == "step-too-late"
    assert problem["errors"]["rule"] == "filing"
    assert problem["errors"]["deadline"] == "2026-01-30"
    assert "Điều 9" in problem["errors"]["basis"]
    assert api.client.get("/health").json()["log_position"] == position


def test_an_obstacle_moves_the_filing_deadline_by_exactly_its_length(api: Api):
    world = refused_citizen(api)
    obstacle = {"first_day": "2026-01-01", "last_day": "2026-02-15", "kind": "ốm đau, nằm viện"}
    filed = complain(api, world, "2025-11-01", obstacles=[obstacle])
    assert filed.status_code == 201, filed.text
    read = api.get("lan", f"/complaints/{filed.json()['id']}").json()
    assert read["deadlines"]["filing"] == "2026-03-17"  # 2026-01-30 + 46 days lost
    assert read["obstacles"] == [obstacle]


def rejected_then_complained_again(api: Api, world: dict, first: str) -> str:
    """The assigned commune handler rejects ``first``; the citizen files a second complaint."""
    api.post(
        "handler",
        f"/complaints/{first}/resolution",
        {"outcome": "rejected", "reason": "Minh chứng không hợp lệ"},
        status=200,
    )
    return api.created(
        "lan",
        "/complaints",
        {
            "case_ids": [str(world["case"])],
            "grounds": "Không đồng ý kết quả giải quyết lần đầu",
            "learnt_on": "2026-03-01",
            "previous_complaint_id": first,
        },
    )


def test_a_second_complaint_follows_a_rejected_first(api: Api):
    world = refused_citizen(api)
    first = complain(api, world, "2026-02-21").json()["id"]
    too_soon = api.post(
        "lan",
        "/complaints",
        {
            "case_ids": [str(world["case"])],
            "grounds": "Khiếu nại lần hai",
            "learnt_on": "2026-03-01",
            "previous_complaint_id": first,
        },
        status=409,
    ).json()
    assert too_soon["code"] == "step-out-of-order"
    accepted_and_assigned(api, world, first)
    second = rejected_then_complained_again(api, world, first)
    read = api.get("lan", f"/complaints/{second}").json()
    assert read["level"] == 2 and read["previous_complaint_id"] == first
    assert read["deadlines"]["filing"] == "2026-03-31"
    assert api.get("lan", f"/complaints/{first}").json()["escalated_to"] == str(second)
    accepted = api.post(
        "province_handler", f"/complaints/{second}/acceptance", {"complex_case": True}
    )
    assert accepted.status_code == 200, accepted.text
    assert api.get("officer", f"/complaints/{second}").json()["deadlines"]["resolution"] == (
        "2026-04-30"  # 60 days for a complex second complaint
    )


def test_a_second_complaint_is_handled_one_level_up_by_someone_else(api: Api):
    """Luật Khiếu nại 2011: nobody who handled the first complaint (the commune officer who
    accepted it, the handler who resolved it) touches the second (``same-handler``, 409);
    nor does anyone else in that commune (``wrong-level``, 403); the province does. Nothing
    is written on a refusal."""
    world = refused_citizen(api)
    colleague = api.user("commune_handler", ["complaint_handler"], unit_id=world["commune"])
    first = complain(api, world, "2026-02-21").json()["id"]
    accepted_and_assigned(api, world, first)
    second = rejected_then_complained_again(api, world, first)
    up = "khiếu nại lần hai do cấp trên trực tiếp của nơi giải quyết lần đầu xử lý"
    own = "người đã xử lý khiếu nại lần đầu không xử lý khiếu nại lần hai"
    refusal = {"rule": "Điều 11", "reason": "Không thuộc thẩm quyền"}

    def refused(who: str, step: str, body: dict, code: str) -> None:
        position = api.client.get("/health").json()["log_position"]
        status, detail = (409, own) if code == "same-handler" else (403, up)
        answer = api.post(who, f"/complaints/{second}/{step}", body, status=status)
        assert answer.headers["content-type"] == "application/problem+json"
        problem = answer.json()
        assert (problem["code"], problem["detail"]) == (code, detail), (who, step)
        assert problem["errors"]["complaint_id"] == str(second)
        assert api.client.get("/health").json()["log_position"] == position, (who, step)

    for who, step, body, code in (
        ("handler", "acceptance", {}, "same-handler"),  # resolved the first
        ("officer", "acceptance", {}, "same-handler"),  # accepted the first
        ("officer", "non-acceptance", refusal, "same-handler"),
        ("commune_handler", "acceptance", {}, "wrong-level"),  # the commune, someone new
        ("commune_handler", "non-acceptance", refusal, "wrong-level"),
    ):
        refused(who, step, body, code)
    assert api.get("lan", f"/complaints/{second}").json()["status"] == "received"
    api.post("province_handler", f"/complaints/{second}/acceptance", {}, status=200)
    for named, code in (
        (world["users"]["handler"], "same-handler"),  # the first's resolver
        (world["users"]["officer"], "same-handler"),  # the first's acceptor
        (colleague, "wrong-level"),  # the commune, not the level above
    ):
        refused("province_handler", "handler", {"handler_id": str(named)}, code)
    refused(
        "handler",
        "handler",
        {"handler_id": str(world["users"]["province_handler"])},
        ("same-handler"),
    )
    api.post(
        "province_handler",
        f"/complaints/{second}/handler",
        {"handler_id": str(world["users"]["province_handler"])},
        status=200,
    )
    refused("handler", "resolution", {"outcome": "upheld", "reason": "Sửa"}, "same-handler")
    refused("commune_handler", "resolution", {"outcome": "upheld", "reason": "Sửa"}, "wrong-level")
    resolved = api.post(
        "province_handler",
        f"/complaints/{second}/resolution",
        {"outcome": "rejected", "reason": "Giữ nguyên kết quả giải quyết lần đầu"},
    )
    assert resolved.status_code == 200, resolved.text
    assert api.get("lan", f"/complaints/{second}").json()["status"] == "resolved"


def test_the_second_filing_deadline_reads_the_same_on_both_complaints(api: Api):
    """One rule (Điều 33): the first complaint shows the deadline its second was held to."""
    world = refused_citizen(api)
    first = complain(api, world, "2026-02-21").json()["id"]
    accepted_and_assigned(api, world, first)
    second = rejected_then_complained_again(api, world, first)  # learnt on 2026-03-01
    filing = api.get("lan", f"/complaints/{second}").json()["deadlines"]["filing"]
    assert filing == "2026-03-31"
    assert api.get("lan", f"/complaints/{first}").json()["deadlines"]["second_filing"] == filing


def test_both_time_axes_answer_for_a_title_revoked_after_the_fact(api: Api):
    publish_sets(api)
    ids = registry(api)
    users = staff(api, ids)
    case = open_citizen_case(api, ids["person"])
    run_case(api, "lan", case, {str(i): "9" for i in range(1, 11)}, users)
    grant = api.created(
        "signer",
        "/decisions",
        {
            "number": "50/QĐ-UBND",
            "decided_on": "2026-02-25",
            "signer_title": "Chủ tịch UBND xã",
            "authority_name": "UBND xã Hòa Bình",
            "authority_unit_id": str(ids["commune"]),
            "legal_basis": "244/QĐ-KHVN",
            "rulings": [{"case_id": str(case), "outcome": "granted"}],
        },
    )
    known_before = datetime.now(UTC).isoformat()
    revocation = api.post(
        "signer",
        "/decisions",
        {
            "number": "77/QĐ-UBND",
            "decided_on": "2026-03-01",
            "signer_title": "Chủ tịch UBND xã",
            "authority_name": "UBND xã Hòa Bình",
            "authority_unit_id": str(ids["commune"]),
            "legal_basis": "Kết luận thanh tra số 12/KL-TTr",
            "amends": str(grant),
            "rulings": [
                {
                    "case_id": str(case),
                    "outcome": "revoked",
                    "reason": "Minh chứng chỉ số 6 bị làm giả",
                }
            ],
        },
        status=201,
    ).json()
    wait = f"wait_for_position={revocation['position']}"

    def held(on: str, known_at: str | None = None) -> bool:
        query = f"/register/holders?on={on}&{wait}"
        if known_at:
            query += f"&known_at={known_at.replace('+', '%2B')}"
        return str(case) in {h["case_id"] for h in api.get("officer", query).json()}

    assert held("2026-02-27")  # before the revocation took effect: held, as known today
    assert not held("2026-03-05")  # after it: not held, as known today
    assert held("2026-03-05", known_at=known_before)  # as known before it was recorded
    [title] = api.get("officer", f"/register/subjects/{ids['person']}").json()
    assert (title["outcome"], title["revoked_from"]) == ("revoked", "2026-03-01")
    assert api.get("officer", f"/cases/{case}").json()["status"] == "revoked"


def test_complaints_nearing_or_past_their_deadline_are_listed(api: Api, clock):
    world = refused_citizen(api)
    first = complain(api, world, "2026-02-21").json()["id"]  # to accept by 2026-03-13
    second = complain(api, world, "2026-02-22").json()["id"]
    accepted_and_assigned(api, world, second)  # to resolve by 2026-03-31
    position = api.client.get("/health").json()["log_position"]
    api.user("inspector", ["inspector"])

    def listed(days: int) -> dict[str, dict]:
        query = f"/complaints?due_within_days={days}&wait_for_position={position}"
        rows = api.get("inspector", query).json()["items"]
        return {row["complaint_id"]: row for row in rows}

    soon = listed(14)
    assert set(soon) == {first}
    assert soon[first]["next_step"] == "acceptance" and not soon[first]["overdue"]
    clock.current = clock.current.replace(day=20)  # 2026-03-20: the acceptance is late
    both = listed(14)
    assert both[first]["overdue"] and both[first]["days_left"] == -7
    assert both[second]["next_step"] == "resolution" and both[second]["days_left"] == 11
    assert api.get("lan", "/complaints", status=403).json()["code"] == "permission-denied"
