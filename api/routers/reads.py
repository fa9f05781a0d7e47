"""Read models over HTTP: standings, the register, statistics and activity.

Every read accepts ``wait_for_position``: the log position a command returned. The read then
waits (at most ``HOCTAP_READ_WAIT_MAX_SECONDS``) until the views have folded it, so people
see their own change at once.
"""

from __future__ import annotations

import base64
import json
from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request

from api.dates import ProcessDate, ProcessInstant
from api.deps import MAX_POSITION, LedgerDep, ReaderDep, acting_as
from api.params import (
    EXAMPLE_ID,
    Cursor,
    CycleYearFilter,
    ModelFilter,
    SubjectId,
    UnitFilter,
    page_size,
)
from api.read_schemas import (
    ActionPublic,
    GroupLine,
    HeldTitle,
    StandingPublic,
    StandingsPage,
    StatisticLine,
    StatisticsReport,
    TargetProgress,
    TitlePublic,
    UnitListed,
    UnitsPage,
)
from api.schemas import Line
from api.scoping import list_filter, trail_filter
from api.structures import StructureCode, StructureOn, chosen_structure
from application.adapters.read_models import ReadModels
from domain.base import CommandContext
from domain.errors import InvalidInput
from domain.glossary import CaseStatus, Role, UnitLevel, label
from projections.activity.queries import actions
from projections.register.queries import holders_on, titles_of
from projections.standings.queries import list_cases
from projections.statistics.queries import report, unit_tree
from projections.units.queries import listed

router = APIRouter(tags=["Mô hình đọc"])


async def read_models(request: Request) -> ReadModels:
    models: ReadModels = request.app.state.read_models
    return models


ReadModelsDep = Annotated[ReadModels, Depends(read_models)]
#: ``after`` of a list paged by log position.
After = Annotated[
    int | None,
    Query(
        ge=0,
        le=MAX_POSITION,
        description="Vị trí cuối của trang trước (bỏ trống: trang đầu)",
        examples=[1234],
    ),
]
WaitFor = Annotated[
    int | None,
    Query(
        ge=0,
        le=MAX_POSITION,
        description="Chờ (có giới hạn) tới khi mô hình đọc đã xử lý vị trí này (X-Log-Position"
        " hoặc position trong câu trả lời của lệnh vừa ghi)",
        examples=[1234],
    ),
]
AuditorDep = Annotated[
    CommandContext, Depends(acting_as(Role.INSPECTOR, Role.ADMINISTRATOR, Role.REPORTING_OFFICER))
]


def caught_up(models: ReadModels, position: int | None, limit: float) -> None:
    if position is not None:
        models.require(position, limit)


def _unit_cursor(after: tuple[str, str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(after).encode()).decode()


def _unit_after(cursor: str) -> tuple[str, str]:
    try:
        code, unit_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError) as error:
        raise InvalidInput("con trỏ trang không hợp lệ", field="cursor") from error
    if not isinstance(code, str) or not isinstance(unit_id, str):
        raise InvalidInput("con trỏ trang không hợp lệ", field="cursor")
    return code, unit_id


@router.get("/units", summary="Tìm đơn vị hành chính theo tên hoặc mã", response_model=UnitsPage)
def units(
    ledger: LedgerDep,
    models: ReadModelsDep,
    reading: ReaderDep,
    q: Annotated[
        Line | None,
        Query(
            max_length=100,
            description="Tìm theo tên hoặc mã, không phân biệt dấu và hoa",
            examples=["xa hoa binh"],
        ),
    ] = None,
    unit_id: Annotated[
        UUID | None,
        Query(
            description="Chỉ các đơn vị thuộc đơn vị này (kể cả chính nó)", examples=[EXAMPLE_ID]
        ),
    ] = None,
    level: Annotated[
        UnitLevel | None, Query(description="Chỉ cấp này", examples=[UnitLevel.COMMUNE.value])
    ] = None,
    on: Annotated[
        ProcessDate | None,
        Query(description="Địa giới vào ngày này (mặc định hôm nay)", examples=["2026-03-01"]),
    ] = None,
    include_ended: Annotated[
        bool,
        Query(
            description="Kể cả đơn vị đã thôi tồn tại (đã sáp nhập) vào ngày hỏi",
            examples=[False],
        ),
    ] = False,
    cursor: Cursor = None,
    limit: Annotated[int, page_size(200)] = 50,
    wait_for_position: WaitFor = None,
) -> UnitsPage:
    """Find a unit's id by its name or code ("xa hoa binh" finds "Xã Hòa Bình"). Staff see
    their unit and the units below it; nationwide accounts and citizens, every unit (a
    unit's name and code are public)."""
    caught_up(models, wait_for_position, ledger.settings.read_wait_max_seconds)
    day = on or ledger.records.today()
    allowed = list_filter(ledger, models, reading, unit_id, day)
    tree = unit_tree(models.engine)
    page = listed(
        tree,
        day=day,
        query=q,
        within=allowed.unit_ids,
        level=level.value if level else None,
        include_ended=include_ended,
        after=_unit_after(cursor) if cursor else None,
        limit=limit,
    )
    items = [
        UnitListed(
            id=unit.unit_id,
            code=unit.code,
            name=unit.name,
            level=unit.level,
            level_label=label(unit.level),
            parent_id=unit.parent_on(day),
            valid_from=unit.valid_from,
            valid_to=unit.valid_to,
            successor_id=unit.successor_id,
        )
        for unit in page.items
    ]
    next_cursor = _unit_cursor(page.next_after) if page.next_after else None
    return UnitsPage(items=items, next_cursor=next_cursor)


@router.get(
    "/standings", summary="Hồ sơ đang xét và đã xét (từng trang)", response_model=StandingsPage
)
def standings(
    ledger: LedgerDep,
    models: ReadModelsDep,
    reading: ReaderDep,
    unit_id: UnitFilter = None,
    model: ModelFilter = None,
    cycle_year: CycleYearFilter = None,
    status: Annotated[
        CaseStatus | None,
        Query(description="Chỉ hồ sơ ở trạng thái này", examples=[CaseStatus.REVIEWED.value]),
    ] = None,
    classification: Annotated[
        Line | None,
        Query(max_length=32, description="Chỉ xếp loại này (theo bộ tiêu chí)", examples=["tot"]),
    ] = None,
    subject_id: Annotated[
        UUID | None, Query(description="Chỉ hồ sơ của đối tượng này", examples=[EXAMPLE_ID])
    ] = None,
    sort: Annotated[
        Literal["updated_at", "opened_on", "total", "cycle_year"],
        Query(description="Sắp xếp theo", examples=["opened_on"]),
    ] = "updated_at",
    order: Annotated[
        Literal["asc", "desc"], Query(description="Tăng (asc) hoặc giảm (desc)", examples=["asc"])
    ] = "desc",
    cursor: Cursor = None,
    limit: Annotated[int, page_size(200)] = 50,
    wait_for_position: WaitFor = None,
) -> StandingsPage:
    """Where cases stand: filter by unit (and the units below it), title, year, status.
    Staff see their unit's cases; citizens their own and their households'."""
    caught_up(models, wait_for_position, ledger.settings.read_wait_max_seconds)
    allowed = list_filter(ledger, models, reading, unit_id, ledger.records.today())
    try:
        page = list_cases(
            models.engine,
            unit_ids=allowed.unit_ids,
            subject_ids=allowed.subject_ids,
            model=model.value if model else None,
            cycle_year=cycle_year,
            status=status.value if status else None,
            classification=classification,
            subject_id=str(subject_id) if subject_id else None,
            sort=sort,
            descending=order == "desc",
            cursor=cursor,
            limit=limit,
        )
    except ValueError as error:
        raise InvalidInput(str(error), field="cursor") from error
    items = [
        StandingPublic(**row, title_label=label(row["model"]), status_label=label(row["status"]))
        for row in page.items
    ]
    return StandingsPage(items=items, next_cursor=page.next_cursor)


def _title(row: dict[str, Any], on: date) -> TitlePublic:
    """A register row, with its state on a day: an old grant shows as expired."""
    state = row["outcome"]
    if state == "granted" and row["valid_until"] is not None and row["valid_until"] < on:
        state = "expired"
    fields = {k: v for k, v in row.items() if k != "position"}
    return TitlePublic(**fields, title_label=label(row["model"]), state=state)


@router.get(
    "/register/holders", summary="Ai giữ danh hiệu vào một ngày", response_model=list[HeldTitle]
)
def holders(
    ledger: LedgerDep,
    models: ReadModelsDep,
    reading: ReaderDep,
    on: Annotated[
        ProcessDate,
        Query(description="Ngày hỏi: ai giữ danh hiệu ngày này", examples=["2026-03-01"]),
    ],
    model: ModelFilter = None,
    unit_id: UnitFilter = None,
    known_at: Annotated[
        ProcessInstant | None,
        Query(
            description="Trả lời như sổ đã biết vào thời điểm này (mặc định: hiện nay)",
            examples=["2026-03-01T09:00:00+07:00"],
        ),
    ] = None,
    limit: Annotated[int, page_size(1000)] = 200,
    offset: Annotated[
        int,
        Query(ge=0, le=MAX_POSITION, description="Bỏ qua bấy nhiêu dòng đầu", examples=[200]),
    ] = 0,
    wait_for_position: WaitFor = None,
) -> list[HeldTitle]:
    """Who holds which title on a given day — as known today, or as known at ``known_at``
    (a title revoked afterwards still shows as held when asked as of before the revocation
    was recorded)."""
    caught_up(models, wait_for_position, ledger.settings.read_wait_max_seconds)
    allowed = list_filter(ledger, models, reading, unit_id, on, citizens=False)
    rows = holders_on(
        models.engine,
        on,
        model=model.value if model else None,
        unit_ids=allowed.unit_ids,
        known_at=known_at,
        limit=limit,
        offset=offset,
    )
    return [
        HeldTitle(
            **{k: r[k] for k in HeldTitle.model_fields if k in r}, title_label=label(r["model"])
        )
        for r in rows
    ]


@router.get(
    "/register/subjects/{subject_id}",
    summary="Danh hiệu của một đối tượng",
    response_model=list[TitlePublic],
)
def subject_titles(
    subject_id: SubjectId,
    ledger: LedgerDep,
    models: ReadModelsDep,
    reading: ReaderDep,
    wait_for_position: WaitFor = None,
) -> list[TitlePublic]:
    """Every title this subject was granted or refused."""
    ledger.scopes.subject_for(reading, subject_id, reading=True)
    caught_up(models, wait_for_position, ledger.settings.read_wait_max_seconds)
    return [_title(r, ledger.records.today()) for r in titles_of(models.engine, str(subject_id))]


@router.get("/statistics", summary="Thống kê theo đơn vị", response_model=StatisticsReport)
def statistics(
    ledger: LedgerDep,
    models: ReadModelsDep,
    reading: ReaderDep,
    cycle_year: Annotated[
        int, Query(ge=2000, le=2100, description="Năm xét (bắt buộc)", examples=[2026])
    ],
    structure: StructureCode = None,
    structure_on: StructureOn = None,
    model: ModelFilter = None,
    unit_id: UnitFilter = None,
    wait_for_position: WaitFor = None,
) -> StatisticsReport:
    """Registered, assessed and recognised per unit, rolled up under a published structure:
    the one named, or the one in force on ``structure_on`` (today by default)."""
    caught_up(models, wait_for_position, ledger.settings.read_wait_max_seconds)
    chosen = chosen_structure(ledger, structure, structure_on)
    allowed = list_filter(ledger, models, reading, unit_id, ledger.records.today(), citizens=False)
    targets = ledger.criteria.targets_in_force()
    labels = ledger.criteria.group_labels()
    result = report(
        models.engine,
        cycle_year=cycle_year,
        structure=chosen,
        model=model.value if model else None,
        root_id=str(allowed.root_id) if allowed.root_id else None,
        targets=targets,
    )
    return StatisticsReport(
        structure=result.structure,
        structure_label=chosen.label,
        structure_day=result.structure_day,
        cycle_year=result.cycle_year,
        model=result.model,
        lines=[
            StatisticLine(
                **{k: v for k, v in vars(line).items()},
                rate_of_registered=line.rate_of_registered,
                rate_of_subjects=line.rate_of_subjects,
                groups=[
                    GroupLine(
                        **vars(group),
                        rate_of_registered=group.rate_of_registered,
                        rate_of_subjects=group.rate_of_subjects,
                    )
                    for group in line.groups(labels)
                ],
            )
            for line in result.lines
        ],
        progress=[
            TargetProgress(
                **{k: v for k, v in vars(p).items() if k != "target_groups"},
                target_groups=list(p.target_groups),
                target_group_labels=[labels.get(g, g) for g in p.target_groups],
                title_label=label(p.model),
                achieved_rate=p.achieved_rate,
                reached=p.reached,
            )
            for p in result.progress
        ],
    )


@router.get("/activity", summary="Nhật ký hành động", response_model=list[ActionPublic])
def activity(
    ledger: LedgerDep,
    models: ReadModelsDep,
    ctx: AuditorDep,
    actor_id: Annotated[
        Line | None,
        Query(max_length=128, description="Chỉ hành động của tài khoản này", examples=[EXAMPLE_ID]),
    ] = None,
    role: Annotated[
        Role | None, Query(description="Chỉ vai trò này", examples=[Role.REVIEWER.value])
    ] = None,
    since: Annotated[
        ProcessInstant | None,
        Query(description="Từ thời điểm này", examples=["2026-03-01T00:00:00+07:00"]),
    ] = None,
    until: Annotated[
        ProcessInstant | None,
        Query(description="Đến trước thời điểm này", examples=["2026-04-01T00:00:00+07:00"]),
    ] = None,
    after: After = None,
    limit: Annotated[int, page_size(500)] = 100,
    wait_for_position: WaitFor = None,
) -> list[ActionPublic]:
    """What was done, in order: every event by actor, role and time range. Readers with a
    unit see the actions of their unit's accounts (and the units below); nationwide readers
    see everyone's, the console's and system jobs' included."""
    actor_units = trail_filter(ledger, models, ctx, actor_id)
    caught_up(models, wait_for_position, ledger.settings.read_wait_max_seconds)
    rows = actions(
        models.engine,
        actor_id=actor_id,
        actor_role=role.value if role else None,
        actor_unit_ids=actor_units,
        since=since,
        until=until,
        after_position=after,
        limit=limit,
    )
    return [ActionPublic(**row) for row in rows]
