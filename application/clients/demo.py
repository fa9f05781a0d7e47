"""A small demo province: units before and after the 2025 reform, people, a household, a
learning unit, one user per role, and two cases taken all the way to a decision.

Loaded by ``make run`` on first start (``hoctap demo load``); idempotent: it does nothing when
the demo administrator already exists.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from application.ledger import Ledger
from application.services.assessments import SeatRequest
from application.services.decisions import RulingRequest
from domain.access import UserAccount, user_id_for
from domain.assessment import AssessmentCase
from domain.base import CommandContext
from domain.glossary import DecisionOutcome, Role, SubjectKind, TitleModel, UnitLevel, label

DEMO_ADMIN = "demo-admin"
SYSTEM = CommandContext("system:demo", Role.ADMINISTRATOR.value, "demo-load")


@dataclass
class DemoUsers:
    ids: dict[str, UUID]

    def ctx(self, username: str, role: Role) -> CommandContext:
        return CommandContext(str(self.ids[username]), role.value, f"demo-{username}")


#: One account to sign in with per role, in the order ``make run`` prints them.
DEMO_SIGN_INS = (
    (Role.ADMINISTRATOR, DEMO_ADMIN),
    (Role.CITIZEN, "demo-citizen"),
    (Role.VILLAGE_OFFICER, "demo-village"),
    (Role.COMMUNE_OFFICER, "demo-commune"),
    (Role.REVIEWER, "demo-reviewer"),
    (Role.COUNCIL_MEMBER, "demo-council-1"),
    (Role.SIGNER, "demo-signer"),
    (Role.COMPLAINT_HANDLER, "demo-complaints"),
    (Role.INSPECTOR, "demo-inspector"),
    (Role.REPORTING_OFFICER, "demo-reporting"),
)


def demo_passwords(ledger: Ledger) -> list[tuple[Role, str, str]]:
    """A fresh random password for each demo account, not to be changed at sign-in (the
    demo is for trying the pages): ``(role, user name, password)``, one per role. Accounts
    of a demo loaded before an account was added to it are created here."""
    signed = []
    for role, username in DEMO_SIGN_INS:
        user_id = user_id_for(username)
        if ledger.records.find(UserAccount, user_id) is None:
            admin = ledger.access.user_by_name(DEMO_ADMIN)
            ledger.access.create_user(SYSTEM, username, [role], admin.unit_id)
        password = "demo-" + secrets.token_urlsafe(9)
        ledger.signin.set_password(SYSTEM, user_id, password, must_change=False)
        signed.append((role, username, password))
    return signed


def demo_loaded(ledger: Ledger) -> bool:
    return ledger.records.find(UserAccount, user_id_for(DEMO_ADMIN)) is not None


def load_demo(ledger: Ledger) -> dict[str, UUID]:
    """Create the demo data set; returns the demo users' ids by username."""
    if demo_loaded(ledger):
        return {}
    ledger.criteria.load_seed_criteria(SYSTEM)
    unit = _units(ledger)
    person_ids = _people(ledger, unit)
    users = _users(ledger, unit, person_ids)
    _citizen_case(ledger, users, person_ids["citizen"], unit["commune"])
    _learning_unit_case(ledger, users, unit)
    _collective_cases(ledger, users, person_ids, unit)
    return users.ids


MERGER_DAY = date(2025, 7, 1)
MERGER_BASIS = "Nghị quyết sắp xếp đơn vị hành chính cấp xã năm 2025"


def _units(ledger: Ledger) -> dict[str, UUID]:
    """A province, a district until 2025-06-30, two communes merged into one on 2025-07-01."""

    def unit(
        code: str,
        name: str,
        level: UnitLevel,
        unit_type: str,
        parent: UUID | None,
        since: date = date(2008, 1, 1),
        legal_basis: str | None = None,
    ) -> UUID:
        return ledger.registry.establish_unit(
            SYSTEM,
            code=code,
            name=name,
            level=level,
            unit_type=unit_type,
            parent_id=parent,
            valid_from=since,
            legal_basis=legal_basis,
        ).id

    province = unit("DEMO-T", "Tỉnh Minh Họa", UnitLevel.PROVINCE, "tinh", None)
    district = unit("DEMO-H", "Huyện Sông Xanh", UnitLevel.DISTRICT, "huyen", province)
    old_a = unit("DEMO-XA", "Xã An Hòa", UnitLevel.COMMUNE, "xa", district)
    old_b = unit("DEMO-XB", "Xã Bình Minh", UnitLevel.COMMUNE, "xa", district)
    merged = unit(
        "DEMO-XM", "Xã An Bình", UnitLevel.COMMUNE, "xa", province, MERGER_DAY, MERGER_BASIS
    )
    ledger.registry.merge_units(SYSTEM, [old_a, old_b], merged, MERGER_DAY, MERGER_BASIS)
    village = unit("DEMO-TH1", "Thôn Đông", UnitLevel.VILLAGE, "thon", merged, MERGER_DAY)
    return {"province": province, "commune": merged, "village": village}


def _people(ledger: Ledger, unit: dict[str, UUID]) -> dict[str, UUID]:
    people = {
        "citizen": ("001090000001", "Nguyễn Thị Hoa", date(1990, 4, 12), "nu", "can_bo"),
        "relative": ("001088000002", "Trần Văn Bình", date(1988, 9, 3), "nam", "nong_dan"),
        "worker": ("001095000003", "Lê Văn Cường", date(1995, 1, 20), "nam", "cong_nhan"),
    }
    ids = {}
    for key, (cccd, name, born, gender, group) in people.items():
        ids[key] = ledger.registry.register_person(
            SYSTEM,
            cccd=cccd,
            full_name=name,
            birth_date=born,
            gender=gender,
            ethnicity="Kinh",
            target_group=group,
            unit_id=unit["village"],
        ).id
    household = ledger.registry.register_collective(
        SYSTEM, kind=SubjectKind.HOUSEHOLD, name="Hộ bà Nguyễn Thị Hoa", unit_id=unit["village"]
    ).id
    ledger.registry.add_member(SYSTEM, household, ids["citizen"], "chu_ho")
    ledger.registry.add_member(SYSTEM, household, ids["relative"], "chong")
    school = ledger.registry.register_collective(
        SYSTEM,
        kind=SubjectKind.ORGANISATION,
        name="Trường Tiểu học An Bình",
        unit_id=unit["commune"],
        organisation_type="truong_hoc",
    ).id
    ledger.registry.add_member(SYSTEM, school, ids["citizen"], "giao_vien")
    return ids | {"household": household, "school": school}


def _users(ledger: Ledger, unit: dict[str, UUID], people: dict[str, UUID]) -> DemoUsers:
    accounts = [
        (DEMO_ADMIN, [Role.ADMINISTRATOR], unit["province"], None),
        ("demo-citizen", [Role.CITIZEN], unit["village"], people["citizen"]),
        ("demo-village", [Role.VILLAGE_OFFICER], unit["village"], None),
        ("demo-commune", [Role.COMMUNE_OFFICER], unit["commune"], None),
        ("demo-reviewer", [Role.REVIEWER], unit["commune"], None),
        ("demo-council-1", [Role.COUNCIL_MEMBER], unit["commune"], None),
        ("demo-council-2", [Role.COUNCIL_MEMBER], unit["commune"], people["relative"]),
        ("demo-signer", [Role.SIGNER], unit["commune"], None),
        ("demo-inspector", [Role.INSPECTOR], unit["province"], None),
        ("demo-reporting", [Role.REPORTING_OFFICER], unit["province"], None),
        ("demo-complaints", [Role.COMPLAINT_HANDLER], unit["commune"], None),
    ]
    ids = {
        name: ledger.access.create_user(SYSTEM, name, roles, unit_id, person).id
        for name, roles, unit_id, person in accounts
    }
    return DemoUsers(ids)


def _run_to_decision(
    ledger: Ledger,
    users: DemoUsers,
    case_id: UUID,
    scores: dict[str, Decimal],
    *,
    number: str,
    authority_unit: UUID,
    second_member_conflict: str | None,
    assessor: CommandContext,
    legal_basis: str,
) -> None:
    officer = users.ctx("demo-commune", Role.COMMUNE_OFFICER)
    ledger.assessments.self_assess(assessor, case_id, scores, date(2026, 2, 1))
    ledger.assessments.review(
        users.ctx("demo-reviewer", Role.REVIEWER),
        case_id,
        scores,
        None,
        "Hồ sơ đầy đủ minh chứng",
        date(2026, 2, 10),
    )
    case = ledger.records.get(AssessmentCase, case_id)
    if ledger.criteria.spec_of(case).rules.public_notice_required:
        ledger.assessments.post_notice(
            officer, case_id, date(2026, 2, 11), date(2026, 2, 21), "Nhà văn hóa thôn Đông"
        )
        ledger.assessments.close_notice(officer, case_id, date(2026, 2, 21), 0, None)
    ledger.assessments.form_council(
        officer,
        case_id,
        "Hội đồng xét công nhận danh hiệu năm 2026",
        [
            SeatRequest(users.ids["demo-council-1"], "chair"),
            SeatRequest(users.ids["demo-council-2"], "member", second_member_conflict),
        ],
        date(2026, 2, 22),
    )
    ledger.assessments.appraise(
        users.ctx("demo-council-1", Role.COUNCIL_MEMBER),
        case_id,
        recommended=True,
        votes_for=1,
        votes_against=0,
        remarks="Đạt các tiêu chí",
        on=date(2026, 2, 25),
    )
    ledger.decisions.issue_decision(
        users.ctx("demo-signer", Role.SIGNER),
        number=number,
        decided_on=date(2026, 3, 2),
        signer_title="Chủ tịch UBND xã",
        authority_name="UBND xã An Bình",
        authority_unit_id=authority_unit,
        legal_basis=legal_basis,
        rulings=[RulingRequest(case_id, DecisionOutcome.GRANTED)],
    )


def _citizen_case(ledger: Ledger, users: DemoUsers, person_id: UUID, commune: UUID) -> None:
    citizen = users.ctx("demo-citizen", Role.CITIZEN)
    case = ledger.assessments.open_case(
        citizen, person_id, TitleModel.LEARNING_CITIZEN, 2026, date(2026, 1, 10)
    )
    for code in range(1, 11):
        ledger.assessments.attach_evidence(
            citizen,
            case.id,
            content=f"Giấy xác nhận chỉ số {code}\n".encode(),
            kind="giay_xac_nhan",
            issuer="Chi hội Khuyến học thôn Đông",
            issued_on=date(2026, 1, 15),
            indicators=[str(code)],
        )
    scores = {str(i): Decimal(9) for i in range(1, 11)} | {"6": Decimal(6)}
    _run_to_decision(
        ledger,
        users,
        case.id,
        scores,
        number="01/QĐ-UBND-DEMO",
        authority_unit=commune,
        second_member_conflict="Là người cùng hộ gia đình với đối tượng",
        assessor=users.ctx("demo-village", Role.VILLAGE_OFFICER),
        legal_basis="QĐ 244/QĐ-KHVN (bộ tiêu chí Công dân học tập)",
    )


def _learning_unit_case(ledger: Ledger, users: DemoUsers, unit: dict[str, UUID]) -> None:
    officer = users.ctx("demo-commune", Role.COMMUNE_OFFICER)  # the school is commune-level
    school = ledger.registry.register_collective(
        SYSTEM,
        kind=SubjectKind.ORGANISATION,
        name="Trường Mầm non Bình Minh",
        unit_id=unit["commune"],
        organisation_type="truong_hoc",
    ).id
    case = ledger.assessments.open_case(
        officer, school, TitleModel.LEARNING_UNIT, 2026, date(2026, 1, 10)
    )
    codes = ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.3"]
    ledger.assessments.attach_evidence(
        officer,
        case.id,
        content=b"%PDF-1.4\n% Bao cao tu danh gia 2026\n",
        kind="bao_cao_tu_danh_gia",
        issuer="Trường Mầm non Bình Minh",
        issued_on=date(2026, 1, 20),
        indicators=codes,
    )
    points = ["10", "9", "8", "10", "5", "9", "4", "22", "10", "4"]
    scores = {code: Decimal(p) for code, p in zip(codes, points, strict=True)}
    _run_to_decision(
        ledger,
        users,
        case.id,
        scores,
        number="02/QĐ-UBND-DEMO",
        authority_unit=unit["commune"],
        second_member_conflict=None,
        assessor=officer,
        legal_basis="Thông tư 22/2020/TT-BGDĐT",
    )


#: The illustrative family, clan and community sets' scores: each passes its threshold.
COLLECTIVE_SCORES = {
    TitleModel.LEARNING_FAMILY: {"1.1": 1, "1.2": 18, "2.1": 1, "2.2": 25, "3.1": 16, "4.1": 24},
    TitleModel.LEARNING_CLAN: {"1.1": 25, "1.2": 1, "2.1": 24, "3.1": 1, "3.2": 32},
    TitleModel.LEARNING_COMMUNITY: {"1.1": 24, "1.2": 16, "2.1": 25, "3.1": 1, "3.2": 15},
}


def _collective_cases(
    ledger: Ledger, users: DemoUsers, people: dict[str, UUID], unit: dict[str, UUID]
) -> None:
    """The household, a clan and the village's community, each taken through a full cycle
    under the illustrative (minh họa) sets, with the 10-day public notice they ask for."""
    village = users.ctx("demo-village", Role.VILLAGE_OFFICER)
    clan = ledger.registry.register_collective(
        SYSTEM, kind=SubjectKind.CLAN, name="Dòng họ Nguyễn thôn Đông", unit_id=unit["village"]
    ).id
    community = ledger.registry.register_collective(
        SYSTEM, kind=SubjectKind.COMMUNITY, name="Cộng đồng thôn Đông", unit_id=unit["village"]
    ).id
    subjects = [
        (TitleModel.LEARNING_FAMILY, people["household"], "Là chồng của chủ hộ"),
        (TitleModel.LEARNING_CLAN, clan, None),
        (TitleModel.LEARNING_COMMUNITY, community, None),
    ]
    for number, (model, subject, conflict) in enumerate(subjects, start=3):
        case = ledger.assessments.open_case(village, subject, model, 2026, date(2026, 1, 10))
        spec = ledger.criteria.spec_of(ledger.records.get(AssessmentCase, case.id))
        ledger.assessments.attach_evidence(
            village,
            case.id,
            content=f"Biên bản xác nhận của thôn Đông: {label(model)} 2026\n".encode(),
            kind="giay_xac_nhan",
            issuer="Ban công tác Mặt trận thôn Đông",
            issued_on=date(2026, 1, 20),
            indicators=[i.code for i in spec.indicators if i.evidence_required],
        )
        _run_to_decision(
            ledger,
            users,
            case.id,
            {code: Decimal(points) for code, points in COLLECTIVE_SCORES[model].items()},
            number=f"{number:02d}/QĐ-UBND-DEMO",
            authority_unit=unit["commune"],
            second_member_conflict=conflict,
            assessor=village,
            legal_basis=f"{spec.legal_basis} — bộ tiêu chí {spec.code} (minh họa)",
        )
