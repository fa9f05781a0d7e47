"""Cases: the worklist of my unit (or my own cases), a case's page, and each next step.

The worklist reads the standings view, as ``GET /standings`` does, within the same scope
(``api.scoping.list_filter``); the case page reads the case itself, so it shows a step the
moment it is recorded. Every form posts the case version it was read at (``version``), the
page's If-Match: a case changed meanwhile is refused, never silently overwritten.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from uuid import UUID

from fastapi import File, Form, Request, UploadFile
from fastapi.responses import Response
from pydantic import ValidationError

from api import schemas
from api.dates import DocumentDate
from api.deps import LedgerDep
from api.routers.cases import evidence_file
from api.scoping import list_filter
from api.web.event_names import named
from api.web.pages import models_of, page_router, redirect, render
from api.web.session import PageReaderDep, SignedInDep, reading_context
from api.web.step_forms import Refused, refusal, validation_message, version_read
from api.web.step_forms import take_step as step_form
from api.web.steps import BY_SLUG, indicators_of, next_step, steps_for, warnings_for
from application.ledger import Ledger
from application.services.access import Principal
from domain.assessment import AssessmentCase
from domain.base import CommandContext
from domain.errors import DomainError, InvalidInput
from domain.glossary import CaseStatus, Role, label
from projections.standings.queries import list_cases

router = page_router()
PAGE_SIZE = 20
APPLICANTS = (Role.CITIZEN, Role.VILLAGE_OFFICER, Role.COMMUNE_OFFICER)


def worklist(
    request: Request, ledger: Ledger, reading: CommandContext, principal: Principal
) -> dict[str, Any]:
    """One page of the cases the reader may list, newest change first, with names."""
    models = models_of(request)
    cursor = request.query_params.get("tiep")
    allowed = list_filter(ledger, models, reading, None, ledger.records.today())
    try:
        page = list_cases(
            models.engine,
            unit_ids=allowed.unit_ids,
            subject_ids=allowed.subject_ids,
            cursor=cursor[:512] if cursor else None,
            limit=PAGE_SIZE,
        )
    except ValueError as error:
        raise InvalidInput("trang danh sách không hợp lệ", field="tiep") from error
    # only a posted notice has a deadline the view does not hold: load just those cases
    posted = [r["case_id"] for r in page.items if r["status"] == CaseStatus.NOTICE_POSTED]
    loaded = ledger.records.load_all([UUID(case_id) for case_id in posted])
    names = ledger.names.names(
        reading,
        [UUID(row["subject_id"]) for row in page.items],
        roles=principal.roles,
        person_id=principal.person_id,
    )
    rows = []
    for row in page.items:
        case = loaded.get(UUID(row["case_id"]))
        status = CaseStatus(row["status"])
        deadline = None
        if isinstance(case, AssessmentCase) and status is CaseStatus.NOTICE_POSTED:
            deadline = case.notice_closes_on
        rows.append(
            {
                "case_id": row["case_id"],
                "subject": names.get(UUID(row["subject_id"]), "—"),
                "title": label(row["model"]),
                "year": row["cycle_year"],
                "status": label(row["status"]),
                "next": next_step(status),
                "deadline": deadline,
            }
        )
    mine = all(role is Role.CITIZEN for role in principal.roles)
    return {"rows": rows, "next_cursor": page.next_cursor, "paged": bool(cursor), "mine": mine}


@router.get("/ho-so")
def cases(
    request: Request, ledger: LedgerDep, reading: PageReaderDep, principal: SignedInDep
) -> Response:
    return render(request, "ho_so_danh_sach.html", **worklist(request, ledger, reading, principal))


def _case_view(
    ledger: Ledger, reading: CommandContext, principal: Principal, case: AssessmentCase
) -> dict[str, Any]:
    spec = ledger.criteria.spec_of(case)
    history = ledger.records.history(case.id)
    actors = {_as_uuid(e.actor_id) for e in history} - {None}
    names = ledger.names.names(
        reading,
        [case.subject_id, case.unit_id, *actors, *(_as_uuid(s.user_id) for s in case.council)],
        roles=principal.roles,
        person_id=principal.person_id,
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
    council = [
        {
            "who": _name(names, s.user_id, "—"),
            "role": s.role,
            "conflict": s.conflict,
        }
        for s in case.council
    ]
    steps = [
        {"step": step, "warnings": warnings_for(case, principal, step)}
        for step in steps_for(case, principal)
    ]
    return {
        "case": case,
        "spec": spec,
        "subject": names.get(case.subject_id, "—"),
        "unit": names.get(case.unit_id, "—"),
        "title": label(case.model),
        "status": label(case.status),
        "next": next_step(case.status),
        "timeline": timeline,
        "indicators": indicators_of(spec),
        "evidence": [e for e in case.evidence.values() if not e.superseded],
        "council": council,
        "steps": steps,
        "may_attach": case.status in (CaseStatus.OPENED, CaseStatus.SELF_ASSESSED)
        and any(r in principal.roles for r in APPLICANTS),
        "today": ledger.records.today(),
        "principal_unit": principal.unit_id,
        "may_complain": _may_complain(ledger, principal, case),
    }


def _may_complain(ledger: Ledger, principal: Principal, case: AssessmentCase) -> bool:
    """A citizen complains of a case of her own circle, her own or her households', as the
    API's ``POST /complaints`` lets her (the complainant is the case's subject)."""
    if Role.CITIZEN not in principal.roles or principal.person_id is None:
        return False
    return case.subject_id in ledger.scopes.subject_circle(principal.person_id)


def _name(names: dict[UUID, str], actor_id: str, otherwise: str) -> str:
    found = _as_uuid(actor_id)
    return names.get(found, otherwise) if found else otherwise


def _as_uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


def case_page(
    request: Request,
    ledger: Ledger,
    reading: CommandContext,
    principal: Principal,
    case_id: UUID,
    *,
    status_code: int = 200,
    failed: str | None = None,
    message: str | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    case = ledger.scopes.case_for(reading, case_id, reading=True)
    view = _case_view(ledger, reading, principal, case)
    return render(
        request,
        "ho_so.html",
        status_code=status_code,
        failed=failed,
        message=message,
        form=form or {},
        **view,
    )


@router.get("/ho-so/{case_id}")
def case(
    request: Request,
    case_id: UUID,
    ledger: LedgerDep,
    reading: PageReaderDep,
    principal: SignedInDep,
) -> Response:
    return case_page(request, ledger, reading, principal, case_id)


@router.post("/ho-so/{case_id}/buoc/{slug}")
async def take_step(
    request: Request,
    case_id: UUID,
    slug: str,
    ledger: LedgerDep,
    principal: SignedInDep,
) -> Response:
    def again(reading: CommandContext, refused: Refused) -> Response:
        return show_refused(request, ledger, reading, principal, case_id, refused)

    return await step_form(
        request,
        principal,
        slug,
        BY_SLUG,
        load=lambda reading: ledger.scopes.case_for(reading, case_id, reading=True),
        read=lambda step, form, case: step.read(form, case),
        run=lambda step, ctx, body, version: step.run(ledger, ctx, case_id, body, version),
        what="hồ sơ",
        again=again,
        done=f"/trang/ho-so/{case_id}",
    )


@router.post("/ho-so/{case_id}/minh-chung")
def attach_evidence(
    request: Request,
    case_id: UUID,
    ledger: LedgerDep,
    principal: SignedInDep,
    file: Annotated[UploadFile, File()],
    kind: Annotated[schemas.Line, Form(min_length=1, max_length=64)],
    issuer: Annotated[schemas.Line, Form(min_length=1, max_length=300)],
    issued_on: Annotated[DocumentDate, Form()],
    version: Annotated[str, Form(max_length=32)],
    indicators: Annotated[list[schemas.Line], Form(max_length=200)],
) -> Response:
    """Upload one evidence file, with the same limits and checks as the API's upload."""
    reading = reading_context(principal)
    try:
        ctx = principal.context(APPLICANTS, reading.correlation_id, reading.causation_id)
        content = evidence_file(file, ledger.settings.max_upload_bytes)
        ledger.assessments.attach_evidence(
            ctx,
            case_id,
            content=content,
            kind=kind,
            issuer=issuer,
            issued_on=issued_on,
            indicators=[code.strip() for code in indicators if code.strip()],
            expected_version=version_read(version, "hồ sơ"),
        )
    except DomainError as error:
        form = {"kind": kind, "issuer": issuer, "issued_on": issued_on.isoformat()}
        refused = refusal(error, "minh-chung", form)
        return show_refused(request, ledger, reading, principal, case_id, refused)
    return redirect(request, f"/trang/ho-so/{case_id}")


def show_refused(
    request: Request,
    ledger: Ledger,
    reading: CommandContext,
    principal: Principal,
    case_id: UUID,
    refused: Refused,
) -> Response:
    """The case page again, the refusal said at the step's form, what was typed kept."""
    return case_page(
        request,
        ledger,
        reading,
        principal,
        case_id,
        **refused.page(),
    )


@router.get("/ho-so/{case_id}/minh-chung/{evidence_id}")
def read_evidence(
    case_id: UUID, evidence_id: UUID, ledger: LedgerDep, reading: PageReaderDep
) -> Response:
    """The evidence file, checked against its digest in the log; the download is recorded."""
    content, media_type = ledger.assessments.read_evidence(reading, case_id, evidence_id)
    ledger.access.record_view(reading, "evidence", str(evidence_id), f"hồ sơ {case_id}")
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": "attachment", "Cache-Control": "no-store"},
    )


@router.post("/ho-so")
def open_case(
    request: Request,
    ledger: LedgerDep,
    principal: SignedInDep,
    subject_id: Annotated[UUID, Form()],
    model: Annotated[str, Form(max_length=64)],
    cycle_year: Annotated[int, Form(ge=2000, le=2100)],
) -> Response:
    """Register a subject for a title (a citizen for themself, an officer for their unit)."""
    try:
        body = schemas.CaseOpen.model_validate(
            {"subject_id": subject_id, "model": model, "cycle_year": cycle_year}
        )
    except ValidationError as invalid:
        raise InvalidInput(validation_message(invalid), field="model") from None
    ctx = principal.context(APPLICANTS, str(uuid.uuid4()))
    result = ledger.assessments.open_case(ctx, body.subject_id, body.model, body.cycle_year)
    return redirect(request, f"/trang/ho-so/{result.id}")
