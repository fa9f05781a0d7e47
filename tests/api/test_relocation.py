"""People and households move between units: who may move them, and what follows them."""

from __future__ import annotations

from uuid import UUID

from tests.api.helpers import Api
from tests.api.test_scenario import registry, second_commune


def move(api: Api, who: str, person: UUID, unit: UUID, status: int = 200):
    body = {"unit_id": str(unit), "moved_on": "2026-03-01", "reason": "Chuyển nơi thường trú"}
    return api.post(who, f"/persons/{person}/relocation", body, status=status)


def people_of(api: Api, unit: UUID, position: int) -> int:
    report = api.get(
        "province_officer", f"/statistics?cycle_year=2026&wait_for_position={position}"
    ).json()
    line = next((x for x in report["lines"] if x["unit_id"] == str(unit)), None)
    return 0 if line is None else line["by_group"].get("can_bo", {}).get("subjects", 0)


def test_a_person_moved_by_the_province_follows_into_the_new_communes_scope_and_counts(api: Api):
    # Given a person of commune X01, a second commune X02, and officers at each level
    ids = registry(api)
    there = second_commune(api, ids["province"])
    api.user("officer", ["commune_officer"], unit_id=ids["commune"])
    api.user("officer2", ["commune_officer"], unit_id=there)
    api.user("province_officer", ["commune_officer"], unit_id=ids["province"])
    person = ids["person"]

    # When the commune officer tries to move them out of the commune, nothing is written
    refused = move(api, "officer", person, there, status=403).json()
    assert refused["code"] == "out-of-scope"
    assert api.get("officer", f"/persons/{person}").json()["version"] == 1
    # and when the province's officer moves them
    moved = move(api, "province_officer", person, there).json()

    # Then the person belongs to X02: its officer reaches them, X01's no longer does
    assert api.get("officer2", f"/persons/{person}").json()["unit_id"] == str(there)
    assert api.get("officer", f"/persons/{person}", status=403).json()["code"] == "out-of-scope"
    # and the statistics count them in X02, not X01
    assert (people_of(api, ids["commune"], moved["position"]), people_of(api, there, 0)) == (0, 1)
    # and moving them again to where they are is refused
    assert move(api, "province_officer", person, there, status=409).json()["code"] == (
        "rule-violation"
    )


def test_a_community_stays_with_its_village_and_a_person_id_is_not_a_collective(api: Api):
    ids = registry(api)
    there = second_commune(api, ids["province"])
    api.user("province_officer", ["commune_officer"], unit_id=ids["province"])
    community = api.created(
        "admin",
        "/collectives",
        {"kind": "community", "name": "Thôn Đông", "unit_id": str(ids["commune"])},
    )
    body = {"unit_id": str(there), "moved_on": "2026-03-01", "reason": "Sáp nhập thôn"}
    stays = api.post(
        "province_officer", f"/collectives/{community}/relocation", body, status=409
    ).json()
    assert stays["code"] == "rule-violation"
    wrong = api.post(
        "province_officer", f"/collectives/{ids['person']}/relocation", body, status=404
    ).json()
    assert wrong["code"] == "not-found"


def test_a_member_who_leaves_a_household_no_longer_reaches_it(api: Api):
    # Given a citizen who is a member of a household in their commune
    ids = registry(api)
    api.user("officer", ["commune_officer"], unit_id=ids["commune"])
    api.user("lan", ["citizen"], person_id=ids["person"])
    household = api.created(
        "officer",
        "/collectives",
        {"kind": "household", "name": "Hộ Phạm", "unit_id": str(ids["commune"])},
    )
    member = {"member_id": str(ids["person"]), "relation": "con"}
    api.post("officer", f"/collectives/{household}/members", member, status=200)
    assert api.get("lan", f"/collectives/{household}").json()["id"] == str(household)

    # When the officer records that she left it
    leave = {"left_on": "2026-03-01", "reason": "Lập gia đình, tách hộ"}
    path = f"/collectives/{household}/members/{ids['person']}/departure"
    api.post("officer", path, leave, status=200)

    # Then the household has no member, and she no longer reaches its record
    assert api.get("officer", f"/collectives/{household}").json()["members"] == []
    assert api.get("lan", f"/collectives/{household}", status=403).json()["code"] == (
        "out-of-scope"
    )
    # and leaving twice is refused
    again = api.post("officer", path, leave, status=409).json()
    assert again["code"] == "rule-violation"
