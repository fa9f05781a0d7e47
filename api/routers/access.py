"""Users and bearer tokens (issued by the server, expiring, revocable at once).

Anyone may issue and revoke their own tokens; administrators manage the accounts of their
unit (and the units below it).
"""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response

from api import schemas, views
from api.deps import ADMIN, IfMatchDep, LedgerDep, PrincipalDep, acting_as
from api.params import TokenId, UserId
from application.services.access import Principal
from domain.access import ApiToken
from domain.base import CommandContext
from domain.glossary import Role
from projections.tokens import Tokens
from projections.tokens.queries import tokens_of

router = APIRouter(tags=["Người dùng và mã truy cập"])
AdminDep = Annotated[CommandContext, Depends(acting_as(*ADMIN))]
#: Any role may manage their own tokens; the administrator role, if held, also others'.
SelfOrAdminDep = Annotated[CommandContext, Depends(acting_as(*ADMIN, *Role))]


@router.post("/users", summary="Tạo tài khoản", status_code=201, response_model=schemas.Recorded)
def create_user(
    body: schemas.UserCreate, ledger: LedgerDep, ctx: AdminDep, response: Response
) -> Response:
    """Create an account in your unit (nationwide accounts: nationwide administrators)."""
    result = ledger.access.create_user(ctx, body.username, body.roles, body.unit_id, body.person_id)
    return views.recorded(result, response, status_code=201)


@router.get("/users/me", summary="Tài khoản của tôi", response_model=schemas.UserPublic)
def who_am_i(ledger: LedgerDep, principal: PrincipalDep) -> schemas.UserPublic:
    return views.user(ledger.access.user(principal.user_id))


@router.get("/users/{user_id}", summary="Đọc tài khoản", response_model=schemas.UserPublic)
def read_user(user_id: UserId, ledger: LedgerDep, ctx: AdminDep) -> schemas.UserPublic:
    return views.user(ledger.access.user_for(ctx, user_id))


def _tokens(request: Request, ledger: LedgerDep, user_id: UUID) -> list[schemas.TokenListed]:
    """Current as of the request: one just issued or revoked is listed as such."""
    models = request.app.state.read_models
    position = models.engine.source.max_position()
    models.require(position, ledger.settings.read_wait_max_seconds, [Tokens.name])
    now = ledger.clock.now()
    listed = []
    for row in tokens_of(models.engine, str(user_id)):
        state: Literal["active", "expired", "revoked"] = (
            "revoked" if row["revoked_at"] else "expired" if now >= row["expires_at"] else "active"
        )
        listed.append(schemas.TokenListed(**row, state=state))
    return listed


@router.get(
    "/users/me/tokens", summary="Mã truy cập của tôi", response_model=list[schemas.TokenListed]
)
def list_own_tokens(
    request: Request, ledger: LedgerDep, ctx: SelfOrAdminDep
) -> list[schemas.TokenListed]:
    """Your tokens, newest first (never the tokens themselves): find the id of one to revoke
    with ``POST /tokens/{id}/revocation``."""
    return _tokens(request, ledger, UUID(ctx.actor_id))


@router.get(
    "/users/{user_id}/tokens",
    summary="Mã truy cập của một tài khoản",
    response_model=list[schemas.TokenListed],
)
def list_tokens(
    user_id: UserId, request: Request, ledger: LedgerDep, ctx: AdminDep
) -> list[schemas.TokenListed]:
    """The tokens of an account in your unit, newest first."""
    ledger.access.user_for(ctx, user_id)  # in scope, or 403/404
    return _tokens(request, ledger, user_id)


def _issue(
    ledger: LedgerDep,
    ctx: CommandContext,
    user_id: UserId,
    body: schemas.TokenCreate,
    principal: Principal,
    response: Response,
) -> schemas.TokenPublic:
    """Issue; a token for oneself expires no later than the token asking for it."""
    issued = ledger.access.issue_token(
        ctx, user_id, body.ttl_hours, body.label, not_after=principal.token_expires_at
    )
    token = ledger.records.get(ApiToken, issued.token_id)
    views.etag(response, token.version)
    response.headers["Location"] = f"/tokens/{issued.token_id}"
    return schemas.TokenPublic(
        token=issued.token, token_id=issued.token_id, expires_at=token.expires_at
    )


@router.post(
    "/users/me/tokens",
    summary="Tự cấp thêm mã truy cập",
    status_code=201,
    response_model=schemas.TokenPublic,
)
def issue_own_token(
    body: schemas.TokenCreate,
    ledger: LedgerDep,
    ctx: SelfOrAdminDep,
    principal: PrincipalDep,
    response: Response,
) -> schemas.TokenPublic:
    """A new token for yourself (e.g. for a second device), expiring no later than the token
    that asks for it; the token is shown only once."""
    return _issue(ledger, ctx, UUID(ctx.actor_id), body, principal, response)


@router.post(
    "/users/{user_id}/tokens",
    summary="Cấp mã truy cập cho tài khoản",
    status_code=201,
    response_model=schemas.TokenPublic,
)
def issue_token(
    user_id: UserId,
    body: schemas.TokenCreate,
    ledger: LedgerDep,
    ctx: AdminDep,
    principal: PrincipalDep,
    response: Response,
) -> schemas.TokenPublic:
    """A token for an account in your unit; the token is shown only once."""
    return _issue(ledger, ctx, user_id, body, principal, response)


@router.get(
    "/tokens/{token_id}", summary="Đọc trạng thái mã truy cập", response_model=schemas.TokenInfo
)
def read_token(
    token_id: TokenId, ledger: LedgerDep, ctx: SelfOrAdminDep, response: Response
) -> schemas.TokenInfo:
    """A token's state (never the token itself): yours, or an account's in your unit."""
    token = ledger.access.token_for(ctx, token_id)
    views.etag(response, token.version)
    return schemas.TokenInfo(
        token_id=token.id,
        version=token.version,
        user_id=token.user_id,
        label=token.label,
        expires_at=token.expires_at,
        revoked=token.revoked,
    )


@router.post(
    "/tokens/{token_id}/revocation", summary="Thu hồi mã truy cập", response_model=schemas.Recorded
)
def revoke_token(
    token_id: TokenId,
    body: schemas.TokenRevocation,
    ledger: LedgerDep,
    ctx: SelfOrAdminDep,
    response: Response,
    expected: IfMatchDep,
) -> Response:
    """Revoke a token at once: your own, or (administrators) one of an account in your unit."""
    return views.recorded(
        ledger.access.revoke_token(ctx, token_id, body.reason, expected), response
    )
