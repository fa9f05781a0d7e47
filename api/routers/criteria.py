"""Criteria sets: publish (administrator) and read."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Body, Depends, Response

from api import schemas, views
from api.deps import ADMIN, LedgerDep, PrincipalDep, acting_as
from domain.base import CommandContext
from domain.errors import NotFound

router = APIRouter(prefix="/criteria-sets", tags=["Bộ tiêu chí"])
AdminDep = Annotated[CommandContext, Depends(acting_as(*ADMIN))]


@router.post("", status_code=201, response_model=schemas.Recorded)
def publish_criteria_set(
    ledger: LedgerDep,
    ctx: AdminDep,
    response: Response,
    content: Annotated[schemas.JsonObject, Body(description="Nội dung bộ tiêu chí (xem seed/)")],
) -> schemas.Recorded:
    """Publish a criteria set: version 1 of a new code, or the next version superseding it."""
    return views.recorded(ledger.criteria.publish_criteria_set(ctx, content), response)


@router.get("", response_model=list[schemas.CatalogueEntryPublic])
def list_criteria_sets(ledger: LedgerDep, _: PrincipalDep) -> list[schemas.CatalogueEntryPublic]:
    catalogue = ledger.criteria.catalogue()
    entries = catalogue.entries if catalogue else []
    return [schemas.CatalogueEntryPublic(**vars(e)) for e in entries]


@router.get("/{set_id}", response_model=schemas.CriteriaSetPublic)
def read_criteria_set(
    set_id: UUID, ledger: LedgerDep, _: PrincipalDep, response: Response
) -> schemas.CriteriaSetPublic:
    item = ledger.criteria.criteria_set(set_id)
    views.etag(response, item.version)
    return views.criteria_set(item)


rules_router = APIRouter(prefix="/rules", tags=["Bộ tiêu chí"])
RuleKind = Literal["programme-targets", "complaint-clocks", "reporting-structures"]


@rules_router.post("/{kind}", status_code=201, response_model=schemas.Recorded)
def publish_rules(
    kind: RuleKind,
    ledger: LedgerDep,
    ctx: AdminDep,
    response: Response,
    content: Annotated[schemas.JsonObject, Body(description="Nội dung (xem application/seed/)")],
) -> schemas.Recorded:
    """Publish rule data as a new version: programme targets (QĐ 387, QĐ 677), the
    complaint clocks (Luật Khiếu nại 2011) or the reporting structures (the administrative
    geographies reports roll up under; a rearrangement of units adds one)."""
    return views.recorded(ledger.criteria.publish_rules(ctx, kind, content), response)


@rules_router.get("/{kind}", response_model=dict[str, Any])
def read_rules(kind: RuleKind, ledger: LedgerDep, _: PrincipalDep) -> dict[str, Any]:
    """The latest published version of a kind of rule data."""
    latest = ledger.criteria.latest_rules(kind)
    if latest is None:
        raise NotFound("chưa công bố dữ liệu quy tắc loại này", kind=kind)
    return {"id": str(latest.id), "version": latest.version_number, "content": latest.content}
