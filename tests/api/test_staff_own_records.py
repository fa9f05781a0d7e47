"""Staff who are also citizens: their own record and household are theirs to read, not to
write, unless their unit reaches them like anyone else's.

A staff account linked to a person gets that person's circle for reading only; writes go by
the unit. Written as exact statuses, so a 404 cannot pass for an allowed call.
"""

from __future__ import annotations

from uuid import UUID

import pytest

from tests.api.helpers import Api
from tests.api.test_scenario import registry, second_commune

CORRECTION = {"changes": {"full_name": "Phạm Thị Lan Anh"}, "reason": "Sai so với giấy khai sinh"}


@pytest.fixture
def officer_living_elsewhere(api: Api) -> dict[str, UUID]:
    """An officer of commune X02 who is the person Lan, living in X01 with her household."""
    ids = registry(api)
    there = second_commune(api, ids["province"])
    household = api.created(
        "admin",
        "/collectives",
        {"kind": "household", "name": "Hộ Phạm", "unit_id": str(ids["commune"])},
    )
    member = {"member_id": str(ids["person"]), "relation": "chu_ho"}
    api.post("admin", f"/collectives/{household}/members", member, status=200)
    api.user("officer", ["commune_officer"], unit_id=there, person_id=ids["person"])
    api.user("colleague", ["commune_officer"], unit_id=ids["commune"])
    return ids | {"household": household, "there": there}


def test_an_officer_reads_their_own_record_and_household_outside_their_unit(
    api: Api, officer_living_elsewhere
):
    ids = officer_living_elsewhere
    assert api.get("officer", f"/persons/{ids['person']}").json()["id"] == str(ids["person"])
    household = api.get("officer", f"/collectives/{ids['household']}").json()
    assert household["id"] == str(ids["household"])


def test_an_officer_cannot_correct_their_own_record_outside_their_unit(
    api: Api, officer_living_elsewhere
):
    person = officer_living_elsewhere["person"]
    before = api.get("admin", f"/persons/{person}").json()
    refused = api.post("officer", f"/persons/{person}/corrections", CORRECTION, status=403)
    assert refused.json()["code"] == "out-of-scope"
    assert api.get("admin", f"/persons/{person}").json() == before


def test_an_officer_cannot_change_their_own_household_outside_their_unit(
    api: Api, officer_living_elsewhere
):
    ids = officer_living_elsewhere
    leave = {"left_on": "2026-03-01", "reason": "Tách hộ"}
    path = f"/collectives/{ids['household']}/members/{ids['person']}/departure"
    before = api.get("admin", f"/collectives/{ids['household']}").json()
    assert api.post("officer", path, leave, status=403).json()["code"] == "out-of-scope"
    assert api.get("admin", f"/collectives/{ids['household']}").json() == before


def test_the_officer_of_the_unit_where_they_live_corrects_the_record(
    api: Api, officer_living_elsewhere
):
    person = officer_living_elsewhere["person"]
    before = api.get("admin", f"/persons/{person}").json()["version"]
    api.post("colleague", f"/persons/{person}/corrections", CORRECTION, status=200)
    assert api.get("admin", f"/persons/{person}").json()["version"] == before + 1
