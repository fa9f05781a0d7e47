"""Criteria sets: publish (administrator) and read."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Body, Depends, Path, Query, Response

from api import schemas, views
from api.deps import ADMIN, LedgerDep, PrincipalDep, acting_as
from api.params import SetId
from api.schemas import Line
from domain.base import CommandContext
from domain.errors import InvalidInput, NotFound

router = APIRouter(prefix="/criteria-sets", tags=["Bộ tiêu chí"])
AdminDep = Annotated[CommandContext, Depends(acting_as(*ADMIN))]


@router.post(
    "",
    summary="Công bố bộ tiêu chí hoặc phiên bản mới",
    status_code=201,
    response_model=schemas.Recorded,
)
def publish_criteria_set(
    ledger: LedgerDep,
    ctx: AdminDep,
    response: Response,
    content: Annotated[schemas.JsonObject, Body(description="Nội dung bộ tiêu chí (xem seed/)")],
) -> Response:
    """Publish a criteria set: version 1 of a new code, or the next version superseding it."""
    return views.recorded(
        ledger.criteria.publish_criteria_set(ctx, content), response, status_code=201
    )


def _cursor(set_id: SetId) -> str:
    return base64.urlsafe_b64encode(set_id.bytes).decode()


def _after(cursor: str) -> UUID:
    try:
        return UUID(bytes=base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, binascii.Error) as error:
        raise InvalidInput("con trỏ trang không hợp lệ", field="cursor") from error


@router.get(
    "",
    summary="Danh mục bộ tiêu chí đã công bố (từng trang)",
    response_model=schemas.CatalogueEntriesPage,
)
def list_criteria_sets(
    ledger: LedgerDep,
    _: PrincipalDep,
    cursor: Annotated[
        Line | None,
        Query(
            max_length=512,
            description="`next_cursor` của trang trước (bỏ trống: trang đầu)",
            examples=["3q2-7wAAQACAAAAAAAAAAQ=="],
        ),
    ] = None,
    limit: Annotated[
        int, Query(ge=1, le=200, description="Số mục tối đa của trang", examples=[50])
    ] = 50,
) -> schemas.CatalogueEntriesPage:
    """The published criteria sets in the order they were published (a new version of a code
    replaces nothing: both stay listed), a page at a time."""
    catalogue = ledger.criteria.catalogue()
    entries = catalogue.entries if catalogue else []
    start = 0
    if cursor:
        after = _after(cursor)
        start = next((i + 1 for i, e in enumerate(entries) if e.set_id == after), -1)
        if start < 0:
            raise InvalidInput("con trỏ trang không hợp lệ", field="cursor")
    page = entries[start : start + limit]
    more = start + limit < len(entries)
    return schemas.CatalogueEntriesPage(
        items=[schemas.CatalogueEntryPublic(**vars(e)) for e in page],
        next_cursor=_cursor(page[-1].set_id) if more and page else None,
    )


@router.get("/{set_id}", summary="Đọc một bộ tiêu chí", response_model=schemas.CriteriaSetPublic)
def read_criteria_set(
    set_id: SetId, ledger: LedgerDep, _: PrincipalDep, response: Response
) -> schemas.CriteriaSetPublic:
    item = ledger.criteria.criteria_set(set_id)
    views.etag(response, item.version)
    return views.criteria_set(item)


rules_router = APIRouter(prefix="/rules", tags=["Bộ tiêu chí"])
RuleKind = Annotated[
    Literal["programme-targets", "complaint-clocks", "reporting-structures"],
    Path(
        description="programme-targets: mục tiêu chương trình (QĐ 387, QĐ 677); "
        "complaint-clocks: thời hạn khiếu nại (Luật Khiếu nại 2011); "
        "reporting-structures: cơ cấu hành chính để tổng hợp báo cáo",
        examples=["complaint-clocks"],
    ),
]


@rules_router.post(
    "/{kind}", summary="Công bố dữ liệu quy tắc", status_code=201, response_model=schemas.Recorded
)
def publish_rules(
    kind: RuleKind,
    ledger: LedgerDep,
    ctx: AdminDep,
    response: Response,
    content: Annotated[schemas.JsonObject, Body(description="Nội dung (xem application/seed/)")],
) -> Response:
    """Publish rule data as a new version: programme targets (QĐ 387, QĐ 677), the
    complaint clocks (Luật Khiếu nại 2011) or the reporting structures (the administrative
    geographies reports roll up under; a rearrangement of units adds one)."""
    return views.recorded(
        ledger.criteria.publish_rules(ctx, kind, content), response, status_code=201
    )


@rules_router.get("/{kind}", summary="Đọc dữ liệu quy tắc mới nhất", response_model=dict[str, Any])
def read_rules(kind: RuleKind, ledger: LedgerDep, _: PrincipalDep) -> dict[str, Any]:
    """The latest published version of a kind of rule data."""
    latest = ledger.criteria.latest_rules(kind)
    if latest is None:
        raise NotFound("chưa công bố dữ liệu quy tắc loại này", kind=kind)
    return {"id": str(latest.id), "version": latest.version_number, "content": latest.content}
