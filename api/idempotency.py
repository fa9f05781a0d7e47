"""``Idempotency-Key`` on every POST: a retry with the same key and body returns the first
result and writes nothing; the same key with a different request is refused (422)."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from api.problems import problem
from application.idempotency import IdempotencyStore, StoredResponse

_KEY = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
_KEPT_HEADERS = ("content-type", "etag", "location", "x-log-position", "content-disposition")


def install(app: FastAPI, store: IdempotencyStore) -> None:
    @app.middleware("http")
    async def idempotent_posts(request: Request, call_next: Any) -> Response:
        key = request.headers.get("idempotency-key")
        if request.method != "POST" or key is None:
            response: Response = await call_next(request)
            return response
        if not _KEY.match(key):
            return problem(
                422,
                code="invalid-idempotency-key",
                instance=request.url.path,
                detail="Idempotency-Key: 8-128 ký tự chữ, số và . _ : -",
            )
        body = await request.body()
        caller = request.headers.get("authorization", "anonymous").encode()
        scope = hashlib.sha256(caller).hexdigest()
        digest = hashlib.sha256(
            b"\n".join(
                [
                    request.method.encode(),
                    str(request.url.path).encode(),
                    str(request.url.query).encode(),
                    request.headers.get("content-type", "").encode(),
                    body,
                ]
            )
        ).hexdigest()
        stored = await run_in_threadpool(store.claim, scope, key, digest)
        if stored is not None:
            return _answer_again(stored, digest, request.url.path)
        try:
            streamed: Any = await call_next(request)  # a streaming response: read it whole
            content = b"".join([chunk async for chunk in streamed.body_iterator])
        except BaseException:
            await run_in_threadpool(store.release, scope, key)
            raise
        headers = {k: v for k, v in streamed.headers.items() if k in _KEPT_HEADERS}
        if streamed.status_code >= 500:  # nothing was written: let a retry run again
            await run_in_threadpool(store.release, scope, key)
        else:
            first = StoredResponse(digest, streamed.status_code, headers, content)
            await run_in_threadpool(store.complete, scope, key, first)
        return Response(content, status_code=streamed.status_code, headers=headers)


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
