"""The queues of those who act on others' work: reviewers, council members, signers and
complaint handlers. Each queue says, before anyone opens a case, the rules they will be
held to (who may not act, and by when)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import Response

from api import views
from api.deps import LedgerDep
from api.scoping import list_filter
from api.web.pages import models_of, page_router, render
from api.web.session import SignedInDep
from application.ledger import Ledger
from application.services.access import Principal
from domain.assessment import AssessmentCase
from domain.base import CommandContext
from domain.glossary import CaseStatus, Role, label
from projections.complaints.queries import due
from projections.standings.queries import list_cases

router = page_router()
QUEUE_SIZE = 50


@dataclass(frozen=True)
class Queue:
    role: Role
    title: str
    statuses: tuple[CaseStatus, ...]
    rules: tuple[str, ...]
    #: Only cases whose council seats this user (the council's queue).
    seated: bool = False


QUEUES = (
    Queue(
        Role.REVIEWER,
        "Hồ sơ chờ thẩm định",
        (CaseStatus.SELF_ASSESSED, CaseStatus.REOPENED),
        (
            "Người thẩm định không được là người đã tự đánh giá hồ sơ.",
            "Chấm lại đủ mọi chỉ số; điểm cần minh chứng phải dựa trên minh chứng đã xem.",
            "Sửa điểm sau thẩm định phải nêu lý do.",
        ),
    ),
    Queue(
        Role.COUNCIL_MEMBER,
        "Hồ sơ chờ hội đồng xét duyệt",
        (CaseStatus.COUNCIL_FORMED,),
        (
            "Chỉ thành viên hội đồng không có xung đột lợi ích được ghi kết quả.",
            "Người có quan hệ với đối tượng (cùng hộ, dòng họ, đơn vị) phải khai báo xung đột.",
            "Kết luận theo đa số phiếu; không đề nghị công nhận khi chưa đạt ngưỡng.",
        ),
        seated=True,
    ),
    Queue(
        Role.SIGNER,
        "Hồ sơ chờ ra quyết định",
        (CaseStatus.APPRAISED,),
        (
            "Người ký không được là người đã tự đánh giá, thẩm định hay ngồi hội đồng hồ sơ.",
            "Cơ quan ra quyết định phải đúng cấp có thẩm quyền; ngày ký không trước ngày xét duyệt.",
        ),
    ),
)

COMPLAINT_RULES = (
    "Thụ lý hoặc từ chối thụ lý trong thời hạn luật định kể từ ngày nhận.",
    "Giải quyết trong thời hạn tính từ ngày thụ lý; vụ việc phức tạp, vùng sâu vùng xa "
    "được kéo dài theo quy định.",
    "Chỉ người được phân công mới giải quyết khiếu nại.",
)
NEXT_COMPLAINT_STEP = {"acceptance": "Thụ lý", "resolution": "Giải quyết"}


def _context(principal: Principal, role: Role) -> CommandContext:
    return principal.context((role,), "hang-doi")


def _seating(ledger: Ledger, principal: Principal, rows: list[dict[str, Any]]) -> list[Any]:
    """The rows whose case's council seats the principal."""
    loaded = ledger.records.load_all([UUID(r["case_id"]) for r in rows])
    me = str(principal.user_id)
    return [
        r
        for r in rows
        if isinstance(case := loaded.get(UUID(r["case_id"])), AssessmentCase)
        and any(seat.user_id == me for seat in case.council)
    ]


def _case_queue(
    request: Request, ledger: Ledger, principal: Principal, queue: Queue
) -> dict[str, Any]:
    ctx = _context(principal, queue.role)
    models = models_of(request)
    allowed = list_filter(ledger, models, ctx, None, ledger.records.today(), citizens=False)
    rows: list[dict[str, Any]] = []
    more = False  # some status has more waiting than the queue shows
    for status in queue.statuses:
        found: list[dict[str, Any]] = []
        cursor = None
        while True:
            page = list_cases(
                models.engine,
                unit_ids=allowed.unit_ids,
                status=status.value,
                sort="opened_on",
                descending=False,
                cursor=cursor,
                limit=QUEUE_SIZE,
            )
            # a council member's queue holds the cases whose council seats them, which the
            # view does not know: read on, a page of cases at a time, until it is full
            found += _seating(ledger, principal, page.items) if queue.seated else page.items
            cursor = page.next_cursor
            if not queue.seated or cursor is None or len(found) >= QUEUE_SIZE:
                break
        more = more or len(found) > QUEUE_SIZE or cursor is not None
        rows += found[:QUEUE_SIZE]
    names = ledger.names.names(ctx, [UUID(r["subject_id"]) for r in rows], roles=principal.roles)
    return {
        "title": queue.title,
        "rules": queue.rules,
        "more": more,
        "size": QUEUE_SIZE,
        "rows": [
            {
                "case_id": r["case_id"],
                "subject": names.get(UUID(r["subject_id"]), "—"),
                "title": label(r["model"]),
                "year": r["cycle_year"],
                "status": label(r["status"]),
                "opened_on": r["opened_on"],
            }
            for r in rows
        ],
    }


def _complaint_queue(request: Request, ledger: Ledger, principal: Principal) -> dict[str, Any]:
    ctx = _context(principal, Role.COMPLAINT_HANDLER)
    models = models_of(request)
    today = ledger.records.today()
    allowed = list_filter(ledger, models, ctx, None, today, citizens=False)
    page = due(models.engine, today, 365, unit_ids=allowed.unit_ids, limit=QUEUE_SIZE)
    rows = page.items
    me = str(principal.user_id)
    return {
        "title": "Khiếu nại cần xử lý",
        "rules": COMPLAINT_RULES,
        "more": page.next_cursor is not None,
        "size": QUEUE_SIZE,
        "rows": [
            {
                "complaint_id": r["complaint_id"],
                "received_on": r["received_on"],
                "step": NEXT_COMPLAINT_STEP.get(r["next_step"], r["next_step"]),
                "deadline": r["next_deadline"],
                "days_left": (r["next_deadline"] - today).days,
                "overdue": bool(
                    views.complaint_overdue(r["status"], views.row_deadlines(r), today)
                ),
                "mine": r.get("handler_id") == me,
                "assigned": r.get("handler_id") is not None,
            }
            for r in rows
        ],
    }


@router.get("/hang-doi")
def queues(request: Request, ledger: LedgerDep, principal: SignedInDep) -> Response:
    """Every queue of the user's roles (403 when they hold none)."""
    held = [q for q in QUEUES if q.role in principal.roles]
    if not held and Role.COMPLAINT_HANDLER not in principal.roles:
        principal.context((*(q.role for q in QUEUES), Role.COMPLAINT_HANDLER), "hang-doi")
    sections = [_case_queue(request, ledger, principal, q) for q in held]
    complaints = None
    if Role.COMPLAINT_HANDLER in principal.roles:
        complaints = _complaint_queue(request, ledger, principal)
    return render(request, "hang_doi.html", sections=sections, complaints=complaints)
