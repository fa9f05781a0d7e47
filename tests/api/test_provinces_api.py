"""One API over three provincial stores (real HTTP through TestClient, real stores)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.provinces import create_national_app
from application.clients.generator import generate
from application.clients.provinces import Provinces
from domain.glossary import Role
from tests.api.helpers import bootstrap_admin
from tests.provinces import CODES, CONSOLE, NAMES, chain_size, deployment, provinces

__all__ = ["deployment", "provinces"]  # fixtures

PROBLEM = "application/problem+json"


@pytest.fixture
def client(provinces: Provinces) -> Iterator[TestClient]:
    for ledger in provinces.ledgers.values():
        ledger.settings.projections_in_api = True  # PostgreSQL too: no separate runner here
    with TestClient(
        create_national_app(provinces.ledger_for("01").settings, provinces=provinces)
    ) as c:
        yield c


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_the_provinces_are_listed_with_their_paths(client: TestClient):
    listed = client.get("/tinh")
    assert listed.status_code == 200
    assert listed.json() == [
        {"code": code, "name": name, "path": f"/tinh/{code}"}
        for code, name in zip(CODES, NAMES, strict=True)
    ]


def test_a_command_under_one_province_lands_in_its_store_only(
    client: TestClient, provinces: Provinces
):
    tokens = {code: bootstrap_admin(provinces.ledger_for(code)) for code in CODES}
    before = {code: chain_size(provinces, code) for code in CODES}
    unit = {
        "code": "31",
        "name": "Thành phố Hải Phòng",
        "level": "province",
        "unit_type": "thanh_pho",
        "valid_from": "2025-07-01",
    }

    made = client.post("/tinh/31/units", json=unit, headers=bearer(tokens["31"]))

    assert made.status_code == 201, made.text
    assert chain_size(provinces, "31") == before["31"] + 1
    assert chain_size(provinces, "01") == before["01"]
    assert chain_size(provinces, "79") == before["79"]
    unit_id = made.json()["id"]
    found = client.get(
        f"/tinh/31/units/{unit_id}",
        params={"wait_for_position": made.json()["position"]},
        headers=bearer(tokens["31"]),
    )
    assert found.status_code == 200, found.text
    elsewhere = client.get(f"/tinh/01/units/{unit_id}", headers=bearer(tokens["01"]))
    assert elsewhere.status_code == 404
    assert elsewhere.headers["content-type"].startswith(PROBLEM)
    # a token belongs to the store that issued it
    foreign = client.post("/tinh/79/units", json=unit, headers=bearer(tokens["31"]))
    assert foreign.status_code == 401
    assert chain_size(provinces, "79") == before["79"]
    # each province's store verifies on its own
    for code in CODES:
        assert provinces.ledger_for(code).auditor.verify().ok
    assert client.get("/tinh/99/units").status_code == 404


def test_national_statistics_are_the_sum_of_each_provinces_own_statistics(
    client: TestClient, provinces: Provinces
):
    for code, seed, scale in (("01", 3, 30), ("31", 4, 20), ("79", 5, 10)):
        generate(provinces.ledger_for(code), scale, seed)
    admins = {code: bootstrap_admin(provinces.ledger_for(code)) for code in CODES}
    ledger = provinces.ledger_for("31")
    officer = ledger.access.create_user(CONSOLE, "bao-cao-toan-quoc", [Role.REPORTING_OFFICER])
    national = ledger.access.issue_token(CONSOLE, officer.id).token
    expected = {"registered": 0, "assessed": 0, "recognised": 0, "subjects": 0}
    per_province = {}
    for code in CODES:  # each province's own /statistics, read as its own administrator
        position = chain_size(provinces, code)
        own = client.get(
            f"/tinh/{code}/statistics",
            params={"cycle_year": 2025, "wait_for_position": position},
            headers=bearer(admins[code]),
        )
        assert own.status_code == 200, own.text
        [top] = [line for line in own.json()["lines"] if line["parent_id"] is None]
        per_province[code] = top["registered"]
        for key in expected:
            expected[key] += top[key]

    answer = client.get(
        "/thong-ke-toan-quoc", params={"cycle_year": 2025}, headers=bearer(national)
    )

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert {key: body["total"][key] for key in expected} == expected
    assert expected["registered"] > 0
    assert {line["code"]: line["registered"] for line in body["provinces"]} == per_province


def test_national_statistics_take_only_a_nationwide_reader(
    client: TestClient, provinces: Provinces
):
    assert client.get("/thong-ke-toan-quoc", params={"cycle_year": 2025}).status_code == 401
    ledger = provinces.ledger_for("79")
    citizen = ledger.access.create_user(CONSOLE, "cong-dan", [Role.CITIZEN])
    token = ledger.access.issue_token(CONSOLE, citizen.id).token
    refused = client.get("/thong-ke-toan-quoc", params={"cycle_year": 2025}, headers=bearer(token))
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith(PROBLEM)
    assert refused.json()["code"] == "permission-denied"
    bad = client.get("/thong-ke-toan-quoc", params={"cycle_year": 2025}, headers=bearer("htl_x.y"))
    assert bad.status_code == 401
