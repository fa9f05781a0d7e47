"""A granted title as a signed W3C Verifiable Credential (Open Badges 3.0), for API clients
and wallets; the same document the certificate page's download gives (docs/certificates.md).
"""

from __future__ import annotations

import json
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import LedgerDep, PrincipalDep, ReachableCaseDep, ReaderDep, public_base
from application.clients.badges import MEDIA_TYPE, credential_of_case

router = APIRouter(prefix="/cases", tags=["Giấy chứng nhận"])


@router.get(
    "/{case_id}/credential",
    summary="Chứng chỉ số (W3C Verifiable Credential) của danh hiệu",
    response_class=Response,
    responses={200: {"content": {MEDIA_TYPE: {}}, "description": "Chứng chỉ số đã ký"}},
)
def read_credential(
    request: Request,
    case_id: ReachableCaseDep,
    ledger: LedgerDep,
    reading: ReaderDep,
    principal: PrincipalDep,
) -> Response:
    """The case's title as a Verifiable Credential 2.0 in the Open Badges 3.0 shape, signed
    eddsa-jcs-2022 with the ledger's key (``did:key``), with a revocation entry in the public
    status list ``/chung-chi/trang-thai/{n}``. No CCCD, birth date or name: the holder's name
    only as a salted hash, and only for readers who see the name in full.

    404 while the case has no granted title (or the register has not yet folded it).
    """
    serial, body = credential_of_case(
        ledger,
        request.app.state.read_models.engine,
        reading,
        principal,
        UUID(str(case_id)),
        public_base(request),
    )
    return Response(
        json.dumps(body, ensure_ascii=False, indent=2).encode(),
        media_type=MEDIA_TYPE,
        headers={
            "Cache-Control": "no-store",
            "Content-Disposition": f'attachment; filename="chung-chi-{serial}.json"',
        },
    )
