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


def test_concurrent_requests_with_one_key_write_once(api: Api):
    """Complaints get a fresh random id, so only the key can stop a duplicate filing."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.api.test_complaints import refused_citizen

    world = refused_citizen(api)
    body = {
        "case_ids": [str(world["case"])],
        "decision_id": str(world["decision"]),
        "grounds": "Chỉ số 5 chưa được tính",
        "learnt_on": "2026-02-21",
    }
    headers = api.headers("lan", **{"Idempotency-Key": "complaint-0001"})
    before = position(api)
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(
            pool.map(lambda _: api.client.post("/complaints", json=body, headers=headers), range(6))
        )
    statuses = sorted(a.status_code for a in answers)
    assert statuses.count(201) >= 1 and set(statuses) <= {201, 409}, statuses
    created = {a.json()["id"] for a in answers if a.status_code == 201}
    assert len(created) == 1  # replays carry the first answer; no second complaint exists
    in_progress = [a.json()["code"] for a in answers if a.status_code == 409]
    assert set(in_progress) <= {"idempotency-key-in-progress"}
    assert position(api) == before + 1
    retry = api.client.post("/complaints", json=body, headers=headers)
    assert retry.status_code == 201 and retry.json()["id"] in created


def test_a_claim_left_by_a_crashed_request_is_never_run_again(api: Api, ledger):
    """After a crash between the commit and the stored answer the outcome is unknown: the
    retry is refused (409) rather than risk writing the command twice."""
    import hashlib

    scope = hashlib.sha256(f"Bearer {api.tokens['admin']}".encode()).hexdigest()
    first = send(api, UNIT, "crash-0001")
    assert first.status_code == 201
    ledger.idempotency.release(scope, "crash-0001")  # a completed record is not released
    assert send(api, UNIT, "crash-0001").headers["idempotent-replayed"] == "true"
    record = ledger.idempotency.get(scope, "crash-0001")
    ledger.idempotency.release(scope, "nothing-here")
    ledger.idempotency.claim(scope, "crash-0002", record.request_digest)  # as if it crashed
    stuck = send(api, UNIT, "crash-0002")
    assert stuck.status_code == 409 and stuck.json()["code"] == "idempotency-key-in-progress"
