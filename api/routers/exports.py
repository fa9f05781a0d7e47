"""CSV and XLSX exports of standings, the register and the annual statistics."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing
from typing import IO, Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

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
    write_csv,
    write_xlsx,
)
from application.clients.xlsx import TooManyRows
from projections.register.queries import decided
from projections.standings.queries import every_case
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
#: An export larger than this is spooled to a temporary file instead of memory.
SPOOL_BYTES = 8 * 1024 * 1024
#: Bytes sent at a time.
CHUNK_BYTES = 64 * 1024
WRITERS: dict[str, tuple[Callable[[Sheet, IO[bytes]], None], str]] = {
    "csv": (write_csv, CSV_MEDIA_TYPE),
    "xlsx": (write_xlsx, XLSX_MEDIA_TYPE),
}


def _file(sheet: Sheet, name: str, fmt: Format, viewed: Callable[[], None]) -> Response:
    """The whole file written first, then sent: every row the view holds (no cut-off),
    read in batches from one snapshot and spooled to disk past a few megabytes, so memory
    stays flat and the view's connection is never held for a slow client. ``viewed``
    records the read once the file is complete. A sheet that cannot be written (more rows
    than an XLSX sheet holds) is refused (:class:`TooManyRows`: a problem over the API, a
    Vietnamese page under /trang), and nothing is sent or recorded."""
    write, media_type = WRITERS[fmt]
    with ExitStack() as owned:  # the spool is closed here unless handed to the response
        spool = owned.enter_context(tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES))
        try:
            write(sheet, spool)
        except TooManyRows as error:  # a problem over the API, a Vietnamese page on /trang
            raise TooManyRows(
                error.limit,
                f"Tệp XLSX không thể chứa hết: {error.message}. Hãy tải dạng CSV hoặc chọn"
                " một đơn vị nhỏ hơn.",
            ) from None
        size = spool.tell()
        spool.seek(0)
        viewed()
        handed = owned.pop_all()
    headers = {
        "Content-Disposition": f'attachment; filename="{name}.{fmt}"',
        "Content-Length": str(size),
    }
    return StreamingResponse(
        _chunks(spool),
        media_type=media_type,
        headers=headers,
        background=BackgroundTask(handed.close),
    )


def _chunks(spool: IO[bytes]) -> Iterator[bytes]:
    while chunk := spool.read(CHUNK_BYTES):
        yield chunk


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
    cases = every_case(
        models.engine,
        unit_ids=allowed.unit_ids,
        subject_ids=allowed.subject_ids,
        model=model.value if model else None,
        cycle_year=cycle_year,
    )
    with closing(cases):  # the view's read ends in this thread, even on a refusal
        return _file(
            standings_sheet(cases, ledger.criteria.illustrative_sets()),
            f"bang-xep-hang-{cycle_year}",
            fmt,
            lambda: ledger.access.record_view(
                reading, "export", f"standings.{fmt}", f"năm {cycle_year}"
            ),
        )


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
        models.engine, cycle_year=cycle_year, unit_ids=allowed.unit_ids, columns=REGISTER_COLUMNS
    )
    with closing(rows):  # the view's read ends in this thread, even on a refusal
        return _file(
            register_sheet(rows, ledger.criteria.illustrative_sets()),
            f"so-cong-nhan-{cycle_year}",
            fmt,
            lambda: ledger.access.record_view(
                reading, "export", f"register.{fmt}", f"năm {cycle_year}"
            ),
        )


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
    return _file(
        sheet,
        f"thong-ke-{cycle_year}-{chosen.code}",
        fmt,
        lambda: ledger.access.record_view(
            reading, "export", f"statistics.{fmt}", f"năm {cycle_year}, {chosen.code}"
        ),
    )
