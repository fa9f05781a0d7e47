"""Tamper evidence over HTTP: signed checkpoints and Merkle proofs (RFC 9162).

Checkpoints and the public key are public, so that anyone outside can keep copies and later
prove a rewritten history. Proofs carry event content, so they need an inspector's token.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.deps import MAX_POSITION, LedgerDep, ReachableCaseDep, acting_as
from api.params import EXAMPLE_ID, page_size
from api.routers.reads import After
from api.schemas import Line
from api.scoping import trail_filter
from application.clients.bundle import dumps, make_bundle
from domain.base import CommandContext
from domain.errors import InvalidInput
from domain.glossary import Role
from domain.notes import CheckpointText, Note
from projections.reads.queries import views

router = APIRouter(prefix="/audit", tags=["Kiểm chứng"])
AuditorDep = Annotated[CommandContext, Depends(acting_as(Role.INSPECTOR, Role.ADMINISTRATOR))]


class CheckpointPublic(BaseModel):
    tree_size: int
    root_hash: str = Field(description="SHA-256, hex")
    signed_at: str
    signature: str = Field(description="Ed25519, base64")
    note: str | None = Field(
        None, description="Cùng điểm kiểm dạng ghi chú ký C2SP (tlog-checkpoint), chữ ký nhật ký"
    )


class CheckpointsPublic(BaseModel):
    algorithm: str
    public_key: str = Field(description="Khóa công khai Ed25519 (base64, 32 byte)")
    origin: str = Field(description="Nguồn gốc (origin) của nhật ký trong điểm kiểm dạng ghi chú")
    vkey: str = Field(description="Khóa xác minh ghi chú ký của nhật ký (C2SP signed-note)")
    witnesses: list[str] = Field(description="Khóa xác minh của các nhân chứng được chấp nhận")
    signed_body: str = Field(description="Mẫu nội dung được ký của mỗi điểm kiểm")
    checkpoints: list[CheckpointPublic]


class CosignaturesKept(BaseModel):
    tree_size: int
    witnesses: list[str] = Field(description="Nhân chứng có đồng ký đã được lưu")


NOTE = "text/plain; charset=utf-8"


class InclusionProof(BaseModel):
    position: int
    tree_size: int
    leaf_hash: str
    audit_path: list[str]
    root_hash: str


class ConsistencyProof(BaseModel):
    first: int
    second: int
    first_root: str
    second_root: str
    proof: list[str]


def _hex(values: list[bytes]) -> list[str]:
    return [v.hex() for v in values]


@router.get(
    "/checkpoints",
    summary="Khóa công khai và các điểm kiểm đã ký",
    response_model=CheckpointsPublic,
    responses={200: {"content": {NOTE: {}}}},
)
def checkpoints(
    request: Request,
    ledger: LedgerDep,
    after: Annotated[
        int | None,
        Query(
            ge=0,
            le=MAX_POSITION,
            description="Cỡ cây của điểm kiểm cuối trang trước (bỏ trống: trang đầu)",
            examples=[4096],
        ),
    ] = None,
    limit: Annotated[int, page_size(1000)] = 1000,
) -> CheckpointsPublic | Response:
    """The public key and the signed checkpoints, oldest first (no token needed: keep
    copies). Checkpoints are signed at most hourly, so a page of 1,000 covers weeks.

    With ``Accept: text/plain``: the latest checkpoint as a signed note with every
    cosignature, as ``GET /audit/checkpoint`` serves it."""
    if _wants_note(request):
        return latest_checkpoint(ledger)
    signed = [c for c in ledger.auditor.checkpoints.all() if after is None or c.tree_size > after]
    return CheckpointsPublic(
        algorithm="Ed25519",
        public_key=base64.b64encode(ledger.auditor.public_key).decode(),
        origin=ledger.auditor.origin,
        vkey=str(ledger.auditor.vkey),
        witnesses=[str(w) for w in ledger.cosignatures.witnesses],
        signed_body="hoctap-ledger/checkpoint/v1\\n<tree_size>\\n<root hex>\\n<signed_at>\\n",
        checkpoints=[CheckpointPublic(**c.as_dict()) for c in signed[:limit]],
    )


def _wants_note(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/plain" in accept and "application/json" not in accept


@router.get(
    "/checkpoint",
    summary="Điểm kiểm mới nhất (ghi chú C2SP)",
    response_class=Response,
    responses={200: {"content": {NOTE: {}}}},
)
def latest_checkpoint(ledger: LedgerDep) -> Response:
    """The latest checkpoint as a C2SP signed note: the log's signature (its vkey is in
    ``GET /audit/checkpoints``) and every witness's cosignature kept (no token needed)."""
    return Response(str(ledger.cosignatures.latest()), media_type=NOTE)


@router.post(
    "/cosignatures",
    summary="Nhận đồng ký của nhân chứng",
    status_code=201,
    response_model=CosignaturesKept,
    openapi_extra={
        "requestBody": {
            "content": {NOTE: {"schema": {"type": "string", "contentMediaType": "text/plain"}}},
            "required": True,
        }
    },
)
async def cosignatures(request: Request, ledger: LedgerDep) -> CosignaturesKept:
    """Keep witnesses' cosignatures on a checkpoint the log signed: the body is the
    checkpoint note with their lines (tlog-witness's answer appended to the checkpoint).
    No token: only lines that verify against the configured witness keys are kept."""
    body = await request.body()
    if len(body) > 64 * 1024:
        raise InvalidInput("ghi chú quá lớn", size=len(body))
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("ghi chú không phải UTF-8") from None
    names = await run_in_threadpool(ledger.cosignatures.accept, text)
    size = CheckpointText.parse(Note.parse(text).text).tree_size
    return CosignaturesKept(tree_size=size, witnesses=names)


@router.post(
    "/checkpoints",
    summary="Ký một điểm kiểm ngay",
    status_code=201,
    response_model=CheckpointPublic,
)
def make_checkpoint(ledger: LedgerDep, _: AuditorDep) -> CheckpointPublic:
    """Sign a checkpoint over the whole log now."""
    return CheckpointPublic(**ledger.auditor.make_checkpoint(ledger.clock.now()).as_dict())


@router.get(
    "/proofs/inclusion",
    summary="Bằng chứng một sự kiện nằm trong cây",
    response_model=InclusionProof,
)
def inclusion(
    ledger: LedgerDep,
    position: Annotated[
        int,
        Query(ge=1, le=MAX_POSITION, description="Vị trí của sự kiện trong nhật ký", examples=[42]),
    ],
    tree_size: Annotated[
        int,
        Query(
            ge=1,
            le=MAX_POSITION,
            description="Cỡ cây của điểm kiểm đã ký (không nhỏ hơn position)",
            examples=[4096],
        ),
    ],
) -> InclusionProof:
    """Proof that the event at ``position`` is in the tree of the first ``tree_size`` events.
    Public, like the tiles it is computed from: it holds hashes only."""
    leaf, path, top = ledger.auditor.inclusion(position, tree_size)
    return InclusionProof(
        position=position,
        tree_size=tree_size,
        leaf_hash=leaf.hex(),
        audit_path=_hex(path),
        root_hash=top.hex(),
    )


@router.get(
    "/proofs/consistency",
    summary="Bằng chứng nhất quán giữa hai kích thước cây",
    response_model=ConsistencyProof,
)
def consistency(
    ledger: LedgerDep,
    first: Annotated[
        int,
        Query(ge=1, le=MAX_POSITION, description="Cỡ cây cũ (đã giữ)", examples=[1024]),
    ],
    second: Annotated[
        int,
        Query(
            ge=1, le=MAX_POSITION, description="Cỡ cây mới (không nhỏ hơn first)", examples=[4096]
        ),
    ],
) -> ConsistencyProof:
    """Proof that the first ``first`` events are unchanged within the first ``second``.
    Public, like the tiles it is computed from: it holds hashes only."""
    old, new, proof = ledger.auditor.consistency(first, second)
    return ConsistencyProof(
        first=first,
        second=second,
        first_root=old.hex(),
        second_root=new.hex(),
        proof=_hex(proof),
    )


@router.get(
    "/bundles/{case_id}",
    summary="Gói kiểm tra của một danh hiệu",
    response_class=Response,
    responses={200: {"content": {"application/json": {}}}},
)
def bundle(
    case_id: ReachableCaseDep,
    ledger: LedgerDep,
    _: AuditorDep,
    files: Annotated[
        bool, Query(description="Kèm cả tệp minh chứng (base64) trong gói", examples=[True])
    ] = False,
) -> Response:
    """The inspector bundle of one award: events, proofs, public key, evidence digests
    (and files with ``files=true``). Check it offline with ops/verifier/verify_bundle.py."""
    body = dumps(make_bundle(ledger, case_id, include_files=files))
    disposition = f'attachment; filename="goi-kiem-tra-{case_id}.json"'
    return Response(
        body.encode(), media_type="application/json", headers={"Content-Disposition": disposition}
    )


class ViewPublic(BaseModel):
    position: int
    viewer_id: str | None
    viewer_role: str | None
    viewer_unit_id: str | None = Field(None, description="Đơn vị của tài khoản đã xem")
    kind: str = Field(description="person | household | evidence | export | complaint")
    record_id: str
    detail: str | None
    viewed_at: datetime


@router.get("/reads", summary="Nhật ký xem dữ liệu cá nhân", response_model=list[ViewPublic])
def reads(
    request: Request,
    ledger: LedgerDep,
    ctx: AuditorDep,
    record_id: Annotated[
        Line | None,
        Query(max_length=128, description="Chỉ lần xem bản ghi này", examples=[EXAMPLE_ID]),
    ] = None,
    viewer_id: Annotated[
        Line | None,
        Query(max_length=128, description="Chỉ lần xem của tài khoản này", examples=[EXAMPLE_ID]),
    ] = None,
    kind: Annotated[
        Line | None,
        Query(
            max_length=32,
            description="person | household | evidence | export | complaint",
            examples=["person"],
        ),
    ] = None,
    after: After = None,
    limit: Annotated[int, page_size(1000)] = 200,
) -> list[ViewPublic]:
    """Who viewed which person's record, evidence file or export (inspectors). Inspectors
    with a unit see the views by their unit's accounts (and the units below); nationwide ones
    see every view."""
    models = request.app.state.read_models
    viewer_units = trail_filter(ledger, models, ctx, viewer_id)
    rows = views(
        models.engine,
        record_id=record_id,
        viewer_id=viewer_id,
        kind=kind,
        viewer_unit_ids=viewer_units,
        after_position=after,
        limit=limit,
    )
    return [ViewPublic(**row) for row in rows]
