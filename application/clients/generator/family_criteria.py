"""An ILLUSTRATIVE Gia đình học tập criteria set, for generated data only.

The real 2021-2030 GĐHT indicators, points and thresholds are NOT FOUND (shared/domain.md §3);
this set only borrows the four groups of QĐ 448/QĐ-KHVN and the 10-day public posting of the
Gia đình văn hóa procedure (NĐ 86/2023) so that generated households go through every step.
Its title, legal basis and notes all say so; never publish it as a real set.
"""

from __future__ import annotations

from typing import Any

FAMILY_SET_CODE = "MINH-HOA/GDHT/2022"

FAMILY_SET: dict[str, Any] = {
    "code": FAMILY_SET_CODE,
    "title": "Bộ tiêu chí Gia đình học tập — MINH HỌA, giá trị chưa được xác minh",
    "model": "gia_dinh_hoc_tap",
    "target_group": None,
    "target_group_label": None,
    "level": None,
    "legal_basis": "Minh họa: chỉ số, điểm và ngưỡng chưa tìm thấy nguồn (domain.md §3)",
    "issuer": "Hoctap Ledger — bộ minh họa cho dữ liệu sinh tự động",
    "effective_from": "2022-07-01",
    "effective_to": None,
    "notes": (
        "Bộ tiêu chí minh họa, chỉ dùng cho dữ liệu sinh tự động. Bốn nhóm tiêu chí theo "
        "QĐ 448/QĐ-KHVN (2016-2020); niêm yết 10 ngày theo thủ tục Gia đình văn hóa "
        "(NĐ 86/2023/NĐ-CP). Giá trị điểm và ngưỡng là giả định, KHÔNG phải quy định."
    ),
    "sources": ["shared/domain.md §3 (NOT FOUND: chỉ số, điểm, ngưỡng)"],
    "criteria": [
        {
            "code": "1",
            "name": "Học tập của trẻ em",
            "indicators": [
                {
                    "code": "1.1",
                    "name": "Trẻ em trong độ tuổi đi học đều được đến trường",
                    "kind": "target",
                    "evidence_required": True,
                    "evidence": ["Giấy xác nhận của nhà trường"],
                },
                {
                    "code": "1.2",
                    "name": "Kết quả học tập, rèn luyện của trẻ em",
                    "kind": "points",
                    "max_points": 20,
                    "evidence_required": False,
                },
            ],
        },
        {
            "code": "2",
            "name": "Học tập của người lớn",
            "indicators": [
                {
                    "code": "2.1",
                    "name": "Người lớn trong hộ đăng ký và phấn đấu đạt Công dân học tập",
                    "kind": "target",
                    "evidence_required": True,
                    "evidence": ["Danh sách đăng ký Công dân học tập của chi hội khuyến học"],
                },
                {
                    "code": "2.2",
                    "name": "Người lớn tham gia học tập, bồi dưỡng, sinh hoạt câu lạc bộ",
                    "kind": "points",
                    "max_points": 30,
                    "evidence_required": True,
                    "evidence": ["Danh sách điểm danh của trung tâm học tập cộng đồng"],
                },
            ],
        },
        {
            "code": "3",
            "name": "Điều kiện học tập của gia đình",
            "indicators": [
                {
                    "code": "3.1",
                    "name": "Góc học tập, sách báo, thiết bị và kết nối internet cho học tập",
                    "kind": "points",
                    "max_points": 20,
                    "evidence_required": False,
                }
            ],
        },
        {
            "code": "4",
            "name": "Hiệu quả học tập của các thành viên",
            "indicators": [
                {
                    "code": "4.1",
                    "name": "Học tập góp phần nâng cao đời sống, kinh tế gia đình",
                    "kind": "points",
                    "max_points": 30,
                    "evidence_required": True,
                    "evidence": ["Xác nhận của trưởng thôn, tổ dân phố"],
                }
            ],
        },
    ],
    "rules": {
        "min_total": 70,
        "indicator_floors": {"2.2": 10},
        "mandatory": ["1.1", "2.1"],
        "validity_years": 1,
        "public_notice_required": True,
        "notice_days": 10,
    },
}
