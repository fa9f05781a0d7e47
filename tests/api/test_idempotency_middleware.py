"""The Idempotency-Key middleware around an app that commits, fails, or answers nothing, on a
real ledger (memory, SQLite, PostgreSQL) and over HTTP: what is kept, what a retry is told,
and what a request that failed or was cancelled leaves behind."""

from __future__ import annotations

import itertools
import json
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from api.idempotency import Idempotency, caller_of, request_digest
from application.adapters.keyed_requests import KeyedRequests, Receipt
from application.ledger import Ledger
from tests.api.helpers import Api
from tests.api.test_idempotency import UNIT, Wall, send
from tests.application.test_keyed_requests import Cut
from tests.application.test_store import ADMIN, _province

DIGEST_KEY = b"k" * 32
BODY = b'{"name": "Tinh"}'
#: The headers the app answers with; all but the last are kept with the answer.
HEADERS = [
    (b"Content-Type", b"application/json"),
    (b"ETag", b'"1"'),
    (b"Location", b"/units/1"),
    (b"X-Log-Position", b"7"),
    (b"Content-Disposition", b"inline"),
    (b"X-Not-Kept", b"dropped"),
]
KEPT = {
    "content-type": "application/json",
    "etag": '"1"',
    "location": "/units/1",
    "x-log-position": "7",
    "content-disposition": "inline",
}
_codes = itertools.count()


class Failure(Exception):
    """The app failed (after or before its command committed)."""


class LedgerApp:
    """An ASGI app whose paths commit a command (``/commit…``), then answer, fail or answer
    500, or answer nothing (``/silent``). It echoes the body it received, in three parts."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.landed: list[Receipt] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = await receive()
        path = scope["path"]
        if path.startswith("/commit"):
            unit = _province(f"M{next(_codes)}")
            recorded = self.ledger.registry.establish_unit(ADMIN, **unit)
            self.landed.append(Receipt(recorded.id, recorded.version, recorded.position or 0))
        if path.endswith("fail"):
            raise Failure(path)
        if path == "/silent":
            return
        status = 500 if path.endswith("500") else 201
        await send({"type": "http.response.start", "status": status, "headers": HEADERS})
        body = message["body"]
        await send({"type": "http.response.body", "body": body[:5], "more_body": True})
        await send({"type": "http.response.body", "body": body[5:], "more_body": True})
        await send({"type": "http.response.body", "more_body": False})


def keyed(key: str, **headers: str) -> dict[str, str]:
    return {"Idempotency-Key": key, "content-type": "application/json", **headers}


@pytest.fixture
def app(ledger: Ledger) -> LedgerApp:
    return LedgerApp(ledger)


@pytest.fixture
def requests(ledger: Ledger) -> KeyedRequests:
    return ledger.keyed_requests


@pytest.fixture
def client(app: LedgerApp, requests: KeyedRequests) -> TestClient:
    return TestClient(Idempotency(app, requests, DIGEST_KEY))


def stored(requests: KeyedRequests, key: str) -> Any:
    return requests.store.get(caller_of(""), key)


def test_the_first_answer_is_sent_as_is_and_a_retry_gets_it_with_the_kept_headers(
    client: TestClient, app: LedgerApp
):
    first = client.post("/commit", content=BODY, headers=keyed("kept-0001"))
    assert (first.status_code, first.content) == (201, BODY)
    assert "idempotent-replayed" not in first.headers
    again = client.post("/commit", content=BODY, headers=keyed("kept-0001"))
    assert (again.status_code, again.content) == (201, BODY)
    assert {k: v for k, v in again.headers.items() if k in KEPT} == KEPT
    assert "x-not-kept" not in again.headers
    assert again.headers["idempotent-replayed"] == "true"
    assert len(app.landed) == 1


def test_a_request_without_a_key_or_not_a_post_passes_straight_through(
    client: TestClient, app: LedgerApp, requests: KeyedRequests
):
    for _ in range(2):
        assert client.post("/commit", content=BODY).status_code == 201
        assert client.put("/commit", content=BODY, headers=keyed("put-00001")).status_code == 201
    assert len(app.landed) == 4
    assert stored(requests, "put-00001") is None


def test_the_digest_is_of_the_path_query_type_and_body_as_sent(
    client: TestClient, requests: KeyedRequests
):
    headers = {"Idempotency-Key": "typeless-01"}
    assert client.post("/commit?x=1", content=BODY, headers=headers).status_code == 201
    digest = request_digest(DIGEST_KEY, "/commit", b"x=1", "", BODY)
    assert stored(requests, "typeless-01").request_digest == digest
    other_query = client.post("/commit?x=2", content=BODY, headers=headers)
    assert other_query.json()["code"] == "idempotency-key-reused"
    other_type = client.post("/commit?x=1", content=BODY, headers=keyed("typeless-01"))
    assert other_type.json()["code"] == "idempotency-key-reused"


def test_the_digest_is_a_known_hmac():
    digest = request_digest(DIGEST_KEY, "/units", b"a=1", "application/json", b"{}")
    assert digest == "2dbee205584e808946b6d12eec27fa843301418660267dc0cb0da20a447dc99c"


def test_an_unauthenticated_caller_has_keys_of_its_own(client: TestClient, requests: KeyedRequests):
    assert client.post("/commit", content=BODY, headers=keyed("anon-0001")).status_code == 201
    assert stored(requests, "anon-0001") is not None
    junk = keyed("anon-0001", authorization="Basic abc")
    assert (
        client.post("/commit", content=BODY, headers=junk).headers.get("idempotent-replayed")
        is None
    )


def test_an_app_that_answers_nothing_is_answered_500_and_its_claim_released(
    client: TestClient, requests: KeyedRequests
):
    silent = client.post("/silent", content=BODY, headers=keyed("silent-01"))
    assert (silent.status_code, silent.content) == (500, b"")
    assert stored(requests, "silent-01") is None


def test_a_failure_before_anything_was_written_stands_and_a_retry_runs_afresh(
    client: TestClient, requests: KeyedRequests, app: LedgerApp
):
    with pytest.raises(Failure):
        client.post("/fail", content=BODY, headers=keyed("fail-0001"))
    assert stored(requests, "fail-0001") is None
    assert client.post("/commit", content=BODY, headers=keyed("fail-0001")).status_code == 201


@pytest.mark.parametrize("path", ["/commit-fail", "/commit-500"])
def test_a_failure_after_the_command_committed_is_answered_with_where_it_landed(
    client: TestClient, app: LedgerApp, path: str, caplog: pytest.LogCaptureFixture
):
    answer = client.post(path, content=BODY, headers=keyed("fail-0002"))
    landed = app.landed[0]
    assert answer.status_code == 200
    assert answer.json() == {
        "id": str(landed.id),
        "version": landed.version,
        "position": landed.position,
    }
    assert answer.headers["idempotent-replayed"] == "true"
    if path.endswith("fail"):  # the failure is logged with its trace, and how it was settled
        failed = next(r for r in caplog.records if r.exc_info)
        assert failed.getMessage() == (
            "a keyed request failed; its outcome was settled from its receipt"
        )
    again = client.post(path, content=BODY, headers=keyed("fail-0002"))
    assert (again.status_code, again.json()) == (200, answer.json())
    assert len(app.landed) == 1


@pytest.mark.parametrize(("lease", "retry_after"), [(0.4, "1"), (30.0, "30")])
@pytest.mark.parametrize("path", ["/commit-fail", "/commit-500"])
def test_a_failure_whose_outcome_cannot_be_learnt_is_answered_503_retry_after_the_lease(
    client: TestClient, requests: KeyedRequests, path: str, lease: float, retry_after: str
):
    requests.lease_seconds = lease
    requests.receipts = Cut(requests.receipts, "fence", times=1000)
    answer = client.post(path, content=BODY, headers=keyed("unknown-01"))
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == retry_after
    assert answer.json() | {"detail": ""} == {
        "type": "urn:hoctap:problem:idempotency-outcome-unknown",
        "title": answer.json()["title"],
        "status": 503,
        "detail": "",
        "instance": path,
        "code": "idempotency-outcome-unknown",
    }
    assert answer.json()["detail"] == (
        "Chưa rõ lệnh đã được ghi hay chưa (mất kết nối cơ sở dữ liệu): hãy gửi lại"
        " đúng yêu cầu này, cùng Idempotency-Key, sau số giây trong Retry-After"
    )
    assert stored(requests, "unknown-01").pending


def test_a_request_cancelled_after_its_command_committed_leaves_its_answer(
    ledger: Ledger, requests: KeyedRequests
):
    """A client that hangs up cancels the request; the claim is settled all the same."""

    async def committed_then_waits(scope: Scope, receive: Receive, send: Send) -> None:
        ledger.registry.establish_unit(ADMIN, **_province("CANCELLED"))
        landed.set()
        await anyio.sleep_forever()

    async def hang_up() -> None:
        scope = {
            "type": "http",
            "method": "POST",
            "path": "/commit",
            "headers": [(b"idempotency-key", b"cancel-001")],
            "query_string": b"",
        }

        async def receive() -> Message:
            return {"type": "http.request", "body": BODY, "more_body": False}

        async def send(_: Message) -> None:
            return None

        middleware = Idempotency(committed_then_waits, requests, DIGEST_KEY)
        async with anyio.create_task_group() as group:
            group.start_soon(middleware, scope, receive, send)
            await landed.wait()
            group.cancel_scope.cancel()

    landed = anyio.Event()
    anyio.run(hang_up)
    answer = stored(requests, "cancel-001")
    assert answer is not None and answer.status == 200, answer
    # kept for this very request: its retry is answered from it, not refused as another
    assert answer.request_digest == request_digest(DIGEST_KEY, "/commit", b"", "", BODY)


def problem_of(response: Any) -> dict[str, Any]:
    return {k: response.json()[k] for k in ("status", "code", "instance", "detail")}


@pytest.mark.parametrize("key", ["Ab3.-_:9", "K" * 128])
def test_keys_of_8_to_128_letters_digits_and_dot_dash_underscore_colon_are_accepted(
    api: Api, key: str
):
    assert send(api, UNIT, key).status_code == 201


@pytest.mark.parametrize("key", ["Ab3.-_:", "K" * 129, "ab cd ef"])
def test_other_keys_are_refused(api: Api, key: str):
    response = send(api, UNIT, key)
    assert problem_of(response) == {
        "status": 422,
        "code": "invalid-idempotency-key",
        "instance": "/units",
        "detail": "Idempotency-Key: 8-128 ký tự chữ, số và . _ : -",
    }


def test_a_key_reused_for_another_request_is_refused_with_the_reason(api: Api):
    assert send(api, UNIT, "reused-0001").status_code == 201
    assert problem_of(send(api, UNIT | {"code": "T2"}, "reused-0001")) == {
        "status": 422,
        "code": "idempotency-key-reused",
        "instance": "/units",
        "detail": "Idempotency-Key này đã dùng cho một yêu cầu khác",
    }


def test_a_retry_while_the_first_request_runs_is_told_when_to_come_back(api: Api):
    requests = api.ledger.keyed_requests
    requests.clock = Wall()
    digest = request_digest(
        api.ledger.vault.request_digest_key(),
        "/units",
        b"",
        "application/json",
        json.dumps(UNIT).encode(),
    )
    lease = requests.clock() + 7.5
    requests.store.claim(
        caller_of(f"Bearer {api.tokens['admin']}"), "running-01", digest, "o", lease
    )
    response = send(api, UNIT, "running-01")
    assert response.headers["retry-after"] == "8"
    assert problem_of(response) == {
        "status": 409,
        "code": "idempotency-key-in-progress",
        "instance": "/units",
        "detail": "Yêu cầu với Idempotency-Key này đang được xử lý: hãy gửi lại đúng yêu cầu"
        " này, cùng khóa, sau số giây trong Retry-After",
    }
