"""Users and bearer tokens (issued by the server, revocable)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Response

from api import schemas, views
from api.deps import ADMIN, LedgerDep, PrincipalDep, acting_as
from domain.access import ApiToken
from domain.base import CommandContext

router = APIRouter(tags=["Người dùng và mã truy cập"])
AdminDep = Annotated[CommandContext, Depends(acting_as(*ADMIN))]


@router.post("/users", status_code=201, response_model=schemas.Recorded)
def create_user(
    body: schemas.UserCreate, ledger: LedgerDep, ctx: AdminDep, response: Response
) -> schemas.Recorded:
    result = ledger.create_user(ctx, body.username, body.roles, body.unit_id, body.person_id)
    return views.recorded(result, response)


@router.get("/users/me", response_model=schemas.UserPublic)
def who_am_i(ledger: LedgerDep, principal: PrincipalDep) -> schemas.UserPublic:
    return views.user(ledger.user(principal.user_id))


@router.get("/users/{user_id}", response_model=schemas.UserPublic)
def read_user(user_id: UUID, ledger: LedgerDep, _: AdminDep) -> schemas.UserPublic:
    return views.user(ledger.user(user_id))


@router.post("/users/{user_id}/tokens", status_code=201, response_model=schemas.TokenPublic)
def issue_token(
    user_id: UUID, body: schemas.TokenCreate, ledger: LedgerDep, ctx: AdminDep
) -> schemas.TokenPublic:
    issued = ledger.issue_token(ctx, user_id, body.ttl_hours, body.label)
    token = ledger.get(ApiToken, issued.token_id)
    return schemas.TokenPublic(
        token=issued.token, token_id=issued.token_id, expires_at=token.expires_at
    )


@router.post("/tokens/{token_id}/revocation", response_model=schemas.Recorded)
def revoke_token(
    token_id: UUID,
    body: schemas.TokenRevocation,
    ledger: LedgerDep,
    ctx: AdminDep,
    response: Response,
) -> schemas.Recorded:
    return views.recorded(ledger.revoke_token(ctx, token_id, body.reason), response)
