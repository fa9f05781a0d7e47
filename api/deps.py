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


def correlation_id(
    x_request_id: Annotated[str | None, Header(description="Mã yêu cầu để truy vết")] = None,
) -> str:
    if x_request_id is None:
        return str(uuid.uuid4())
    if not _REQUEST_ID.match(x_request_id):
        raise InvalidInput("X-Request-ID: 1-128 ký tự chữ, số và . _ : -")
    return x_request_id


CorrelationDep = Annotated[str, Depends(correlation_id)]


def acting_as(*roles: Role) -> Callable[..., CommandContext]:
    """A dependency giving the command context, if the principal holds one of ``roles``."""

    def dependency(principal: PrincipalDep, correlation: CorrelationDep) -> CommandContext:
        return principal.context(roles, correlation)

    dependency.__name__ = "acting_as_" + "_or_".join(r.value for r in roles)
    return dependency


def if_match(
    if_match: Annotated[
        str | None, Header(description="Phiên bản đã đọc (ETag); nếu sai, trả 409")
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
