"""Reads of personal data are recorded as events, and inspectors can see who read what."""

from __future__ import annotations

from tests.api.helpers import Api, seed_content
from tests.api.test_scenario import open_citizen_case, registry


def recorded_views(api: Api, query: str) -> list[dict]:
    position = api.client.get("/health").json()["log_position"]
    api.get("inspector", f"/standings?wait_for_position={position}")
    return api.get("inspector", f"/audit/reads?{query}").json()


def test_viewing_a_person_and_downloading_evidence_are_recorded_for_inspectors(api: Api):
    api.created("admin", "/criteria-sets", seed_content("criteria-cdht-can-bo.json"))
    ids = registry(api)
    officer = api.user("officer", ["commune_officer"], unit_id=ids["commune"])
    api.user("lan", ["citizen"], person_id=ids["person"])
    api.user("inspector", ["inspector"])
    api.get("officer", f"/persons/{ids['person']}")
    api.post("officer", "/persons/lookup", {"cccd": "001090000123"}, status=200)
    case = open_citizen_case(api, ids["person"])
    location = api.get("officer", f"/cases/{case}").json()["evidence"][0]["evidence_id"]
    api.get("officer", f"/cases/{case}/evidence/{location}")

    about_person = recorded_views(api, f"record_id={ids['person']}")
    assert [(v["viewer_id"], v["viewer_role"], v["kind"]) for v in about_person] == [
        (str(officer), "commune_officer", "person"),
        (str(officer), "commune_officer", "person"),
    ]
    assert about_person[1]["detail"] == "tra cứu theo CCCD"
    files = recorded_views(api, f"kind=evidence&viewer_id={officer}")
    assert [v["record_id"] for v in files] == [location]


def test_exports_are_recorded_and_citizens_cannot_list_reads(api: Api):
    registry(api)
    officer = api.user("officer", ["commune_officer"])
    api.user("inspector", ["inspector"])
    api.user("citizen", ["citizen"])
    api.get("officer", "/exports/statistics.csv?cycle_year=2026")
    exports = recorded_views(api, f"kind=export&viewer_id={officer}")
    assert [(v["record_id"], v["detail"]) for v in exports] == [
        ("statistics.csv", "năm 2026, two_level")
    ]
    assert api.get("citizen", "/audit/reads", status=403).json()["code"] == "permission-denied"
