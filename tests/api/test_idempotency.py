"""Retries with an Idempotency-Key return the first result and write nothing."""

from __future__ import annotations

import hashlib
import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from eventsourcing.persistence import OperationalError

from api.idempotency import caller_of, request_digest
from application.adapters.idempotency import IdempotencyStore
from application.adapters.keyed_requests import KeyedRequests, Receipt, claimed
from domain.errors import VersionConflict
from tests.api.helpers import Api
from tests.application.test_store import ADMIN, _province

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
    headers = api.headers("admin", **{"Idempotency-Key": key, "content-type": "application/json"})
    return api.client.post("/units", content=_raw(body), headers=headers)


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
    assert again.headers["idempotent-replayed"] == "true"


def test_the_same_key_and_body_sent_to_another_path_is_refused_not_replayed(api):
    assert send(api, UNIT, "retry-0004").status_code == 201
    before = position(api)
    headers = api.headers(
        "admin", **{"Idempotency-Key": "retry-0004", "content-type": "application/json"}
    )
    elsewhere = api.client.post("/complaints", content=_raw(UNIT), headers=headers)
    assert elsewhere.status_code == 422
    assert elsewhere.json()["code"] == "idempotency-key-reused"
    assert "idempotent-replayed" not in elsewhere.headers
    assert position(api) == before


def test_the_digest_covers_the_key_path_query_type_and_body():
    key = b"k" * 32
    base = ("/units", b"", "application/json", b"{}")
    digests = {
        request_digest(key, *base),
        request_digest(b"j" * 32, *base),
        request_digest(key, "/units/", *base[1:]),
        request_digest(key, "/units", b"a=1", *base[2:]),
        request_digest(key, "/units", b"", "text/plain", b"{}"),
        request_digest(key, "/units", b"", "application/json", b"{ }"),
    }
    assert len(digests) == 6


def test_another_caller_may_use_the_same_key(api):
    api.user("second-admin", ["administrator"])
    assert send(api, UNIT, "shared-key-01").status_code == 201
    response = api.client.post(
        "/units",
        json=UNIT | {"code": "T9"},
        headers=api.headers("second-admin", **{"Idempotency-Key": "shared-key-01"}),
    )
    assert response.status_code == 201


@pytest.mark.parametrize("spelling", ["bearer  {}", "BEARER {} "])
def test_one_token_spelled_another_way_is_the_same_caller(api, spelling):
    first = send(api, UNIT, "spelled-0001")
    before = position(api)
    headers = {
        "Authorization": spelling.format(api.tokens["admin"]),
        "Idempotency-Key": "spelled-0001",
        "content-type": "application/json",
    }
    again = api.client.post("/units", content=_raw(UNIT), headers=headers)
    assert (again.status_code, again.json()) == (201, first.json())
    assert again.headers["idempotent-replayed"] == "true"
    assert position(api) == before


def test_a_malformed_key_is_refused(api):
    response = send(api, UNIT, "bad key with spaces")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid-idempotency-key"


def complaint(api: Api) -> dict[str, Any]:
    """The body of a complaint about a refused case (a fresh random id for each one filed)."""
    from tests.api.test_complaints import refused_citizen

    world = refused_citizen(api)
    return {
        "case_ids": [str(world["case"])],
        "decision_id": str(world["decision"]),
        "grounds": "Chỉ số 5 chưa được tính",
        "learnt_on": "2026-02-21",
    }


def test_concurrent_requests_with_one_key_write_once(api: Api):
    """Complaints get a fresh random id, so only the key can stop a duplicate filing."""
    body = complaint(api)
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


def _caller(api: Api, who: str = "admin") -> str:
    return caller_of(f"Bearer {api.tokens[who]}")


class AnswersLost:
    """The idempotency table with its answers never stored (the connection is cut each time
    ``complete`` runs, or the process dies there)."""

    def __init__(self, store: IdempotencyStore) -> None:
        self.store = store

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def complete(self, *_: Any) -> None:
        raise OperationalError("server closed the connection unexpectedly")


class Wall:
    """The wall clock leases are measured by, moved by hand."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def short_lease(api: Api) -> KeyedRequests:
    requests = api.ledger.keyed_requests  # type: ignore[union-attr]
    requests.lease_seconds = 0.4
    requests.clock = Wall()
    return requests


def lease_ends(requests: KeyedRequests) -> None:
    requests.clock.now += 0.5  # type: ignore[attr-defined]


def test_an_answer_that_could_not_be_stored_is_recovered_after_the_lease(
    api: Api, short_lease: KeyedRequests
):
    short_lease.store = AnswersLost(short_lease.store)
    # When the command commits but its answer cannot be stored
    first = send(api, UNIT, "lost-0001")
    assert first.status_code == 201  # the client is told the truth all the same
    after = position(api)
    # Then a retry while the claim's lease runs is asked to come back later
    early = send(api, UNIT, "lost-0001")
    assert early.status_code == 409 and early.json()["code"] == "idempotency-key-in-progress"
    assert int(early.headers["retry-after"]) >= 1
    # And once the lease ended, the retry learns where the command landed; nothing is written
    short_lease.store = short_lease.store.store
    lease_ends(short_lease)
    again = send(api, UNIT, "lost-0001")
    assert again.status_code == 200, again.text
    assert again.json() == first.json()
    assert again.headers["etag"] == first.headers["etag"]
    assert position(api) == after
    replay = send(api, UNIT, "lost-0001")
    assert (replay.status_code, replay.json()) == (200, first.json())
    assert replay.headers["idempotent-replayed"] == "true"


def test_a_claim_whose_request_died_before_committing_runs_again_after_the_lease(
    api: Api, short_lease: KeyedRequests
):
    digest = _digest_of(api, "/units", UNIT)
    lease = short_lease.clock() + 0.4
    short_lease.store.claim(_caller(api), "died-0001", digest, "gone-owner", lease)
    before = position(api)
    assert send(api, UNIT, "died-0001").status_code == 409  # its lease still runs
    lease_ends(short_lease)
    retry = send(api, UNIT, "died-0001")
    assert retry.status_code == 201, retry.text
    assert position(api) == before + 1


def test_a_request_fenced_by_a_retry_can_no_longer_commit(api: Api):
    """The owner was only slow, not gone: once a retry fenced it, its own save is refused
    and nothing is written, so the command runs once (the retry's)."""
    ledger = api.ledger
    assert ledger is not None
    assert ledger.keyed_requests.receipts.fence("slow-owner") is None
    before = position(api)
    with claimed("slow-owner"), pytest.raises(VersionConflict):
        ledger.registry.establish_unit(ADMIN, **_province("FENCED"))
    assert position(api) == before
    assert ledger.keyed_requests.receipts.fence("slow-owner") is None  # still nothing


def test_a_committed_request_is_found_by_its_fence(api: Api):
    ledger = api.ledger
    assert ledger is not None
    with claimed("quick-owner"):
        recorded = ledger.registry.establish_unit(ADMIN, **_province("RECEIPT"))
    receipt = ledger.keyed_requests.receipts.fence("quick-owner")
    assert receipt == Receipt(recorded.id, recorded.version, recorded.position or 0)


def test_retries_racing_on_an_expired_claim_write_once(api: Api, short_lease: KeyedRequests):
    """Complaints get a fresh random id: only the claim stands between retries and a
    second complaint."""
    body = complaint(api)
    headers = api.headers("lan", **{"Idempotency-Key": "expired-0001"})
    digest = _digest_of(api, "/complaints", body)
    headers["content-type"] = "application/json"
    lease = short_lease.clock()
    short_lease.store.claim(_caller(api, "lan"), "expired-0001", digest, "gone", lease)
    before = position(api)
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(
            pool.map(
                lambda _: api.client.post("/complaints", content=_raw(body), headers=headers),
                range(6),
            )
        )
    statuses = sorted(a.status_code for a in answers)
    assert 201 in statuses and set(statuses) <= {201, 409}, statuses
    fresh = [a for a in answers if a.status_code == 201 and "idempotent-replayed" not in a.headers]
    assert len(fresh) == 1  # one ran; the others were told "in progress" or replayed it
    assert position(api) == before + 1
    again = api.client.post("/complaints", content=_raw(body), headers=headers)
    created = {a.json()["id"] for a in answers if a.status_code == 201}
    assert again.status_code == 201 and created == {again.json()["id"]}


def _digest_of(api: Api, path: str, body: Any) -> str:
    """The digest of a POST as ``api.client.post(path, content=_raw(body), ...)`` sends it."""
    key = api.ledger.vault.request_digest_key()  # type: ignore[union-attr]
    return request_digest(key, path, b"", "application/json", _raw(body))


def _raw(body: Any) -> bytes:
    return json.dumps(body).encode()


def test_a_registration_keeps_no_digest_that_a_guessed_cccd_could_be_checked_against(api: Api):
    """The stored digest is keyed: hashing the body without the server's secret finds
    nothing; and a look-up by CCCD keeps no answer at all."""
    ledger = api.ledger
    assert ledger is not None
    unit = api.client.post("/units", json=UNIT, headers=api.headers("admin")).json()["id"]
    body = {"cccd": "001203009999", "full_name": "Lò Thị Mẩy", "unit_id": unit}
    headers = api.headers("admin", **{"Idempotency-Key": "register-0001"})
    headers["content-type"] = "application/json"
    assert api.client.post("/persons", content=_raw(body), headers=headers).status_code == 201
    stored = ledger.idempotency.get(_caller(api, "admin"), "register-0001")
    assert stored is not None
    plain = hashlib.sha256(b"\n".join([b"POST", b"/persons", b"", b"application/json", _raw(body)]))
    assert stored.request_digest != plain.hexdigest()
    assert stored.request_digest == _digest_of(api, "/persons", body)

    looked = api.headers("admin", **{"Idempotency-Key": "lookup-0001"})
    found = api.client.post("/persons/lookup", json={"cccd": body["cccd"]}, headers=looked)
    assert found.status_code == 200
    assert ledger.idempotency.get(_caller(api, "admin"), "lookup-0001") is None
