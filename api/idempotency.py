"""``Idempotency-Key`` on every POST: a retry with the same key and body returns the first
result and writes nothing; the same key with a different request is refused (422)."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem
from application.idempotency import IdempotencyStore, StoredResponse

_KEY = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
_KEPT_HEADERS = ("content-type", "etag", "location", "x-log-position", "content-disposition")


def install(app: FastAPI, store: IdempotencyStore) -> None:
    app.add_middleware(Idempotency, store=store)


class Idempotency:
    """Pure ASGI middleware: requests without a key pass straight through; a POST with a key
    claims it, runs with its body replayed, and keeps the answer it sent."""

    def __init__(self, app: ASGIApp, store: IdempotencyStore) -> None:
        self.app = app
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        key = headers.get("idempotency-key")
        if key is None:
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if not _KEY.match(key):
            refusal = problem(
                422,
                code="invalid-idempotency-key",
                instance=path,
                detail="Idempotency-Key: 8-128 ký tự chữ, số và . _ : -",
            )
            await refusal(scope, receive, send)
            return
        body = await Request(scope, receive).body()
        caller = headers.get("authorization", "anonymous").encode()
        owner = hashlib.sha256(caller).hexdigest()
        digest = hashlib.sha256(
            b"\n".join(
                [
                    b"POST",
                    path.encode(),
                    scope.get("query_string", b""),
                    headers.get("content-type", "").encode(),
                    body,
                ]
            )
        ).hexdigest()
        stored = await run_in_threadpool(self.store.claim, owner, key, digest)
        if stored is not None:
            await _answer_again(stored, digest, path)(scope, receive, send)
            return
        try:
            status, kept, content = await self._run(scope, body)
        except BaseException:
            await run_in_threadpool(self.store.release, owner, key)
            raise
        answer = StoredResponse(digest, status, kept, content)
        if answer.status >= 500:  # nothing was written: let a retry run again
            await run_in_threadpool(self.store.release, owner, key)
        else:
            await run_in_threadpool(self.store.complete, owner, key, answer)
        await Response(answer.body, status_code=answer.status, headers=answer.headers)(
            scope, receive, send
        )

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


def _answer_again(stored: StoredResponse, digest: str, path: str) -> Response:
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
            detail="Yêu cầu với Idempotency-Key này đang được xử lý, hoặc đã dừng giữa chừng mà"
            " chưa rõ kết quả: hãy đọc lại bản ghi trước khi gửi với khóa mới",
        )
    return Response(
        stored.body,
        status_code=stored.status,
        headers=stored.headers | {"Idempotent-Replayed": "true"},
    )
