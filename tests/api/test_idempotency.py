"""Retries with an Idempotency-Key return the first result and write nothing."""

from __future__ import annotations

from tests.api.helpers import Api

UNIT = {
    "code": "T1",
    "name": "Tỉnh Một",
    "level": "province",
    "unit_type": "tinh",
    "valid_from": "2008-01-01",
}


def position(api: Api) -> int:
    return int(api.client.get("/health").json()["log_position"])


def send(api: Api, body: dict, key: str):
    return api.client.post(
        "/units", json=body, headers=api.headers("admin", **{"Idempotency-Key": key})
    )


def test_a_retry_with_the_same_key_and_body_returns_the_first_result_and_writes_nothing(api):
    first = send(api, UNIT, "retry-0001")
    assert first.status_code == 201
    before = position(api)
    again = send(api, UNIT, "retry-0001")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["idempotent-replayed"] == "true"
    assert position(api) == before


def test_the_same_key_with_a_different_body_is_refused(api):
    assert send(api, UNIT, "retry-0002").status_code == 201
    before = position(api)
    other = send(api, UNIT | {"code": "T2"}, "retry-0002")
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency-key-reused"
    assert position(api) == before


def test_a_refusal_is_replayed_too_rather_than_retried(api):
    bad = UNIT | {"level": "district", "valid_from": "2025-07-01"}
    first = send(api, bad, "retry-0003")
    assert first.status_code == 409
    again = send(api, bad, "retry-0003")
    assert (again.status_code, again.json()) == (409, first.json())


def test_another_caller_may_use_the_same_key(api):
    api.user("second-admin", ["administrator"])
    assert send(api, UNIT, "shared-key-01").status_code == 201
    response = api.client.post(
        "/units",
        json=UNIT | {"code": "T9"},
        headers=api.headers("second-admin", **{"Idempotency-Key": "shared-key-01"}),
    )
    assert response.status_code == 201


def test_a_malformed_key_is_refused(api):
    response = send(api, UNIT, "bad key with spaces")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid-idempotency-key"
