"""Complaints: the list of my unit's complaints, a complaint's page with its next steps, and
filing a complaint from the page of the case it is about.

The list reads the complaints view within the same scope as ``GET /complaints``
(``api.scoping.list_filter``, staff only); the complaint's page reads the complaint itself
as ``GET /complaints/{id}`` does (reachable through its cases' unit, or by the complainant),
and records the read as the API does. Every form posts the complaint version it was read at.
Overdue deadlines follow one rule with the API (:func:`api.views.complaint_overdue`).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from uuid import UUID

from fastapi import Form, Request
from fastapi.responses import Response
from pydantic import ValidationError

from api import views
from api.deps import LedgerDep
from api.routers.complaints import WATCHERS, ComplaintCreate
from api.scoping import list_filter
from api.web.cases import show_refused
from api.web.complaint_steps import BY_SLUG, COMPLAINANTS, OUTCOMES, steps_for, warnings_for
from api.web.event_names import named
from api.web.pages import models_of, page_router, redirect, render
from api.web.session import PageReaderDep, SignedInDep, reading_context
from api.web.step_forms import Refused, refusal
from api.web.step_forms import take_step as step_form
from application.ledger import Ledger
from application.services.access import Principal
from domain.assessment import AssessmentCase
from domain.base import CommandContext
from domain.complaints import Complaint
from domain.errors import DomainError, InvalidInput
from domain.glossary import Role, label
from projections.complaints.queries import listed
from projections.standings.queries import titles_of

router = page_router()
PAGE_SIZE = 50

DEADLINE_LABELS = {
    "filing": "Hạn nộp đơn",
    "acceptance": "Hạn thụ lý",
    "resolution": "Hạn giải quyết",
    "second_filing": "Hạn khiếu nại lần hai",
}
PENDING_STEP = {"acceptance": "Thụ lý", "resolution": "Giải quyết"}


@router.get("/khieu-nai")
def complaints(request: Request, ledger: LedgerDep, principal: SignedInDep) -> Response:
    """The complaints of my unit, newest first, each with its next deadline, a page at a time
    (``?tiep=`` names where the next page starts; 403 for roles that may not list complaints,
    as the API)."""
    ctx = principal.context(WATCHERS, str(uuid.uuid4()))
    models = models_of(request)
    today = ledger.records.today()
    allowed = list_filter(ledger, models, ctx, None, today, citizens=False)
    cursor = request.query_params.get("tiep")
    try:
        page = listed(
            models.engine,
            unit_ids=allowed.unit_ids,
            cursor=cursor[:512] if cursor else None,
            limit=PAGE_SIZE,
        )
    except ValueError as error:
        raise InvalidInput("trang danh sách không hợp lệ", field="tiep") from error
    found = page.items
    titles = titles_of(models.engine, [r["case_ids"][0] for r in found if r["case_ids"]])
    complainants = [UUID(r["complainant_id"]) for r in found]
    names = ledger.names.names(
        ctx,
        complainants,
        roles=principal.roles,
        person_id=principal.person_id,
        needed=complainants if Role.COMPLAINT_HANDLER in principal.roles else (),
    )
    rows = []
    for r in found:
        title, year = titles.get(r["case_ids"][0], ("", None)) if r["case_ids"] else ("", None)
        overdue = views.complaint_overdue(r["status"], views.row_deadlines(r), today)
        rows.append(
            {
                "complaint_id": r["complaint_id"],
                "subject": names.get(UUID(r["complainant_id"]), "—"),
                "title": label(title) if title else "—",
                "year": year,
                "level": r["level"],
                "status": label(r["status"]),
                "received_on": r["received_on"],
                "step": PENDING_STEP.get(r["next_step"] or "", "—"),
                "deadline": r["next_deadline"],
                "overdue": bool(overdue),
            }
        )
    return render(
        request,
        "khieu_nai_danh_sach.html",
        rows=rows,
        next_cursor=page.next_cursor,
        paged=bool(cursor),
    )


def _complaint_view(
    ledger: Ledger, reading: CommandContext, principal: Principal, complaint: Complaint
) -> dict[str, Any]:
    history = ledger.records.history(complaint.id)
    actors = {_as_uuid(e.actor_id) for e in history} | {_as_uuid(complaint.handler_id or "")}
    cases = ledger.records.load_all(complaint.case_ids)
    handler = Role.COMPLAINT_HANDLER in principal.roles
    names = ledger.names.names(
        reading,
        [complaint.complainant_id, *(a for a in actors if a)],
        roles=principal.roles,
        person_id=principal.person_id,
        needed=[complaint.complainant_id] if handler else (),
    )
    timeline = [
        {
            "what": named(e),
            "who": _name(names, e.actor_id, "hệ thống"),
            "role": label(e.actor_role),
            "why": e.reason,
            "effective": e.effective_date,
            "recorded": e.timestamp,
        }
        for e in history
    ]
    today = ledger.records.today()
    deadlines = complaint.deadlines(ledger.complaints.clocks_of(complaint))
    overdue = views.complaint_overdue(complaint.status.value, deadlines, today)
    return {
        "complaint": complaint,
        "subject": names.get(complaint.complainant_id, "—"),
        "status": label(complaint.status),
        "outcome": label(complaint.outcome) if complaint.outcome else None,
        "handler": _name(names, complaint.handler_id or "", "chưa phân công"),
        "grounds": (
            ledger.complaints.grounds_of(complaint)
            if views.may_read_grounds(principal, complaint)
            else None
        ),
        "deadlines": [
            {"label": DEADLINE_LABELS[key], "on": on, "overdue": key in overdue}
            for key, on in deadlines.items()
            if on is not None
        ],
        "cases": [
            {
                "case_id": case_id,
                "title": label(case.model) if isinstance(case, AssessmentCase) else "—",
                "year": case.cycle_year if isinstance(case, AssessmentCase) else "",
            }
            for case_id in complaint.case_ids
            for case in [cases.get(case_id)]
        ],
        "timeline": timeline,
        "steps": [
            {"step": step, "warnings": warnings_for(complaint, principal, step)}
            for step in steps_for(complaint, principal)
        ],
        "outcomes": OUTCOMES,
        "today": today,
    }


def _name(names: dict[UUID, str], actor_id: str, otherwise: str) -> str:
    found = _as_uuid(actor_id)
    return names.get(found, otherwise) if found else otherwise


def _as_uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


def complaint_page(
    request: Request,
    ledger: Ledger,
    reading: CommandContext,
    principal: Principal,
    complaint_id: UUID,
    *,
    status_code: int = 200,
    failed: str | None = None,
    message: str | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    complaint = ledger.complaints.complaint_for(reading, complaint_id, reading=True)
    ledger.access.record_view(reading, "complaint", str(complaint.id))
    view = _complaint_view(ledger, reading, principal, complaint)
    return render(
        request,
        "khieu_nai.html",
        status_code=status_code,
        failed=failed,
        message=message,
        form=form or {},
        **view,
    )


@router.get("/khieu-nai/{complaint_id}")
def complaint(
    request: Request,
    complaint_id: UUID,
    ledger: LedgerDep,
    reading: PageReaderDep,
    principal: SignedInDep,
) -> Response:
    return complaint_page(request, ledger, reading, principal, complaint_id)


@router.post("/khieu-nai/{complaint_id}/buoc/{slug}")
async def take_step(
    request: Request,
    complaint_id: UUID,
    slug: str,
    ledger: LedgerDep,
    principal: SignedInDep,
) -> Response:
    def again(reading: CommandContext, refused: Refused) -> Response:
        return complaint_page(
            request,
            ledger,
            reading,
            principal,
            complaint_id,
            **refused.page(),
        )

    return await step_form(
        request,
        principal,
        slug,
        BY_SLUG,
        load=lambda reading: ledger.complaints.complaint_for(reading, complaint_id, reading=True),
        read=lambda step, form, _: step.read(form),
        run=lambda step, ctx, body, version: step.run(ledger, ctx, complaint_id, body, version),
        what="khiếu nại",
        again=again,
        done=f"/trang/khieu-nai/{complaint_id}",
    )


@router.post("/khieu-nai")
def file_complaint(
    request: Request,
    ledger: LedgerDep,
    principal: SignedInDep,
    case_id: Annotated[UUID, Form()],
    grounds: Annotated[str, Form(max_length=20_000)] = "",
    learnt_on: Annotated[str, Form(max_length=32)] = "",
    decision_id: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """File a complaint about a case (and its decision, if it has one) from the case's page,
    with the API's schema and service: the refusal is said at the form, nothing written."""
    reading = reading_context(principal)
    form = {"grounds": grounds, "learnt_on": learnt_on}
    try:
        ctx = principal.context(COMPLAINANTS, reading.correlation_id, reading.causation_id)
        body = ComplaintCreate.model_validate(
            {
                "case_ids": [str(case_id)],
                "decision_id": decision_id or None,
                "grounds": grounds,
                "learnt_on": learnt_on,
            }
        )
        result = ledger.complaints.file_complaint(
            ctx,
            case_ids=body.case_ids,
            grounds=body.grounds,
            learnt_on=body.learnt_on,
            decision_id=body.decision_id,
        )
    except (ValidationError, DomainError) as error:
        refused = refusal(error, "khieu-nai", form)
        return show_refused(request, ledger, reading, principal, case_id, refused)
    return redirect(request, f"/trang/khieu-nai/{result.id}")
