"""Typed dependencies: the ledger, the authenticated principal, and the acting context."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.params import CaseId
from application.ledger import Ledger
from application.services.access import Principal
from domain.base import CommandContext
from domain.errors import InvalidInput, NotAuthenticated, PreconditionRequired
from domain.glossary import Role
from domain.text import MAX_NUMBER_DIGITS, ascii_digits

_bearer = HTTPBearer(
    auto_error=False,
    bearerFormat="htl_<mã tài khoản>.<phần bí mật>",
    description="`Authorization: Bearer htl_<mã tài khoản>.<phần bí mật>`: mã truy cập do "
    "`hoctap users token <tên>` hoặc `POST /users/me/tokens` cấp (chỉ hiện một lần)",
)
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
#: Log positions, tree sizes and offsets are 64-bit in both stores: a larger one is a 422.
MAX_POSITION = 2**63 - 1


# Dependencies that do no I/O are ``async def``: FastAPI runs a plain ``def`` dependency in
# its thread pool, a hop per dependency per request that showed in the write benchmark.


async def get_ledger(request: Request) -> Ledger:
    ledger: Ledger = request.app.state.ledger
    return ledger


LedgerDep = Annotated[Ledger, Depends(get_ledger)]


async def bearer_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The token of ``Authorization: Bearer <token>`` (401 without one)."""
    if credentials is None:
        raise NotAuthenticated("cần mã truy cập (Authorization: Bearer ...)")
    return credentials.credentials


def get_principal(ledger: LedgerDep, token: Annotated[str, Depends(bearer_token)]) -> Principal:
    return ledger.access.authenticate(token)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def _checked_id(value: str | None, header: str) -> str | None:
    if value is not None and not _REQUEST_ID.fullmatch(value):
        raise InvalidInput(f"{header}: 1-128 ký tự chữ, số và . _ : -", header=header)
    return value


async def request_ids(
    x_request_id: Annotated[
        str | None,
        Header(
            description="Mã của yêu cầu này, 1-128 ký tự chữ, số và . _ : - (ghi vào sự kiện là "
            "causation id; mặc định: một UUID mới)",
            examples=["req-2026-03-01-0001"],
        ),
    ] = None,
    x_correlation_id: Annotated[
        str | None,
        Header(
            description="Mã của cả quy trình nhiều yêu cầu, cùng dạng (mặc định: mã yêu cầu)",
            examples=["ho-so-tran-van-minh-2026"],
        ),
    ] = None,
) -> tuple[str, str]:
    """(correlation id, causation id) of the request: every event it causes records both."""
    request_id = _checked_id(x_request_id, "X-Request-ID") or str(uuid.uuid4())
    return _checked_id(x_correlation_id, "X-Correlation-ID") or request_id, request_id


RequestIdsDep = Annotated[tuple[str, str], Depends(request_ids)]


def acting_as(*roles: Role) -> Callable[..., Awaitable[CommandContext]]:
    """A dependency giving the command context, if the principal holds one of ``roles``."""

    async def dependency(principal: PrincipalDep, ids: RequestIdsDep) -> CommandContext:
        correlation, causation = ids
        return principal.context(roles, correlation, causation)

    dependency.__name__ = "acting_as_" + "_or_".join(r.value for r in roles)
    return dependency


async def reader(principal: PrincipalDep, ids: RequestIdsDep) -> CommandContext:
    """The context of someone reading: reads of personal data are recorded as events.

    A reader reaches records through their unit (any staff role) and their own circle, so
    the context takes a staff role when the user holds one.
    """
    correlation, causation = ids
    staff_first = sorted(principal.roles, key=lambda role: role is Role.CITIZEN)
    return principal.context(tuple(staff_first), correlation, causation)


ReaderDep = Annotated[CommandContext, Depends(reader)]


async def if_match(
    if_match: Annotated[
        str | None,
        Header(
            description='Bắt buộc: phiên bản đã đọc (ETag), dạng "<n>" có ngoặc kép, n là '
            f'1-{MAX_NUMBER_DIGITS} chữ số 0-9 (W/"<n>" cũng nhận). Thiếu thì trả 428; '
            "không còn là phiên bản hiện tại thì trả 412",
            examples=['"3"'],
        ),
    ] = None,
) -> int:
    """The aggregate version the client last read, from ``If-Match: "<version>"``.

    Every write to an existing record must say which version it was based on, so two people
    editing the same case cannot silently overwrite each other.
    """
    if if_match is None:
        raise PreconditionRequired(
            'cần If-Match: "<phiên bản>" (ETag của lần đọc trước) khi ghi vào bản ghi đã có',
            header="If-Match",
        )
    value = if_match.strip().removeprefix("W/").strip('"')
    if not ascii_digits(value):
        raise InvalidInput(
            f'If-Match phải có dạng "<phiên bản>": 1-{MAX_NUMBER_DIGITS} chữ số 0-9',
            header="If-Match",
        )
    return int(value)


IfMatchDep = Annotated[int, Depends(if_match)]


def reachable_case(case_id: CaseId, ledger: LedgerDep, reading: ReaderDep) -> UUID:
    """The path's case, if the reader may reach it (403 ``out-of-scope`` otherwise)."""
    ledger.scopes.case_for(reading, case_id, reading=True)
    return case_id


ReachableCaseDep = Annotated[UUID, Depends(reachable_case)]

OFFICERS = (Role.VILLAGE_OFFICER, Role.COMMUNE_OFFICER)
ADMIN = (Role.ADMINISTRATOR,)


def public_base(request: Request) -> str:
    """This app's own address: scheme, host and where it is mounted (``/tinh/01`` under the
    national app), for the URLs that leave it: a certificate's QR code, a credential's
    issuer and status list. At the site's root it is ``request.base_url`` without its ``/``."""
    return f"{request.url.scheme}://{request.url.netloc}{request.scope.get('root_path', '')}"
