"""The words of award explanations, in Vietnamese (official terms) and English.

Kept apart from the logic in :mod:`application.clients.explanation` so that wording can be reviewed
and changed without touching how statements and citations are built.
"""

from __future__ import annotations

from domain.glossary import (
    CaseStatus,
    ComplaintOutcome,
    Role,
    SubjectKind,
    TitleModel,
    UnitLevel,
)

#: Seat roles on a council (stored as codes in CouncilFormed): Vietnamese, English.
SEATS = {"chair": ("chủ tịch hội đồng", "chair"), "member": ("thành viên", "member")}
SEATS |= {"secretary": ("thư ký", "secretary")}

#: English for the glossary's codes (its Vietnamese labels are the official terms).
EN = {m.value: m.name.replace("_", " ").lower() for m in (*SubjectKind, *Role, *UnitLevel)}
EN |= {m.value: m.name.replace("_", " ").lower() for m in (*CaseStatus, *ComplaintOutcome)}
EN |= {m.value: m.name.replace("_", " ").title() for m in TitleModel}
EN |= {
    "giay_xac_nhan": "certificate of confirmation",
    "bao_cao_tu_danh_gia": "self-assessment report",
    "chung_chi": "training certificate",
    "van_bang": "diploma",
    "giay_khen": "certificate of merit",
    "bien_ban": "minutes",
    "quyet_dinh": "decision",
    "ke_hoach": "plan",
    "hinh_anh": "photographs and documents",
    "khac": "other document",
}

TEXT: dict[str, dict[str, str]] = {
    "vi": {
        "title": "Giải trình kết quả xét công nhận danh hiệu {model!l} năm {year} (hồ sơ {case})",
        "criteria": "Bộ tiêu chí và căn cứ pháp lý",
        "opening": "Đăng ký xét công nhận",
        "evidence": "Minh chứng",
        "self_assessment": "Tự đánh giá",
        "review": "Thẩm định và điều chỉnh điểm",
        "notice": "Niêm yết công khai",
        "council": "Hội đồng xét duyệt",
        "appraisal": "Kết quả xét duyệt và các ngưỡng",
        "decision": "Quyết định",
        "appeal": "Khiếu nại, xem xét lại và quyết định sửa đổi",
        "who": "người dùng {actor_id} ({actor_role!l})",
        "who_named": "{actor_name} ({actor_role!l})",
        "set": "Hồ sơ được đánh giá theo bộ tiêu chí “{title}”, mã {code}, phiên bản {version};"
        " căn cứ pháp lý: {legal_basis}; cơ quan ban hành: {issuer}; hiệu lực từ ngày {since}.",
        "illustrative": "Lưu ý: đây là bộ tiêu chí MINH HỌA, chưa phải bộ tiêu chí chính thức;"
        " kết quả chỉ để minh họa quy trình cho đến khi có phiên bản chính thức.",
        "min_total": "tổng điểm từ {n} trở lên",
        "floor": "mỗi chỉ số từ {n} điểm trở lên",
        "floor_of": "chỉ số {i} từ {n} điểm trở lên",
        "floor_of_share": "tỷ lệ ở chỉ số {i} từ {n}% trở lên",
        "mandatory": "chỉ số {i} là bắt buộc",
        "bands": "được xếp loại {b}",
        "notice_days": "niêm yết công khai ít nhất {n} ngày",
        "no_notice": "không yêu cầu niêm yết công khai",
        "rules": "Điều kiện công nhận: {rules}; danh hiệu có giá trị {validity_years} năm"
        " ({validity_basis}).",
        "opened": "Ngày {opened_on}, {who} đăng ký cho {subject_kind!l} {subject_id} xét danh hiệu"
        " {model!l} năm {cycle_year} (lần {attempt}), theo phiên bản {criteria_set_version}"
        " của bộ tiêu chí.",
        "evidence_item": "Minh chứng số {n} – {kind_label}, do {issuer} cấp ngày {issued_on}, mã"
        " băm SHA-256 {digest}, cho chỉ số {indicators}; {who} nộp; {status}.",
        "evidence_no": "số {n}",
        "in_force": "còn hiệu lực",
        "superseded": "đã bị thay thế",
        "replaced": "{who} thay minh chứng {old} bằng minh chứng {new}. Lý do: {reason}.",
        "dropped": "{who} rút minh chứng {old}. Lý do: {reason}.",
        "validity_basis": "theo bộ tiêu chí",
        "self": "Ngày {assessed_on}, {who} tự đánh giá: {scores}.",
        "reviewed": "Ngày {reviewed_on}, {who} thẩm định hồ sơ trên cơ sở {n} minh chứng đã xem."
        " Nhận xét: {remarks}.",
        "indicator": "Chỉ số {indicator} – {name} (tối đa {max} điểm): {who} chấm {score} điểm"
        " (tự đánh giá: {self_score}); minh chứng đã xem: {evidence}.",
        "per_complaint": " theo khiếu nại {id}",
        "revised": "Ngày {revised_on}, {who} điều chỉnh điểm chỉ số {indicator} từ {previous}"
        " thành {score}{complaint}. Lý do: {reason}.",
        "posted": "Ngày {posted_on}, {who} niêm yết công khai hồ sơ tại {place} đến ngày"
        " {closes_on}.",
        "closed": "Ngày {closed_on}, {who} kết thúc niêm yết; số ý kiến nhận được:"
        " {comments_received}. Tóm tắt: {summary}.",
        "not_posted": "Bộ tiêu chí không yêu cầu niêm yết công khai; hồ sơ được chuyển hội đồng"
        " xét duyệt không qua niêm yết.",
        "council_formed": "Ngày {formed_on}, {who} thành lập {name} gồm {n} thành viên.",
        "seat": "Thành viên {member}, {seat}: {conflict}.",
        "conflict": "đã khai báo xung đột lợi ích ({reason}), không biểu quyết",
        "no_conflict": "không khai báo xung đột lợi ích",
        "declared": "{who} ghi nhận xung đột lợi ích của thành viên {member_id}: {reason};"
        " thành viên này không biểu quyết.",
        "band": ", xếp loại {b}",
        "yes": "đề nghị",
        "no": "không đề nghị",
        "appraised": "Ngày {appraised_on}, hội đồng {verdict} công nhận với {votes_for} phiếu"
        " tán thành, {votes_against} phiếu không tán thành; tổng điểm {total}/{max}{band};"
        " {who} ghi kết quả. Ý kiến: {remarks}.",
        "all_scored": "Mọi chỉ số đều được chấm: {passed}.",
        "rule_min_total": "Tổng điểm",
        "rule_indicator_floor": "Điểm chỉ số {i}",
        "rule_share_floor": "Tỷ lệ (%) ở chỉ số {i}",
        "rule_mandatory": "Chỉ số bắt buộc {i}",
        "rule_band": "Xếp loại",
        "rule_level": "Mức độ đạt được",
        "rule_level_n": "Chỉ tiêu mức độ {n}",
        "member_share": "Ngày {computed_on}, {who} ghi chỉ số {indicator}: {numerator}/{denominator}"
        " thành viên đạt danh hiệu {title_label} vào ngày {as_of}, tỷ lệ {share}%, tính từ sổ"
        " đăng ký danh hiệu tại vị trí {log_position} của sổ cái.",
        "member_share_aged": "Ngày {computed_on}, {who} ghi chỉ số {indicator}: trong"
        " {denominator} thành viên từ đủ {min_age} tuổi trở lên vào ngày {as_of} (kể cả"
        " {unknown_age} thành viên không rõ ngày sinh, được tính như đã đủ tuổi vì chưa ghi ngày"
        " sinh hoặc dữ liệu cá nhân đã bị xóa), có {numerator} người đạt danh hiệu {title_label},"
        " tỷ lệ {share}%. Không tính {under_age} thành viên chưa đủ {min_age} tuổi. Tính từ sổ"
        " đăng ký danh hiệu tại vị trí {log_position} của sổ cái; ngày sinh chỉ được đọc để"
        " tính, không ghi vào sổ.",
        "check": "{rule}: yêu cầu {expected}, đạt {found}: {passed}.",
        "passed": "đạt",
        "failed": "không đạt",
        "amends": "; sửa đổi quyết định {id}",
        "decision_issued": "Quyết định số {number} ngày {decided_on} của {authority_name}"
        " ({authority_level!l}), do {signer_title} (người dùng {signer_id}) ký; căn cứ:"
        " {legal_basis}{amends}.",
        "granted": "Theo quyết định số {decision_number}, hồ sơ được công nhận danh hiệu {model}:"
        " tổng điểm {total}{band}; hiệu lực từ ngày {valid_from} đến ngày {valid_until}.",
        "refused": "Theo quyết định số {decision_number}, hồ sơ không được công nhận danh hiệu"
        " {model}. Lý do: {reason}.",
        "revoked": "Theo quyết định số {decision_number}, danh hiệu {model} bị thu hồi kể từ ngày"
        " {revoked_from}. Lý do: {reason}.",
        "reopened": "Ngày {reopened_on}, hồ sơ được xem xét lại theo khiếu nại {complaint_id}.",
        "received": "Ngày {received_on}, nhận đơn khiếu nại lần {level} ({originator_id}) về"
        " {about}; hạn khiếu nại: {filing_deadline}.",
        "accepted": "Ngày {accepted_on}, {who} thụ lý khiếu nại {originator_id}; hạn giải quyết:"
        " {resolution_deadline}.",
        "not_accepted": "Ngày {decided_on}, {who} không thụ lý khiếu nại {originator_id} theo"
        " {rule}. Lý do: {reason}.",
        "resolved": "Ngày {resolved_on}, {who} giải quyết khiếu nại {originator_id}:"
        " {outcome!l}{late}. Lý do: {reason}.",
        "late": " (quá hạn giải quyết)",
    },
    "en": {
        "title": "How the {model!l} title for {year} was decided (case {case})",
        "criteria": "Criteria set and legal basis",
        "opening": "Registration",
        "evidence": "Evidence",
        "self_assessment": "Self-assessment",
        "review": "Review and score revisions",
        "notice": "Public notice",
        "council": "Appraisal council",
        "appraisal": "Appraisal and thresholds",
        "decision": "Decision",
        "appeal": "Complaints, reopening and amending decisions",
        "who": "user {actor_id} ({actor_role!l})",
        "who_named": "{actor_name} ({actor_role!l})",
        "set": "The case was assessed under the criteria set “{title}”, code {code}, version"
        " {version}; legal basis: {legal_basis}; issued by: {issuer}; in force from {since}.",
        "illustrative": "Note: this is an ILLUSTRATIVE criteria set, not the official one; the"
        " result only illustrates the process until an official version is published.",
        "min_total": "a total of at least {n}",
        "floor": "at least {n} points on every indicator",
        "floor_of": "at least {n} points on indicator {i}",
        "floor_of_share": "a share of at least {n}% on indicator {i}",
        "mandatory": "indicator {i} is mandatory",
        "bands": "classified {b}",
        "notice_days": "a public notice of at least {n} days",
        "no_notice": "no public notice required",
        "rules": "Conditions for recognition: {rules}; the title is valid for {validity_years}"
        " year(s) ({validity_basis}).",
        "opened": "On {opened_on}, {who} registered {subject_kind!l} {subject_id} for the"
        " {model!l} title of {cycle_year} (attempt {attempt}), under version"
        " {criteria_set_version} of the criteria set.",
        "evidence_item": "Evidence no. {n} – {kind_label}, issued by {issuer} on {issued_on},"
        " SHA-256 {digest}, for indicator(s) {indicators}; submitted by {who}; {status}.",
        "evidence_no": "no. {n}",
        "in_force": "in force",
        "superseded": "superseded",
        "replaced": "{who} replaced evidence {old} with evidence {new}. Reason: {reason}.",
        "dropped": "{who} withdrew evidence {old}. Reason: {reason}.",
        "validity_basis": "as the criteria set states",
        "self": "On {assessed_on}, {who} self-assessed: {scores}.",
        "reviewed": "On {reviewed_on}, {who} reviewed the case on the {n} evidence item(s) seen."
        " Remarks: {remarks}.",
        "indicator": "Indicator {indicator} – {name} (at most {max} points): {who} gave {score}"
        " (self-assessed: {self_score}); evidence seen: {evidence}.",
        "per_complaint": " following complaint {id}",
        "revised": "On {revised_on}, {who} revised indicator {indicator} from {previous} to"
        " {score}{complaint}. Reason: {reason}.",
        "posted": "On {posted_on}, {who} posted the public notice at {place} until {closes_on}.",
        "closed": "On {closed_on}, {who} closed the notice; comments received:"
        " {comments_received}. Summary: {summary}.",
        "not_posted": "The criteria set requires no public notice; the case went to the council"
        " without one.",
        "council_formed": "On {formed_on}, {who} formed {name} with {n} member(s).",
        "seat": "Member {member}, {seat}: {conflict}.",
        "conflict": "declared a conflict of interest ({reason}) and did not vote",
        "no_conflict": "no conflict of interest declared",
        "declared": "{who} recorded a conflict of interest of member {member_id}: {reason}; the"
        " member did not vote.",
        "band": ", classified {b}",
        "yes": "recommended",
        "no": "did not recommend",
        "appraised": "On {appraised_on}, the council {verdict} recognition, {votes_for} vote(s)"
        " for and {votes_against} against; total {total}/{max}{band}; recorded by {who}."
        " Remarks: {remarks}.",
        "all_scored": "Every indicator was scored: {passed}.",
        "rule_min_total": "Total",
        "rule_indicator_floor": "Indicator {i}",
        "rule_share_floor": "Share (%) on indicator {i}",
        "rule_mandatory": "Mandatory indicator {i}",
        "rule_band": "Classification",
        "rule_level": "Level met",
        "rule_level_n": "Targets of level {n}",
        "member_share": "On {computed_on}, {who} recorded indicator {indicator}: {numerator} of"
        " {denominator} members held the {title_label} title on {as_of}, a share of {share}%,"
        " counted from the register at log position {log_position}.",
        "member_share_aged": "On {computed_on}, {who} recorded indicator {indicator}: of the"
        " {denominator} members aged {min_age} or over on {as_of} (including {unknown_age} whose"
        " date of birth is unknown, never recorded or erased with their personal data, counted"
        " as of age), {numerator} held the {title_label} title, a share of {share}%. Not"
        " counted: {under_age} under {min_age}. Counted from the register at log position"
        " {log_position}; dates of birth were read for the count only, never recorded.",
        "check": "{rule}: required {expected}, found {found}: {passed}.",
        "passed": "passed",
        "failed": "failed",
        "amends": "; amending decision {id}",
        "decision_issued": "Decision no. {number} of {decided_on} by {authority_name}"
        " ({authority_level!l}), signed by the {signer_title} (user {signer_id}); legal basis:"
        " {legal_basis}{amends}.",
        "granted": "By decision no. {decision_number}, the {model} title was granted: total"
        " {total}{band}; valid from {valid_from} to {valid_until}.",
        "refused": "By decision no. {decision_number}, the {model} title was refused. Reason:"
        " {reason}.",
        "revoked": "By decision no. {decision_number}, the {model} title was revoked from"
        " {revoked_from}. Reason: {reason}.",
        "reopened": "On {reopened_on}, the case was reopened following complaint {complaint_id}.",
        "received": "On {received_on}, complaint no. {level} ({originator_id}) was received about"
        " {about}; filing deadline: {filing_deadline}.",
        "accepted": "On {accepted_on}, {who} accepted complaint {originator_id}; resolution"
        " deadline: {resolution_deadline}.",
        "not_accepted": "On {decided_on}, {who} did not accept complaint {originator_id} under"
        " {rule}. Reason: {reason}.",
        "resolved": "On {resolved_on}, {who} resolved complaint {originator_id}:"
        " {outcome!l}{late}. Reason: {reason}.",
        "late": " (after the resolution deadline)",
    },
}
