"""Registering a person or a household, as the API's registry routes do, then opening a
case for them. The CCCD is sent in the form body only, never in a URL."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from api import schemas
from api.deps import LedgerDep
from api.problems import status_of
from api.web.pages import page_router, unit_form_page
from api.web.session import SignedInDep, page_acting_as
from api.web.step_forms import validation_message
from application.ledger import Ledger
from application.services.access import Principal
from domain.base import CommandContext
from domain.errors import DomainError, InvalidInput
from domain.glossary import Role, SubjectKind, TitleModel, label
from domain.text import shown

router = page_router()
REGISTRARS = (Role.VILLAGE_OFFICER, Role.COMMUNE_OFFICER, Role.ADMINISTRATOR)
RegistrarDep = Annotated[CommandContext, Depends(page_acting_as(*REGISTRARS))]
PERSON_FIELDS = ("cccd", "full_name", "birth_date", "gender", "ethnicity", "target_group")


def _page(
    request: Request,
    ledger: Ledger,
    ctx: CommandContext,
    principal: Principal,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    context: dict[str, Any] = {
        "failed": None,
        "message": None,
        "form": {},
        "registered": None,
        "models": [(m.value, label(m)) for m in TitleModel],
        "year": ledger.records.today().year,
    }
    return unit_form_page(
        request, "dang_ky.html", ledger, ctx, principal, status_code, context | extra
    )


@router.get("/dang-ky")
def registration(
    request: Request, ledger: LedgerDep, ctx: RegistrarDep, principal: SignedInDep
) -> Response:
    return _page(request, ledger, ctx, principal)


def _form_of(request_form: Any, fields: tuple[str, ...]) -> dict[str, str]:
    return {f: v for f in fields if isinstance(v := request_form.get(f, ""), str)}


def _unit(principal: Principal) -> UUID:
    if principal.unit_id is None:
        raise InvalidInput("tài khoản của bạn không gắn đơn vị nào", field="unit_id")
    return principal.unit_id


@router.post("/dang-ky/cong-dan")
async def register_person(
    request: Request, ledger: LedgerDep, ctx: RegistrarDep, principal: SignedInDep
) -> Response:
    form = _form_of(await request.form(), PERSON_FIELDS)
    data: dict[str, Any] = {k: (v.strip() or None) for k, v in form.items()}
    data |= {"cccd": form.get("cccd", ""), "full_name": form.get("full_name", "")}
    try:
        body = schemas.PersonCreate.model_validate(data | {"unit_id": str(_unit(principal))})
        result = ledger.registry.register_person(ctx, **body.model_dump())
    except (ValidationError, DomainError) as refused:
        return _refused(request, ledger, ctx, principal, "cong-dan", refused, form)
    return _page(
        request, ledger, ctx, principal, registered={"id": result.id, "name": body.full_name}
    )


@router.post("/dang-ky/ho-gia-dinh")
async def register_household(
    request: Request, ledger: LedgerDep, ctx: RegistrarDep, principal: SignedInDep
) -> Response:
    """A household with its head, found by CCCD among the persons in reach."""
    form = _form_of(await request.form(), ("name", "head_cccd"))
    try:
        body = schemas.CollectiveCreate.model_validate(
            {
                "kind": SubjectKind.HOUSEHOLD,
                "name": form.get("name", ""),
                "unit_id": str(_unit(principal)),
            }
        )
        head = ledger.registry.person_by_cccd(ctx, form.get("head_cccd", "").strip())
        ledger.access.record_view(ctx, "person", str(head.id), "tra cứu theo CCCD")
        household = ledger.registry.register_collective(ctx, **body.model_dump())
        ledger.registry.add_member(ctx, household.id, head.id, "chu_ho")
    except (ValidationError, DomainError) as refused:
        return _refused(request, ledger, ctx, principal, "ho-gia-dinh", refused, form)
    return _page(
        request, ledger, ctx, principal, registered={"id": household.id, "name": body.name}
    )


def _refused(
    request: Request,
    ledger: Ledger,
    ctx: CommandContext,
    principal: Principal,
    which: str,
    refused: ValidationError | DomainError,
    form: dict[str, str],
) -> Response:
    if isinstance(refused, ValidationError):
        status, message = 422, validation_message(refused)
    else:
        status, message = status_of(refused), shown(refused.message)
        if status in (401, 403):
            raise refused
    return _page(request, ledger, ctx, principal, status, failed=which, message=message, form=form)
