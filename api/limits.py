"""Limits that keep one client from exhausting the service: request size and request rate.

Every refusal is an RFC 9457 problem: 413 for a body over the limit, 429 (with Retry-After)
for a token sending faster than its budget. The rate limit is a token bucket per bearer
token, held in this process: behind several workers each enforces its own share.
"""

from __future__ import annotations

import hashlib
import threading
import time

from fastapi import FastAPI, Response
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from api.problems import problem
from application.settings import Settings


class TokenBuckets:
    def __init__(self, rate_per_second: float, burst: int) -> None:
        self.rate, self.burst = rate_per_second, burst
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str, now: float) -> float:
        """0 if the request may go, else the seconds to wait before the next one."""
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate


class Limits:
    """Pure ASGI middleware: refuses before the request reaches the app, costs nothing else."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.limit = settings.max_upload_bytes + 64 * 1024  # the file plus its form fields
        self.buckets = TokenBuckets(settings.rate_limit_per_second, settings.rate_limit_burst)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (refusal := self.refusal(scope)) is not None:
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def refusal(self, scope: Scope) -> Response | None:
        headers = Headers(scope=scope)
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            return problem(
                413,
                code="request-too-large",
                instance=scope["path"],
                detail=f"yêu cầu vượt quá {self.limit} byte",
                max_bytes=self.limit,
            )
        credentials = headers.get("authorization")
        settings = self.settings
        if credentials and settings.rate_limit_per_second > 0:
            buckets = self.buckets
            buckets.rate, buckets.burst = settings.rate_limit_per_second, settings.rate_limit_burst
            key = hashlib.sha256(credentials.encode()).hexdigest()
            wait = buckets.take(key, time.monotonic())
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
    app.add_middleware(Limits, settings=settings)
