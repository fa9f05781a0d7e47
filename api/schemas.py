"""Request and response shapes of the HTTP API (``XCreate`` in, ``XPublic`` out)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from api.dates import BirthDate, ProcessDate
from domain.glossary import DecisionOutcome, Role, SubjectKind, TitleModel, UnitLevel
from domain.text import REFUSED_TEXT, plain_decimal, refused_character, refused_in


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _refused(where: str, code_point: str) -> PydanticCustomError:
    return PydanticCustomError(
        "refused_character",
        "{where}{refused} ({character})",
        {"where": where, "refused": REFUSED_TEXT, "character": code_point},
    )


def _text(*, multiline: bool) -> Callable[[Any], Any]:
    def checked(value: Any) -> Any:
        if not isinstance(value, str):
            return value  # not text: the str schema after this refuses it
        code_point = refused_character(value, multiline=multiline)
        if code_point is not None:
            raise _refused("", code_point)
        return unicodedata.normalize("NFC", value)

    return checked


def _json(value: Any) -> Any:
    found = refused_in(value)
    if found is not None:
        raise _refused(f"{found[0]}: ", found[1])
    return value


# Every string a request carries into an event or a view is one of these (domain/text.py
# says which characters each refuses); bounds come from a Field beside it, or built in.
# The check runs before the length bounds, so they count the NFC form's characters.

#: One line of text: no control characters at all; NFC-normalised.
Line = Annotated[str, BeforeValidator(_text(multiline=False))]
#: Text that may run over several lines (TAB, LF and CR allowed); NFC-normalised.
Prose = Annotated[str, BeforeValidator(_text(multiline=True))]
Text = Annotated[Line, Field(min_length=1, max_length=500)]
Reason = Annotated[Prose, Field(min_length=1, max_length=2000, description="Lý do (bắt buộc)")]
Note = Annotated[Prose, Field(max_length=4000)]
#: A JSON object whose every key and string, at any depth, holds no refused character.
JsonObject = Annotated[dict[str, Any], AfterValidator(_json)]


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
    illustrative: bool = Field(
        description="Bộ tiêu chí minh họa (chưa phải bộ chính thức): mọi trang và tệp xuất ghi rõ"
    )


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


class CatalogueEntriesPage(BaseModel):
    items: list[CatalogueEntryPublic]
    next_cursor: str | None = Field(description="Gửi lại trong ?cursor= để lấy trang sau")


# --- registry -----------------------------------------------------------------------------------


class UnitCreate(Strict):
    code: Line = Field(min_length=1, max_length=32, description="Mã đơn vị hành chính")
    name: Text
    level: UnitLevel
    unit_type: Line = Field(min_length=1, max_length=64, examples=["xa", "phuong", "thon"])
    parent_id: UUID | None = None
    valid_from: ProcessDate
    valid_to: ProcessDate | None = None
    legal_basis: Line | None = Field(default=None, max_length=500)


class UnitParentChange(Strict):
    parent_id: UUID
    from_date: ProcessDate
    reason: Reason


class UnitMerge(Strict):
    predecessor_ids: list[UUID] = Field(min_length=1, max_length=50)
    successor_id: UUID
    from_date: ProcessDate
    legal_basis: Text


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
    cccd: Line = Field(min_length=9, max_length=20, description="Số CCCD (12 số) hoặc CMND (9 số)")
    full_name: Text
    birth_date: BirthDate | None = Field(default=None, description="Từ 1900-01-01 đến hôm nay")
    gender: Line | None = Field(default=None, max_length=32)
    ethnicity: Line | None = Field(default=None, max_length=64)
    target_group: Line | None = Field(default=None, max_length=64)
    unit_id: UUID


class PersonLookup(Strict):
    cccd: Line = Field(min_length=9, max_length=20)


class PersonChanges(Strict):
    """The personal fields to correct: only those given change, null clears one (not the
    name). The CCCD cannot be corrected: it names the record."""

    full_name: Text | None = None
    birth_date: BirthDate | None = Field(default=None, description="Từ 1900-01-01 đến hôm nay")
    gender: Line | None = Field(default=None, max_length=32)
    ethnicity: Line | None = Field(default=None, max_length=64)
    religion: Line | None = Field(default=None, max_length=64)


class PersonCorrection(Strict):
    changes: PersonChanges
    reason: Reason


class ErasureRequest(Strict):
    reason: Reason


class Relocation(Strict):
    unit_id: UUID = Field(description="Đơn vị chuyển đến (có hiệu lực vào ngày chuyển)")
    moved_on: ProcessDate = Field(description="Ngày chuyển")
    reason: Reason


class PersonPublic(BaseModel):
    id: UUID
    version: int
    unit_id: UUID
    target_group: str | None
    affiliations: list[dict[str, Any]]
    erased: bool
    label: str | None = Field(default=None, description='"đã xóa" khi dữ liệu đã bị xóa')
    details: dict[str, Any] | None = Field(
        description="Dữ liệu cá nhân (chỉ hiện với người có quyền); null nếu đã xóa"
    )


class CollectiveCreate(Strict):
    kind: SubjectKind
    name: Text
    unit_id: UUID
    organisation_type: Line | None = Field(default=None, max_length=64)


class MemberAdd(Strict):
    member_id: UUID
    relation: Line | None = Field(default=None, max_length=64)


class MemberLeave(Strict):
    left_on: ProcessDate = Field(description="Ngày rời")
    reason: Reason


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
    target_group: Line | None = Field(
        default=None,
        max_length=64,
        description="Nhóm của bộ tiêu chí cho đơn vị, tập thể (vd. đơn vị cấp huyện theo mức độ);"
        " với cá nhân là nhóm đối tượng của người đó",
    )


def _score(value: Any) -> Any:
    if isinstance(value, str) and not plain_decimal(value):
        raise PydanticCustomError(
            "plain_number", "điểm phải viết bằng chữ số 0-9, dấu '-' và dấu '.' (ví dụ 8.5)"
        )
    return value


#: A score: a JSON number, or a string of ASCII digits with an optional sign and point.
Score = Annotated[Decimal, BeforeValidator(_score)]
#: Points by indicator code.
Scores = dict[Annotated[Line, Field(min_length=1, max_length=32)], Score]


class SelfAssessment(Strict):
    scores: Scores = Field(description="Điểm theo mã chỉ số")
    assessed_on: ProcessDate | None = None


class Review(Strict):
    scores: Scores
    evidence_seen: list[UUID] | None = Field(
        default=None, description="Các minh chứng người thẩm định đã xem (mặc định: tất cả)"
    )
    remarks: Note | None = None
    reviewed_on: ProcessDate | None = None


class ScoreRevision(Strict):
    indicator: Line = Field(min_length=1, max_length=32)
    score: Score
    reason: Reason
    revised_on: ProcessDate | None = None
    complaint_id: UUID | None = Field(
        default=None,
        description="Khiếu nại được chấp nhận dẫn tới việc điều chỉnh (sau quyết định)",
    )


class EvidenceSupersession(Strict):
    replaced_by: UUID | None = None
    reason: Reason


class NoticePost(Strict):
    posted_on: ProcessDate
    closes_on: ProcessDate
    place: Text


class NoticeClose(Strict):
    closed_on: ProcessDate
    comments_received: int = Field(ge=0, le=100000)
    summary: Note | None = None


class MemberShareCompute(Strict):
    """Compute a member-share indicator from the register (the figure is never typed in)."""

    indicator: Line = Field(min_length=1, max_length=32, examples=["3.1"])
    computed_on: ProcessDate | None = None


class Seat(Strict):
    user_id: UUID
    role: Line = Field(default="member", pattern="^(chair|member|secretary)$")
    conflict: Prose | None = Field(default=None, max_length=2000)


class CouncilCreate(Strict):
    name: Text
    members: list[Seat] = Field(min_length=1, max_length=30)
    formed_on: ProcessDate | None = None


class ConflictDeclaration(Strict):
    member_id: UUID
    reason: Reason


class Appraisal(Strict):
    recommended: bool
    votes_for: int = Field(ge=0, le=100)
    votes_against: int = Field(ge=0, le=100)
    remarks: Note | None = None
    appraised_on: ProcessDate | None = None


class Withdrawal(Strict):
    reason: Reason


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
    reason: Prose | None = Field(default=None, max_length=2000)


class DecisionCreate(Strict):
    number: Line = Field(min_length=1, max_length=64, examples=["12/QĐ-UBND"])
    decided_on: ProcessDate
    signer_title: Text
    authority_name: Text
    authority_unit_id: UUID
    legal_basis: Text
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
    username: Line = Field(min_length=3, max_length=64)
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
    label: Line | None = Field(default=None, max_length=100)


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


class TokenListed(BaseModel):
    token_id: UUID
    label: str | None
    issued_at: datetime
    issued_by: str | None = Field(description="Ai cấp (tài khoản, hoặc cli:… từ bàn điều khiển)")
    expires_at: datetime
    state: Literal["active", "expired", "revoked"]
    revoked_at: datetime | None


class TokenRevocation(Strict):
    reason: Reason
