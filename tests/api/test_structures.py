"""Reports roll up under a published structure, chosen by code or by the day it was in
force; a rearrangement published as rule data is reportable at once, over HTTP, on every
backend."""

from __future__ import annotations

import copy
import json

from application.services.criteria import SEED_DIR
from tests.api.helpers import Api
from tests.api.test_errors import assert_problem
from tests.api.test_reads import granted_world

SEED = json.loads((SEED_DIR / "reporting-structures-2025.json").read_text(encoding="utf-8"))
REARRANGED = {
    "code": "two_level_2026",
    "label": "Hai cấp, sau sắp xếp xã năm 2026",
    "in_force_from": "2026-01-01",
    "geography_day": "2026-01-01",
    "basis": "Nghị quyết sắp xếp đơn vị hành chính cấp xã năm 2026 (giả định trong test)",
}


def statistics(api: Api, world: dict, query: str) -> dict:
    wait = f"wait_for_position={world['position']}"
    answer = api.get("reporter", f"/statistics?cycle_year=2026&{wait}&{query}", status=None)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_structure_is_chosen_by_code_or_by_the_day_it_was_in_force(api: Api):
    world = granted_world(api)
    api.user("reporter", ["reporting_officer"], unit_id=world["province"])

    today = statistics(api, world, "")
    assert (today["structure"], today["structure_day"]) == ("two_level", "2025-07-01")
    assert today["structure_label"] == "Chính quyền địa phương hai cấp (từ 01/07/2025)"
    before = statistics(api, world, "structure_on=2025-06-30")
    assert (before["structure"], before["structure_day"]) == ("three_level", "2025-06-30")
    named = statistics(api, world, "structure=three_level")
    assert named["lines"] == before["lines"]

    for query, code in (
        ("structure=four_level", "unknown-structure"),
        ("structure_on=1999-12-31", "validation-error"),
        ("structure=three_level&structure_on=2025-06-30", "invalid-input"),
    ):
        refused = api.get("reporter", f"/statistics?cycle_year=2026&{query}", status=None)
        assert_problem(refused, 422, code)
    for bad in ("Hai", "two-level", "hai_c%E1%BA%A5p", "%EF%BC%92level", "x" * 65):
        path = f"/statistics?cycle_year=2026&structure={bad}"
        assert api.get("reporter", path, status=None).status_code == 422


def test_a_rearrangement_published_as_a_new_version_is_reportable_at_once(api: Api):
    world = granted_world(api)
    api.user("reporter", ["reporting_officer"], unit_id=world["province"])
    later = copy.deepcopy(SEED)
    later["structures"].append(REARRANGED)
    assert api.post("admin", "/rules/reporting-structures", later).status_code == 201
    assert api.post("reporter", "/rules/reporting-structures", later).status_code == 403

    now = statistics(api, world, "")  # the test clock's day is in 2026
    assert (now["structure"], now["structure_label"]) == ("two_level_2026", REARRANGED["label"])
    assert statistics(api, world, "structure_on=2025-12-31")["structure"] == "two_level"
    path = "/exports/statistics.csv?cycle_year=2026&structure=two_level_2026"
    sheet = api.get("reporter", path)
    assert sheet.status_code == 200, sheet.text
    assert "thong-ke-2026-two_level_2026" in sheet.headers["content-disposition"]
    assert REARRANGED["label"] in sheet.content.decode("utf-8-sig")

    compiled = api.post("reporter", "/reports", {"cycle_year": 2026})
    assert compiled.status_code == 201, compiled.text
    report = api.get("reporter", compiled.headers["location"]).json()
    assert report["structure"] == "two_level_2026"
