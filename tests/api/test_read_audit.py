"""Reads of personal data are recorded as events, and inspectors can see who read what."""

from __future__ import annotations

from tests.api.helpers import Api, seed_content
from tests.api.test_scenario import open_citizen_case, registry, second_commune


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


def test_an_inspector_with_a_unit_lists_the_reads_and_actions_of_that_units_accounts(api: Api):
    # Given two communes of one province, an officer in each, and inspectors at each level
    api.created("admin", "/criteria-sets", seed_content("criteria-cdht-can-bo.json"))
    ids = registry(api)
    other = second_commune(api, ids["province"])
    here = api.user("officer", ["commune_officer"], unit_id=ids["commune"])
    there = api.user("officer2", ["commune_officer"], unit_id=other)
    api.user("inspector_here", ["inspector"], unit_id=ids["commune"])
    api.user("inspector_there", ["inspector"], unit_id=other)
    api.user("inspector_province", ["inspector"], unit_id=ids["province"])
    api.user("inspector", ["inspector"])
    # When each officer reads and writes in their own commune
    api.get("officer", f"/persons/{ids['person']}")
    open_citizen_case(api, ids["person"], applicant="officer")
    api.get("officer2", "/exports/statistics.csv?cycle_year=2026")
    recorded_views(api, "")  # the views have caught up

    # Then each commune's inspector lists only the views and actions of that commune's
    def viewers(who: str) -> set[tuple[str, str | None]]:
        return {(v["viewer_id"], v["viewer_unit_id"]) for v in api.get(who, "/audit/reads").json()}

    def actors(who: str) -> set[str]:
        return {a["actor_id"] for a in api.get(who, "/activity?limit=500").json()}

    assert viewers("inspector_here") == {(str(here), str(ids["commune"]))}
    assert viewers("inspector_there") == {(str(there), str(other))}
    assert actors("inspector_here") == {str(here)}
    assert actors("inspector_there") == {str(there)}  # their view is an action too
    # and the province's inspector sees both communes, the nationwide one everyone
    assert viewers("inspector_province") == viewers("inspector_here") | viewers("inspector_there")
    assert actors("inspector_province") == {str(here), str(there)}
    assert str(there) in {v for v, _ in viewers("inspector")}
    assert len(actors("inspector")) > 1  # the administrator's set-up too
    # and an officer of the other commune cannot be named by this commune's inspector
    refused = api.get("inspector_here", f"/activity?actor_id={there}", status=403).json()
    assert refused["code"] == "out-of-scope"
