"""Time travel over HTTP, on every backend: a case read as of a past version or instant is
exactly what the reads returned then; a re-evaluation under another criteria set shows what
would change, and records nothing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from api.app import create_app
from api.routers import time_travel
from application.ledger import Ledger
from application.services.records import VIETNAM, FixedClock
from application.settings import Settings
from tests.api.helpers import Api, bootstrap_admin, seed_content
from tests.api.test_scenario import publish_sets, registry, staff

CAN_BO = "criteria-cdht-can-bo.json"
SCORES_82 = {str(i): "8" for i in range(1, 9)} | {"9": "9", "10": "9"}


def with_time_travel(app: FastAPI) -> FastAPI:
    """Include the time-travel routes unless ``create_app`` already does."""
    paths = [context.path or "" for context in iter_route_contexts(app.routes)]
    if not any(path.startswith("/cases/{case_id}/as-of") for path in paths):
        app.include_router(time_travel.router)
    return app


@pytest.fixture
def tt_api(settings: Settings, ledger: Ledger) -> Iterator[Api]:
    """The ``api`` fixture of tests/api/conftest.py, with the time-travel routes."""
    settings.projections_in_api = True  # PostgreSQL too: no separate runner in these tests
    token = bootstrap_admin(ledger)
    with TestClient(with_time_travel(create_app(settings, ledger=ledger))) as client:
        yield Api(client, token, ledger)


def as_of(api: Api, case_id: UUID, **query: Any):
    return api.client.get(f"/cases/{case_id}/as-of", params=query, headers=api.headers("officer"))


def log_position(api: Api) -> int:
    return int(api.client.get("/health").json()["log_position"])


def instant() -> datetime:
    """Now, on the library's clock, strictly between the events before and after it."""
    time.sleep(0.005)
    now = datetime.now(UTC)
    time.sleep(0.005)
    return now


def open_citizen_case(api: Api) -> UUID:
    """A citizen with a case opened on 10 January 2026 and evidence for all ten indicators."""
    publish_sets(api)
    ids = registry(api)
    staff(api, ids)
    body = {"subject_id": str(ids["person"]), "model": "cong_dan_hoc_tap", "cycle_year": 2026}
    case_id = api.created("lan", "/cases", body | {"opened_on": "2026-01-10"})
    for code in range(1, 11):
        upload = api.upload("lan", case_id, f"Giấy xác nhận {code}".encode(), str(code))
        assert upload.status_code == 201, upload.text
    return case_id


def reviewed_citizen_case(api: Api) -> UUID:
    """The citizen's case, self-assessed and reviewed at 82 points in total."""
    case_id = open_citizen_case(api)
    api.post("lan", f"/cases/{case_id}/self-assessment", {"scores": SCORES_82}, status=200)
    api.post("reviewer", f"/cases/{case_id}/review", {"scores": SCORES_82}, status=200)
    return case_id


def re_evaluate(api: Api, case_id: UUID, body: dict[str, Any], status: int = 200):
    return api.post("officer", f"/cases/{case_id}/re-evaluations", body, status=status)


def check(result: dict[str, Any], rule: str, indicator: str | None = None) -> dict[str, Any]:
    return next(c for c in result["checks"] if (c["rule"], c["indicator"]) == (rule, indicator))


def indicator(result: dict[str, Any], code: str) -> dict[str, Any]:
    return next(i for i in result["indicators"] if i["code"] == code)


# --- as of a version or an instant -----------------------------------------------------------


def test_a_case_read_as_of_a_past_instant_or_version_is_what_the_reads_returned_then(
    tt_api: Api, clock: FixedClock
) -> None:
    api = tt_api
    clock.current = datetime(2026, 1, 20, 9, 0, tzinfo=VIETNAM)
    case_id = open_citizen_case(api)
    seen: list[tuple[dict[str, Any], datetime]] = []

    def step(who: str, path: str, body: dict[str, Any], **advance: float) -> None:
        clock.advance(**advance)
        api.post(who, f"/cases/{case_id}/{path}", body, status=200)
        seen.append((api.get("officer", f"/cases/{case_id}").json(), instant()))

    seen.append((api.get("officer", f"/cases/{case_id}").json(), instant()))
    step("lan", "self-assessment", {"scores": SCORES_82}, days=12)
    step("reviewer", "review", {"scores": SCORES_82}, days=4)
    revision = {"indicator": "3", "score": "9", "reason": "Bổ sung giấy xác nhận"}
    step("reviewer", "score-revisions", revision, days=1)
    clock.advance(days=1)  # later events, after everything read above
    notice = {"posted_on": "2026-02-07", "closes_on": "2026-02-17", "place": "Nhà văn hóa xã"}
    api.post("officer", f"/cases/{case_id}/notice", notice, status=200)
    api.post(
        "reviewer", f"/cases/{case_id}/score-revisions", revision | {"score": "10"}, status=200
    )

    history = api.get("officer", f"/cases/{case_id}/history").json()
    recorded_at = {e["version"]: e["recorded_at"] for e in history}
    statuses = [body["status"] for body, _ in seen]
    assert statuses == ["opened", "self_assessed", "reviewed", "reviewed"]
    for body, between in seen:
        version = body["version"]
        local = between.astimezone(VIETNAM).replace(tzinfo=None).isoformat()
        for query in (
            {"version": version},
            {"at": recorded_at[version]},
            {"at": between.isoformat()},
            {"at": local},  # without a zone: Vietnam time
        ):
            response = as_of(api, case_id, **query)
            assert response.status_code == 200, response.text
            assert response.json() == body, query
            assert response.headers["ETag"] == f'"{version}"'
    assert api.get("officer", f"/cases/{case_id}").json()["status"] == "notice_posted"


def test_the_history_lists_every_event_in_order_with_who_why_and_when(
    tt_api: Api, clock: FixedClock
) -> None:
    api = tt_api
    case_id = reviewed_citizen_case(api)
    revision = {"indicator": "3", "score": "9", "reason": "Bổ sung giấy xác nhận"}
    api.post("reviewer", f"/cases/{case_id}/score-revisions", revision, status=200)

    response = api.get("officer", f"/cases/{case_id}/history")

    history = response.json()
    assert response.headers["ETag"] == '"14"'
    assert [e["version"] for e in history] == list(range(1, 15))
    assert [e["topic"].rsplit(".", 1)[1] for e in (history[0], *history[-3:])] == [
        "Opened",
        "SelfAssessed",
        "Reviewed",
        "ScoreRevised",
    ]
    assert history[-1]["actor_role"] == "reviewer"
    assert history[-1]["reason"] == "Bổ sung giấy xác nhận"
    assert history[0]["effective_date"] == "2026-01-10"
    assert history[-1]["effective_date"] == clock.now().date().isoformat()
    times = [datetime.fromisoformat(e["recorded_at"]) for e in history]
    assert times == sorted(times)


def test_a_case_read_as_of_an_instant_before_it_was_opened_is_not_found(tt_api: Api) -> None:
    publish_sets(tt_api)
    ids = registry(tt_api)
    staff(tt_api, ids)
    before = instant()
    body = {"subject_id": str(ids["person"]), "model": "cong_dan_hoc_tap", "cycle_year": 2026}
    case_id = tt_api.created("lan", "/cases", body)

    response = as_of(tt_api, case_id, at=before.isoformat())

    assert response.status_code == 404
    assert response.json()["code"] == "not-found"
    assert response.json()["detail"] == "hồ sơ chưa tồn tại vào thời điểm này"


def test_a_case_entered_late_reads_as_in_effect_on_each_day_and_as_known_at_each_instant(
    tt_api: Api, clock: FixedClock
) -> None:
    """Every step typed in on 5 March with the day it really happened: the case as in effect
    on 5 February is self-assessed, though the ledger learnt of it a month later; asked
    also as known before the review was entered, it is self-assessed on every later day."""
    api = tt_api
    clock.current = datetime(2026, 3, 5, 9, 0, tzinfo=VIETNAM)
    case_id = open_citizen_case(api)  # opened on 10 January, evidence issued 15 January
    self_assessed = {"scores": SCORES_82, "assessed_on": "2026-02-01"}
    api.post("lan", f"/cases/{case_id}/self-assessment", self_assessed, status=200)
    before_review = instant()
    reviewed = {"scores": SCORES_82, "reviewed_on": "2026-02-10"}
    api.post("reviewer", f"/cases/{case_id}/review", reviewed, status=200)

    def status(**query: Any) -> str:
        response = as_of(api, case_id, **query)
        assert response.status_code == 200, (query, response.text)
        return str(response.json()["status"])

    assert status(effective_on="2026-01-31") == "opened"
    assert status(effective_on="2026-02-01") == "self_assessed"
    assert status(effective_on="2026-02-09") == "self_assessed"
    assert status(effective_on="2026-02-10") == "reviewed"
    assert status(at=before_review.isoformat()) == "self_assessed"
    both = {"at": before_review.isoformat(), "effective_on": "2026-12-31"}
    assert status(**both) == "self_assessed"
    assert status(at=before_review.isoformat(), effective_on="2026-01-20") == "opened"
    not_yet = as_of(api, case_id, effective_on="2026-01-09")
    assert not_yet.status_code == 404, not_yet.text
    assert not_yet.json()["code"] == "not-found"


@pytest.mark.parametrize(
    "query",
    [
        {"version": 1, "at": "2026-03-01T09:00:00+07:00"},
        {"version": 1, "effective_on": "2026-02-01"},
        {},
        {"version": 0},
        {"version": 12},
        {"effective_on": "2026-02-30"},
        {"effective_on": "２０２６-02-01"},
    ],
    ids=[
        "both-version-and-at",
        "both-version-and-effective-on",
        "neither",
        "version-zero",
        "version-not-yet-reached",
        "no-such-day",
        "fullwidth-digits",
    ],
)
def test_an_as_of_read_needs_exactly_one_version_the_case_had_or_one_instant(
    tt_api: Api, query: dict[str, Any]
) -> None:
    case_id = open_citizen_case(tt_api)  # version 11

    response = as_of(tt_api, case_id, **query)

    assert response.status_code == 422, response.text
    # a day that is no ASCII calendar date fails the query's type; a wrong mix, the rule
    unreadable = "effective_on" in query and "version" not in query
    assert response.json()["code"] == ("validation-error" if unreadable else "invalid-input")


@pytest.mark.parametrize("path", ["as-of?version=1", "history"])
def test_the_past_of_an_unknown_case_is_not_found(tt_api: Api, path: str) -> None:
    response = tt_api.get("admin", f"/cases/{uuid4()}/{path}", status=404)
    assert response.json()["code"] == "not-found"


def test_time_travel_needs_a_principal(tt_api: Api) -> None:
    response = tt_api.client.get(f"/cases/{uuid4()}/history")
    assert response.status_code == 401
    assert response.json()["code"] == "not-authenticated"


# --- re-evaluation ---------------------------------------------------------------------------


def test_a_re_evaluation_under_a_raised_min_total_shows_the_changed_verdict_and_records_nothing(
    tt_api: Api,
) -> None:
    case_id = reviewed_citizen_case(tt_api)
    position = log_position(tt_api)
    etag = tt_api.get("officer", f"/cases/{case_id}").headers["ETag"]

    amended = seed_content(CAN_BO, min_total=85)
    result = re_evaluate(tt_api, case_id, {"amended_content": amended}).json()

    assert result["scores_source"] == "final"
    assert result["other_set"]["set_id"] is None
    assert result["total"] == {"pinned": "82", "other": "82", "changed": False}
    assert result["max_total"] == {"pinned": "100", "other": "100", "changed": False}
    min_total = check(result, "min_total")
    assert min_total["expected"] == {"pinned": ">= 80", "other": ">= 85", "changed": True}
    assert min_total["passed"] == {"pinned": True, "other": False, "changed": True}
    assert [c["rule"] for c in result["checks"] if c["changed"]] == ["min_total"]
    assert result["outcome"] == {"pinned": True, "other": False, "changed": True}
    assert log_position(tt_api) == position
    assert tt_api.get("officer", f"/cases/{case_id}").headers["ETag"] == etag


def test_a_re_evaluation_against_another_published_version_names_it(tt_api: Api) -> None:
    case_id = reviewed_citizen_case(tt_api)
    content = seed_content(CAN_BO, min_total=85) | {"effective_from": "2026-06-01"}
    version_2 = tt_api.created("admin", "/criteria-sets", content)
    position = log_position(tt_api)

    result = re_evaluate(tt_api, case_id, {"criteria_set_id": str(version_2)}).json()

    assert result["pinned_set"]["version"] == 1
    assert result["other_set"]["set_id"] == str(version_2)
    assert result["other_set"]["version"] == 2
    assert check(result, "min_total")["passed"] == {"pinned": True, "other": False, "changed": True}
    assert result["outcome"]["changed"] is True
    assert log_position(tt_api) == position
    case = tt_api.get("officer", f"/cases/{case_id}").json()
    assert case["criteria_set_version"] == 1


def test_indicators_the_other_set_lacks_or_adds_are_reported(tt_api: Api) -> None:
    case_id = reviewed_citizen_case(tt_api)
    content = seed_content(CAN_BO)
    last = content["criteria"][-1]["indicators"]
    last[-1] = {"code": "11", "name": "Chỉ số mới", "max_points": 10, "evidence_required": True}

    result = re_evaluate(tt_api, case_id, {"amended_content": content}).json()

    dropped, added = indicator(result, "10"), indicator(result, "11")
    assert dropped["score"] == "9"
    assert dropped["max_points"] == {"pinned": "10", "other": None, "changed": True}
    assert dropped["floor_passed"] == {"pinned": True, "other": None, "changed": True}
    assert added["score"] is None
    assert added["max_points"] == {"pinned": None, "other": "10", "changed": True}
    assert added["floor_passed"] == {"pinned": None, "other": False, "changed": True}
    assert result["total"] == {"pinned": "82", "other": "73", "changed": True}
    all_scored = check(result, "all_scored")
    assert all_scored["found"] == {"pinned": "đủ", "other": "11", "changed": True}
    assert result["outcome"] == {"pinned": True, "other": False, "changed": True}


def test_a_case_not_yet_reviewed_is_re_evaluated_on_its_self_assessed_scores(
    tt_api: Api,
) -> None:
    case_id = open_citizen_case(tt_api)
    tt_api.post("lan", f"/cases/{case_id}/self-assessment", {"scores": SCORES_82}, status=200)

    result = re_evaluate(tt_api, case_id, {"amended_content": seed_content(CAN_BO)}).json()

    assert result["scores_source"] == "self"
    assert result["total"]["pinned"] == "82"
    assert result["outcome"] == {"pinned": True, "other": True, "changed": False}


def test_a_re_evaluation_against_an_unknown_criteria_set_is_not_found(tt_api: Api) -> None:
    case_id = reviewed_citizen_case(tt_api)
    response = re_evaluate(tt_api, case_id, {"criteria_set_id": str(uuid4())}, status=404)
    assert response.json()["code"] == "not-found"


def test_a_re_evaluation_under_a_set_of_another_title_is_refused(tt_api: Api) -> None:
    case_id = reviewed_citizen_case(tt_api)
    listed = tt_api.get("admin", "/criteria-sets?limit=200").json()["items"]
    unit_set = next(s["set_id"] for s in listed if s["model"] == "don_vi_hoc_tap")
    response = re_evaluate(tt_api, case_id, {"criteria_set_id": unit_set}, status=409)
    assert response.json()["code"] == "wrong-criteria-set"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "invalid-input"),
        ({"criteria_set_id": str(uuid4()), "amended_content": {}}, "invalid-input"),
        ({"amended_content": {"model": "cong_dan_hoc_tap"}}, "invalid-criteria-set"),
    ],
    ids=["neither", "both", "invalid-content"],
)
def test_a_re_evaluation_needs_exactly_one_valid_set(
    tt_api: Api, body: dict[str, Any], code: str
) -> None:
    case_id = reviewed_citizen_case(tt_api)
    response = re_evaluate(tt_api, case_id, body, status=422)
    assert response.json()["code"] == code


def test_the_fixture_includes_the_time_travel_routes_only_once(tt_api: Api) -> None:
    app = with_time_travel(tt_api.client.app)  # type: ignore[arg-type]
    paths = [context.path for context in iter_route_contexts(app.routes)]
    assert paths.count("/cases/{case_id}/as-of") == 1
