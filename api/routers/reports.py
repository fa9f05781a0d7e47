"""Statistics reports sent upward: frozen at a log position, submitted once, reproducible."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field

from api import schemas, views
from api.dates import ProcessDate
from api.deps import IfMatchDep, LedgerDep, acting_as
from api.params import ReportId
from api.routers.reads import ReadModelsDep
from domain.base import CommandContext
from domain.glossary import Role, TitleModel
from domain.reporting import StatisticsReport

router = APIRouter(prefix="/reports", tags=["Báo cáo thống kê"])
ReporterDep = Annotated[
    CommandContext, Depends(acting_as(Role.REPORTING_OFFICER, Role.ADMINISTRATOR))
]
ReportReaderDep = Annotated[
    CommandContext,
    Depends(acting_as(Role.REPORTING_OFFICER, Role.INSPECTOR, Role.ADMINISTRATOR)),
]


class ReportCompile(schemas.Strict):
    cycle_year: int = Field(ge=2000, le=2100, description="Năm xét", examples=[2026])
    structure: str | None = Field(
        None,
        pattern=r"^[a-z][a-z0-9_]{0,63}$",
        description="Mã cơ cấu báo cáo đã công bố (GET /rules/reporting-structures);"
        " trống: cơ cấu có hiệu lực hôm nay",
        examples=["two_level"],
    )
    model: TitleModel | None = Field(
        default=None,
        description="Chỉ danh hiệu này (trống: mọi danh hiệu)",
        examples=["cong_dan_hoc_tap"],
    )
    unit_id: UUID | None = Field(
        None,
        description="Đơn vị báo cáo; trống: đơn vị của người lập (toàn quốc với tài khoản cấp"
        " toàn quốc)",
        examples=["3fa85f64-5717-4562-b3fc-2c963f66afa6"],
    )


class ReportSupersede(schemas.Strict):
    reason: schemas.Reason


class ReportSubmit(schemas.Strict):
    recipient: schemas.Line = Field(
        min_length=1, max_length=300, description="Nơi nhận báo cáo", examples=["UBND tỉnh"]
    )
    submitted_on: ProcessDate | None = Field(
        default=None, description="Ngày gửi (mặc định hôm nay)", examples=["2026-12-15"]
    )


class ReportPublic(BaseModel):
    id: UUID
    version: int
    edition: int
    unit_id: UUID | None
    cycle_year: int
    structure: str
    model: str | None
    cut_off: int = Field(description="Vị trí nhật ký chốt số liệu")
    digest: str = Field(description="SHA-256 của số liệu (JSON chuẩn hóa)")
    figures: list[dict[str, Any]]
    submitted_to: str | None
    submitted_on: date | None
    supersedes_id: UUID | None
    superseded_by: UUID | None


class ReproductionPublic(BaseModel):
    report_id: UUID
    cut_off: int
    matches: bool = Field(description="Số liệu tính lại từ nhật ký tới vị trí chốt có khớp")
    stored_digest: str
    recomputed_digest: str


@router.post("", summary="Lập báo cáo thống kê", status_code=201, response_model=schemas.Recorded)
def compile_report(
    body: ReportCompile,
    ledger: LedgerDep,
    models: ReadModelsDep,
    ctx: ReporterDep,
    response: Response,
) -> Response:
    """Freeze the unit's statistics for a cycle at the current log position."""
    result = ledger.reports.compile_report(
        ctx,
        models,
        cycle_year=body.cycle_year,
        structure=body.structure,
        model=body.model.value if body.model else None,
        unit_id=body.unit_id or ledger.scopes.scope(ctx).unit_id,
    )
    response.headers["Location"] = f"/reports/{result.id}"
    return views.recorded(result, response, status_code=201)


@router.get("/{report_id}", summary="Đọc báo cáo", response_model=ReportPublic)
def read_report(
    report_id: ReportId, ledger: LedgerDep, ctx: ReportReaderDep, response: Response
) -> ReportPublic:
    item = ledger.reports.report_for(ctx, report_id, reading=True)
    views.etag(response, item.version)
    return _public(item)


@router.post(
    "/{report_id}/submission", summary="Gửi báo cáo lên cấp trên", response_model=schemas.Recorded
)
def submit_report(
    report_id: ReportId,
    body: ReportSubmit,
    ledger: LedgerDep,
    ctx: ReporterDep,
    response: Response,
    expected: IfMatchDep,
) -> Response:
    """Send the report upward; from then on it never changes."""
    result = ledger.reports.submit_report(
        ctx, report_id, body.recipient, body.submitted_on, expected
    )
    return views.recorded(result, response)


@router.post(
    "/{report_id}/supersession",
    summary="Thay thế báo cáo đã gửi",
    status_code=201,
    response_model=schemas.Recorded,
)
def supersede_report(
    report_id: ReportId,
    body: ReportSupersede,
    ledger: LedgerDep,
    models: ReadModelsDep,
    ctx: ReporterDep,
    response: Response,
    expected: IfMatchDep,
) -> Response:
    """A corrected edition of a submitted report, with today's figures; the old one stays
    readable and names the new one."""
    result = ledger.reports.supersede_report(ctx, models, report_id, body.reason, expected)
    response.headers["Location"] = f"/reports/{result.id}"
    return views.recorded(result, response, status_code=201)


@router.get(
    "/{report_id}/reproduction",
    summary="Tính lại báo cáo từ nhật ký để đối chiếu",
    response_model=ReproductionPublic,
)
def reproduce_report(
    report_id: ReportId, ledger: LedgerDep, models: ReadModelsDep, ctx: ReportReaderDep
) -> ReproductionPublic:
    """Fold the log again up to the report's cut-off and compare: proof the figures were
    not made up nor changed since (one pass over the log: slow on a large store)."""
    result = ledger.reports.reproduce_report(ctx, models, report_id)
    return ReproductionPublic(**vars(result), matches=result.matches)


def _public(item: StatisticsReport) -> ReportPublic:
    submitted_to, submitted_on = item.submitted or (None, None)
    return ReportPublic(
        id=item.id,
        version=item.version,
        edition=item.edition,
        unit_id=item.unit_id,
        cycle_year=item.cycle_year,
        structure=item.structure,
        model=item.model,
        cut_off=item.cut_off,
        digest=item.digest,
        figures=item.figures,
        submitted_to=submitted_to,
        submitted_on=submitted_on,
        supersedes_id=item.supersedes_id,
        superseded_by=item.superseded_by,
    )
