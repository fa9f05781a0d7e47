"""Time travel over a case: its history, its state at a past version or instant, and what-if
re-evaluations under another criteria set. Every route here reads; none writes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Generic, TypeVar
from uuid import UUID

from fastapi import APIRouter, Body, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from api import schemas, views
from api.dates import ProcessDate, ProcessInstant
from api.deps import MAX_POSITION, LedgerDep, ReachableCaseDep
from application.clients.time_travel import case_as_of, case_history, re_evaluate

router = APIRouter(prefix="/cases", tags=["Lịch sử hồ sơ"])

T = TypeVar("T")


class _FromAttributes(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class HistoryEntryPublic(_FromAttributes):
    version: int = Field(description="Phiên bản hồ sơ sau sự kiện này")
    recorded_at: datetime = Field(description="Thời điểm sự kiện được ghi vào sổ cái")
    topic: str = Field(description="Loại sự kiện")
    actor_id: str = Field(description="Người thực hiện")
    actor_role: str = Field(description="Vai trò của người thực hiện")
    reason: str | None = Field(description="Lý do, nếu có")
    effective_date: date | None = Field(description="Ngày có hiệu lực của bước này")


class Compared(_FromAttributes, Generic[T]):
    pinned: T = Field(description="Theo bộ tiêu chí đã ghim khi mở hồ sơ (null: bộ không có)")
    other: T = Field(description="Theo bộ tiêu chí đem so sánh (null: bộ không có)")
    changed: bool = Field(description="Hai giá trị có khác nhau không")


class ComparedNumber(Compared[Decimal]):
    """Một con số theo hai bộ tiêu chí."""


class ComparedOptionalNumber(Compared[Decimal | None]):
    """Một con số theo hai bộ tiêu chí, có thể vắng ở một bộ."""


class ComparedFlag(Compared[bool]):
    """Một kết luận đạt/không đạt theo hai bộ tiêu chí."""


class ComparedOptionalFlag(Compared[bool | None]):
    """Một kết luận đạt/không đạt theo hai bộ tiêu chí, có thể vắng ở một bộ."""


class ComparedOptionalText(Compared[str | None]):
    """Một giá trị chữ theo hai bộ tiêu chí, có thể vắng ở một bộ."""


class SetRefPublic(_FromAttributes):
    set_id: UUID | None = Field(description="Mã phiên bản đã công bố; null nếu là bản sửa đổi")
    code: str
    version: int | None
    title: str


class IndicatorComparisonPublic(_FromAttributes):
    code: str
    name: str
    score: Decimal | None = Field(description="Điểm hiện tại của hồ sơ cho chỉ số này")
    max_points: ComparedOptionalNumber = Field(description="Điểm tối đa; null nếu bộ không có")
    floor_passed: ComparedOptionalFlag = Field(
        description="Có đạt điểm sàn không; null nếu bộ không có chỉ số hoặc không có điểm sàn"
    )
    changed: bool


class CheckComparisonPublic(_FromAttributes):
    rule: str = Field(description="min_total | indicator_floor | mandatory | band | all_scored")
    indicator: str | None
    expected: ComparedOptionalText
    found: ComparedOptionalText
    passed: ComparedOptionalFlag = Field(description="null nếu bộ đó không có kiểm tra này")
    changed: bool


class ReEvaluationPublic(_FromAttributes):
    case_id: UUID
    case_version: int = Field(description="Phiên bản hồ sơ đã được đánh giá lại")
    scores_source: str = Field(description="final: điểm sau thẩm định; self: điểm tự đánh giá")
    pinned_set: SetRefPublic
    other_set: SetRefPublic
    indicators: list[IndicatorComparisonPublic]
    total: ComparedNumber
    max_total: ComparedNumber
    checks: list[CheckComparisonPublic]
    classification: ComparedOptionalText
    classification_label: ComparedOptionalText
    outcome: ComparedFlag = Field(description="Có đạt mọi ngưỡng không, theo từng bộ")


class ReEvaluationCreate(schemas.Strict):
    """Exactly one of the two: a published version, or amended content to try out."""

    criteria_set_id: UUID | None = Field(
        default=None,
        description="Phiên bản bộ tiêu chí đã công bố để so sánh",
        examples=["3fa85f64-5717-4562-b3fc-2c963f66afa6"],
    )
    amended_content: schemas.JsonObject | None = Field(
        default=None,
        description="Nội dung bộ tiêu chí sửa đổi (chưa công bố) để thử",
        examples=[{"code": "XA-HB/GDHT/2026", "rules": {"min_total": 30}}],
    )


@router.get(
    "/{case_id}/as-of",
    summary="Hồ sơ tại một thời điểm hoặc phiên bản",
    response_model=schemas.CasePublic,
)
def read_case_as_of(
    case_id: ReachableCaseDep,
    ledger: LedgerDep,
    response: Response,
    version: Annotated[
        int | None,
        Query(ge=0, le=MAX_POSITION, description="Phiên bản hồ sơ (xem /history)", examples=[5]),
    ] = None,
    at: Annotated[
        ProcessInstant | None,
        Query(
            description="Thời điểm ghi sổ (ISO 8601); không có múi giờ thì hiểu là giờ Việt Nam",
            examples=["2026-03-12T09:00:00+07:00"],
        ),
    ] = None,
    effective_on: Annotated[
        ProcessDate | None,
        Query(
            description="Ngày có hiệu lực: hồ sơ gồm các bước có hiệu lực đến hết ngày này",
            examples=["2026-02-21"],
        ),
    ] = None,
) -> schemas.CasePublic:
    """The case at a version, or on two time axes: as known at the recorded instant `at`,
    as in effect on the day `effective_on` (each step's effective date: a council meeting of
    21 February entered on 3 March is in effect on 21 February), or both.

    Give `version` alone, or `at` and/or `effective_on` (422 otherwise, and for a version the
    case never had); 404 if nothing of the case existed at that point. The ETag is the
    version shown.
    """
    item = case_as_of(ledger, case_id, version=version, at=at, effective_on=effective_on)
    views.etag(response, item.version)
    return views.case(item, ledger.criteria.spec_of(item))


@router.get(
    "/{case_id}/history", summary="Các sự kiện của hồ sơ", response_model=list[HistoryEntryPublic]
)
def read_case_history(
    case_id: ReachableCaseDep, ledger: LedgerDep, response: Response
) -> list[HistoryEntryPublic]:
    """Every event of the case in order, with who, in which role, why and when.

    Pick a `version` or a `recorded_at` from here to read the case as of that point.
    The ETag is the current version.
    """
    entries = case_history(ledger, case_id)
    views.etag(response, entries[-1].version)
    return [HistoryEntryPublic.model_validate(e) for e in entries]


@router.post(
    "/{case_id}/re-evaluations",
    summary="Đánh giá lại theo bộ tiêu chí khác (không ghi)",
    response_model=ReEvaluationPublic,
)
def re_evaluate_case(
    case_id: ReachableCaseDep,
    ledger: LedgerDep,
    body: Annotated[ReEvaluationCreate, Body()],
) -> ReEvaluationPublic:
    """Evaluate the case's current scores under its pinned set and under another set.

    The other set is a published version (`criteria_set_id`, 404 if unknown) or amended
    content (`amended_content`, 422 if invalid); exactly one of them (422 otherwise). The
    scores are the final ones once reviewed, else the self-assessed ones. Compares each
    indicator, the totals, every threshold check, the classification and the outcome.
    Nothing is recorded: the answer is 200 and the log does not move.
    """
    result = re_evaluate(
        ledger,
        case_id,
        criteria_set_id=body.criteria_set_id,
        amended_content=body.amended_content,
    )
    return ReEvaluationPublic.model_validate(result)
