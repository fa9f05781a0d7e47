"""Request and response shapes of the HTTP API (``XCreate`` in, ``XPublic`` out)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from api.dates import BirthDate, ProcessDate
from domain.glossary import DecisionOutcome, Role, SubjectKind, TitleModel, UnitLevel


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


Text = Field(min_length=1, max_length=500)
Reason = Field(min_length=1, max_length=2000, description="Lý do (bắt buộc)")


class Recorded(BaseModel):
    """Where a command's change landed."""

    id: UUID
    version: int = Field(description="Phiên bản mới của bản ghi (dùng cho If-Match)")
    position: int | None = Field(description="Vị trí trong nhật ký sự kiện (đọc-lại-ghi)")


# --- criteria sets ----------------------------------------------------------------------------


class CriteriaSetPublic(BaseModel):
    id: UUID
    code: str
    version: int
    supersedes: UUID | None
    superseded_by: UUID | None
    superseded_from: date | None
    content: dict[str, Any]
    max_total: Decimal


class CatalogueEntryPublic(BaseModel):
    set_id: UUID
    code: str
    version: int
    model: str
    target_group: str | None
    level: int | None
    effective_from: date
    effective_to: date | None
    superseded_from: date | None


# --- registry -----------------------------------------------------------------------------------


class UnitCreate(Strict):
    code: str = Field(min_length=1, max_length=32, description="Mã đơn vị hành chính")
    name: str = Text
    level: UnitLevel
    unit_type: str = Field(min_length=1, max_length=64, examples=["xa", "phuong", "thon"])
    parent_id: UUID | None = None
    valid_from: ProcessDate
    valid_to: ProcessDate | None = None
    legal_basis: str | None = Field(default=None, max_length=500)


class UnitParentChange(Strict):
    parent_id: UUID
    from_date: ProcessDate
    reason: str = Reason


class UnitMerge(Strict):
    predecessor_ids: list[UUID] = Field(min_length=1, max_length=50)
    successor_id: UUID
    from_date: ProcessDate
    legal_basis: str = Text


class UnitPublic(BaseModel):
    id: UUID
    version: int
    code: str
    name: str
    level: UnitLevel
    unit_type: str
    parents: list[dict[str, Any]]
    valid_from: date
    valid_to: date | None
    legal_basis: str | None
    successor_id: UUID | None
    predecessor_ids: list[UUID]


class PersonCreate(Strict):
    cccd: str = Field(min_length=9, max_length=20, description="Số CCCD (12 số) hoặc CMND (9 số)")
    full_name: str = Text
    birth_date: BirthDate | None = None
    gender: str | None = Field(default=None, max_length=32)
    ethnicity: str | None = Field(default=None, max_length=64)
    target_group: str | None = Field(default=None, max_length=64)
    unit_id: UUID


class PersonLookup(Strict):
    cccd: str = Field(min_length=9, max_length=20)


class PersonCorrection(Strict):
    changes: dict[str, str | None]
    reason: str = Reason


class ErasureRequest(Strict):
    reason: str = Reason


class Relocation(Strict):
    unit_id: UUID = Field(description="Đơn vị chuyển đến (có hiệu lực vào ngày chuyển)")
    moved_on: ProcessDate = Field(description="Ngày chuyển")
    reason: str = Reason


class PersonPublic(BaseModel):
    id: UUID
    version: int
    unit_id: UUID
    target_group: str | None
    affiliations: list[dict[str, Any]]
    erased: bool
    details: dict[str, Any] | None = Field(
        description="Dữ liệu cá nhân (chỉ hiện với người có quyền); null nếu đã xóa"
    )


class CollectiveCreate(Strict):
    kind: SubjectKind
    name: str = Text
    unit_id: UUID
    organisation_type: str | None = Field(default=None, max_length=64)


class MemberAdd(Strict):
    member_id: UUID
    relation: str | None = Field(default=None, max_length=64)


class MemberLeave(Strict):
    left_on: ProcessDate = Field(description="Ngày rời")
    reason: str = Reason


class CollectivePublic(BaseModel):
    id: UUID
    version: int
    kind: SubjectKind
    name: str | None
    unit_id: UUID
    organisation_type: str | None
    members: list[dict[str, Any]]
    affiliations: list[dict[str, Any]]


# --- assessment ----------------------------------------------------------------------------------


class CaseOpen(Strict):
    subject_id: UUID
    model: TitleModel
    cycle_year: int = Field(ge=2000, le=2100)
    level: int | None = Field(default=None, ge=1, le=9)
    opened_on: ProcessDate | None = None


Scores = dict[str, Decimal]


class SelfAssessment(Strict):
    scores: Scores = Field(description="Điểm theo mã chỉ số")
    assessed_on: ProcessDate | None = None


class Review(Strict):
    scores: Scores
    evidence_seen: list[UUID] | None = Field(
        default=None, description="Các minh chứng người thẩm định đã xem (mặc định: tất cả)"
    )
    remarks: str | None = Field(default=None, max_length=4000)
    reviewed_on: ProcessDate | None = None


class ScoreRevision(Strict):
    indicator: str = Field(min_length=1, max_length=32)
    score: Decimal
    reason: str = Reason
    revised_on: ProcessDate | None = None
    complaint_id: UUID | None = Field(
        default=None,
        description="Khiếu nại được chấp nhận dẫn tới việc điều chỉnh (sau quyết định)",
    )


class EvidenceSupersession(Strict):
    replaced_by: UUID | None = None
    reason: str = Reason


class NoticePost(Strict):
    posted_on: ProcessDate
    closes_on: ProcessDate
    place: str = Text


class NoticeClose(Strict):
    closed_on: ProcessDate
    comments_received: int = Field(ge=0, le=100000)
    summary: str | None = Field(default=None, max_length=4000)


class Seat(Strict):
    user_id: UUID
    role: str = Field(default="member", pattern="^(chair|member|secretary)$")
    conflict: str | None = Field(default=None, max_length=2000)


class CouncilCreate(Strict):
    name: str = Text
    members: list[Seat] = Field(min_length=1, max_length=30)
    formed_on: ProcessDate | None = None


class ConflictDeclaration(Strict):
    member_id: UUID
    reason: str = Reason


class Appraisal(Strict):
    recommended: bool
    votes_for: int = Field(ge=0, le=100)
    votes_against: int = Field(ge=0, le=100)
    remarks: str | None = Field(default=None, max_length=4000)
    appraised_on: ProcessDate | None = None


class Withdrawal(Strict):
    reason: str = Reason


class EvidencePublic(BaseModel):
    evidence_id: UUID
    digest: str
    size: int
    media_type: str
    kind: str
    issuer: str
    issued_on: date
    indicators: list[str]
    submitted_by: str
    superseded: bool
    superseded_by: UUID | None


class IndicatorScore(BaseModel):
    code: str
    name: str
    max_points: Decimal
    self_score: Decimal | None
    review_score: Decimal | None
    final_score: Decimal | None


class CasePublic(BaseModel):
    id: UUID
    version: int
    subject_id: UUID
    subject_kind: SubjectKind
    model: TitleModel
    title_label: str
    cycle_year: int
    attempt: int
    unit_id: UUID
    criteria_set_id: UUID
    criteria_set_code: str
    criteria_set_version: int | None
    status: str
    status_label: str
    step_dates: dict[str, date]
    indicators: list[IndicatorScore]
    total: Decimal
    max_total: Decimal
    verdict: dict[str, Any]
    evidence: list[EvidencePublic]
    evidence_seen: list[UUID]
    self_assessor: str | None
    reviewer: str | None
    council: list[dict[str, Any]]
    recommended: bool | None
    decision_id: UUID | None
    valid_from: date | None
    valid_until: date | None
    appeal_complaint_id: UUID | None = Field(description="Khiếu nại đã mở lại hồ sơ")
    revoked_from: date | None


# --- decisions --------------------------------------------------------------------------------


class RulingCreate(Strict):
    case_id: UUID
    outcome: DecisionOutcome
    reason: str | None = Field(default=None, max_length=2000)


class DecisionCreate(Strict):
    number: str = Field(min_length=1, max_length=64, examples=["12/QĐ-UBND"])
    decided_on: ProcessDate
    signer_title: str = Text
    authority_name: str = Text
    authority_unit_id: UUID
    legal_basis: str = Text
    rulings: list[RulingCreate] = Field(min_length=1, max_length=500)
    amends: UUID | None = Field(
        default=None, description="Quyết định được sửa đổi, hủy bỏ (bản gốc giữ nguyên)"
    )


class DecisionPublic(BaseModel):
    id: UUID
    version: int
    number: str
    decided_on: date
    signer_id: str
    signer_title: str
    authority_name: str
    authority_level: UnitLevel
    authority_unit_id: UUID
    legal_basis: str
    entries: list[dict[str, Any]]
    amends: UUID | None


# --- users and tokens --------------------------------------------------------------------------


class UserCreate(Strict):
    username: str = Field(min_length=3, max_length=64)
    roles: list[Role] = Field(min_length=1)
    unit_id: UUID | None = None
    person_id: UUID | None = None


class UserPublic(BaseModel):
    id: UUID
    version: int
    username: str
    roles: list[Role]
    unit_id: UUID | None
    person_id: UUID | None
    active: bool


class TokenCreate(Strict):
    ttl_hours: int | None = Field(default=None, ge=1, le=24 * 365)
    label: str | None = Field(default=None, max_length=100)


class TokenPublic(BaseModel):
    token: str = Field(description="Chỉ hiện một lần; máy chủ chỉ lưu mã băm")
    token_id: UUID
    expires_at: datetime


class TokenInfo(BaseModel):
    token_id: UUID
    version: int
    user_id: UUID
    label: str | None
    expires_at: datetime
    revoked: bool


class TokenRevocation(Strict):
    reason: str = Reason
