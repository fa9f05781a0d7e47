"""The start page: the worklist of my unit (officers), my cases and titles (citizens), and
links to what else the user's roles may do."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from api.deps import LedgerDep
from api.web.cases import worklist
from api.web.pages import page_router, render
from api.web.session import PageReaderDep, SignedInDep
from domain.glossary import Role

router = page_router()
#: Roles whose start page is a list of cases.
LISTS_CASES = (Role.CITIZEN, Role.VILLAGE_OFFICER, Role.COMMUNE_OFFICER)


@router.get("")
def start(
    request: Request, ledger: LedgerDep, reading: PageReaderDep, principal: SignedInDep
) -> Response:
    context: dict[str, Any] = {"rows": None}
    if any(role in LISTS_CASES for role in principal.roles):
        context = worklist(request, ledger, reading, principal)
    unit = None
    if principal.unit_id is not None:
        unit = ledger.names.names(reading, [principal.unit_id]).get(principal.unit_id)
    year = ledger.records.today().year
    return render(request, "trang_chu.html", unit_name=unit, year=year, **context)
