"""The page where a commune officer imports the lists villages keep in Excel.

Upload: every row is checked and the whole report shown (sheet, row, column, what is wrong);
nothing is written. A clean file waits for the officer's confirmation sealed under a key of
its own (never in clear on disk); confirming imports it and then deletes both the sealed
copy and its key. Templates to fill are downloaded from the same page, with the commune's
villages in the drop-down of village codes.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, File, Form, Request, UploadFile
from fastapi.responses import Response

from api.deps import LedgerDep
from api.web.pages import models_of, page_router, unit_form_page
from api.web.session import SignedInDep, page_acting_as
from application.ledger import Ledger
from application.services.access import Principal
from application.services.imports import ImportOutcome, digest_of
from domain.base import CommandContext
from domain.errors import DomainError, InvalidInput, NotFound
from domain.glossary import Role, UnitLevel
from domain.imports import TEMPLATES, import_id_for
from domain.text import shown
from projections.statistics.queries import unit_tree

router = page_router()
IMPORTERS = (Role.COMMUNE_OFFICER, Role.ADMINISTRATOR)
ImporterDep = Annotated[CommandContext, Depends(page_acting_as(*IMPORTERS))]
#: Errors shown on the page; the count says how many more there are.
SHOWN_ERRORS = 2000
_DIGEST = re.compile(r"[0-9a-f]{64}")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _unit(principal: Principal) -> UUID:
    if principal.unit_id is None:
        raise InvalidInput("tài khoản của bạn không gắn đơn vị nào", field="unit_id")
    return principal.unit_id


def _page(
    request: Request,
    ledger: Ledger,
    ctx: CommandContext,
    principal: Principal,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    context: dict[str, Any] = {
        "kinds": [
            ("households", "Hộ gia đình và nhân khẩu"),
            ("persons", "Chỉ nhân khẩu"),
            ("registrations", "Đăng ký danh hiệu hằng năm"),
        ],
        "outcome": None,
        "checked": None,
        "errors": [],
        "hidden_errors": 0,
        "message": None,
        "file_name": "",
    }
    return unit_form_page(
        request, "nhap_danh_sach.html", ledger, ctx, principal, status_code, context | extra
    )


@router.get("/nhap-danh-sach")
def import_page(
    request: Request, ledger: LedgerDep, ctx: ImporterDep, principal: SignedInDep
) -> Response:
    return _page(request, ledger, ctx, principal)


def _sealed_path(ledger: Ledger, import_id: UUID) -> Path:
    return ledger.settings.var_dir / "imports" / f"{import_id}.sealed"


@router.post("/nhap-danh-sach/kiem-tra")
def check_file(
    request: Request,
    ledger: LedgerDep,
    ctx: ImporterDep,
    principal: SignedInDep,
    file: Annotated[UploadFile, File()],
) -> Response:
    """Check every row; keep a clean file, sealed, for the confirmation."""
    unit_id = _unit(principal)
    limit = ledger.settings.max_upload_bytes
    content = file.file.read(limit + 1)
    name = shown((file.filename or "").rsplit("/", 1)[-1][:200])  # printable, as sent
    if len(content) > limit:
        return _page(
            request, ledger, ctx, principal, 422, message=f"tệp quá lớn (tối đa {limit:,} byte)"
        )
    checked = ledger.imports.check(ctx, unit_id, content)
    report = checked.report
    if report.clean:
        path = _sealed_path(ledger, checked.import_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(ledger.vault.seal_blob(checked.import_id, content))
    return _page(
        request,
        ledger,
        ctx,
        principal,
        200 if report.clean else 422,
        checked=checked,
        errors=report.errors[:SHOWN_ERRORS],
        hidden_errors=max(0, len(report.errors) - SHOWN_ERRORS),
        file_name=name,
    )


@router.post("/nhap-danh-sach/xac-nhan")
def confirm_import(
    request: Request,
    ledger: LedgerDep,
    ctx: ImporterDep,
    principal: SignedInDep,
    digest: Annotated[str, Form(max_length=64)],
) -> Response:
    """Import the file checked before (found by its digest), then delete the sealed copy."""
    unit_id = _unit(principal)
    if not _DIGEST.fullmatch(digest):
        raise InvalidInput("mã tệp không hợp lệ", field="digest")
    import_id = import_id_for(unit_id, digest)
    path = _sealed_path(ledger, import_id)
    content = ledger.vault.open_blob(import_id, path.read_bytes()) if path.exists() else None
    if content is None or digest_of(content) != digest:
        raise NotFound("không còn tệp chờ xác nhận: hãy tải tệp lên lại")
    try:
        outcome: ImportOutcome = ledger.imports.run(ctx, unit_id, content)
    except DomainError as refused:
        return _page(request, ledger, ctx, principal, 409, message=refused.message)
    path.unlink(missing_ok=True)
    ledger.vault.forget(import_id)
    return _page(request, ledger, ctx, principal, outcome=outcome)


@router.get("/nhap-danh-sach/mau/{kind}")
def download_template(
    request: Request, kind: str, ledger: LedgerDep, ctx: ImporterDep, principal: SignedInDep
) -> Response:
    """An empty template, with the villages of the officer's commune listed."""
    if kind not in TEMPLATES:
        raise NotFound("không có mẫu này", kind=kind[:32])
    villages: list[tuple[str, str]] = []
    unit_name = ""
    if principal.unit_id is not None:
        tree = unit_tree(models_of(request).engine)
        today = ledger.records.today()
        own = str(principal.unit_id)
        villages = sorted(
            (u.code, u.name)
            for u in tree.units.values()
            if u.level == UnitLevel.VILLAGE.value
            and u.is_valid_on(today)
            and u.parent_on(today) == own
        )
        unit = tree.units.get(own)
        unit_name = unit.name if unit else ""
    content = ledger.imports.template(kind, villages, unit_name)
    return Response(
        content,
        media_type=XLSX,
        headers={
            "Content-Disposition": f'attachment; filename="mau-{kind}.xlsx"',
            "Cache-Control": "no-store",
        },
    )
