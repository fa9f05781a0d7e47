"""Recognition decisions, signed by a competent authority."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from api import schemas, views
from api.deps import LedgerDep, ReaderDep, acting_as
from api.params import DecisionId
from application.services.decisions import RulingRequest
from domain.base import CommandContext
from domain.glossary import Role

router = APIRouter(prefix="/decisions", tags=["Quyết định công nhận"])
SignerDep = Annotated[CommandContext, Depends(acting_as(Role.SIGNER))]


@router.post(
    "", summary="Ban hành quyết định công nhận", status_code=201, response_model=schemas.Recorded
)
def issue_decision(
    body: schemas.DecisionCreate, ledger: LedgerDep, ctx: SignerDep, response: Response
) -> Response:
    """Grant or refuse titles; the decision and its cases are saved in one transaction."""
    result = ledger.decisions.issue_decision(
        ctx,
        number=body.number,
        decided_on=body.decided_on,
        signer_title=body.signer_title,
        authority_name=body.authority_name,
        authority_unit_id=body.authority_unit_id,
        legal_basis=body.legal_basis,
        rulings=[RulingRequest(r.case_id, r.outcome, r.reason) for r in body.rulings],
        amends=body.amends,
    )
    response.headers["Location"] = f"/decisions/{result.id}"
    return views.recorded(result, response, status_code=201)


@router.get("/{decision_id}", summary="Đọc quyết định", response_model=schemas.DecisionPublic)
def read_decision(
    decision_id: DecisionId, ledger: LedgerDep, reading: ReaderDep, response: Response
) -> schemas.DecisionPublic:
    """A decision: readable within the authority's unit, and by the subjects it decided."""
    item = ledger.decisions.decision_for(reading, decision_id)
    views.etag(response, item.version)
    return views.decision(item)
