"""Dates at the edge: one accepted range, refused in milliseconds, and who sets received_on.

Every date a request brings (body, form or query) lies within 2000-01-01 … 2100-12-31 (birth
dates and evidence documents from 1900-01-01); outside it the answer is a 422 problem that
names the field, before any clock counts. The day a complaint was received is today, unless a
receiving officer records the earlier day a paper complaint arrived.
"""

from __future__ import annotations

from uuid import UUID

import pytest

from tests.api.helpers import Api
from tests.api.test_complaints import complain, refused_citizen
from tests.api.test_scenario import registry

FAR = ("0001-01-01", "1999-12-31", "2101-01-01", "9999-12-31")
FAR_INSTANTS = ("0001-01-01T00:00:00", "1999-12-31T23:59:59+07:00", "9999-12-31T23:59:59")


def refused_at_once(response, field: str, code: str = "date-out-of-range") -> None:
    """A 422 problem naming ``field``: at the edge (validation) or in the domain (``code``)."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["detail"].startswith(f"{field}:"), problem
    if problem["code"] == "validation-error":
        assert ".".join(problem["errors"][0]["loc"][1:]) == field
    else:
        assert (problem["code"], problem["errors"]["field"]) == (code, field)


def test_far_dates_in_a_complaint_are_refused_naming_the_field(api: Api):
    world = refused_citizen(api)
    position = api.client.get("/health").json()["log_position"]
    a_year = {"first_day": "2026-01-01", "last_day": "2026-02-15", "kind": "ốm đau"}
    for far in FAR:
        fields = {
            "learnt_on": {"learnt_on": far, "obstacles": []},
            "obstacles.0.first_day": {"obstacles": [a_year | {"first_day": far}]},
            "obstacles.0.last_day": {"obstacles": [a_year | {"last_day": far}]},
        }
        for field, body in fields.items():
            learnt_on = body.pop("learnt_on", "2026-02-21")
            response = complain(api, world, learnt_on, **body)
            refused_at_once(response, field)
    assert api.client.get("/health").json()["log_position"] == position


def test_far_dates_in_the_authority_s_steps_and_the_registry_are_refused(api: Api):
    world = refused_citizen(api)
    complaint = complain(api, world, "2026-02-21").json()["id"]
    steps = {
        f"/complaints/{complaint}/acceptance": ("officer", "accepted_on", {}),
        f"/complaints/{complaint}/non-acceptance": (
            "officer",
            "decided_on",
            {"rule": "Điều 11", "reason": "Không đủ điều kiện"},
        ),
        f"/units/{world['commune']}/parent": (
            "admin",
            "from_date",
            {"parent_id": str(world["province"]), "reason": "Điều chỉnh địa giới"},
        ),
    }
    for far in FAR:
        for path, (who, field, body) in steps.items():
            response = api.post(who, path, body | {field: far})
            refused_at_once(response, field)


def test_a_far_birth_date_is_refused_and_so_is_tomorrow(api: Api):
    ids = registry(api)
    person = {"cccd": "001099000077", "full_name": "Phạm Văn Sơn", "unit_id": str(ids["commune"])}
    for far in ("0001-01-01", "1899-12-31", "2101-01-01", "9999-12-31", "2026-03-02"):
        refused_at_once(api.post("admin", "/persons", person | {"birth_date": far}), "birth_date")
    assert api.post("admin", "/persons", person | {"birth_date": "1930-05-19"}).status_code == 201


def test_far_dates_and_instants_in_queries_are_refused_naming_the_parameter(api: Api):
    world = refused_citizen(api)
    asked = [(f"/register/holders?on={far}", "on") for far in FAR]
    for instant in FAR_INSTANTS:
        asked += [
            (f"/register/holders?on=2026-03-01&known_at={instant}", "known_at"),
            (f"/activity?since={instant}", "since"),
            (f"/activity?until={instant}", "until"),
            (f"/cases/{world['case']}/as-of?at={instant}", "at"),
        ]
    for path, field in asked:
        response = api.client.get(path.replace("+", "%2B"), headers=api.headers("admin"))
        refused_at_once(response, field)


# --- who decides the day a complaint was received ------------------------------------------


def test_a_citizen_cannot_file_after_the_90_days_by_sending_an_older_received_on(api: Api):
    world = refused_citizen(api)  # today is 2026-03-01
    position = api.client.get("/health").json()["log_position"]
    for received_on in ("2026-01-15", "2026-03-01"):
        refused_at_once(
            complain(api, world, "2025-11-01", received_on=received_on),
            "received_on",
            "invalid-input",
        )
    assert complain(api, world, "2025-11-01").json()["code"] == "step-too-late"
    assert api.client.get("/health").json()["log_position"] == position


def test_an_officer_records_the_day_a_paper_complaint_arrived(api: Api):
    world = refused_citizen(api)
    filed = api.post(
        "officer",
        "/complaints",
        {
            "case_ids": [str(world["case"])],
            "decision_id": str(world["decision"]),
            "grounds": "Đơn giấy gửi qua bưu điện",
            "learnt_on": "2025-11-01",
            "received_on": "2026-01-20",
        },
    )
    assert filed.status_code == 201, filed.text
    complaint_id = UUID(filed.json()["id"])
    read = api.get("officer", f"/complaints/{complaint_id}").json()
    assert read["received_on"] == "2026-01-20"
    assert read["deadlines"]["filing"] == "2026-01-30"
    ledger = api.ledger
    assert ledger is not None
    [received] = [
        ledger.store.mapper.to_domain_event(n)
        for n in ledger.store.recorder.select_notifications(start=None, limit=10_000)
        if n.originator_id == complaint_id
    ]
    officer = ledger.access.authenticate(api.tokens["officer"])
    assert (received.actor_id, received.actor_role) == (str(officer.user_id), "commune_officer")


@pytest.mark.parametrize(
    ("received_on", "status", "code"),
    [
        ("2026-03-02", 409, "date-out-of-order"),  # tomorrow
        ("2025-10-31", 409, "date-out-of-order"),  # before the decision was learnt of
        ("1999-12-31", 422, "validation-error"),
    ],
)
def test_an_officer_s_received_on_is_between_learnt_on_and_today(
    api: Api, received_on: str, status: int, code: str
):
    world = refused_citizen(api)
    body = {
        "case_ids": [str(world["case"])],
        "grounds": "Đơn giấy",
        "learnt_on": "2025-11-01",
        "received_on": received_on,
    }
    assert api.post("officer", "/complaints", body, status=status).json()["code"] == code


def test_an_officer_complaining_about_their_own_case_cannot_choose_received_on(api: Api):
    world = refused_citizen(api)
    api.user(
        "lan_at_work", ["commune_officer"], unit_id=world["commune"], person_id=world["person"]
    )
    body = {
        "case_ids": [str(world["case"])],
        "grounds": "Khiếu nại của chính cán bộ",
        "learnt_on": "2025-11-01",
        "received_on": "2026-01-20",
    }
    refused_at_once(api.post("lan_at_work", "/complaints", body), "received_on", "invalid-input")
