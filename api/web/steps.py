"""The next steps of a case, each a form calling the same service method as its API route.

A form's fields are read into the API's own request schema (``api/schemas.py``), so a page
refuses exactly what the API refuses, with the same messages; the service then applies the
same role, scope, separation-of-duty and date rules. Each step also says, before anyone
acts, the rules it will be held to.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from api import schemas
from application.ledger import Ledger
from application.services.access import Principal
from application.services.assessments import SeatRequest
from application.services.decisions import RulingRequest
from domain.access import user_id_for, well_formed_username
from domain.assessment import AssessmentCase
from domain.base import CommandContext
from domain.criteria import CriteriaSpec
from domain.errors import InvalidInput
from domain.glossary import CaseStatus as S
from domain.glossary import Role

OFFICERS = (Role.VILLAGE_OFFICER, Role.COMMUNE_OFFICER)
#: How many council seats the form offers.
SEATS = 5

Run = Callable[[Ledger, CommandContext, UUID, Any, int | None], Any]


@dataclass(frozen=True)
class Step:
    slug: str
    label: str
    roles: tuple[Role, ...]
    statuses: tuple[S, ...]
    schema: type[BaseModel]
    #: The form's fields as the schema's input.
    read: Callable[[Mapping[str, str], AssessmentCase], dict[str, Any]]
    run: Run
    #: The rules the step is held to, shown above its form.
    rules: tuple[str, ...] = ()


def _blank_none(value: str | None) -> str | None:
    return value if value not in (None, "") else None


def _scores(form: Mapping[str, str]) -> dict[str, str]:
    return {
        key.removeprefix("diem."): value.strip()
        for key, value in form.items()
        if key.startswith("diem.") and value.strip()
    }


def _read_self(form: Mapping[str, str], _: AssessmentCase) -> dict[str, Any]:
    return {"scores": _scores(form), "assessed_on": _blank_none(form.get("on"))}


def _read_review(form: Mapping[str, str], _: AssessmentCase) -> dict[str, Any]:
    return {
        "scores": _scores(form),
        "remarks": _blank_none(form.get("remarks")),
        "reviewed_on": _blank_none(form.get("on")),
    }


def _read_notice(form: Mapping[str, str], _: AssessmentCase) -> dict[str, Any]:
    return {
        "posted_on": form.get("posted_on", ""),
        "closes_on": form.get("closes_on", ""),
        "place": form.get("place", ""),
    }


def _read_closure(form: Mapping[str, str], _: AssessmentCase) -> dict[str, Any]:
    return {
        "closed_on": form.get("on", ""),
        "comments_received": form.get("comments_received", ""),
        "summary": _blank_none(form.get("summary")),
    }


def _read_council(form: Mapping[str, str], _: AssessmentCase) -> dict[str, Any]:
    members = []
    for n in range(SEATS):
        username = form.get(f"member.{n}", "").strip()
        if not username:
            continue
        if not well_formed_username(username):
            raise InvalidInput(f"thành viên {n + 1}: không có người dùng này", field="members")
        members.append(
            {
                "user_id": str(user_id_for(username)),
                "role": form.get(f"seat.{n}", "member"),
                "conflict": _blank_none(form.get(f"conflict.{n}")),
            }
        )
    return {
        "name": form.get("name", ""),
        "members": members,
        "formed_on": _blank_none(form.get("on")),
    }


def _read_appraisal(form: Mapping[str, str], _: AssessmentCase) -> dict[str, Any]:
    return {
        "recommended": form.get("recommended", ""),
        "votes_for": form.get("votes_for", ""),
        "votes_against": form.get("votes_against", ""),
        "remarks": _blank_none(form.get("remarks")),
        "appraised_on": _blank_none(form.get("on")),
    }


def _read_withdrawal(form: Mapping[str, str], _: AssessmentCase) -> dict[str, Any]:
    return {"reason": form.get("reason", "")}


def _read_decision(form: Mapping[str, str], case: AssessmentCase) -> dict[str, Any]:
    return {
        "number": form.get("number", ""),
        "decided_on": form.get("on", ""),
        "signer_title": form.get("signer_title", ""),
        "authority_name": form.get("authority_name", ""),
        "authority_unit_id": form.get("authority_unit_id", ""),
        "legal_basis": form.get("legal_basis", ""),
        "rulings": [
            {
                "case_id": str(case.id),
                "outcome": form.get("outcome", ""),
                "reason": _blank_none(form.get("reason")),
            }
        ],
    }


def _self_assess(ledger: Ledger, ctx: CommandContext, case_id: UUID, b: Any, v: int | None) -> Any:
    return ledger.assessments.self_assess(ctx, case_id, b.scores, b.assessed_on, v)


def _review(ledger: Ledger, ctx: CommandContext, case_id: UUID, b: Any, v: int | None) -> Any:
    return ledger.assessments.review(
        ctx, case_id, b.scores, b.evidence_seen, b.remarks, b.reviewed_on, v
    )


def _notice(ledger: Ledger, ctx: CommandContext, case_id: UUID, b: Any, v: int | None) -> Any:
    return ledger.assessments.post_notice(ctx, case_id, b.posted_on, b.closes_on, b.place, v)


def _closure(ledger: Ledger, ctx: CommandContext, case_id: UUID, b: Any, v: int | None) -> Any:
    return ledger.assessments.close_notice(
        ctx, case_id, b.closed_on, b.comments_received, b.summary, v
    )


def _council(ledger: Ledger, ctx: CommandContext, case_id: UUID, b: Any, v: int | None) -> Any:
    seats = [SeatRequest(m.user_id, m.role, m.conflict) for m in b.members]
    return ledger.assessments.form_council(ctx, case_id, b.name, seats, b.formed_on, v)


def _appraise(ledger: Ledger, ctx: CommandContext, case_id: UUID, b: Any, v: int | None) -> Any:
    return ledger.assessments.appraise(
        ctx,
        case_id,
        recommended=b.recommended,
        votes_for=b.votes_for,
        votes_against=b.votes_against,
        remarks=b.remarks,
        on=b.appraised_on,
        expected_version=v,
    )


def _withdraw(ledger: Ledger, ctx: CommandContext, case_id: UUID, b: Any, v: int | None) -> Any:
    return ledger.assessments.withdraw_case(ctx, case_id, b.reason, v)


def _decide(ledger: Ledger, ctx: CommandContext, case_id: UUID, b: Any, v: int | None) -> Any:
    return ledger.decisions.issue_decision(
        ctx,
        number=b.number,
        decided_on=b.decided_on,
        signer_title=b.signer_title,
        authority_name=b.authority_name,
        authority_unit_id=b.authority_unit_id,
        legal_basis=b.legal_basis,
        rulings=[RulingRequest(r.case_id, r.outcome, r.reason) for r in b.rulings],
    )


OPEN = (S.OPENED, S.SELF_ASSESSED, S.REVIEWED, S.NOTICE_POSTED, S.NOTICE_CLOSED, S.COUNCIL_FORMED)

STEPS: tuple[Step, ...] = (
    Step(
        "tu-danh-gia",
        "Tự đánh giá",
        (Role.CITIZEN, *OFFICERS),
        (S.OPENED, S.SELF_ASSESSED),
        schemas.SelfAssessment,
        _read_self,
        _self_assess,
        (
            "Chấm đủ mọi chỉ số, mỗi chỉ số không quá điểm tối đa.",
            "Chỉ số cần minh chứng phải có minh chứng còn hiệu lực.",
        ),
    ),
    Step(
        "tham-dinh",
        "Thẩm định",
        (Role.REVIEWER,),
        (S.SELF_ASSESSED,),
        schemas.Review,
        _read_review,
        _review,
        ("Người thẩm định không được là người đã tự đánh giá hồ sơ này.",),
    ),
    Step(
        "niem-yet",
        "Niêm yết công khai",
        OFFICERS,
        (S.REVIEWED,),
        schemas.NoticePost,
        _read_notice,
        _notice,
        ("Niêm yết đủ số ngày bộ tiêu chí quy định trước khi thành lập hội đồng.",),
    ),
    Step(
        "ket-thuc-niem-yet",
        "Kết thúc niêm yết",
        OFFICERS,
        (S.NOTICE_POSTED,),
        schemas.NoticeClose,
        _read_closure,
        _closure,
        ("Chỉ kết thúc khi đã hết thời gian niêm yết; ghi số ý kiến nhận được.",),
    ),
    Step(
        "hoi-dong",
        "Thành lập hội đồng xét duyệt",
        OFFICERS,
        (S.REVIEWED, S.NOTICE_CLOSED),
        schemas.CouncilCreate,
        _read_council,
        _council,
        (
            "Thành viên không được là người đã tự đánh giá, thẩm định hay sửa điểm hồ sơ.",
            "Người có quan hệ với đối tượng (cùng hộ, dòng họ, đơn vị) phải khai báo xung "
            "đột lợi ích; cần ít nhất một thành viên không xung đột.",
        ),
    ),
    Step(
        "xet-duyet",
        "Ghi kết quả xét duyệt",
        (Role.COUNCIL_MEMBER,),
        (S.COUNCIL_FORMED,),
        schemas.Appraisal,
        _read_appraisal,
        _appraise,
        (
            "Chỉ thành viên hội đồng không có xung đột lợi ích được ghi kết quả.",
            "Kết luận theo đa số phiếu; không đề nghị công nhận khi chưa đạt ngưỡng.",
        ),
    ),
    Step(
        "quyet-dinh",
        "Ra quyết định công nhận",
        (Role.SIGNER,),
        (S.APPRAISED,),
        schemas.DecisionCreate,
        _read_decision,
        _decide,
        (
            "Người ký không được là người đã tham gia đánh giá, thẩm định hay xét duyệt.",
            "Cơ quan ra quyết định phải đúng cấp có thẩm quyền với danh hiệu này.",
        ),
    ),
    Step(
        "rut-ho-so",
        "Rút hồ sơ",
        (Role.CITIZEN, *OFFICERS),
        OPEN,
        schemas.Withdrawal,
        _read_withdrawal,
        _withdraw,
        ("Rút hồ sơ cần nêu lý do; hồ sơ đã rút không tiếp tục được.",),
    ),
)

BY_SLUG = {step.slug: step for step in STEPS}

NEXT_STEP = {
    S.OPENED: "Tự đánh giá",
    S.SELF_ASSESSED: "Thẩm định",
    S.REVIEWED: "Niêm yết công khai hoặc thành lập hội đồng",
    S.NOTICE_POSTED: "Kết thúc niêm yết",
    S.NOTICE_CLOSED: "Thành lập hội đồng xét duyệt",
    S.COUNCIL_FORMED: "Hội đồng xét duyệt",
    S.APPRAISED: "Ra quyết định",
    S.REOPENED: "Thẩm định lại theo khiếu nại",
}


def next_step(status: S) -> str:
    return NEXT_STEP.get(status, "—")


def steps_for(case: AssessmentCase, principal: Principal) -> list[Step]:
    """The steps this user could take on the case now (the service still decides)."""
    return [
        step
        for step in STEPS
        if case.status in step.statuses and any(r in principal.roles for r in step.roles)
    ]


def warnings_for(case: AssessmentCase, principal: Principal, step: Step) -> list[str]:
    """What already stands in this user's way, said before they fill the form."""
    me = str(principal.user_id)
    found = []
    if step.slug == "tham-dinh" and me in case.self_assessors:
        found.append("Bạn đã tự đánh giá hồ sơ này nên không được thẩm định.")
    if step.slug == "quyet-dinh" and me in case.participants:
        found.append("Bạn đã tham gia hồ sơ này nên không được ký quyết định.")
    if step.slug == "xet-duyet":
        seats = {s.user_id: s for s in case.council}
        if me not in seats:
            found.append("Bạn không phải thành viên hội đồng của hồ sơ này.")
        elif seats[me].conflict:
            found.append("Bạn đã khai báo xung đột lợi ích nên không được ghi kết quả.")
    return found


def indicators_of(spec: CriteriaSpec) -> list[Any]:
    return list(spec.indicators)
