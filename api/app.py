"""The composition root of the HTTP API: ``create_app(settings)``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import idempotency, limits, problems, web
from api.routers import (
    access,
    audit,
    cases,
    complaints,
    credentials,
    criteria,
    decisions,
    explanations,
    exports,
    operations,
    reads,
    registry,
    reports,
    tiles,
    time_travel,
)
from application.adapters.read_models import ReadModels
from application.clients.certificate_pdf import CertificateFonts
from application.clients.housekeeping import scheduled_jobs
from application.ledger import Ledger
from application.services.records import Clock
from application.settings import Settings

DESCRIPTION = """
Sổ cái sự kiện cho các danh hiệu học tập: Công dân học tập (QĐ 677/QĐ-TTg) và Gia đình,
Dòng họ, Cộng đồng, Đơn vị học tập (QĐ 387/QĐ-TTg). Mọi thay đổi là một sự kiện bất biến,
ghi rõ ai, với vai trò gì, vì sao và khi nào.

Xác thực: `Authorization: Bearer <mã>` (mã do `hoctap users token` cấp). Lỗi trả về theo
RFC 9457 (`application/problem+json`). Mỗi lệnh trả `ETag` là phiên bản mới; gửi lại trong
`If-Match` để tránh ghi đè thay đổi của người khác.
"""


def create_app(
    settings: Settings, *, clock: Clock | None = None, ledger: Ledger | None = None
) -> FastAPI:
    """Build the app; the ledger is created here (never at import) and closed on shutdown."""
    own_ledger = ledger is None
    the_ledger = ledger or Ledger(settings, clock=clock)
    read_models = ReadModels(
        settings, the_ledger.store, every=scheduled_jobs(the_ledger, lambda: read_models)
    )
    read_models.initialise()
    if not own_ledger:  # the caller's ledger outlives this app's lifespans: so do its views,
        the_ledger.closing(read_models.close)  # whose connections close with the ledger

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if settings.runs_projections_in_api:
            read_models.start()
        yield
        read_models.stop()
        if own_ledger:  # a ledger given by the caller outlives this app's lifespans
            read_models.close()
            the_ledger.close()

    app = FastAPIOffline(  # /docs and /redoc from installed assets: they work offline
        title="Hoctap Ledger",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.ledger = the_ledger
    app.state.read_models = read_models
    app.state.metrics = operations.metrics_registry(the_ledger, read_models)
    app.state.certificate_checks = web.certificates.checks_counter(app.state.metrics)
    app.state.certificate_fonts = CertificateFonts()
    app.state.settings = settings
    problems.install(app)
    idempotency.install(app, the_ledger.keyed_requests, the_ledger.vault.request_digest_key())
    limits.install(app, settings)  # after: it wraps, and cuts, the body idempotency buffers
    problems.document_problems(app)
    for module in (
        criteria,
        registry,
        cases,
        complaints,
        decisions,
        access,
        reads,
        exports,
        operations,
        time_travel,
        explanations,
        credentials,
        audit,
        tiles,
        reports,
    ):
        app.include_router(module.router)
    app.include_router(criteria.rules_router)
    web.install(app)  # the pages under /trang

    app.add_middleware(FoldSoonAfterAWrite, nudge=read_models.nudge)
    return app


class FoldSoonAfterAWrite:
    """After a successful POST, wake the projection runner (pure ASGI: no buffering)."""

    def __init__(self, app: ASGIApp, nudge: Callable[[], None]) -> None:
        self.app = app
        self.nudge = nudge

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, sending)
        if status < 300:
            self.nudge()
