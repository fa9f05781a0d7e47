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
Reason = Annotated[
    Prose,
    Field(
        min_length=1,
        max_length=2000,
        description="Lý do (bắt buộc), có thể nhiều dòng",
        examples=["Ghi nhầm ngày trên biên bản; sửa theo bản gốc"],
    ),
]
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
    code: Line = Field(
        min_length=1, max_length=32, description="Mã đơn vị hành chính", examples=["26734"]
    )
    name: Text = Field(description="Tên đơn vị", examples=["Xã An Bình"])
    level: UnitLevel = Field(
        description="Cấp: province, district, commune, village", examples=["commune"]
    )
    unit_type: Line = Field(
        min_length=1,
        max_length=64,
        examples=["xa", "phuong", "thon"],
        description="Loại đơn vị: xa, phuong, thi_tran, thon, to_dan_pho...",
    )
    parent_id: UUID | None = Field(
        default=None,
        description="Đơn vị cấp trên (trống: cấp tỉnh)",
        examples=["3fa85f64-5717-4562-b3fc-2c963f66afa6"],
    )
    valid_from: ProcessDate = Field(description="Ngày bắt đầu có hiệu lực", examples=["2025-07-01"])
    valid_to: ProcessDate | None = Field(
        default=None, description="Ngày thôi tồn tại (nếu đã biết)", examples=["2030-12-31"]
    )
    legal_basis: Line | None = Field(
        default=None,
        max_length=500,
        description="Căn cứ pháp lý",
        examples=["Nghị quyết 1656/NQ-UBTVQH15"],
    )


class UnitParentChange(Strict):
    parent_id: UUID = Field(
        description="Đơn vị cấp trên mới", examples=["3fa85f64-5717-4562-b3fc-2c963f66afa6"]
    )
    from_date: ProcessDate = Field(description="Ngày có hiệu lực", examples=["2025-07-01"])
    reason: Reason


class UnitMerge(Strict):
    predecessor_ids: list[UUID] = Field(
        min_length=1,
        max_length=50,
        description="Các đơn vị được sáp nhập",
        examples=[["3fa85f64-5717-4562-b3fc-2c963f66afa6"]],
    )
    successor_id: UUID = Field(
        description="Đơn vị sau sáp nhập", examples=["3fa85f64-5717-4562-b3fc-2c963f66afa6"]
    )
    from_date: ProcessDate = Field(description="Ngày sáp nhập có hiệu lực", examples=["2025-07-01"])
    legal_basis: Text = Field(
        description="Căn cứ pháp lý", examples=["Nghị quyết 1656/NQ-UBTVQH15"]
    )


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
    cccd: Line = Field(
        min_length=9,
        max_length=20,
        description="Số CCCD (12 số) hoặc CMND (9 số)",
        examples=["001087000104"],
    )
    full_name: Text = Field(
        description="Họ và tên (niêm phong, không vào sự kiện)", examples=["Trần Văn Minh"]
    )
    birth_date: BirthDate | None = Field(
        default=None, description="Từ 1900-01-01 đến hôm nay", examples=["1987-05-04"]
    )
    gender: Line | None = Field(
        default=None, max_length=32, description="Giới tính", examples=["nam"]
    )
    ethnicity: Line | None = Field(
        default=None, max_length=64, description="Dân tộc", examples=["Kinh"]
    )
    target_group: Line | None = Field(
        default=None,
        max_length=64,
        description="Nhóm đối tượng của bộ tiêu chí",
        examples=["nong_dan"],
    )
    unit_id: UUID = Field(
        description="Đơn vị nơi ở (thôn hoặc xã)", examples=["3fa85f64-5717-4562-b3fc-2c963f66afa6"]
    )


class PersonLookup(Strict):
    cccd: Line = Field(
        min_length=9,
        max_length=20,
        description="Số CCCD (12 số) hoặc CMND (9 số); gửi trong thân, không trong URL",
        examples=["001087000104"],
    )


class PersonChanges(Strict):
    """The personal fields to correct: only those given change, null clears one (not the
    name). The CCCD cannot be corrected: it names the record."""

    full_name: Text | None = Field(
        default=None, description="Họ và tên mới", examples=["Trần Văn Minh"]
    )
    birth_date: BirthDate | None = Field(
        default=None, description="Từ 1900-01-01 đến hôm nay", examples=["1987-05-04"]
    )
    gender: Line | None = Field(
        default=None, max_length=32, description="Giới tính (null: xóa)", examples=["nam"]
    )
    ethnicity: Line | None = Field(
        default=None, max_length=64, description="Dân tộc (null: xóa)", examples=["Kinh"]
    )
    religion: Line | None = Field(
        default=None, max_length=64, description="Tôn giáo (null: xóa)", examples=["Không"]
    )


class PersonCorrection(Strict):
    changes: PersonChanges = Field(
        description="Các trường cần sửa", examples=[{"full_name": "Trần Văn Minh"}]
    )
    reason: Reason


class ErasureRequest(Strict):
    reason: Reason


class Relocation(Strict):
    unit_id: UUID = Field(
        description="Đơn vị chuyển đến (có hiệu lực vào ngày chuyển)",
        examples=["3fa85f64-5717-4562-b3fc-2c963f66afa6"],
    )
    moved_on: ProcessDate = Field(description="Ngày chuyển", examples=["2026-03-01"])
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
    kind: SubjectKind = Field(
        description="household, clan, community hoặc organisation", examples=["household"]
    )
    name: Text = Field(description="Tên tập thể", examples=["Hộ ông Trần Văn Minh"])
    unit_id: UUID = Field(
        description="Đơn vị nơi tập thể ở", examples=["3fa85f64-5717-4562-b3fc-2c963f66afa6"]
    )
    organisation_type: Line | None = Field(
        default=None,
        max_length=64,
        description="Loại tổ chức (với đơn vị học tập)",
        examples=["truong_hoc"],
    )


class MemberAdd(Strict):
    member_id: UUID = Field(
        description="Mã công dân thành viên", examples=["3fa85f64-5717-4562-b3fc-2c963f66afa6"]
    )
    relation: Line | None = Field(
        default=None, max_length=64, description="Quan hệ với chủ hộ, trưởng họ", examples=["con"]
    )


class MemberLeave(Strict):
    left_on: ProcessDate = Field(description="Ngày rời", examples=["2026-03-01"])
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
    subject_id: UUID = Field(
        description="Mã đối tượng: công dân hoặc tập thể",
        examples=["3fa85f64-5717-4562-b3fc-2c963f66afa6"],
    )
    model: TitleModel = Field(description="Danh hiệu", examples=["cong_dan_hoc_tap"])
    cycle_year: int = Field(ge=2000, le=2100, description="Năm xét", examples=[2026])
    level: int | None = Field(
        default=None, ge=1, le=9, description="Mức (với danh hiệu có nhiều mức)", examples=[1]
    )
    opened_on: ProcessDate | None = Field(
        default=None, description="Ngày mở hồ sơ (mặc định hôm nay)", examples=["2026-01-10"]
    )
    target_group: Line | None = Field(
        default=None,
        max_length=64,
        description="Nhóm của bộ tiêu chí cho đơn vị, tập thể (vd. đơn vị cấp huyện theo mức độ);"
        " với cá nhân là nhóm đối tượng của người đó",
        examples=["nong_dan"],
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
    scores: Scores = Field(description="Điểm theo mã chỉ số", examples=[{"1": "9", "2": 8.5}])
    assessed_on: ProcessDate | None = Field(
        default=None, description="Ngày tự đánh giá (mặc định hôm nay)", examples=["2026-02-01"]
    )


class Review(Strict):
    scores: Scores = Field(
        description="Điểm thẩm định theo mã chỉ số", examples=[{"1": "9", "2": 8.5}]
    )
    evidence_seen: list[UUID] | None = Field(
        default=None,
        description="Các minh chứng người thẩm định đã xem (mặc định: tất cả)",
        examples=[["3fa85f64-5717-4562-b3fc-2c963f66afa6"]],
    )
    remarks: Note | None = Field(default=None, description="Nhận xét", examples=["Đủ minh chứng"])
    reviewed_on: ProcessDate | None = Field(
        default=None, description="Ngày thẩm định (mặc định hôm nay)", examples=["2026-02-05"]
    )


class ScoreRevision(Strict):
    indicator: Line = Field(min_length=1, max_length=32, description="Mã chỉ số", examples=["5"])
    score: Score = Field(description="Điểm mới: số, hoặc chuỗi chữ số 0-9", examples=["7.5"])
    reason: Reason
    revised_on: ProcessDate | None = Field(
        default=None, description="Ngày điều chỉnh (mặc định hôm nay)", examples=["2026-03-05"]
    )
    complaint_id: UUID | None = Field(
        default=None,
        description="Khiếu nại được chấp nhận dẫn tới việc điều chỉnh (sau quyết định)",
        examples=["3fa85f64-5717-4562-b3fc-2c963f66afa6"],
    )


class EvidenceSupersession(Strict):
    replaced_by: UUID | None = Field(
        default=None,
        description="Minh chứng thay thế (trống: rút minh chứng)",
        examples=["3fa85f64-5717-4562-b3fc-2c963f66afa6"],
    )
    reason: Reason


class NoticePost(Strict):
    posted_on: ProcessDate = Field(description="Ngày niêm yết", examples=["2026-02-06"])
    closes_on: ProcessDate = Field(description="Ngày kết thúc niêm yết", examples=["2026-02-16"])
    place: Text = Field(description="Nơi niêm yết", examples=["Nhà văn hóa thôn Đông"])


class NoticeClose(Strict):
    closed_on: ProcessDate = Field(description="Ngày kết thúc niêm yết", examples=["2026-02-16"])
    comments_received: int = Field(ge=0, le=100000, description="Số ý kiến nhận được", examples=[0])
    summary: Note | None = Field(
        default=None, description="Tóm tắt ý kiến", examples=["Không có ý kiến"]
    )


class MemberShareCompute(Strict):
    """Compute a member-share indicator from the register (the figure is never typed in)."""

    indicator: Line = Field(
        min_length=1,
        max_length=32,
        examples=["3.1"],
        description="Mã chỉ số tính theo tỷ lệ thành viên",
    )
    computed_on: ProcessDate | None = Field(
        default=None, description="Ngày tính (mặc định hôm nay)", examples=["2026-02-01"]
    )


class Seat(Strict):
    user_id: UUID = Field(
        description="Tài khoản council_member ở đơn vị hồ sơ hoặc cấp trên",
        examples=["3fa85f64-5717-4562-b3fc-2c963f66afa6"],
    )
    role: Line = Field(
        default="member",
        pattern="^(chair|member|secretary)$",
        description="chair, member hoặc secretary",
        examples=["chair"],
    )
    conflict: Prose | None = Field(
        default=None,
        max_length=2000,
        description="Xung đột lợi ích đã khai (thành viên đó không bỏ phiếu)",
        examples=["Là anh họ của đối tượng"],
    )


class CouncilCreate(Strict):
    name: Text = Field(description="Tên hội đồng", examples=["Hội đồng xét công nhận năm 2026"])
    members: list[Seat] = Field(
        min_length=1,
        max_length=30,
        description="Các ghế hội đồng (1-30)",
        examples=[[{"user_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "role": "chair"}]],
    )
    formed_on: ProcessDate | None = Field(
        default=None, description="Ngày lập (mặc định hôm nay)", examples=["2026-02-17"]
    )


class ConflictDeclaration(Strict):
    member_id: UUID = Field(
        description="Tài khoản thành viên hội đồng có xung đột",
        examples=["3fa85f64-5717-4562-b3fc-2c963f66afa6"],
    )
    reason: Reason


class Appraisal(Strict):
    recommended: bool = Field(description="Hội đồng đề nghị công nhận", examples=[True])
    votes_for: int = Field(ge=0, le=100, description="Số phiếu tán thành", examples=[2])
    votes_against: int = Field(ge=0, le=100, description="Số phiếu không tán thành", examples=[0])
    remarks: Note | None = Field(
        default=None, description="Nhận xét của hội đồng", examples=["Đạt"]
    )
    appraised_on: ProcessDate | None = Field(
        default=None, description="Ngày xét (mặc định hôm nay)", examples=["2026-02-20"]
    )


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
    case_id: UUID = Field(description="Mã hồ sơ", examples=["3fa85f64-5717-4562-b3fc-2c963f66afa6"])
    outcome: DecisionOutcome = Field(
        description="granted, refused hoặc revoked (chỉ trong quyết định sửa đổi)",
        examples=["granted"],
    )
    reason: Prose | None = Field(
        default=None,
        max_length=2000,
        description="Lý do (khi không công nhận hoặc thu hồi)",
        examples=["Chưa đủ điểm"],
    )


class DecisionCreate(Strict):
    number: Line = Field(
        min_length=1, max_length=64, examples=["12/QĐ-UBND"], description="Số quyết định"
    )
    decided_on: ProcessDate = Field(description="Ngày ký", examples=["2026-03-02"])
    signer_title: Text = Field(description="Chức danh người ký", examples=["Chủ tịch UBND xã"])
    authority_name: Text = Field(description="Cơ quan ra quyết định", examples=["UBND xã An Bình"])
    authority_unit_id: UUID = Field(
        description="Đơn vị của cơ quan ra quyết định",
        examples=["3fa85f64-5717-4562-b3fc-2c963f66afa6"],
    )
    legal_basis: Text = Field(description="Căn cứ", examples=["Quyết định 677/QĐ-TTg"])
    rulings: list[RulingCreate] = Field(
        min_length=1,
        max_length=500,
        description="Kết quả từng hồ sơ (1-500)",
        examples=[[{"case_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "outcome": "granted"}]],
    )
    amends: UUID | None = Field(
        default=None,
        description="Quyết định được sửa đổi, hủy bỏ (bản gốc giữ nguyên)",
        examples=["3fa85f64-5717-4562-b3fc-2c963f66afa6"],
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
    username: Line = Field(
        min_length=3, max_length=64, description="Tên đăng nhập", examples=["can-bo-xa-an-binh"]
    )
    roles: list[Role] = Field(
        min_length=1, description="Các vai trò", examples=[["commune_officer"]]
    )
    unit_id: UUID | None = Field(
        default=None,
        description="Đơn vị (trống: cấp toàn quốc, chỉ quản trị viên toàn quốc tạo được)",
        examples=["3fa85f64-5717-4562-b3fc-2c963f66afa6"],
    )
    person_id: UUID | None = Field(
        default=None,
        description="Công dân gắn với tài khoản (với vai trò citizen)",
        examples=["3fa85f64-5717-4562-b3fc-2c963f66afa6"],
    )


class UserPublic(BaseModel):
    id: UUID
    version: int
    username: str
    roles: list[Role]
    unit_id: UUID | None
    person_id: UUID | None
    active: bool


class TokenCreate(Strict):
    ttl_hours: int | None = Field(
        default=None,
        ge=1,
        le=24 * 365,
        description="Hạn, tính bằng giờ (tối đa HOCTAP_TOKEN_TTL_HOURS)",
        examples=[720],
    )
    label: Line | None = Field(
        default=None,
        max_length=100,
        description="Ghi chú (ví dụ máy nào dùng)",
        examples=["điện thoại"],
    )


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
