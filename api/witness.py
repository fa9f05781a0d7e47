"""A witness over HTTP, in the wire format of c2sp.org/tlog-witness, so that logs and
monitors nobody here wrote can talk to it (``hoctap witness serve`` runs it).

* ``POST /add-checkpoint``: body ``old <size>``, proof lines, blank line, checkpoint note;
  answers the cosignature line (``text/plain``). Refusals are RFC 9457 problems with the
  statuses the protocol names (404, 403, 400, 422), except 409, which the protocol says is
  the size the witness holds, as ``text/x.tlog.size``.
* ``GET /<sha256(origin) hex>/checkpoint``: the last checkpoint it cosigned for that log,
  with the log's signature and its own cosignature.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from api.problems import problem
from application.services.witness import Witness
from domain.errors import (
    CheckpointNotSigned,
    DomainError,
    LogForked,
    NotFound,
    OldSizeMismatch,
    WitnessBadRequest,
)

NOTE = "text/plain; charset=utf-8"
#: Largest request accepted: a checkpoint, 63 proof lines and a few signatures fit easily.
MAX_BODY = 64 * 1024

_STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (NotFound, 404),
    (CheckpointNotSigned, 403),
    (WitnessBadRequest, 400),
    (LogForked, 422),
)


def create_witness_app(witness: Witness) -> FastAPI:
    app = FastAPI(
        title="Nhân chứng Hoctap (tlog-witness)",
        description=f"Khóa xác minh của nhân chứng: `{witness.cosigner.vkey}`",
    )
    app.state.witness = witness

    @app.exception_handler(DomainError)
    def _refused(request: Request, error: DomainError) -> Response:
        if isinstance(error, OldSizeMismatch):
            return PlainTextResponse(
                f"{error.known_size}\n", status_code=409, media_type="text/x.tlog.size"
            )
        status = next((s for family, s in _STATUS if isinstance(error, family)), 400)
        return problem(
            status,
            code=error.code,
            detail=error.message,
            instance=request.url.path,
            errors=error.details,
        )

    @app.post("/add-checkpoint", response_class=PlainTextResponse)
    async def add_checkpoint(request: Request) -> Response:
        """Cosign a checkpoint that extends the last one cosigned for its log."""
        body = await request.body()
        if len(body) > MAX_BODY:
            return _too_large(request)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise WitnessBadRequest("yêu cầu không phải UTF-8") from None
        line = await run_in_threadpool(witness.add_checkpoint, text)  # holds the state lock
        return PlainTextResponse(line, media_type=NOTE)

    @app.get("/{origin_hash}/checkpoint", response_class=PlainTextResponse)
    def checkpoint(origin_hash: str) -> Response:
        """The last checkpoint cosigned for the log whose origin has this SHA-256 (hex)."""
        note = witness.checkpoint(origin_hash)
        if note is None:
            raise NotFound("nhân chứng chưa đồng ký điểm kiểm nào của nhật ký này")
        return PlainTextResponse(note, media_type=NOTE)

    return app


def _too_large(request: Request) -> JSONResponse:
    return problem(413, code="too-large", detail="yêu cầu quá lớn", instance=request.url.path)
