"""Path parameters every router shares, each described once with an example for OpenAPI."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Path, Query

from api.schemas import Line
from domain.glossary import TitleModel

#: The example id shown in OpenAPI (any UUID of the right record works).
EXAMPLE_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


def _id(description: str) -> Path:  # type: ignore[valid-type]
    return Path(description=description, examples=[EXAMPLE_ID])


CaseId = Annotated[UUID, _id("Mã hồ sơ (id trong câu trả lời của POST /cases)")]
ComplaintId = Annotated[UUID, _id("Mã khiếu nại (id trong câu trả lời của POST /complaints)")]
PersonId = Annotated[UUID, _id("Mã công dân (id trong câu trả lời của POST /persons)")]
CollectiveId = Annotated[
    UUID, _id("Mã hộ, dòng họ, cộng đồng hoặc đơn vị (id của POST /collectives)")
]
MemberId = Annotated[UUID, _id("Mã công dân là thành viên")]
SubjectId = Annotated[UUID, _id("Mã đối tượng: công dân hoặc tập thể")]
UnitId = Annotated[UUID, _id("Mã đơn vị hành chính (tìm bằng GET /units?q=...)")]
EvidenceId = Annotated[UUID, _id("Mã minh chứng (trong evidence của GET /cases/{case_id})")]
DecisionId = Annotated[UUID, _id("Mã quyết định (id trong câu trả lời của POST /decisions)")]
ReportId = Annotated[UUID, _id("Mã báo cáo (id trong câu trả lời của POST /reports)")]
UserId = Annotated[UUID, _id("Mã tài khoản (id của GET /users/me hoặc POST /users)")]
TokenId = Annotated[UUID, _id("Mã số của mã truy cập (token_id), không phải mã bí mật")]
SetId = Annotated[UUID, _id("Mã bộ tiêu chí (set_id trong GET /criteria-sets)")]


# --- query parameters of the lists ------------------------------------------------------------

UnitFilter = Annotated[
    UUID | None,
    Query(
        description="Chỉ đơn vị này và các đơn vị cấp dưới (ngoài phạm vi của bạn thì 403)",
        examples=[EXAMPLE_ID],
    ),
]
ModelFilter = Annotated[
    TitleModel | None,
    Query(description="Chỉ danh hiệu này", examples=[TitleModel.LEARNING_CITIZEN.value]),
]
CycleYearFilter = Annotated[
    int | None, Query(ge=2000, le=2100, description="Chỉ năm xét này", examples=[2026])
]
Cursor = Annotated[
    Line | None,
    Query(
        max_length=512,
        description="`next_cursor` của trang trước (bỏ trống: trang đầu)",
        examples=["WyIyMDI2LTAzLTAxIiwgIjNmYTg1ZjY0LTU3MTctNDU2Mi1iM2ZjLTJjOTYzZjY2YWZhNiJd"],
    ),
]


def page_size(maximum: int) -> Any:
    """The ``limit`` of a list: at most ``maximum`` rows a page."""
    return Query(
        ge=1, le=maximum, description=f"Số dòng tối đa của trang (1-{maximum})", examples=[50]
    )
