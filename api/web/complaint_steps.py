"""The next steps of a complaint, each a form calling the same service method as its API route.

As for a case's steps (:mod:`api.web.steps`), a form's fields are read into the API's own
request schema (``api/routers/complaints.py``) and the service applies the same role, scope,
level and date rules, so a page refuses what the API refuses, with the same messages. The
roles of each step are those of its API route.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from api.routers.complaints import Acceptance, Assignment, Lawsuit, NonAcceptance, Resolution
from application.ledger import Ledger
from application.services.access import Principal
from domain.access import user_id_for, well_formed_username
from domain.base import CommandContext
from domain.complaints import Complaint
from domain.errors import InvalidInput
from domain.glossary import ComplaintOutcome, Role, label
from domain.glossary import ComplaintStatus as S

OFFICERS = (Role.VILLAGE_OFFICER, Role.COMMUNE_OFFICER)
#: Who files a complaint and reports a lawsuit (the API's ``ComplainantDep``).
COMPLAINANTS = (Role.CITIZEN, *OFFICERS)
#: Who accepts, refuses and assigns (the API's ``HandlingDep``).
HANDLING = (Role.COMPLAINT_HANDLER, Role.COMMUNE_OFFICER)

Run = Callable[[Ledger, CommandContext, UUID, Any, int | None], Any]


@dataclass(frozen=True)
class ComplaintStep:
    slug: str
    label: str
    roles: tuple[Role, ...]
    statuses: tuple[S, ...]
    schema: type[BaseModel]
    #: The form's fields as the schema's input.
    read: Callable[[Mapping[str, str]], dict[str, Any]]
    run: Run
    #: The rules the step is held to, shown above its form.
    rules: tuple[str, ...] = ()
    #: Shown only while this holds (beyond the status).
    when: Callable[[Complaint], bool] = lambda _: True


def _blank_none(value: str | None) -> str | None:
    return value if value not in (None, "") else None


def _read_acceptance(form: Mapping[str, str]) -> dict[str, Any]:
    return {
        "accepted_on": _blank_none(form.get("on")),
        "complex_case": form.get("complex_case") == "on",
    }


def _read_refusal(form: Mapping[str, str]) -> dict[str, Any]:
    return {
        "decided_on": _blank_none(form.get("on")),
        "rule": form.get("rule", ""),
        "reason": form.get("reason", ""),
    }


def _read_assignment(form: Mapping[str, str]) -> dict[str, Any]:
    username = form.get("handler", "").strip()
    if not well_formed_username(username):
        raise InvalidInput("không có người dùng này", field="handler_id")
    return {"handler_id": str(user_id_for(username))}


def _read_resolution(form: Mapping[str, str]) -> dict[str, Any]:
    return {
        "outcome": form.get("outcome", ""),
        "resolved_on": _blank_none(form.get("on")),
        "reason": form.get("reason", ""),
    }


def _read_lawsuit(form: Mapping[str, str]) -> dict[str, Any]:
    return {"reported_on": _blank_none(form.get("on")), "court": form.get("court", "")}


def _accept(ledger: Ledger, ctx: CommandContext, cid: UUID, b: Any, v: int | None) -> Any:
    return ledger.complaints.accept_complaint(ctx, cid, b.accepted_on, b.complex_case, v)


def _refuse(ledger: Ledger, ctx: CommandContext, cid: UUID, b: Any, v: int | None) -> Any:
    return ledger.complaints.refuse_complaint(ctx, cid, b.decided_on, b.rule, b.reason, v)


def _assign(ledger: Ledger, ctx: CommandContext, cid: UUID, b: Any, v: int | None) -> Any:
    return ledger.complaints.assign_complaint(ctx, cid, b.handler_id, v)


def _resolve(ledger: Ledger, ctx: CommandContext, cid: UUID, b: Any, v: int | None) -> Any:
    return ledger.complaints.resolve_complaint(ctx, cid, b.outcome, b.resolved_on, b.reason, v)


def _lawsuit(ledger: Ledger, ctx: CommandContext, cid: UUID, b: Any, v: int | None) -> Any:
    return ledger.complaints.report_lawsuit(ctx, cid, b.reported_on, b.court, v)


STEPS: tuple[ComplaintStep, ...] = (
    ComplaintStep(
        "thu-ly",
        "Thụ lý khiếu nại",
        HANDLING,
        (S.RECEIVED,),
        Acceptance,
        _read_acceptance,
        _accept,
        (
            "Thụ lý trong thời hạn luật định kể từ ngày nhận đơn.",
            "Vụ việc phức tạp được kéo dài thời hạn giải quyết theo quy định.",
            "Khiếu nại lần hai do cấp trên trực tiếp của nơi giải quyết lần đầu thụ lý.",
        ),
    ),
    ComplaintStep(
        "tu-choi-thu-ly",
        "Không thụ lý",
        HANDLING,
        (S.RECEIVED,),
        NonAcceptance,
        _read_refusal,
        _refuse,
        ("Không thụ lý phải nêu căn cứ pháp luật và lý do.",),
    ),
    ComplaintStep(
        "phan-cong",
        "Phân công người giải quyết",
        HANDLING,
        (S.ACCEPTED,),
        Assignment,
        _read_assignment,
        _assign,
        (
            "Chỉ phân công sau khi đã thụ lý.",
            "Người đã giải quyết khiếu nại lần đầu không giải quyết khiếu nại lần hai.",
        ),
    ),
    ComplaintStep(
        "giai-quyet",
        "Giải quyết khiếu nại",
        (Role.COMPLAINT_HANDLER,),
        (S.ACCEPTED,),
        Resolution,
        _read_resolution,
        _resolve,
        (
            "Chỉ người được phân công mới giải quyết khiếu nại.",
            "Giải quyết trong thời hạn tính từ ngày thụ lý; nêu lý do của kết quả.",
            "Khiếu nại đúng (hoặc đúng một phần) mở lại hồ sơ đã có quyết định.",
        ),
    ),
    ComplaintStep(
        "khoi-kien",
        "Ghi nhận khởi kiện hành chính",
        COMPLAINANTS,
        tuple(S),
        Lawsuit,
        _read_lawsuit,
        _lawsuit,
        ("Ngày khởi kiện không trước ngày nhận đơn; chỉ ghi nhận một lần.",),
        when=lambda complaint: complaint.lawsuit is None,
    ),
)

BY_SLUG = {step.slug: step for step in STEPS}

OUTCOMES = [(outcome.value, label(outcome)) for outcome in ComplaintOutcome]


def steps_for(complaint: Complaint, principal: Principal) -> list[ComplaintStep]:
    """The steps this user could take on the complaint now (the service still decides)."""
    return [
        step
        for step in STEPS
        if complaint.status in step.statuses
        and step.when(complaint)
        and any(r in principal.roles for r in step.roles)
    ]


def warnings_for(complaint: Complaint, principal: Principal, step: ComplaintStep) -> list[str]:
    """What already stands in this user's way, said before they fill the form."""
    if step.slug != "giai-quyet" or complaint.handler_id == str(principal.user_id):
        return []
    if complaint.handler_id is None:
        return ["Khiếu nại chưa được phân công người giải quyết."]
    return ["Khiếu nại đã được phân công cho người khác giải quyết."]
