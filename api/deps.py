"""Typed dependencies: the ledger, the authenticated principal, and the acting context."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from application.access_service import Principal
from application.ledger import Ledger
from domain.base import CommandContext
from domain.errors import InvalidInput, NotAuthenticated
from domain.glossary import Role

_bearer = HTTPBearer(auto_error=False, description="Mã truy cập do `hoctap users token` cấp")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def get_ledger(request: Request) -> Ledger:
    ledger: Ledger = request.app.state.ledger
    return ledger


LedgerDep = Annotated[Ledger, Depends(get_ledger)]


def get_principal(
    ledger: LedgerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise NotAuthenticated("cần mã truy cập (Authorization: Bearer ...)")
    return ledger.authenticate(credentials.credentials)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def _checked_id(value: str | None, header: str) -> str | None:
    if value is not None and not _REQUEST_ID.match(value):
        raise InvalidInput(f"{header}: 1-128 ký tự chữ, số và . _ : -", header=header)
    return value


def request_ids(
    x_request_id: Annotated[
        str | None, Header(description="Mã của yêu cầu này (ghi vào sự kiện là causation id)")
    ] = None,
    x_correlation_id: Annotated[
        str | None,
        Header(description="Mã của cả quy trình nhiều yêu cầu (mặc định: mã yêu cầu)"),
    ] = None,
) -> tuple[str, str]:
    """(correlation id, causation id) of the request: every event it causes records both."""
    request_id = _checked_id(x_request_id, "X-Request-ID") or str(uuid.uuid4())
    return _checked_id(x_correlation_id, "X-Correlation-ID") or request_id, request_id


RequestIdsDep = Annotated[tuple[str, str], Depends(request_ids)]


def acting_as(*roles: Role) -> Callable[..., CommandContext]:
    """A dependency giving the command context, if the principal holds one of ``roles``."""

    def dependency(principal: PrincipalDep, ids: RequestIdsDep) -> CommandContext:
        correlation, causation = ids
        return principal.context(roles, correlation, causation)

    dependency.__name__ = "acting_as_" + "_or_".join(r.value for r in roles)
    return dependency


def reader(principal: PrincipalDep, ids: RequestIdsDep) -> CommandContext:
    """The context of someone reading: reads of personal data are recorded as events."""
    correlation, causation = ids
    return principal.context(principal.roles, correlation, causation)


ReaderDep = Annotated[CommandContext, Depends(reader)]


def if_match(
    if_match: Annotated[
        str | None, Header(description="Phiên bản đã đọc (ETag); nếu không còn hiện tại, trả 412")
    ] = None,
) -> int | None:
    """The aggregate version the client last read, from ``If-Match: "<version>"``."""
    if if_match is None:
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise InvalidInput('If-Match phải có dạng "<phiên bản>"', header="If-Match")
    return int(value)


IfMatchDep = Annotated[int | None, Depends(if_match)]

OFFICERS = (Role.VILLAGE_OFFICER, Role.COMMUNE_OFFICER)
ADMIN = (Role.ADMINISTRATOR,)
