"""CSV and XLSX exports of standings, the register and the annual statistics."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response

from api.deps import LedgerDep, ReaderDep
from api.params import ModelFilter, UnitFilter
from api.routers.reads import ReadModelsDep
from api.scoping import list_filter
from api.structures import StructureCode, StructureOn, chosen_structure
from application.clients.exports import (
    CSV_MEDIA_TYPE,
    REGISTER_COLUMNS,
    XLSX_MEDIA_TYPE,
    Sheet,
    register_sheet,
    standings_sheet,
    statistics_sheet,
    to_csv,
    to_xlsx,
)
from projections.register.queries import decided
from projections.standings.queries import list_cases
from projections.statistics.queries import report

router = APIRouter(prefix="/exports", tags=["Xuất báo cáo"])
Format = Annotated[
    Literal["csv", "xlsx"],
    Path(description="Dạng tệp: csv (UTF-8 có BOM) hoặc xlsx", examples=["xlsx"]),
]
Year = Annotated[
    int | None,
    Query(ge=2000, le=2100, description="Năm đánh giá (mặc định: năm nay)", examples=[2026]),
]
MAX_ROWS = 100_000


def _file(sheet: Sheet, name: str, fmt: Format) -> Response:
    body, media_type = (
        (to_csv(sheet), CSV_MEDIA_TYPE) if fmt == "csv" else (to_xlsx(sheet), XLSX_MEDIA_TYPE)
    )
    disposition = f'attachment; filename="{name}.{fmt}"'
    return Response(body, media_type=media_type, headers={"Content-Disposition": disposition})


FILE: dict[int | str, dict[str, Any]] = {
    200: {"content": {CSV_MEDIA_TYPE: {}, XLSX_MEDIA_TYPE: {}}}
}


@router.get(
    "/standings.{fmt}",
    summary="Xuất danh sách hồ sơ (CSV, XLSX)",
    response_class=Response,
    responses=FILE,
)
def export_standings(
    fmt: Format,
    ledger: LedgerDep,
    models: ReadModelsDep,
    reading: ReaderDep,
    cycle_year: Year = None,
    model: ModelFilter = None,
    unit_id: UnitFilter = None,
) -> Response:
    cycle_year = cycle_year or ledger.records.today().year
    allowed = list_filter(ledger, models, reading, unit_id, ledger.records.today())
    page = list_cases(
        models.engine,
        unit_ids=allowed.unit_ids,
        subject_ids=allowed.subject_ids,
        model=model.value if model else None,
        cycle_year=cycle_year,
        sort="opened_on",
        descending=False,
        limit=MAX_ROWS,
    )
    ledger.access.record_view(reading, "export", f"standings.{fmt}", f"năm {cycle_year}")
    sheet = standings_sheet(page.items, ledger.criteria.illustrative_sets())
    return _file(sheet, f"bang-xep-hang-{cycle_year}", fmt)


@router.get(
    "/register.{fmt}",
    summary="Xuất sổ danh hiệu (CSV, XLSX)",
    response_class=Response,
    responses=FILE,
)
def export_register(
    fmt: Format,
    ledger: LedgerDep,
    models: ReadModelsDep,
    reading: ReaderDep,
    cycle_year: Year = None,
    unit_id: UnitFilter = None,
) -> Response:
    cycle_year = cycle_year or ledger.records.today().year
    allowed = list_filter(ledger, models, reading, unit_id, ledger.records.today(), citizens=False)
    rows = decided(
        models.engine,
        cycle_year=cycle_year,
        unit_ids=allowed.unit_ids,
        limit=MAX_ROWS,
        columns=REGISTER_COLUMNS,
    )
    ledger.access.record_view(reading, "export", f"register.{fmt}", f"năm {cycle_year}")
    sheet = register_sheet(rows, ledger.criteria.illustrative_sets())
    return _file(sheet, f"so-cong-nhan-{cycle_year}", fmt)


@router.get(
    "/statistics.{fmt}",
    summary="Xuất thống kê (CSV, XLSX)",
    response_class=Response,
    responses=FILE,
)
def export_statistics(
    fmt: Format,
    ledger: LedgerDep,
    models: ReadModelsDep,
    reading: ReaderDep,
    cycle_year: Year = None,
    structure: StructureCode = None,
    structure_on: StructureOn = None,
    unit_id: UnitFilter = None,
) -> Response:
    cycle_year = cycle_year or ledger.records.today().year
    chosen = chosen_structure(ledger, structure, structure_on)
    allowed = list_filter(ledger, models, reading, unit_id, ledger.records.today(), citizens=False)
    targets = ledger.criteria.targets_in_force()
    result = report(
        models.engine,
        cycle_year=cycle_year,
        structure=chosen,
        root_id=str(allowed.root_id) if allowed.root_id else None,
        targets=targets,
    )
    sheet = statistics_sheet(
        result,
        chosen.label,
        ledger.criteria.group_labels(),
        ledger.criteria.illustrative_sets(),
    )
    ledger.access.record_view(
        reading, "export", f"statistics.{fmt}", f"năm {cycle_year}, {chosen.code}"
    )
    return _file(sheet, f"thong-ke-{cycle_year}-{chosen.code}", fmt)
