"""Response shapes of the read models."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field


class StandingPublic(BaseModel):
    case_id: str
    subject_id: str
    subject_kind: str
    unit_id: str
    model: str
    title_label: str
    cycle_year: int
    attempt: int
    criteria_set_id: str
    criteria_set_code: str
    criteria_set_version: int | None
    target_group: str | None
    status: str
    status_label: str
    scores: dict[str, dict[str, str | None]]
    total: Decimal
    classification: str | None
    recommended: bool | None
    evidence_count: int
    decision_id: str | None
    decision_number: str | None
    decided_on: date | None
    valid_from: date | None
    valid_until: date | None
    expired_on: date | None = Field(
        None, description="Ngày đầu tiên danh hiệu hết hiệu lực, khi đã ghi nhận"
    )
    opened_on: date
    updated_at: datetime
    position: int


class StandingsPage(BaseModel):
    items: list[StandingPublic]
    next_cursor: str | None = Field(description="Gửi lại trong ?cursor= để lấy trang sau")


class UnitListed(BaseModel):
    id: str
    code: str
    name: str
    level: str
    level_label: str
    parent_id: str | None = Field(description="Đơn vị cấp trên vào ngày hỏi")
    valid_from: date
    valid_to: date | None
    successor_id: str | None = Field(description="Đơn vị kế thừa sau sáp nhập, nếu có")


class UnitsPage(BaseModel):
    items: list[UnitListed]
    next_cursor: str | None = Field(description="Gửi lại trong ?cursor= để lấy trang sau")


class TitlePublic(BaseModel):
    case_id: str
    subject_id: str
    subject_kind: str
    unit_id: str
    model: str
    title_label: str
    cycle_year: int
    outcome: str | None
    state: str | None = Field(
        default=None, description="granted | expired | refused, vào ngày hỏi (mặc định hôm nay)"
    )
    decision_id: str | None = None
    decision_number: str | None = None
    decided_on: date | None = None
    signer_id: str | None = None
    signer_title: str | None = None
    authority_name: str | None = None
    legal_basis: str | None = None
    amends_decision_id: str | None = Field(
        default=None, description="Quyết định gốc mà quyết định này sửa đổi, hủy bỏ"
    )
    valid_from: date | None = None
    revoked_from: date | None = None
    valid_until: date | None = None
    classification: str | None = None
    level: int | None = Field(
        default=None, description="Mức độ được công nhận (bộ tiêu chí theo mức độ, vd. TT 24/2023)"
    )
    total: Decimal | None = None
    reason: str | None = None
    decision_recorded_at: datetime | None = None


class HeldTitle(BaseModel):
    """A title held on the day asked (as known now, or as known at ``known_at``)."""

    case_id: str
    subject_id: str
    unit_id: str
    model: str
    title_label: str
    decision_id: str = Field(description="Quyết định đã công nhận (có thể là quyết định sửa đổi)")
    decision_number: str
    valid_from: date
    valid_until: date
    revoked_from: date | None
    recorded_at: datetime = Field(description="Thời điểm việc công nhận được ghi vào sổ")


class Figures(BaseModel):
    """Counts and rates of one line of a statistics table."""

    registered: int
    assessed: int
    recognised: int
    subjects: int
    rate_of_registered: Decimal | None = Field(description="% công nhận trên số đăng ký")
    rate_of_subjects: Decimal | None = Field(description="% công nhận trên tổng số đối tượng")


class GroupLine(Figures):
    code: str
    label: str = Field(description="Tên nhóm đối tượng theo bộ tiêu chí đã công bố")


class StatisticLine(Figures):
    unit_id: str
    code: str
    name: str
    level: str
    parent_id: str | None
    by_model: dict[str, dict[str, int]]
    by_group: dict[str, dict[str, int]] = Field(
        description="Công dân học tập theo nhóm đối tượng (kèm số đối tượng)"
    )
    groups: list[GroupLine] = Field(
        description="Công dân học tập theo nhóm đối tượng: tên nhóm, số liệu và tỷ lệ"
    )
    subjects_by_kind: dict[str, int]


class TargetProgress(BaseModel):
    model: str
    title_label: str
    target_groups: list[str]
    target_group_labels: list[str] = Field(description="Tên các nhóm đối tượng của mục tiêu")
    year: int
    target_rate: Decimal
    achieved_rate: Decimal | None
    reached: bool | None
    recognised: int
    population: int
    basis: str
    note: str | None


class StatisticsReport(BaseModel):
    structure: str = Field(description="two_level (từ 01/07/2025) hoặc three_level (trước đó)")
    structure_label: str
    structure_day: date
    cycle_year: int
    model: str | None
    lines: list[StatisticLine]
    progress: list[TargetProgress] = Field(
        description="Tiến độ so với mục tiêu chương trình (QĐ 387, QĐ 677) đang có hiệu lực"
    )


class ActionPublic(BaseModel):
    position: int
    recorded_at: datetime
    actor_id: str | None
    actor_role: str | None
    actor_unit_id: str | None = Field(
        None, description="Đơn vị của tài khoản thực hiện (trống: bàn điều khiển, cấp toàn quốc)"
    )
    topic: str
    record_id: str
    record_version: int
    reason: str | None
    effective_date: date | None
    correlation_id: str | None
    causation_id: str | None


class ProjectionHealth(BaseModel):
    name: str
    generation: int | None
    position: int
    lag_events: int = Field(description="Số sự kiện trong nhật ký chưa được xử lý")
    lag_seconds: float = Field(description="Số giây sự kiện cũ nhất chưa xử lý đã phải chờ")
    stalled: bool = Field(
        False, description="Trễ quá HOCTAP_HEALTH_MAX_LAG_SECONDS: mô hình đọc đã dừng cập nhật"
    )


class Health(BaseModel):
    status: str = Field(
        description="ok, hoặc degraded khi có mô hình đọc dừng cập nhật quá ngưỡng hay khi"
        " nhật ký không còn khớp nên điểm kiểm không được ký (vẫn HTTP 200)"
    )
    signing_refused: str | None = Field(
        None,
        description="Vì sao lần ký điểm kiểm gần nhất bị từ chối (nhật ký không còn khớp chuỗi"
        " băm hoặc điểm kiểm đã ký); có thì status là degraded",
    )
    max_lag_seconds: float | None = Field(None, description="Ngưỡng trễ (giây) của degraded")
    backend: str
    log_position: int
    projections: list[ProjectionHealth]
    extra: dict[str, Any] = {}
