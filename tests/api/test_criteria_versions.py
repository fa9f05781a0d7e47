"""Criteria sets are versioned data: a case pins the version in force when it was opened."""

from __future__ import annotations

from typing import Any

from tests.api.helpers import Api
from tests.api.test_scenario import registry


def family_set(effective_from: str, min_total: int) -> dict[str, Any]:
    """A Gia đình học tập set: its values are NOT FOUND in the sources, so an administrator
    publishes them as data (these are illustrative, not sourced)."""
    return {
        "code": "XA-HB/GDHT/2026",
        "title": "Tiêu chí Gia đình học tập (do xã ban hành, minh họa)",
        "model": "gia_dinh_hoc_tap",
        "legal_basis": "Kế hoạch của UBND xã (minh họa)",
        "issuer": "UBND xã Hòa Bình",
        "effective_from": effective_from,
        "criteria": [
            {
                "code": "A",
                "name": "Học tập của trẻ em và người lớn",
                "indicators": [
                    {
                        "code": "A1",
                        "name": "Trẻ em trong độ tuổi đi học đúng độ tuổi",
                        "kind": "target",
                        "evidence_required": True,
                    },
                    {
                        "code": "A2",
                        "name": "Người lớn đạt Công dân học tập",
                        "kind": "points",
                        "max_points": 50,
                    },
                ],
            }
        ],
        "rules": {"min_total": min_total, "mandatory": ["A1"], "validity_years": 1},
    }


def open_household_case(api: Api, household: str, opened_on: str) -> dict[str, Any]:
    case_id = api.created(
        "officer",
        "/cases",
        {
            "subject_id": household,
            "model": "gia_dinh_hoc_tap",
            "cycle_year": 2026,
            "opened_on": opened_on,
        },
    )
    return api.get("officer", f"/cases/{case_id}").json()


def test_a_new_version_supersedes_the_old_and_cases_keep_the_version_they_opened_under(
    api: Api,
):
    ids = registry(api)
    api.user("officer", ["commune_officer"], unit_id=ids["commune"])
    first = api.created("admin", "/criteria-sets", family_set("2026-01-01", 30))
    household = str(
        api.created(
            "officer",
            "/collectives",
            {
                "kind": "household",
                "name": "Hộ ông Lê Văn Tám",
                "unit_id": str(ids["commune"]),
            },
        )
    )
    before = open_household_case(api, household, "2026-01-15")

    second = api.created("admin", "/criteria-sets", family_set("2026-02-01", 40))
    api.post("officer", f"/cases/{before['id']}/withdrawal", {"reason": "Đăng ký lại"}, status=200)
    after = open_household_case(api, household, "2026-02-15")

    assert before["criteria_set_id"] == str(first)
    assert after["criteria_set_id"] == str(second)
    assert after["attempt"] == 2
    assert (before["criteria_set_version"], after["criteria_set_version"]) == (1, 2)
    old = api.get("officer", f"/criteria-sets/{first}").json()
    assert old["superseded_by"] == str(second)
    assert old["superseded_from"] == "2026-02-01"
    assert old["content"]["rules"]["min_total"] == 30
    catalogue = api.get("officer", "/criteria-sets").json()
    assert [(e["code"], e["version"]) for e in catalogue if e["code"] == "XA-HB/GDHT/2026"] == [
        ("XA-HB/GDHT/2026", 1),
        ("XA-HB/GDHT/2026", 2),
    ]


def test_a_target_indicator_takes_only_met_or_not_met(api: Api):
    ids = registry(api)
    api.user("officer", ["commune_officer"], unit_id=ids["commune"])
    api.created("admin", "/criteria-sets", family_set("2026-01-01", 30))
    household = str(
        api.created(
            "officer",
            "/collectives",
            {
                "kind": "household",
                "name": "Hộ bà Vũ Thị Mai",
                "unit_id": str(ids["commune"]),
            },
        )
    )
    case = open_household_case(api, household, "2026-01-15")
    refused = api.post(
        "officer", f"/cases/{case['id']}/self-assessment", {"scores": {"A1": "0.5", "A2": "10"}}
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "score-out-of-range"


def test_no_case_opens_when_no_version_is_in_force(api: Api):
    ids = registry(api)
    api.user("officer", ["commune_officer"], unit_id=ids["commune"])
    api.created("admin", "/criteria-sets", family_set("2026-06-01", 30))
    household = str(
        api.created(
            "officer",
            "/collectives",
            {
                "kind": "household",
                "name": "Hộ ông Hà Văn Nam",
                "unit_id": str(ids["commune"]),
            },
        )
    )
    response = api.post(
        "officer",
        "/cases",
        {
            "subject_id": household,
            "model": "gia_dinh_hoc_tap",
            "cycle_year": 2026,
            "opened_on": "2026-02-01",
        },
    )
    assert response.status_code == 409
    assert response.json()["code"] == "criteria-set-not-in-force"
