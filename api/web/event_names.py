"""What each recorded event is called on a page, in Vietnamese: an inspector reads "Thẩm
định", never ``hoctap.AssessmentCase.Reviewed``. Keyed by the event's stored topic, so the
case, complaint and audit pages (and any trail of actions) name an event the same way."""

from __future__ import annotations

EVENT_NAMES: dict[str, str] = {
    "hoctap.AdministrativeUnit.Established": "Thành lập đơn vị hành chính",
    "hoctap.AdministrativeUnit.Merged": "Sáp nhập đơn vị hành chính",
    "hoctap.AdministrativeUnit.ParentChanged": "Đổi đơn vị cấp trên",
    "hoctap.AdministrativeUnit.SuccessionRecorded": "Ghi nhận đơn vị kế thừa",
    "hoctap.ApiToken.Issued": "Cấp mã truy cập",
    "hoctap.ApiToken.Revoked": "Thu hồi mã truy cập",
    "hoctap.AssessmentCase.Opened": "Mở hồ sơ",
    "hoctap.AssessmentCase.EvidenceAttached": "Nộp minh chứng",
    "hoctap.AssessmentCase.EvidenceSuperseded": "Thay thế minh chứng",
    "hoctap.AssessmentCase.MemberShareComputed": "Tính tỷ lệ thành viên đạt",
    "hoctap.AssessmentCase.SelfAssessed": "Tự đánh giá",
    "hoctap.AssessmentCase.Reviewed": "Thẩm định",
    "hoctap.AssessmentCase.ScoreRevised": "Sửa điểm",
    "hoctap.AssessmentCase.NoticePosted": "Niêm yết công khai",
    "hoctap.AssessmentCase.NoticeClosed": "Kết thúc niêm yết",
    "hoctap.AssessmentCase.CouncilFormed": "Thành lập hội đồng",
    "hoctap.AssessmentCase.ConflictDeclared": "Khai báo xung đột lợi ích",
    "hoctap.AssessmentCase.Appraised": "Xét duyệt",
    "hoctap.AssessmentCase.TitleGranted": "Công nhận danh hiệu",
    "hoctap.AssessmentCase.TitleExpired": "Danh hiệu hết hiệu lực",
    "hoctap.AssessmentCase.RecognitionRefused": "Không công nhận",
    "hoctap.AssessmentCase.Withdrawn": "Rút hồ sơ",
    "hoctap.AssessmentCase.ReopenedOnAppeal": "Mở lại theo khiếu nại",
    "hoctap.AssessmentCase.TitleRevoked": "Thu hồi danh hiệu",
    "hoctap.Collective.Registered": "Đăng ký tập thể",
    "hoctap.Collective.MemberAdded": "Thêm thành viên",
    "hoctap.Collective.MemberLeft": "Thành viên rời đi",
    "hoctap.Collective.Affiliated": "Tham gia tập thể",
    "hoctap.Collective.Disaffiliated": "Rời tập thể",
    "hoctap.Collective.Relocated": "Chuyển đơn vị hành chính",
    "hoctap.Complaint.Received": "Nhận đơn khiếu nại",
    "hoctap.Complaint.Accepted": "Thụ lý",
    "hoctap.Complaint.NotAccepted": "Không thụ lý",
    "hoctap.Complaint.HandlerAssigned": "Phân công người giải quyết",
    "hoctap.Complaint.Resolved": "Giải quyết",
    "hoctap.Complaint.Escalated": "Khiếu nại lần hai",
    "hoctap.Complaint.LawsuitReported": "Khởi kiện hành chính",
    "hoctap.CriteriaCatalogue.Started": "Lập danh mục bộ tiêu chí",
    "hoctap.CriteriaCatalogue.Listed": "Đưa bộ tiêu chí vào danh mục",
    "hoctap.CriteriaSet.Published": "Công bố bộ tiêu chí",
    "hoctap.CriteriaSet.Superseded": "Thay thế bộ tiêu chí",
    "hoctap.Import.Started": "Bắt đầu nhập danh sách",
    "hoctap.Import.RowsAccepted": "Nhận các dòng của danh sách",
    "hoctap.Import.Completed": "Hoàn tất nhập danh sách",
    "hoctap.Person.Registered": "Đăng ký cá nhân",
    "hoctap.Person.DetailsCorrected": "Sửa thông tin cá nhân",
    "hoctap.Person.Affiliated": "Tham gia tập thể",
    "hoctap.Person.Disaffiliated": "Rời tập thể",
    "hoctap.Person.Relocated": "Chuyển đơn vị hành chính",
    "hoctap.Person.PersonalDataErased": "Xóa dữ liệu cá nhân",
    "hoctap.ReadTrail.Started": "Mở sổ ghi lượt xem",
    "hoctap.ReadTrail.Viewed": "Xem dữ liệu",
    "hoctap.RecognitionDecision.Issued": "Ban hành quyết định",
    "hoctap.RuleDocument.Published": "Công bố văn bản quy định",
    "hoctap.StatisticsReport.Compiled": "Lập báo cáo thống kê",
    "hoctap.StatisticsReport.Submitted": "Gửi báo cáo thống kê",
    "hoctap.StatisticsReport.Superseded": "Thay thế báo cáo thống kê",
    "hoctap.UserAccount.Created": "Tạo tài khoản",
    "hoctap.UserAccount.RolesChanged": "Đổi vai trò",
    "hoctap.UserAccount.Deactivated": "Khóa tài khoản",
}


def event_name(topic: str) -> str:
    """The event's name in Vietnamese; an event this table does not know yet shows the last
    part of its topic rather than nothing."""
    return EVENT_NAMES.get(topic) or topic.rsplit(".", 1)[-1]


def named(event: object) -> str:
    """:func:`event_name` of a domain event object (its class declares the stored topic)."""
    return event_name(getattr(type(event), "TOPIC", type(event).__name__))
