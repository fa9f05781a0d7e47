"""Read models over HTTP: filters, pagination, read-your-writes, health and metrics."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.api.helpers import SEED, Api, seed_content
from tests.api.test_scenario import open_citizen_case, publish_sets, registry, run_case, staff


def granted_world(api: Api) -> dict:
    """Two cases of a citizen and a school, both decided; returns ids and the decision."""
    publish_sets(api)
    ids = registry(api)
    users = staff(api, ids)
    citizen = open_citizen_case(api, ids["person"])
    run_case(api, "lan", citizen, {str(i): "9" for i in range(1, 11)}, users)
    school = api.created(
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
    assert api.upload("officer", school, b"%PDF-1.4 bc", codes).status_code == 201
    points = ["10", "9", "8", "10", "5", "9", "4", "12", "10", "4"]
    run_case(api, "officer", school, dict(zip(codes.split(","), points, strict=True)), users)
    decision = api.post(
        "signer",
        "/decisions",
        {
            "number": "20/QĐ-UBND",
            "decided_on": "2026-03-01",
            "signer_title": "Chủ tịch UBND xã",
            "authority_name": "UBND xã Hòa Bình",
            "authority_unit_id": str(ids["commune"]),
            "legal_basis": "244/QĐ-KHVN; 22/2020/TT-BGDĐT",
            "rulings": [
                {"case_id": str(citizen), "outcome": "granted"},
                {"case_id": str(school), "outcome": "granted"},
            ],
        },
        status=201,
    )
    return ids | {
        "citizen_case": citizen,
        "school_case": school,
        "position": decision.json()["position"],
        "users": users,
    }


def test_a_reader_sees_their_own_write_at_once(api: Api):
    world = granted_world(api)
    page = api.get("officer", f"/standings?wait_for_position={world['position']}").json()
    by_case = {item["case_id"]: item for item in page["items"]}
    citizen = by_case[str(world["citizen_case"])]
    assert citizen["status"] == "granted"
    assert citizen["status_label"] == "Được công nhận"
    assert Decimal(citizen["total"]) == Decimal(90)
    assert citizen["decision_number"] == "20/QĐ-UBND"
    assert by_case[str(world["school_case"])]["classification"] == "kha"


def test_standings_filter_by_unit_title_and_status_and_paginate(api: Api):
    world = granted_world(api)
    wait = f"wait_for_position={world['position']}"
    api.user("reporter", ["reporting_officer"], unit_id=world["province"])
    units = api.get("reporter", f"/standings?unit_id={world['province']}&{wait}").json()
    assert len(units["items"]) == 2
    api.get("officer", f"/standings?unit_id={world['province']}", status=403)
    only = api.get("officer", f"/standings?model=don_vi_hoc_tap&status=granted&{wait}").json()
    assert [i["case_id"] for i in only["items"]] == [str(world["school_case"])]
    first = api.get("officer", f"/standings?sort=total&order=desc&limit=1&{wait}").json()
    assert first["next_cursor"]
    second = api.get(
        "officer", f"/standings?sort=total&order=desc&limit=1&cursor={first['next_cursor']}"
    ).json()
    assert Decimal(first["items"][0]["total"]) > Decimal(second["items"][0]["total"])
    assert second["next_cursor"] is None
    bad = api.get("officer", "/standings?cursor=nonsense", status=422).json()
    assert bad["code"] == "invalid-input"


def test_the_register_answers_who_holds_a_title_on_a_day(api: Api):
    world = granted_world(api)
    wait = f"wait_for_position={world['position']}"
    holders = api.get("officer", f"/register/holders?on=2026-06-01&{wait}").json()
    assert {h["case_id"] for h in holders} == {
        str(world["citizen_case"]),
        str(world["school_case"]),
    }
    assert api.get("officer", "/register/holders?on=2027-03-01").json() == []
    assert api.get("officer", "/register/holders?on=2026-02-28").json() == []
    titles = api.get("officer", f"/register/subjects/{world['person']}").json()
    [title] = titles
    assert title["signer_id"] == str(world["users"]["signer"])
    assert title["valid_until"] == "2027-02-28"
    assert title["authority_name"] == "UBND xã Hòa Bình"
    assert title["state"] == "granted"  # the test clock stands at 2026-03-01
    last_day = api.get("officer", "/register/holders?on=2027-02-28").json()
    assert {h["decision_number"] for h in last_day} == {"20/QĐ-UBND"}
    assert all(h["revoked_from"] is None for h in last_day)


def test_statistics_count_registered_and_recognised_with_rates(api: Api):
    world = granted_world(api)
    targets = json.loads((SEED / "targets-387-677.json").read_text(encoding="utf-8"))
    api.created("admin", "/rules/programme-targets", targets)
    report = api.get(
        "officer", f"/statistics?cycle_year=2026&wait_for_position={world['position']}"
    ).json()
    assert report["structure"] == "two_level"
    assert report["structure_label"].startswith("Chính quyền địa phương hai cấp")
    lines = {line["unit_id"]: line for line in report["lines"]}
    commune = lines[str(world["commune"])]
    assert (commune["registered"], commune["recognised"]) == (2, 2)
    assert Decimal(commune["rate_of_registered"]) == Decimal(100)
    assert commune["by_model"]["cong_dan_hoc_tap"]["recognised"] == 1
    assert commune["by_group"]["can_bo"] == {
        "registered": 1,
        "assessed": 1,
        "recognised": 1,
        "subjects": 1,
    }
    progress = {(p["model"], tuple(p["target_groups"])): p for p in report["progress"]}
    officials = progress[("cong_dan_hoc_tap", ("can_bo",))]
    assert (officials["year"], Decimal(officials["target_rate"])) == (2030, Decimal(80))
    assert Decimal(officials["achieved_rate"]) == Decimal(100) and officials["reached"]
    assert officials["target_group_labels"] == [
        "Cán bộ, công chức, viên chức, nhân viên từ cấp xã trở lên"
    ]
    units = progress[("don_vi_hoc_tap", ())]
    assert (units["recognised"], units["population"]) == (1, 1)
    assert progress[("gia_dinh_hoc_tap", ())]["achieved_rate"] is None  # no households


def test_activity_shows_what_an_officer_did_to_inspectors_only(api: Api):
    world = granted_world(api)
    api.user("inspector", ["inspector"])
    officer = world["users"]["officer"]
    actions = api.get(
        "inspector",
        f"/activity?actor_id={officer}&wait_for_position={world['position']}",
    ).json()
    assert actions and {a["actor_role"] for a in actions} == {"commune_officer"}
    assert "hoctap.AssessmentCase.CouncilFormed" in {a["topic"] for a in actions}
    refused = api.get("officer", "/activity", status=403).json()
    assert refused["code"] == "permission-denied"


def test_health_and_metrics_show_the_lag_of_each_view(api: Api):
    api.created("admin", "/criteria-sets", seed_content("criteria-cdht-can-bo.json"))
    health = api.client.get("/health").json()
    names = {p["name"] for p in health["projections"]}
    assert names == {
        "units",
        "standings",
        "register",
        "statistics",
        "complaints",
        "reads",
        "activity",
        "tokens",
    }
    assert all(p["lag_events"] >= 0 for p in health["projections"])
    metrics = api.client.get("/metrics")
    assert metrics.status_code == 200
    assert 'hoctap_projection_lag_events{projection="standings"}' in metrics.text
    assert "hoctap_log_position" in metrics.text
