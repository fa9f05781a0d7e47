"""``GET /units``: how a newcomer finds a unit's id — by name or code, accents and case
ignored, scoped to the reader's part of the geography, paged."""

from __future__ import annotations

from tests.api.helpers import Api
from tests.api.test_errors import assert_problem, log_position
from tests.api.test_scenario import registry, second_commune, staff


def world(api: Api) -> dict:
    ids = registry(api)
    ids["second"] = second_commune(api, ids["province"])
    ids["other_province"] = api.created(
        "admin",
        "/units",
        {
            "code": "T02",
            "name": "Tỉnh Đồng Tháp Mới",
            "level": "province",
            "unit_type": "tinh",
            "valid_from": "2008-01-01",
        },
    )
    staff(api, ids)
    api.user("tinh", ["commune_officer"], unit_id=ids["province"])
    # The units list reads a view the runner folds after each write: wait for it once.
    api.get("admin", f"/units?wait_for_position={log_position(api.ledger)}")
    return ids


def names(api: Api, who: str, query: str = "") -> list[str]:
    return [u["name"] for u in api.get(who, f"/units{query}").json()["items"]]


def test_a_name_typed_without_accents_finds_the_unit(api: Api):
    ids = world(api)

    found = api.get("admin", "/units?q=xa%20hoa%20BINH").json()["items"]

    assert [(u["id"], u["name"], u["level_label"]) for u in found] == [
        (str(ids["commune"]), "Xã Hòa Bình", "Cấp xã")
    ]
    assert found[0]["parent_id"] == str(ids["province"])
    assert names(api, "admin", "?q=%C4%91%E1%BB%93ng") == ["Tỉnh Đồng Tháp Mới"]  # "đồng"
    assert names(api, "admin", "?q=x02") == ["Xã Bình An"]
    assert names(api, "admin", "?q=khong-co") == []


def test_staff_see_their_part_of_the_geography_and_nationwide_accounts_all(api: Api):
    world(api)

    assert names(api, "officer") == ["Xã Hòa Bình"]
    assert names(api, "tinh") == ["Tỉnh Thử Nghiệm", "Xã Hòa Bình", "Xã Bình An"]
    assert names(api, "admin") == [
        "Tỉnh Thử Nghiệm",
        "Tỉnh Đồng Tháp Mới",
        "Xã Hòa Bình",
        "Xã Bình An",
    ]
    assert names(api, "admin", "?level=province") == ["Tỉnh Thử Nghiệm", "Tỉnh Đồng Tháp Mới"]


def test_a_unit_outside_ones_scope_is_refused(api: Api):
    ids = world(api)

    assert_problem(
        api.get("officer", f"/units?unit_id={ids['other_province']}", status=None),
        403,
        "out-of-scope",
    )


def test_pages_follow_the_cursor_to_the_end_without_repeats(api: Api):
    world(api)

    seen: list[str] = []
    path = "/units?limit=1"
    while True:
        page = api.get("admin", path).json()
        seen += [u["code"] for u in page["items"]]
        if page["next_cursor"] is None:
            break
        path = f"/units?limit=1&cursor={page['next_cursor']}"
    assert seen == ["T01", "T02", "X01", "X02"]


def test_a_units_existence_before_it_was_founded_is_not_listed(api: Api):
    world(api)

    assert names(api, "admin", "?on=2020-01-01") == ["Tỉnh Thử Nghiệm", "Tỉnh Đồng Tháp Mới"]


def test_a_forged_cursor_or_hostile_query_is_a_clear_problem(api: Api):
    world(api)

    for cursor in ("%%%", "bm90IGpzb24", "WzEsMl0"):  # not base64; "not json"; [1,2]
        assert_problem(
            api.get("admin", f"/units?cursor={cursor}", status=None), 422, "invalid-input"
        )
    assert api.get("admin", "/units?q=%00x", status=None).status_code == 422
