"""A token cannot mint one that outlives it; a council seat needs the council role in the
case's unit or a unit above it."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import pytest

from application.services.records import FixedClock
from application.settings import Settings
from tests.api.helpers import Api
from tests.api.test_scenario import (
    open_citizen_case,
    publish_sets,
    ready_for_council,
    registry,
    second_commune,
    staff,
)


def expiry(response) -> datetime:  # type: ignore[no-untyped-def]
    assert response.status_code == 201, response.text
    return datetime.fromisoformat(response.json()["expires_at"])


def short_token(api: Api, who: str, hours: int) -> datetime:
    """Give ``who`` a token of ``hours`` (as an administrator may); when it expires."""
    user_id = api.get(who, "/users/me").json()["id"]
    issued = api.post("admin", f"/users/{user_id}/tokens", {"ttl_hours": hours})
    api.tokens[who] = issued.json()["token"]
    return expiry(issued)


@pytest.mark.parametrize("asked_hours", [None, 1, 2, 3, 24, 720])
def test_a_token_issued_by_a_token_never_outlives_it(
    api: Api, clock: FixedClock, settings: Settings, asked_hours: int | None
):
    api.user("lan", ["inspector"])
    parent_expires = short_token(api, "lan", 2)
    body = {} if asked_hours is None else {"ttl_hours": asked_hours}
    child = api.post("lan", "/users/me/tokens", body)
    wanted = clock.now() + timedelta(hours=asked_hours or settings.token_ttl_hours)
    assert expiry(child) == min(wanted, parent_expires)
    api.tokens["child"] = child.json()["token"]
    clock.advance(hours=2)
    assert api.get("child", "/users/me", status=None).status_code == 401


def test_an_administrator_naming_their_own_account_is_held_to_their_token_too(
    api: Api, clock: FixedClock
):
    admin_id = api.get("admin", "/users/me").json()["id"]
    parent = api.post("admin", "/users/me/tokens", {"ttl_hours": 1})
    parent_expires, api.tokens["admin"] = expiry(parent), parent.json()["token"]
    child = api.post("admin", f"/users/{admin_id}/tokens", {"ttl_hours": 720})
    assert expiry(child) <= parent_expires
    assert expiry(child) == clock.now() + timedelta(hours=1)


def test_an_administrator_still_gives_another_account_a_longer_life(api: Api, clock: FixedClock):
    api.user("lan", ["inspector"])
    api.post("admin", "/users/me/tokens", {"ttl_hours": 1})
    lan = api.get("lan", "/users/me").json()["id"]
    issued = api.post("admin", f"/users/{lan}/tokens", {"ttl_hours": 100})
    assert expiry(issued) == clock.now() + timedelta(hours=100)


# --- council seats -------------------------------------------------------------------------


def unit(api: Api, code: str, level: str, parent: UUID) -> UUID:
    kind = {"commune": "xa", "village": "thon"}[level]
    body = {"code": code, "name": f"Đơn vị {code}", "level": level, "unit_type": kind}
    return api.created(
        "admin", "/units", body | {"parent_id": str(parent), "valid_from": "2025-07-01"}
    )


@pytest.fixture
def council_ready(api: Api) -> dict[str, UUID]:
    """A citizen's case in commune X01 whose notice has closed, and would-be seats."""
    publish_sets(api)
    ids = registry(api)
    users = staff(api, ids)
    case = open_citizen_case(api, ids["person"])
    ready_for_council(api, "lan", case, {str(i): "9" for i in range(1, 11)})
    village = unit(api, "V01", "village", ids["commune"])
    return users | {
        "case": case,
        "neighbour": api.user(
            "lang-ben", ["council_member"], unit_id=second_commune(api, ids["province"])
        ),
        "villager": api.user("trong-thon", ["council_member"], unit_id=village),
        "provincial": api.user("cap-tinh", ["council_member"], unit_id=ids["province"]),
        "national": api.user("toan-quoc", ["council_member"]),
    }


def form_council(api: Api, case: UUID, *seats: UUID):  # type: ignore[no-untyped-def]
    members = [{"user_id": str(seat)} for seat in seats]
    body = {"name": "Hội đồng", "members": members, "formed_on": "2026-02-17"}
    return api.post("officer", f"/cases/{case}/council", body)


@pytest.mark.parametrize(
    "seat",
    [
        "neighbour",  # the council role, but in another commune
        "villager",  # the council role, but in a unit below the case's
        "signer",  # the case's commune, but not the council role
        "officer",
    ],
)
def test_a_seat_without_the_council_role_in_the_case_unit_or_above_is_refused_by_name(
    api: Api, council_ready: dict[str, UUID], seat: str
):
    before = api.ledger.store.recorder.max_notification_id() if api.ledger else None
    case, chair, refused = council_ready["case"], council_ready["chair"], council_ready[seat]
    response = form_council(api, case, chair, refused)
    assert response.status_code == 409, response.text
    problem = response.json()
    assert problem["code"] == "council-seat-not-eligible"
    assert problem["errors"]["member_id"] == str(refused)
    assert str(refused) in problem["detail"]
    assert api.ledger and api.ledger.store.recorder.max_notification_id() == before


def test_council_members_of_the_case_unit_and_of_units_above_it_take_their_seats(
    api: Api, council_ready: dict[str, UUID]
):
    seats = [council_ready[s] for s in ("chair", "member", "provincial", "national")]
    response = form_council(api, council_ready["case"], *seats)
    assert response.status_code == 200, response.text
    council = api.get("officer", f"/cases/{council_ready['case']}").json()["council"]
    assert [m["user_id"] for m in council] == [str(s) for s in seats]
