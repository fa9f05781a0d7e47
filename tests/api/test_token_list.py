"""Listing one's tokens, so that a lost or leaked one can be found and revoked: never the
token itself, only its id, label, expiry and state; an administrator lists an account's of
their unit, and no one else's."""

from __future__ import annotations

from application.services.records import FixedClock
from tests.api.helpers import Api
from tests.api.test_errors import assert_problem
from tests.api.test_scenario import registry, second_commune


def test_a_token_one_issued_is_listed_and_once_revoked_shows_revoked(api: Api):
    ids = registry(api)
    api.user("lan", ["citizen"], unit_id=ids["commune"], person_id=ids["person"])
    phone = api.post("lan", "/users/me/tokens", {"label": "điện thoại"}, status=201).json()

    listed = api.get("lan", "/users/me/tokens").json()

    assert [t["label"] for t in listed] == ["điện thoại", None]  # newest first
    assert listed[0]["token_id"] == phone["token_id"] and listed[0]["state"] == "active"
    assert all("token" not in t for t in listed)
    assert phone["token"] not in api.get("lan", "/users/me/tokens").text
    revoked = f"/tokens/{phone['token_id']}/revocation"
    api.post("lan", revoked, {"reason": "mất điện thoại"}, status=200)
    states = {t["token_id"]: t["state"] for t in api.get("lan", "/users/me/tokens").json()}
    assert states[phone["token_id"]] == "revoked"


def test_an_expired_token_is_listed_as_expired(api: Api, clock: FixedClock):
    ids = registry(api)
    user = api.user("lan", ["citizen"], unit_id=ids["commune"], person_id=ids["person"])
    short = api.post("admin", f"/users/{user}/tokens", {"ttl_hours": 1}, status=201).json()
    clock.advance(hours=2)

    states = {t["token_id"]: t["state"] for t in api.get("lan", "/users/me/tokens").json()}

    assert states[short["token_id"]] == "expired"


def test_an_administrator_lists_the_tokens_of_their_unit_only(api: Api):
    ids = registry(api)
    other = second_commune(api, ids["province"])
    lan = api.user("lan", ["citizen"], unit_id=ids["commune"], person_id=ids["person"])
    api.user("xa1", ["administrator"], unit_id=ids["commune"])
    stranger = api.user("xa2", ["commune_officer"], unit_id=other)

    assert len(api.get("xa1", f"/users/{lan}/tokens").json()) == 1
    assert_problem(api.get("xa1", f"/users/{stranger}/tokens", status=None), 403, "out-of-scope")
    assert api.get("lan", f"/users/{lan}/tokens", status=None).status_code == 403
