"""Criteria sets are versioned data: a case pins the version in force when it was opened."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

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
    catalogue = api.get("officer", "/criteria-sets").json()["items"]
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


def every_page(api: Api, path: str, limit: int) -> list[list[dict[str, Any]]]:
    """Follow ``next_cursor`` from the first page to the last."""
    pages: list[list[dict[str, Any]]] = []
    cursor = None
    while True:
        query = f"?limit={limit}" + (f"&cursor={quote(cursor)}" if cursor else "")
        page = api.get("officer", path + query).json()
        pages.append(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return pages
        assert len(pages) < 50, "paging never ends"


def test_the_criteria_sets_are_listed_a_page_at_a_time_to_the_last(api: Api):
    ids = registry(api)
    api.user("officer", ["commune_officer"], unit_id=ids["commune"])
    for n in range(7):  # seven versions of one code, each superseding the one before
        api.created("admin", "/criteria-sets", family_set(f"2026-0{n + 1}-01", 30 + n))

    pages = every_page(api, "/criteria-sets", limit=3)

    assert [len(page) for page in pages] == [3, 3, 1]
    listed = [(e["code"], e["version"]) for page in pages for e in page]
    assert listed == [("XA-HB/GDHT/2026", n) for n in range(1, 8)]
    everything = api.get("officer", "/criteria-sets?limit=200").json()
    assert everything["next_cursor"] is None and len(everything["items"]) == 7


def test_a_full_last_page_says_there_is_no_next_page(api: Api):
    ids = registry(api)
    api.user("officer", ["commune_officer"], unit_id=ids["commune"])
    for n in range(4):
        api.created("admin", "/criteria-sets", family_set(f"2026-0{n + 1}-01", 30))

    assert [len(page) for page in every_page(api, "/criteria-sets", limit=2)] == [2, 2]


@pytest.mark.parametrize("cursor", ["nonsense!", "AAAA", "3q2-7wAAQACAAAAAAAAAAQ==", "%00"])
def test_a_cursor_that_names_no_criteria_set_is_refused(api: Api, cursor: str):
    ids = registry(api)
    api.user("officer", ["commune_officer"], unit_id=ids["commune"])
    api.created("admin", "/criteria-sets", family_set("2026-01-01", 30))

    refused = api.get("officer", f"/criteria-sets?cursor={cursor}", status=422).json()

    assert refused["code"] in {"invalid-input", "validation-error"}
    assert "cursor" in str(refused["errors"])


def test_the_criteria_set_limit_is_bounded(api: Api):
    ids = registry(api)
    api.user("officer", ["commune_officer"], unit_id=ids["commune"])
    for limit in ("0", "201", "٣"):
        api.get("officer", f"/criteria-sets?limit={limit}", status=422)
