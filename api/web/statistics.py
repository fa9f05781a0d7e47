"""The reporting officer's statistics page: a unit and a cycle, four charts drawn as SVG on
the server, and the CSV/XLSX exports downloaded with the session (the API's export code)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from fastapi import Depends, Query, Request
from fastapi.responses import Response
from markupsafe import Markup

from api.deps import LedgerDep
from api.routers import exports
from api.scoping import list_filter
from api.structures import chosen_structure
from api.web.pages import models_of, page_router, render
from api.web.session import page_acting_as
from application.clients.charts import statistics_charts, svg_bar_chart
from application.ledger import Ledger
from domain.base import CommandContext
from domain.errors import DomainError, InvalidInput
from domain.glossary import Role, TitleModel, UnitLevel, label
from projections.statistics.queries import Report, report, unit_tree
from projections.units.tree import UnitTree

router = page_router()
StatisticsReaderDep = Annotated[
    CommandContext,
    Depends(page_acting_as(Role.REPORTING_OFFICER, Role.INSPECTOR, Role.ADMINISTRATOR)),
]
#: A published structure's code (see domain/structures.py); empty: the one in force today.
StructureChoice = Annotated[str, Query(max_length=64)]
Year = Annotated[int | None, Query(ge=2000, le=2100)]
#: The unit picker's value: a unit id, or empty for the reader's whole scope.
UnitChoice = Annotated[str, Query(max_length=36)]
CANONICAL_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.ASCII)
#: The levels offered in the unit picker (villages are too many and report upward anyway).
PICKED_LEVELS = (UnitLevel.PROVINCE.value, UnitLevel.DISTRICT.value, UnitLevel.COMMUNE.value)
EXPORTS = {
    "thong-ke": "Thống kê theo đơn vị",
    "so-cong-nhan": "Sổ công nhận",
    "bang-xep-hang": "Danh sách hồ sơ",
}


@router.get("/thong-ke")
def statistics_page(
    request: Request,
    ledger: LedgerDep,
    ctx: StatisticsReaderDep,
    nam: Year = None,
    co_cau: StructureChoice = "",
    don_vi: UnitChoice = "",
) -> Response:
    unit_id = _unit(don_vi)
    models = models_of(request)
    today = ledger.records.today()
    year = nam or today.year
    own = list_filter(ledger, models, ctx, None, today, citizens=False).root_id
    allowed = list_filter(ledger, models, ctx, unit_id, today, citizens=False)
    root = str(allowed.root_id) if allowed.root_id else None
    chosen = chosen_structure(ledger, co_cau or None, None)
    result = report(
        models.engine,
        cycle_year=year,
        structure=chosen,
        root_id=root,
        targets=ledger.criteria.targets_in_force(),
        depth=2,  # the page shows the unit (or the top units) and the units just below
    )
    charts = [
        (chart.title, Markup(svg_bar_chart(chart)))  # svg_bar_chart escapes every text
        for chart in statistics_charts(result, root, _group_labels(ledger, result, today)).all()
    ]
    query = f"nam={year}&co_cau={chosen.code}" + (f"&don_vi={unit_id}" if unit_id else "")
    return render(
        request,
        "thong_ke.html",
        year=year,
        years=range(today.year + 1, 2019, -1),
        structure=chosen.code,
        structures=ledger.criteria.structures().labels(),
        unit_id=str(unit_id) if unit_id else "",
        units=_picker(unit_tree(models.engine), str(own) if own else None, chosen.geography_day),
        charts=charts,
        lines=result.lines[:1] if root else [x for x in result.lines if x.parent_id is None],
        exports=EXPORTS,
        query=query,
        label=label,
    )


def _group_labels(ledger: Ledger, result: Report, day: date) -> dict[str, str]:
    """The official name of each target group, from the criteria set in force for it."""
    names = {}
    for group in {g for line in result.lines for g in line.by_group}:
        try:
            spec = ledger.criteria.spec_in_force(TitleModel.LEARNING_CITIZEN, group, None, day)
        except DomainError:  # no set in force for it any more: the code is all there is
            continue
        if spec.target_group_label:
            names[group] = spec.target_group_label
    return names


def _picker(tree: UnitTree, own: str | None, day: date) -> list[tuple[str, str]]:
    """(id, name) of the units the reader may pick, on the structure's day, top first."""
    ids = tree.within(own, day) if own else set(tree.units)
    chosen = [
        tree.units[i]
        for i in ids
        if tree.units[i].level in PICKED_LEVELS and tree.units[i].is_valid_on(day)
    ]
    chosen.sort(key=lambda u: (PICKED_LEVELS.index(u.level), u.code))
    return [(u.unit_id, f"{u.name} ({label(u.level)})") for u in chosen]


@router.get("/thong-ke/tai/{name}.{fmt}")
def statistics_download(
    request: Request,
    name: Literal["thong-ke", "so-cong-nhan", "bang-xep-hang"],
    fmt: exports.Format,
    ledger: LedgerDep,
    ctx: StatisticsReaderDep,
    nam: Annotated[int, Query(ge=2000, le=2100)],
    co_cau: StructureChoice = "",
    don_vi: UnitChoice = "",
) -> Response:
    """The same files as GET /exports/…, with the session's sign-in (and read record)."""
    models, unit_id = models_of(request), _unit(don_vi)
    if name == "thong-ke":
        return exports.export_statistics(
            fmt, ledger, models, ctx, nam, co_cau or None, None, unit_id
        )
    if name == "so-cong-nhan":
        return exports.export_register(fmt, ledger, models, ctx, nam, unit_id)
    return exports.export_standings(fmt, ledger, models, ctx, nam, None, unit_id)


def _unit(choice: str) -> UUID | None:
    """The picked unit: empty is the reader's whole scope; anything but an id is refused."""
    if not choice:
        return None
    # UUID() alone would read full-width digits ("１…") and braces as an id
    if not CANONICAL_ID.fullmatch(choice):
        raise InvalidInput("đơn vị đã chọn không hợp lệ")
    return UUID(choice)
