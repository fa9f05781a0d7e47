"""Complaints (khiếu nại) and their legal clocks, over HTTP.

Every response carries the deadlines computed from the complaint's stored dates. A filing
after its deadline is refused as a problem that names the rule and the deadline.
"""

from __future__ import annotations

import base64
import binascii
from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from api import views
from api.dates import ProcessDate
from api.deps import OFFICERS, IfMatchDep, LedgerDep, PrincipalDep, ReaderDep, acting_as
from api.params import ComplaintId, UnitFilter, page_size
from api.routers.reads import WaitFor, caught_up
from api.schemas import Line, Prose, Reason, Recorded, Strict
from api.scoping import list_filter
from application.services.complaints import Attachment
from domain.base import CommandContext
from domain.clocks import Obstacle
from domain.complaints import Complaint
from domain.errors import InvalidInput
from domain.glossary import ComplaintOutcome, Role, label
from projections.complaints.queries import due

router = APIRouter(prefix="/complaints", tags=["Khiếu nại"])
ComplainantDep = Annotated[CommandContext, Depends(acting_as(Role.CITIZEN, *OFFICERS))]
HandlingDep = Annotated[
    CommandContext, Depends(acting_as(Role.COMPLAINT_HANDLER, Role.COMMUNE_OFFICER))
]
HandlerDep = Annotated[CommandContext, Depends(acting_as(Role.COMPLAINT_HANDLER))]


class ObstacleIn(Strict):
    first_day: ProcessDate = Field(
        description="Ngày đầu của trở ngại khách quan", examples=["2026-03-02"]
    )
    last_day: ProcessDate = Field(description="Ngày cuối", examples=["2026-03-10"])
    kind: Line = Field(
        min_length=1, max_length=200, examples=["ốm đau", "thiên tai"], description="Loại trở ngại"
    )


class AttachmentIn(Strict):
    content_base64: str = Field(
        max_length=30_000_000,
        pattern=r"^[A-Za-z0-9+/]*={0,2}$",
        description="Tệp đính kèm (base64)",
        examples=["JVBERi0xLjQK"],
    )
    kind: Line = Field(
        min_length=1, max_length=64, description="Loại tệp đính kèm", examples=["don_khieu_nai"]
    )


class ComplaintCreate(Strict):
    case_ids: list[UUID] = Field(
        min_length=1,
        max_length=50,
        description="Các hồ sơ bị khiếu nại (1-50)",
        examples=[["3fa85f64-5717-4562-b3fc-2c963f66afa6"]],
    )
    decision_id: UUID | None = Field(
        default=None,
        description="Quyết định bị khiếu nại",
        examples=["3fa85f64-5717-4562-b3fc-2c963f66afa6"],
    )
    step: Line | None = Field(
        default=None, max_length=64, description="Hoặc bước bị khiếu nại", examples=["review"]
    )
    grounds: Prose = Field(
        min_length=1,
        max_length=20_000,
        description="Nội dung, lý do",
        examples=["Chỉ số 5 đã có chứng chỉ tin học nhưng chưa được tính"],
    )
    learnt_on: ProcessDate = Field(
        description="Ngày nhận được hoặc biết được quyết định/kết quả", examples=["2026-02-21"]
    )
    received_on: ProcessDate | None = Field(
        default=None,
        description="Chỉ cán bộ tiếp nhận ghi (đơn giấy nhận trước ngày nhập); mặc định hôm nay",
        examples=["2026-02-25"],
    )
    remote_area: bool = Field(
        default=False, description="Vùng sâu, vùng xa (thời hạn dài hơn)", examples=[False]
    )
    obstacles: list[ObstacleIn] = Field(
        default_factory=list,
        max_length=20,
        description="Trở ngại khách quan (không tính vào thời hạn)",
        examples=[[{"first_day": "2026-03-02", "last_day": "2026-03-10", "kind": "ốm đau"}]],
    )
    attachments: list[AttachmentIn] = Field(
        default_factory=list,
        max_length=20,
        description="Tệp đính kèm (base64)",
        examples=[[{"content_base64": "JVBERi0xLjQK", "kind": "don_khieu_nai"}]],
    )
    previous_complaint_id: UUID | None = Field(
        default=None,
        description="Khiếu nại lần đầu (khi đây là khiếu nại lần hai)",
        examples=["3fa85f64-5717-4562-b3fc-2c963f66afa6"],
    )


class Acceptance(Strict):
    accepted_on: ProcessDate | None = Field(
        default=None, description="Ngày thụ lý (mặc định hôm nay)", examples=["2026-03-01"]
    )
    complex_case: bool = Field(
        default=False,
        description="Vụ việc phức tạp (thời hạn giải quyết dài hơn)",
        examples=[False],
    )


class NonAcceptance(Strict):
    decided_on: ProcessDate | None = Field(
        default=None,
        description="Ngày quyết định không thụ lý (mặc định hôm nay)",
        examples=["2026-03-01"],
    )
    rule: Line = Field(
        min_length=1,
        max_length=200,
        examples=["Điều 11 Luật Khiếu nại 2011"],
        description="Quy định làm căn cứ",
    )
    reason: Reason


class Assignment(Strict):
    handler_id: UUID = Field(
        description="Tài khoản complaint_handler được phân công",
        examples=["3fa85f64-5717-4562-b3fc-2c963f66afa6"],
    )


class Resolution(Strict):
    outcome: ComplaintOutcome = Field(
        description="upheld, partly_upheld hoặc rejected", examples=["upheld"]
    )
    resolved_on: ProcessDate | None = Field(
        default=None, description="Ngày giải quyết (mặc định hôm nay)", examples=["2026-03-20"]
    )
    reason: Reason


class Lawsuit(Strict):
    reported_on: ProcessDate | None = Field(
        default=None, description="Ngày báo (mặc định hôm nay)", examples=["2026-04-01"]
    )
    court: Line = Field(
        min_length=1,
        max_length=300,
        description="Tòa án nhận đơn khởi kiện",
        examples=["Tòa án nhân dân tỉnh"],
    )


class Deadlines(BaseModel):
    filing: date
    acceptance: date
    resolution: date | None
    second_filing: date | None


class ComplaintPublic(BaseModel):
    id: UUID
    version: int
    level: int
    status: str
    status_label: str
    decision_id: UUID | None
    case_ids: list[UUID]
    step: str | None
    complainant_id: UUID
    grounds: str | None = Field(description="Chỉ hiện với người có quyền; null nếu đã xóa")
    learnt_on: date
    received_on: date
    remote_area: bool
    complex_case: bool
    obstacles: list[dict[str, str]]
    attachments: list[dict[str, object]]
    handler_id: str | None
    outcome: str | None
    closed_on: date | None
    previous_complaint_id: UUID | None
    escalated_to: UUID | None
    lawsuit: dict[str, object] | None
    deadlines: Deadlines
    overdue: list[str] = Field(description="Các thời hạn đã qua mà bước tương ứng chưa làm")


def _public(ledger: LedgerDep, complaint: Complaint, may_read_grounds: bool) -> ComplaintPublic:
    clocks = ledger.complaints.clocks_of(complaint)
    deadlines = complaint.deadlines(clocks)
    overdue = views.complaint_overdue(complaint.status.value, deadlines, ledger.records.today())
    return ComplaintPublic(
        id=complaint.id,
        version=complaint.version,
        level=complaint.level,
        status=complaint.status.value,
        status_label=label(complaint.status),
        decision_id=complaint.decision_id,
        case_ids=complaint.case_ids,
        step=complaint.step,
        complainant_id=complaint.complainant_id,
        grounds=ledger.complaints.grounds_of(complaint) if may_read_grounds else None,
        learnt_on=complaint.learnt_on,
        received_on=complaint.received_on,
        remote_area=complaint.remote_area,
        complex_case=complaint.complex_case,
        obstacles=[
            {
                "first_day": o.first_day.isoformat(),
                "last_day": o.last_day.isoformat(),
                "kind": o.kind,
            }
            for o in complaint.obstacles
        ],
        attachments=complaint.attachments,
        handler_id=complaint.handler_id,
        outcome=complaint.outcome.value if complaint.outcome else None,
        closed_on=complaint.closed_on,
        previous_complaint_id=complaint.previous_complaint_id,
        escalated_to=complaint.escalated_to,
        lawsuit=(
            {"reported_on": complaint.lawsuit[0].isoformat(), "court": complaint.lawsuit[1]}
            if complaint.lawsuit
            else None
        ),
        deadlines=Deadlines(**deadlines),  # type: ignore[arg-type]
        overdue=overdue,
    )


@router.post(
    "", summary="Nộp khiếu nại (lần đầu hoặc lần hai)", status_code=201, response_model=Recorded
)
def file_complaint(
    body: ComplaintCreate, ledger: LedgerDep, ctx: ComplainantDep, response: Response
) -> Response:
    """Receive a complaint (first, or second with ``previous_complaint_id``)."""
    try:
        attachments = [
            Attachment(base64.b64decode(a.content_base64, validate=True), a.kind)
            for a in body.attachments
        ]
    except (binascii.Error, ValueError) as error:
        raise InvalidInput("tệp đính kèm không phải base64 hợp lệ", field="attachments") from error
    result = ledger.complaints.file_complaint(
        ctx,
        case_ids=body.case_ids,
        grounds=body.grounds,
        learnt_on=body.learnt_on,
        decision_id=body.decision_id,
        step=body.step,
        received_on=body.received_on,
        remote_area=body.remote_area,
        obstacles=[Obstacle(o.first_day, o.last_day, o.kind) for o in body.obstacles],
        attachments=attachments,
        previous_complaint_id=body.previous_complaint_id,
    )
    response.headers["Location"] = f"/complaints/{result.id}"
    return views.recorded(result, response, status_code=201)


class ComplaintDue(BaseModel):
    complaint_id: str
    level: int
    status: str
    case_ids: list[str]
    received_on: date
    next_step: str = Field(description="acceptance (thụ lý) | resolution (giải quyết)")
    next_deadline: date
    overdue: bool
    days_left: int
    handler_id: str | None


class ComplaintsDuePage(BaseModel):
    items: list[ComplaintDue]
    next_cursor: str | None = Field(description="Gửi lại trong ?cursor= để lấy trang sau")


#: Who may list complaints (the pages' list too).
WATCHERS = (Role.COMPLAINT_HANDLER, Role.COMMUNE_OFFICER, Role.INSPECTOR, Role.ADMINISTRATOR)
WatchDep = Annotated[CommandContext, Depends(acting_as(*WATCHERS))]


@router.get(
    "", summary="Khiếu nại quá hạn hoặc sắp đến hạn (từng trang)", response_model=ComplaintsDuePage
)
def complaints_due(
    ledger: LedgerDep,
    request: Request,
    ctx: WatchDep,
    due_within_days: Annotated[
        int,
        Query(
            ge=0,
            le=365,
            description="Quá hạn, hoặc đến hạn trong bấy nhiêu ngày tới (0-365)",
            examples=[7],
        ),
    ] = 7,
    status: Annotated[
        Literal["received", "accepted"] | None,
        Query(
            description="received: chờ thụ lý; accepted: đã thụ lý, chờ giải quyết",
            examples=["received"],
        ),
    ] = None,
    unit_id: UnitFilter = None,
    cursor: Annotated[
        Line | None,
        Query(
            max_length=512,
            description="`next_cursor` của trang trước (bỏ trống: trang đầu)",
            examples=["WyIyMDI2LTAzLTEzIiwgIjNmYTg1ZjY0LTU3MTctNDU2Mi1iM2ZjLTJjOTYzZjY2YWZhNiJd"],
        ),
    ] = None,
    limit: Annotated[int, page_size(500)] = 200,
    wait_for_position: WaitFor = None,
) -> ComplaintsDuePage:
    """Open complaints in your unit that are overdue, or due within the given number of days,
    overdue first, a page of at most ``limit`` at a time."""
    models = request.app.state.read_models
    caught_up(models, wait_for_position, ledger.settings.read_wait_max_seconds)
    today = ledger.records.today()
    allowed = list_filter(ledger, models, ctx, unit_id, today, citizens=False)
    try:
        page = due(
            models.engine,
            today,
            due_within_days,
            status=status,
            unit_ids=allowed.unit_ids,
            cursor=cursor,
            limit=limit,
        )
    except ValueError as error:
        raise InvalidInput("con trỏ trang không hợp lệ", field="cursor") from error
    items = [
        ComplaintDue(
            **{k: r[k] for k in ComplaintDue.model_fields if k in r},
            overdue=bool(views.complaint_overdue(r["status"], views.row_deadlines(r), today)),
            days_left=(r["next_deadline"] - today).days,
        )
        for r in page.items
    ]
    return ComplaintsDuePage(items=items, next_cursor=page.next_cursor)


@router.get(
    "/{complaint_id}", summary="Đọc khiếu nại và các thời hạn", response_model=ComplaintPublic
)
def read_complaint(
    complaint_id: ComplaintId,
    ledger: LedgerDep,
    principal: PrincipalDep,
    reading: ReaderDep,
    response: Response,
) -> ComplaintPublic:
    """The complaint, its steps and every deadline computed from its stored dates."""
    complaint = ledger.complaints.complaint_for(reading, complaint_id, reading=True)
    ledger.access.record_view(reading, "complaint", str(complaint.id))
    views.etag(response, complaint.version)
    return _public(ledger, complaint, views.may_read_grounds(principal, complaint))


@router.post("/{complaint_id}/acceptance", summary="Thụ lý khiếu nại", response_model=Recorded)
def accept(
    complaint_id: ComplaintId,
    body: Acceptance,
    ledger: LedgerDep,
    ctx: HandlingDep,
    response: Response,
    expected: IfMatchDep,
) -> Response:
    """Accept (thụ lý) the complaint; fixes its resolution deadline."""
    result = ledger.complaints.accept_complaint(
        ctx, complaint_id, body.accepted_on, body.complex_case, expected
    )
    return views.recorded(result, response)


@router.post(
    "/{complaint_id}/non-acceptance", summary="Không thụ lý khiếu nại", response_model=Recorded
)
def refuse(
    complaint_id: ComplaintId,
    body: NonAcceptance,
    ledger: LedgerDep,
    ctx: HandlingDep,
    response: Response,
    expected: IfMatchDep,
) -> Response:
    """Refuse to accept the complaint, naming the rule."""
    result = ledger.complaints.refuse_complaint(
        ctx, complaint_id, body.decided_on, body.rule, body.reason, expected
    )
    return views.recorded(result, response)


@router.post(
    "/{complaint_id}/handler", summary="Phân công người giải quyết", response_model=Recorded
)
def assign(
    complaint_id: ComplaintId,
    body: Assignment,
    ledger: LedgerDep,
    ctx: HandlingDep,
    response: Response,
    expected: IfMatchDep,
) -> Response:
    """Assign the person who resolves the complaint."""
    result = ledger.complaints.assign_complaint(ctx, complaint_id, body.handler_id, expected)
    return views.recorded(result, response)


@router.post("/{complaint_id}/resolution", summary="Giải quyết khiếu nại", response_model=Recorded)
def resolve(
    complaint_id: ComplaintId,
    body: Resolution,
    ledger: LedgerDep,
    ctx: HandlerDep,
    response: Response,
    expected: IfMatchDep,
) -> Response:
    """Resolve: upheld, partly upheld or rejected. Upheld complaints reopen their cases."""
    result = ledger.complaints.resolve_complaint(
        ctx, complaint_id, body.outcome, body.resolved_on, body.reason, expected
    )
    return views.recorded(result, response)


@router.post("/{complaint_id}/lawsuit", summary="Báo khởi kiện hành chính", response_model=Recorded)
def lawsuit(
    complaint_id: ComplaintId,
    body: Lawsuit,
    ledger: LedgerDep,
    ctx: ComplainantDep,
    response: Response,
    expected: IfMatchDep,
) -> Response:
    """Record that an administrative lawsuit was filed."""
    result = ledger.complaints.report_lawsuit(
        ctx, complaint_id, body.reported_on, body.court, expected
    )
    return views.recorded(result, response)
