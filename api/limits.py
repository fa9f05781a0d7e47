"""Limits that keep one client from exhausting the service: request size and request rate.

Every refusal is an RFC 9457 problem: 413 for a body over the limit, 429 (with Retry-After)
for a token sending faster than its budget.

* Size: a declared ``Content-Length`` over the limit is refused before anything is read. Every
  body, whatever its transfer encoding (a chunked one declares no length), is counted as it is
  read, and reading stops as soon as the count passes the limit: no more than the limit of
  one body is ever held in memory, by the app or by the middleware that buffers it.
* Rate: a token bucket per bearer token, named by the token's digest, so every spelling of
  one ``Authorization`` header draws from the same bucket; anything that is no well-formed
  token shares one bucket per client address. The buckets live in this process (behind
  several workers each enforces its own share) in a map of bounded size.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from fastapi import FastAPI, Response
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem
from application.services.access import bearer_token, token_digest
from application.settings import Settings

#: Buckets kept at most; a key seen once costs about 200 bytes, so this is a few MB.
MAX_BUCKETS = 10_000


class TokenBuckets:
    """Token buckets in a bounded map: past ``max_size`` keys the least recently used bucket
    is dropped. That is the one idle longest, hence the one most likely to have refilled,
    and a full bucket is the same as no bucket at all."""

    def __init__(self, rate_per_second: float, burst: int, max_size: int = MAX_BUCKETS) -> None:
        self.rate, self.burst, self.max_size = rate_per_second, burst, max_size
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, key: str, now: float) -> float:
        """0 if the request may go, else the seconds to wait before the next one."""
        with self._lock:
            tokens, last = self._buckets.pop(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate
            self._buckets[key] = (tokens - 1 if wait == 0 else tokens, now)  # now the newest
            while len(self._buckets) > self.max_size:
                self._buckets.popitem(last=False)
            return wait


def bucket_key(scope: Scope, credentials: str) -> str:
    """Whose budget a request spends: its token's, or its address's if it sent no token."""
    token = bearer_token(credentials)
    if token is not None:
        return "token:" + token_digest(token)
    client = scope.get("client") or ("?", 0)
    return f"client:{client[0]}"


class BodyTooLarge(Exception):
    """Raised from ``receive`` once a body passes the limit, so whoever is reading it stops."""


class CountedBody:
    """``receive`` that counts body bytes as they are read and reads nothing past ``limit``."""

    def __init__(self, receive: Receive, limit: int) -> None:
        self._receive = receive
        self.limit = limit
        self.read = 0
        self.exceeded = False

    async def __call__(self) -> Message:
        if self.exceeded:
            raise BodyTooLarge
        message = await self._receive()
        if message["type"] == "http.request":
            self.read += len(message.get("body", b""))
            if self.read > self.limit:
                self.exceeded = True
                raise BodyTooLarge
        return message


class Limits:
    """Pure ASGI middleware: refuses before the request reaches the app, and cuts a body
    that grows past the limit while the app reads it (installed outside the middleware that
    buffers bodies for ``Idempotency-Key``, so that read is cut too)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.limit = settings.max_upload_bytes + 64 * 1024  # the file plus its form fields
        self.buckets = TokenBuckets(settings.rate_limit_per_second, settings.rate_limit_burst)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if (refusal := self.refusal(scope)) is not None:
            await refusal(scope, receive, send)
            return
        body = CountedBody(receive, self.limit)
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            if body.exceeded and not started:
                return  # the app's answer to a body it never got whole: 413 goes instead
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, body, sending)
        except Exception:
            if started or not body.exceeded:
                raise
        if body.exceeded and not started:
            await self.too_large(scope)(scope, receive, send)

    def too_large(self, scope: Scope) -> Response:
        """413, and the connection closes: the rest of the body is not worth reading."""
        return problem(
            413,
            code="request-too-large",
            instance=scope["path"],
            detail=f"yêu cầu vượt quá {self.limit} byte",
            headers={"Connection": "close"},
            max_bytes=self.limit,
        )

    def refusal(self, scope: Scope) -> Response | None:
        headers = Headers(scope=scope)
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            return self.too_large(scope)
        credentials = headers.get("authorization")
        settings = self.settings
        if credentials and settings.rate_limit_per_second > 0:
            buckets = self.buckets
            buckets.rate, buckets.burst = settings.rate_limit_per_second, settings.rate_limit_burst
            wait = buckets.take(bucket_key(scope, credentials), time.monotonic())
            if wait > 0:
                return problem(
                    429,
                    code="rate-limited",
                    instance=scope["path"],
                    detail="quá nhiều yêu cầu, hãy thử lại sau",
                    retry_after_seconds=wait,
                    headers={"Retry-After": str(max(1, round(wait)))},
                )
        return None


def install(app: FastAPI, settings: Settings) -> None:
    """After ``idempotency.install``: the middleware added last wraps the ones before it."""
    app.add_middleware(Limits, settings=settings)
