"""``Idempotency-Key`` on every POST: a retry with the same key and body returns the first
result and writes nothing; the same key with a different request is refused (422).

Bodies can carry a CCCD (registering a person), so the digest kept beside an answer is an
HMAC under a server secret, never a plain hash that a guessed number could be checked
against; a look-up writes nothing and its answer is personal data, so it is never kept.

The claim, lease, receipt and resolution protocol is application/adapters/keyed_requests.py; this
middleware only translates it to HTTP.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from typing import Any

import anyio
from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem
from application.adapters.idempotency import StoredResponse
from application.adapters.keyed_requests import KeyedRequests, claimed
from application.services.access import bearer_token, token_digest

log = logging.getLogger("hoctap.idempotency")

_KEY = re.compile(r"[A-Za-z0-9._:-]{8,128}")
_KEPT_HEADERS = ("content-type", "etag", "location", "x-log-position", "content-disposition")
#: POSTs that only read, and answer with personal data: run every time, never kept.
_NOT_KEPT = frozenset({"/persons/lookup"})


def install(app: FastAPI, requests: KeyedRequests, digest_key: bytes) -> None:
    app.add_middleware(Idempotency, requests=requests, digest_key=digest_key)


def request_digest(key: bytes, path: str, query: bytes, content_type: str, body: bytes) -> str:
    """What makes two POSTs with one key the same request (keyed: see the module)."""
    parts = [b"POST", path.encode(), query, content_type.encode(), body]
    return hmac.new(key, b"\n".join(parts), hashlib.sha256).hexdigest()


class Idempotency:
    """Pure ASGI middleware: requests without a key pass straight through; a POST with a key
    claims it, runs with its body replayed, and keeps the answer it sent."""

    def __init__(self, app: ASGIApp, requests: KeyedRequests, digest_key: bytes) -> None:
        self.app = app
        self.requests = requests
        self.digest_key = digest_key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] in _NOT_KEPT:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        key = headers.get("idempotency-key")
        if key is None:
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if not _KEY.fullmatch(key):
            refusal = problem(
                422,
                code="invalid-idempotency-key",
                instance=path,
                detail="Idempotency-Key: 8-128 ký tự chữ, số và . _ : -",
            )
            await refusal(scope, receive, send)
            return
        body = await Request(scope, receive).body()
        caller = caller_of(headers.get("authorization", ""))
        query: bytes = scope.get("query_string", b"")
        content_type = headers.get("content-type", "")
        digest = request_digest(self.digest_key, path, query, content_type, body)
        begun = await run_in_threadpool(self.requests.begin, caller, key, digest)
        if isinstance(begun, StoredResponse):
            await _answer_again(begun, digest, path, self.requests)(scope, receive, send)
            return
        reply = await self._as_owner(scope, body, (caller, key, begun, digest))
        await reply(scope, receive, send)

    async def _as_owner(
        self, scope: Scope, body: bytes, claim: tuple[str, str, str, str]
    ) -> Response:
        """Run the request holding the claim (caller, key, owner, digest); what to answer."""
        caller, key, owner, digest = claim
        requests, path = self.requests, scope["path"]
        try:
            with claimed(owner):
                status, kept, content = await self._run(scope, body)
        except Exception:
            settled = await run_in_threadpool(requests.settle, caller, key, owner, digest)
            if settled.known and settled.answer is None:
                raise  # nothing was written: the error stands and a retry runs afresh
            log.exception("a keyed request failed; its outcome was settled from its receipt")
            return _stored(settled.answer) if settled.answer else _unknown(path, requests)
        except BaseException:  # cancelled: settle, so that the key is not left behind
            with anyio.CancelScope(shield=True):
                await run_in_threadpool(requests.settle, caller, key, owner, digest)
            raise
        answer = StoredResponse(digest, status, kept, content)
        sent = await run_in_threadpool(requests.finish, caller, key, owner, answer)
        if sent is None:
            return _unknown(path, requests)
        return _stored(sent, replayed=sent is not answer)

    async def _run(self, scope: Scope, body: bytes) -> tuple[int, dict[str, str], bytes]:
        """Run the app on the buffered body; capture its whole answer (or release on error)."""
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def replay() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, replay, capture)
        headers = {
            k.decode("latin-1"): v.decode("latin-1")
            for k, v in start.get("headers", [])
            if k.decode("latin-1").lower() in _KEPT_HEADERS
        }
        return int(start.get("status", 500)), headers, b"".join(chunks)


def _answer_again(
    stored: StoredResponse, digest: str, path: str, requests: KeyedRequests
) -> Response:
    """A key seen before: the first answer, or why there is none to give."""
    if stored.request_digest != digest:
        return problem(
            422,
            code="idempotency-key-reused",
            instance=path,
            detail="Idempotency-Key này đã dùng cho một yêu cầu khác",
        )
    if stored.pending:
        return problem(
            409,
            code="idempotency-key-in-progress",
            instance=path,
            detail="Yêu cầu với Idempotency-Key này đang được xử lý: hãy gửi lại đúng yêu cầu"
            " này, cùng khóa, sau số giây trong Retry-After",
            headers={"Retry-After": str(requests.retry_after(stored))},
        )
    return _stored(stored, replayed=True)


def _stored(stored: StoredResponse, *, replayed: bool = True) -> Response:
    headers = stored.headers | ({"Idempotent-Replayed": "true"} if replayed else {})
    return Response(stored.body, status_code=stored.status, headers=headers)


def _unknown(path: str, requests: KeyedRequests) -> Response:
    """The request failed and whether its command committed cannot be learnt now."""
    return problem(
        503,
        code="idempotency-outcome-unknown",
        instance=path,
        detail="Chưa rõ lệnh đã được ghi hay chưa (mất kết nối cơ sở dữ liệu): hãy gửi lại"
        " đúng yêu cầu này, cùng Idempotency-Key, sau số giây trong Retry-After",
        headers={"Retry-After": str(max(1, int(requests.lease_seconds)))},
    )


def caller_of(credentials: str) -> str:
    """Whose keys a request uses: its token's digest however the header is spelled, so
    ``Bearer t`` and ``bearer  t`` share their keys (anything else answers 401 anyway)."""
    token = bearer_token(credentials)
    return token_digest(token) if token else hashlib.sha256(credentials.encode()).hexdigest()
