"""Tamper evidence as pages: the public checkpoint and verification pages (no sign-in), and
an inspector's audit page of one case with its bundle to download."""

from __future__ import annotations

import re
import threading
from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import Depends, Query, Request
from fastapi.responses import Response

from api.deps import LedgerDep
from api.scoping import list_filter
from api.web.event_names import event_name
from api.web.pages import models_of, page_router, render
from api.web.session import SignedInDep, page_acting_as
from application.clients.bundle import dumps, make_bundle
from application.clients.case_audit import audit_case
from application.clients.public_audit import check_inclusion, latest_checkpoint, parse_leaf_hash
from domain.base import CommandContext
from domain.errors import InvalidInput
from domain.glossary import CaseStatus, Role, TitleModel, label
from domain.text import ascii_digits
from projections.standings.queries import list_cases

router = page_router()
InspectorDep = Annotated[
    CommandContext, Depends(page_acting_as(Role.INSPECTOR, Role.ADMINISTRATOR))
]
#: A position has at most 19 digits (the log's positions fit a signed 64-bit integer).
POSITION_DIGITS = 19
FormText = Annotated[str, Query(max_length=200)]
#: One public proof at a time: each reads the whole log (docs/performance.md) and the page
#: needs no sign-in, so a request that finds one running is turned away, not queued.
PUBLIC_PROOF = threading.BoundedSemaphore(1)
BUSY = "máy chủ đang kiểm tra một yêu cầu khác; mời thử lại sau ít phút"
#: A record id as the explanation writes it: read out as the record's name on the page.
RECORD_ID = re.compile(
    r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.ASCII
)


@router.get("/nhat-ky")
def public_checkpoint(request: Request, ledger: LedgerDep) -> Response:
    """The latest signed checkpoint with its cosignatures, for anyone to keep a copy."""
    return render(request, "nhat_ky.html", checkpoint=latest_checkpoint(ledger))


@router.get("/kiem-tra")
def public_verification(
    request: Request, ledger: LedgerDep, vi_tri: FormText = "", ma_bam: FormText = ""
) -> Response:
    """Anyone pastes an event's position (and its leaf hash) and sees its inclusion proof
    checked against the latest signed checkpoint."""
    checked, error, status = None, None, 200
    if vi_tri or ma_bam:
        if not PUBLIC_PROOF.acquire(blocking=False):
            error, status = BUSY, 503
        else:
            try:
                checked = check_inclusion(ledger, _position(vi_tri), parse_leaf_hash(ma_bam))
            except InvalidInput as refused:
                error, status = refused.message, 422
            finally:
                PUBLIC_PROOF.release()
    answer = render(
        request,
        "kiem_tra.html",
        status_code=status,
        checkpoint=latest_checkpoint(ledger),
        checked=checked,
        error=error,
        vi_tri=vi_tri,
        ma_bam=ma_bam,
    )
    if status == 503:
        answer.headers["Retry-After"] = "30"
    return answer


def _position(text: str) -> int:
    value = text.strip()
    if not ascii_digits(value, POSITION_DIGITS):
        raise InvalidInput("vị trí phải là một số nguyên dương viết bằng chữ số 0-9")
    return int(value)


@router.get("/kiem-tra-ho-so")
def audit_list(
    request: Request,
    ledger: LedgerDep,
    ctx: InspectorDep,
    principal: SignedInDep,
    nam: FormText = "",
    ket_qua: FormText = "",
    danh_hieu: FormText = "",
    tiep: Annotated[str, Query(max_length=512)] = "",
) -> Response:
    """The decided cases an inspector may audit (their unit's, or all when nationwide),
    newest change first, a page at a time, with the subject's and unit's names, the decision
    and the total; filtered by year, result and title."""
    year = _year(nam)
    results = _choice(ket_qua, DECIDED, "ket_qua", "kết quả")
    model = _choice(danh_hieu, MODELS, "danh_hieu", "danh hiệu")
    models = models_of(request)
    units = list_filter(ledger, models, ctx, None, ledger.records.today(), citizens=False).unit_ids
    try:
        page = list_cases(
            models.engine,
            unit_ids=units,
            statuses=set(results) if results else set(DECIDED),
            model=model[0] if model else None,
            cycle_year=year,
            cursor=tiep or None,
            limit=AUDIT_PAGE_SIZE,
        )
    except ValueError as error:
        raise InvalidInput("trang danh sách không hợp lệ", field="tiep") from error
    ids = [UUID(row[key]) for row in page.items for key in ("subject_id", "unit_id")]
    names = {str(k): v for k, v in ledger.names.names(ctx, ids, roles=principal.roles).items()}
    chosen = {"nam": nam.strip(), "ket_qua": ket_qua, "danh_hieu": danh_hieu}
    kept = {k: v for k, v in chosen.items() if v}
    return render(
        request,
        "kiem_tra_ho_so_ds.html",
        cases=page.items,
        names=names,
        label=label,
        chosen=chosen,
        results=[(value, label(value)) for value in DECIDED],
        titles=[(value, label(value)) for value in MODELS],
        next_query=urlencode(kept | {"tiep": page.next_cursor}) if page.next_cursor else None,
        first_query=urlencode(kept) if tiep else None,
    )


#: Decided cases per page of the inspector's list.
AUDIT_PAGE_SIZE = 50
#: What the inspector's list shows: cases with a decision, granted or not, or revoked since.
DECIDED = tuple(s.value for s in (CaseStatus.GRANTED, CaseStatus.REFUSED, CaseStatus.REVOKED))
MODELS = tuple(m.value for m in TitleModel)


def _year(text: str) -> int | None:
    value = text.strip()
    if not value:
        return None
    if not ascii_digits(value, 4) or not 2000 <= int(value) <= 2100:
        raise InvalidInput("năm phải viết bằng bốn chữ số 0-9, từ 2000 đến 2100", field="nam")
    return int(value)


def _choice(value: str, allowed: tuple[str, ...], field: str, what: str) -> tuple[str, ...]:
    """The one value picked (empty: every one), or a refusal naming the field."""
    if not value:
        return ()
    if value not in allowed:
        raise InvalidInput(f"{what} đã chọn không có trong danh sách", field=field)
    return (value,)


@router.get("/kiem-tra-ho-so/{case_id}")
def case_audit(
    request: Request,
    case_id: UUID,
    ledger: LedgerDep,
    ctx: InspectorDep,
    principal: SignedInDep,
) -> Response:
    """The explanation with each claim linked to its event and that event's inclusion proof
    checked, the activity and read trails with names, and the latest checkpoint."""
    ledger.scopes.case_for(ctx, case_id, reading=True)
    result = audit_case(ledger, models_of(request).engine, case_id)
    people: list[Any] = [result.subject_id]
    people += [row.get("actor_id") for row in result.activity]
    people += [row.get("viewer_id") for row in result.reads]
    texts = [st.text for section in result.explanation.sections for st in section.statements]
    people += [found for text in texts for found in RECORD_ID.findall(text)]
    found = ledger.names.names(ctx, _ids(people), roles=principal.roles)
    names = {str(k): v for k, v in found.items()}
    return render(
        request,
        "kiem_tra_ho_so.html",
        audit=result,
        names=names,
        named=lambda text: RECORD_ID.sub(lambda m: names.get(m.group(0), m.group(0)), text),
        label=label,
        event_name=event_name,
    )


@router.get("/kiem-tra-ho-so/{case_id}/goi-kiem-tra.json")
def case_bundle(case_id: UUID, ledger: LedgerDep, ctx: InspectorDep) -> Response:
    """The inspector bundle (as GET /audit/bundles/{case_id}), with the session's sign-in."""
    ledger.scopes.case_for(ctx, case_id, reading=True)
    body = dumps(make_bundle(ledger, case_id))
    disposition = f'attachment; filename="goi-kiem-tra-{case_id}.json"'
    return Response(
        body.encode(), media_type="application/json", headers={"Content-Disposition": disposition}
    )


def _ids(values: list[Any]) -> list[UUID]:
    """The values that are record ids (the console's and system jobs' actors are not)."""
    found = []
    for value in values:
        try:
            found.append(value if isinstance(value, UUID) else UUID(str(value)))
        except ValueError:
            continue
    return found
