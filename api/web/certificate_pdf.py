"""The paper certificate as a PDF to download and print.

``GET /trang/ho-so/{case_id}/giay-chung-nhan.pdf`` (``?kho=a5`` for A5; A4 landscape by
default): the same certificate as the HTML page ``/trang/ho-so/{case_id}/giay-chung-nhan``,
to the same readers. Access is the case page's (``Scopes.case_for``, as the HTML
certificate calls it); a case not granted, or whose title was revoked, has no certificate
(404, as on the HTML page); the holder's name follows the same names rule; the QR code holds
the same address of the public check. Drawn by :mod:`application.clients.certificate_pdf`.
"""

from __future__ import annotations

import logging
from uuid import UUID

from fastapi import Request
from fastapi.responses import Response

from api.deps import LedgerDep
from api.web.certificates import printed_certificate
from api.web.pages import error_page, page_router
from api.web.session import PageReaderDep, SignedInDep
from application.clients.certificate_pdf import (
    MEDIA_TYPE,
    PAPER,
    CertificateSheet,
    FontMissing,
    certificate_pdf,
)
from domain.errors import InvalidInput
from domain.glossary import label

log = logging.getLogger("hoctap.web")
router = page_router()


@router.get("/ho-so/{case_id}/giay-chung-nhan.pdf")
def printable_pdf(
    request: Request,
    case_id: UUID,
    ledger: LedgerDep,
    reading: PageReaderDep,
    principal: SignedInDep,
    kho: str = "a4",
) -> Response:
    paper = kho.strip().lower()
    if paper not in PAPER:
        raise InvalidInput("khổ giấy phải là a4 hoặc a5", field="kho")
    printed = printed_certificate(request, ledger, reading, principal, case_id)
    case, decision, serial = printed.case, printed.decision, printed.serial
    sheet = CertificateSheet(
        authority_name=decision.authority_name,
        title=label(case.model),
        cycle_year=case.cycle_year,
        holder=printed.holder,
        decision_number=decision.number,
        decided_on=decision.decided_on,
        signer_title=decision.signer_title,
        valid_from=printed.valid_from,
        valid_until=printed.valid_until,
        serial=serial,
        check_url=printed.url,
    )
    try:
        content = certificate_pdf(sheet, paper, request.app.state.certificate_fonts)
    except FontMissing as missing:
        log.error("certificate PDF: %s %s", missing.message, missing.details)
        return error_page(request, 503, missing.message)
    filename = f"giay-chung-nhan-{serial}-{paper}.pdf"
    return Response(
        content,
        media_type=MEDIA_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
