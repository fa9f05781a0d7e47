"""The start page: what the signed-in user can do from here, by role."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from api.deps import LedgerDep
from api.web.pages import page_router, render
from api.web.session import SignedInDep

router = page_router()


@router.get("")
def start(request: Request, ledger: LedgerDep, principal: SignedInDep) -> Response:
    unit = (
        ledger.names.names(
            principal.context(principal.roles, "trang-chu"), [principal.unit_id]
        ).get(principal.unit_id)
        if principal.unit_id
        else None
    )
    return render(request, "trang_chu.html", unit_name=unit)
