"""Official Vietnamese terms, kept in one place so that labels, reports and explanations agree.

Codes are English-ASCII and stable (they are stored in events); labels are what people read.
"""

from __future__ import annotations

from enum import StrEnum


class TitleModel(StrEnum):
    """The five learning models whose titles the ledger records."""

    LEARNING_CITIZEN = "cong_dan_hoc_tap"
    LEARNING_FAMILY = "gia_dinh_hoc_tap"
    LEARNING_CLAN = "dong_ho_hoc_tap"
    LEARNING_COMMUNITY = "cong_dong_hoc_tap"
    LEARNING_UNIT = "don_vi_hoc_tap"


#: How an erased person (or a household named after them) is shown wherever they appear.
ERASED_LABEL = {"vi": "đã xóa", "en": "erased"}

#: How a household's head is named in its member list (``relation``): the household is named
#: after them ("Hộ bà …"), so erasing the head erases the household's name too.
HOUSEHOLD_HEAD_RELATIONS = frozenset({"chu_ho", "chủ hộ", "chủ_hộ"})


class SubjectKind(StrEnum):
    PERSON = "person"
    HOUSEHOLD = "household"
    CLAN = "clan"
    COMMUNITY = "community"
    ORGANISATION = "organisation"


#: Which kind of subject can hold which title.
SUBJECT_OF_MODEL: dict[TitleModel, SubjectKind] = {
    TitleModel.LEARNING_CITIZEN: SubjectKind.PERSON,
    TitleModel.LEARNING_FAMILY: SubjectKind.HOUSEHOLD,
    TitleModel.LEARNING_CLAN: SubjectKind.CLAN,
    TitleModel.LEARNING_COMMUNITY: SubjectKind.COMMUNITY,
    TitleModel.LEARNING_UNIT: SubjectKind.ORGANISATION,
}


class Role(StrEnum):
    CITIZEN = "citizen"
    VILLAGE_OFFICER = "village_officer"
    COMMUNE_OFFICER = "commune_officer"
    REVIEWER = "reviewer"
    COUNCIL_MEMBER = "council_member"
    SIGNER = "signer"
    COMPLAINT_HANDLER = "complaint_handler"
    INSPECTOR = "inspector"
    REPORTING_OFFICER = "reporting_officer"
    ADMINISTRATOR = "administrator"


class UnitLevel(StrEnum):
    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"
    VILLAGE = "village"


#: Parent level of each level (the district tier ended on 2025-06-30).
PARENT_LEVELS: dict[UnitLevel, tuple[UnitLevel, ...]] = {
    UnitLevel.PROVINCE: (),
    UnitLevel.DISTRICT: (UnitLevel.PROVINCE,),
    UnitLevel.COMMUNE: (UnitLevel.DISTRICT, UnitLevel.PROVINCE),
    UnitLevel.VILLAGE: (UnitLevel.COMMUNE,),
}


class CaseStatus(StrEnum):
    OPENED = "opened"
    SELF_ASSESSED = "self_assessed"
    REVIEWED = "reviewed"
    NOTICE_POSTED = "notice_posted"
    NOTICE_CLOSED = "notice_closed"
    COUNCIL_FORMED = "council_formed"
    APPRAISED = "appraised"
    GRANTED = "granted"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    REOPENED = "reopened"  # a complaint about it was upheld: scores may be revised on appeal
    REVOKED = "revoked"


class IndicatorKind(StrEnum):
    POINTS = "points"  # scored 0..max_points
    TARGET = "target"  # met (1) or not met (0)
    SHARE = "share"  # a percentage 0..100 computed from the register, never typed in


class DecisionOutcome(StrEnum):
    GRANTED = "granted"
    REFUSED = "refused"
    REVOKED = "revoked"  # only in a decision that amends or annuls an earlier one


class ComplaintOutcome(StrEnum):
    UPHELD = "upheld"
    PARTLY_UPHELD = "partly_upheld"
    REJECTED = "rejected"


class ComplaintStatus(StrEnum):
    RECEIVED = "received"
    ACCEPTED = "accepted"
    NOT_ACCEPTED = "not_accepted"
    RESOLVED = "resolved"


LABELS_VI: dict[str, str] = {
    TitleModel.LEARNING_CITIZEN: "Công dân học tập",
    TitleModel.LEARNING_FAMILY: "Gia đình học tập",
    TitleModel.LEARNING_CLAN: "Dòng họ học tập",
    TitleModel.LEARNING_COMMUNITY: "Cộng đồng học tập",
    TitleModel.LEARNING_UNIT: "Đơn vị học tập",
    SubjectKind.PERSON: "Công dân",
    SubjectKind.HOUSEHOLD: "Hộ gia đình",
    SubjectKind.CLAN: "Dòng họ",
    SubjectKind.COMMUNITY: "Cộng đồng (thôn, tổ dân phố)",
    SubjectKind.ORGANISATION: "Cơ quan, đơn vị",
    Role.CITIZEN: "Công dân",
    Role.VILLAGE_OFFICER: "Cán bộ thôn, tổ dân phố",
    Role.COMMUNE_OFFICER: "Cán bộ cấp xã",
    Role.REVIEWER: "Người thẩm định hồ sơ",
    Role.COUNCIL_MEMBER: "Thành viên hội đồng xét duyệt",
    Role.SIGNER: "Người ký quyết định",
    Role.COMPLAINT_HANDLER: "Người giải quyết khiếu nại",
    Role.INSPECTOR: "Thanh tra",
    Role.REPORTING_OFFICER: "Cán bộ báo cáo thống kê",
    Role.ADMINISTRATOR: "Quản trị hệ thống",
    UnitLevel.PROVINCE: "Cấp tỉnh",
    UnitLevel.DISTRICT: "Cấp huyện",
    UnitLevel.COMMUNE: "Cấp xã",
    UnitLevel.VILLAGE: "Thôn, tổ dân phố",
    CaseStatus.OPENED: "Đã đăng ký",
    CaseStatus.SELF_ASSESSED: "Đã tự đánh giá",
    CaseStatus.REVIEWED: "Đã thẩm định",
    CaseStatus.NOTICE_POSTED: "Đang niêm yết",
    CaseStatus.NOTICE_CLOSED: "Đã kết thúc niêm yết",
    CaseStatus.COUNCIL_FORMED: "Đã thành lập hội đồng",
    CaseStatus.APPRAISED: "Hội đồng đã xét duyệt",
    CaseStatus.GRANTED: "Được công nhận",
    CaseStatus.REFUSED: "Không được công nhận",
    CaseStatus.WITHDRAWN: "Đã rút đăng ký",
    CaseStatus.REOPENED: "Xem xét lại theo khiếu nại",
    CaseStatus.REVOKED: "Bị thu hồi danh hiệu",
    ComplaintOutcome.UPHELD: "Khiếu nại đúng",
    ComplaintOutcome.PARTLY_UPHELD: "Khiếu nại đúng một phần",
    ComplaintOutcome.REJECTED: "Khiếu nại sai",
    ComplaintStatus.RECEIVED: "Đã nhận đơn",
    ComplaintStatus.ACCEPTED: "Đã thụ lý",
    ComplaintStatus.NOT_ACCEPTED: "Không thụ lý",
    ComplaintStatus.RESOLVED: "Đã giải quyết",
}

#: Kinds of evidence (minh chứng) that forms offer. The API takes any short text, since
#: per-criterion evidence lists are not published (domain.md §7): a kind not listed here
#: is shown as it was typed.
EVIDENCE_KINDS: dict[str, str] = {
    "giay_xac_nhan": "Giấy xác nhận",
    "bao_cao_tu_danh_gia": "Báo cáo tự đánh giá",
    "chung_chi": "Chứng chỉ",
    "van_bang": "Văn bằng",
    "giay_khen": "Giấy khen, bằng khen",
    "bien_ban": "Biên bản",
    "quyet_dinh": "Quyết định",
    "ke_hoach": "Kế hoạch",
    "hinh_anh": "Hình ảnh, tài liệu",
    "khac": "Giấy tờ khác",
}
LABELS_VI |= EVIDENCE_KINDS


def label(code: str) -> str:
    """The Vietnamese label of a code, or the code itself when it has none."""
    return LABELS_VI.get(code, code)
