"""POST /cases/{id}/member-shares: a computed indicator counted from the register.

The world: citizen Lan holds Công dân học tập from 2026-03-01 (granted_world); a district
office (a learning unit) has two members, Lan and Minh, who holds no title. Its 2026 case is
pinned to the illustrative TT 24/2023 level set, whose indicator 3.1 is the share of members
holding Công dân học tập on 31 December 2026; the clock then moves to January 2027.
"""

from __future__ import annotations

import json
from decimal import Decimal
from uuid import UUID

from application.services.records import FixedClock
from domain.access import ReadTrail, read_trail_id_for
from domain.assessment import AssessmentCase
from domain.base import CommandContext
from domain.glossary import Role
from tests.api.helpers import Api, seed_content
from tests.api.test_reads import granted_world
from tests.api.test_scenario import second_commune

TT24 = "criteria-minh-hoa-dvht-tt24-2023.json"
CONSOLE = CommandContext("cli:test", Role.ADMINISTRATOR.value, "tokens")


def reissue_tokens(api: Api, users: dict[str, UUID]) -> None:
    """After the clock moved past their 30 days, every user gets a fresh token."""
    assert api.ledger is not None
    for username, user_id in users.items():
        api.tokens[username] = api.ledger.access.issue_token(CONSOLE, user_id).token


def levelled_world(api: Api, min_age: int | None = None) -> dict:
    """With ``min_age``, a second version of the set (from 2026-06-01) counts only members
    of that age on 31 December in indicator 3.1."""
    world = granted_world(api)
    api.created("admin", "/criteria-sets", seed_content(TT24))
    if min_age is not None:
        aged = seed_content(TT24) | {"effective_from": "2026-06-01"}
        [share] = [i for c in aged["criteria"] for i in c["indicators"] if i["code"] == "3.1"]
        share["computed"]["min_age"] = min_age
        api.created("admin", "/criteria-sets", aged)
    office = api.created(
        "admin",
        "/collectives",
        {
            "kind": "organisation",
            "name": "Phòng Văn hóa xã Hòa Bình",
            "unit_id": str(world["commune"]),
            "organisation_type": "co_quan",
        },
    )
    minh = api.created(
        "admin",
        "/persons",
        {
            "cccd": "001090000456",
            "full_name": "Trần Văn Minh",
            "birth_date": "1988-05-06",
            "gender": "nam",
            "ethnicity": "Kinh",
            "target_group": "can_bo",
            "unit_id": str(world["commune"]),
        },
    )
    for member in (world["person"], minh):
        api.post("officer", f"/collectives/{office}/members", {"member_id": str(member)}, 200)
    elsewhere = second_commune(api, world["province"])
    officer2 = api.user("officer2", ["commune_officer"], unit_id=elsewhere)
    assert api.ledger is not None and isinstance(api.ledger.clock, FixedClock)
    api.ledger.clock.advance(days=310)  # 2027-01-05: the 2026 data period has ended
    users = {("lan" if k == "citizen" else k): v for k, v in world["users"].items()}
    reissue_tokens(api, users | {"officer2": officer2})
    case = api.created(
        "officer",
        "/cases",
        {
            "subject_id": str(office),
            "model": "don_vi_hoc_tap",
            "cycle_year": 2026,
            "target_group": "don_vi_cap_huyen",
        },
    )
    return world | {"office": office, "minh": minh, "case": case}


def compute(api: Api, who: str, case_id: UUID, indicator: str = "3.1", status: int = 200):
    return api.post(who, f"/cases/{case_id}/member-shares", {"indicator": indicator}, status)


def test_an_officer_records_the_member_share_counted_from_the_register(api: Api):
    world = levelled_world(api)
    response = compute(api, "officer", world["case"])
    assert response.headers["ETag"]
    assert api.ledger is not None
    [*_, event] = api.ledger.records.history(world["case"])
    assert isinstance(event, AssessmentCase.MemberShareComputed)
    assert (event.indicator, event.title) == ("3.1", "cong_dan_hoc_tap")
    assert (event.numerator, event.denominator, event.share) == (1, 2, Decimal(50))
    assert (event.as_of.isoformat(), event.data_period_start.isoformat()) == (
        "2026-12-31",
        "2026-01-01",
    )
    assert event.log_position >= world["position"]
    stored = json.dumps(vars(event), default=str, ensure_ascii=False)
    assert "Lan" not in stored and "Minh" not in stored and "001090000" not in stored


def test_a_share_of_members_of_age_leaves_out_the_younger_and_trails_the_reads(api: Api):
    # Lan (born 1991-02-03, holds the title) is 35 on 2026-12-31; Minh (born 1988) is 38
    world = levelled_world(api, min_age=36)
    compute(api, "officer", world["case"])
    assert api.ledger is not None
    [*_, event] = api.ledger.records.history(world["case"])
    assert (event.min_age, event.under_age, event.unknown_age) == (36, 1, 0)
    assert (event.numerator, event.denominator, event.share) == (0, 1, Decimal(0))
    stored = json.dumps(vars(event), default=str, ensure_ascii=False)
    assert "1991-02-03" not in stored and "1988-05-06" not in stored
    officer = api.ledger.access.user_by_name("officer").id
    trail = read_trail_id_for(str(officer), api.ledger.records.today())
    read = {
        e.record_id for e in api.ledger.records.history(trail) if isinstance(e, ReadTrail.Viewed)
    }
    assert read >= {str(world["person"]), str(world["minh"])}


def test_a_bad_minimum_age_is_refused_on_publish_as_a_problem(api: Api):
    granted_world(api)
    aged = seed_content(TT24)
    [share] = [i for c in aged["criteria"] for i in c["indicators"] if i["code"] == "3.1"]
    share["computed"]["min_age"] = "１５"
    problem = api.post("admin", "/criteria-sets", aged, 422)
    assert problem.headers["content-type"].startswith("application/problem+json")
    assert problem.json()["code"] == "invalid-criteria-set"


def test_the_case_reads_the_computed_share_and_meets_no_level_at_fifty_percent(api: Api):
    world = levelled_world(api)
    compute(api, "officer", world["case"])
    case = api.get("officer", f"/cases/{world['case']}").json()
    assert case["verdict"]["level"] is None
    assert any(
        c["rule"] == "level_1" and "3.1 = 50.00" in c["found"] for c in case["verdict"]["checks"]
    )


def test_a_citizen_may_not_compute_a_member_share(api: Api):
    world = levelled_world(api)
    problem = compute(api, "lan", world["case"], status=403)
    assert problem.headers["content-type"].startswith("application/problem+json")
    assert problem.json()["code"] == "permission-denied"


def test_an_officer_of_another_commune_may_not_compute_a_member_share(api: Api):
    world = levelled_world(api)
    problem = compute(api, "officer2", world["case"], status=403)
    assert problem.json()["code"] == "out-of-scope"


def test_an_indicator_people_score_is_not_computed(api: Api):
    world = levelled_world(api)
    problem = compute(api, "officer", world["case"], indicator="1.1", status=422)
    assert problem.headers["content-type"].startswith("application/problem+json")
    assert problem.json()["code"] == "not-computed-indicator"


def test_a_computed_indicator_typed_in_by_hand_is_refused(api: Api):
    world = levelled_world(api)
    scores = {c: "1" for c in ("1.1", "1.2", "1.3", "1.4", "1.5", "2.1", "2.2", "3.2")}
    problem = api.post(
        "officer",
        f"/cases/{world['case']}/self-assessment",
        {"scores": scores | {"3.1": "95"}},
        status=409,
    )
    assert problem.json()["code"] == "computed-indicator"


TARGETS = ("1.1", "1.2", "1.3", "1.4", "1.5", "2.1", "2.2", "3.2")


def decided(api: Api, world: dict, recommended: bool = False) -> int:
    """Every target met and the share computed; recommended and granted, or else refused
    (returns the decision's log position)."""
    case = world["case"]
    upload = api.upload("officer", case, b"%PDF-1.4 bao cao", ",".join(TARGETS))
    assert upload.status_code == 201, upload.text
    scores = {c: "1" for c in TARGETS}
    api.post("officer", f"/cases/{case}/self-assessment", {"scores": scores}, 200)
    compute(api, "officer", case)
    api.post("reviewer", f"/cases/{case}/review", {"scores": scores, "remarks": "Đủ"}, 200)
    seats = [{"user_id": str(world["users"]["chair"]), "role": "chair"}]
    seats.append({"user_id": str(world["users"]["member"])})
    api.post("officer", f"/cases/{case}/council", {"name": "Hội đồng", "members": seats}, 200)
    vote = {"recommended": recommended, "votes_for": 2 * recommended, "votes_against": 0}
    vote["votes_against"] = 0 if recommended else 2
    api.post("chair", f"/cases/{case}/appraisal", vote, 200)
    decision = {
        "number": "3/QĐ-UBND",
        "decided_on": "2027-01-05",
        "signer_title": "Chủ tịch UBND xã",
        "authority_name": "UBND xã Hòa Bình",
        "authority_unit_id": str(world["commune"]),
        "legal_basis": "Bộ tiêu chí minh họa theo TT 24/2023/TT-BGDĐT",
        "rulings": [{"case_id": str(case), "outcome": "granted" if recommended else "refused"}],
    }
    return int(api.post("signer", "/decisions", decision, 201).json()["position"])


def test_the_explanation_states_the_computed_share_and_each_levels_targets(api: Api):
    world = levelled_world(api)
    decided(api, world)
    explanation = api.get("officer", f"/cases/{world['case']}/explanation").json()
    said = [s["text"] for section in explanation["sections"] for s in section["statements"]]
    assert any("1/2 thành viên đạt danh hiệu" in t and "50,00%" in t for t in said), said
    assert "Mọi chỉ số đều được chấm: đạt." in said
    assert "Mức độ đạt được: yêu cầu ≥ Mức độ 1, đạt -: không đạt." in said
    [level_1] = [t for t in said if t.startswith("Chỉ tiêu mức độ 1")]
    assert "3.1 ≥ 90" in level_1 and "3.1 = 50.00: không đạt" in level_1
    assert not any(t.startswith("Chỉ số 3.1") for t in said)  # no reviewer scored it


def test_a_member_who_left_during_the_year_is_not_counted_and_the_level_reaches_the_register(
    api: Api,
):
    world = levelled_world(api)
    api.post(
        "officer",
        f"/collectives/{world['office']}/members/{world['minh']}/departure",
        {"left_on": "2026-06-01", "reason": "Chuyển công tác"},
        200,
    )
    position = decided(api, world, recommended=True)  # Lan alone on 31 December: 100%
    wait = f"wait_for_position={position}"
    titles = api.get("officer", f"/register/subjects/{world['office']}?{wait}").json()
    [title] = [t for t in titles if t["case_id"] == str(world["case"])]
    assert (title["state"], title["level"]) == ("granted", 2)
    assert (title["valid_from"], title["valid_until"]) == ("2027-01-05", "2030-01-04")
