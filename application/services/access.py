"""Users, roles and bearer tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from application.services.records import Clock, Recorded, Records, check_version
from application.services.scope import Scopes
from domain.access import (
    ApiToken,
    ReadTrail,
    UserAccount,
    read_trail_id_for,
    token_id_for,
    user_id_for,
)
from domain.base import CommandContext, acting
from domain.errors import InvalidInput, NotAuthenticated, PermissionDenied, VersionConflict
from domain.glossary import Role

TOKEN_PREFIX = "htl_"
#: ``htl_<account id, 32 hex>.<secret>``: the account id lets one query read the token and
#: its account together. It is no secret (ids appear in every event); the digest covers the
#: whole string, so a token with another id in it is simply unknown. Tokens issued before
#: the id was added (``htl_<secret>``) still work, with a second read.
_WITH_ACCOUNT = re.compile(r"^htl_([0-9a-f]{32})\.")
#: The shape of every token issued: the prefix, the account id (since it was added) and 43
#: url-safe characters of secret.
_WELL_FORMED = re.compile(r"htl_(?:[0-9a-f]{32}\.)?[A-Za-z0-9_-]{43}")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def bearer_token(credentials: str) -> str | None:
    """The token in an ``Authorization`` value, however its scheme and spaces are spelled
    (``Bearer t``, ``bearer  t ``, as FastAPI reads it); ``None`` unless it is shaped like a
    token this server issues."""
    scheme, _, token = credentials.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not _WELL_FORMED.fullmatch(token):
        return None
    return token


def check_ttl_hours(ttl_hours: int | None) -> None:
    """A token's life asked for: an hour or more (None: the configured default)."""
    if ttl_hours is not None and ttl_hours < 1:
        raise InvalidInput(
            "thời hạn mã truy cập phải từ 1 giờ trở lên", field="ttl_hours", min_hours=1
        )


def new_token(account_id: UUID) -> str:
    """A new bearer token of the account: its id and 32 random bytes (url-safe)."""
    return f"{TOKEN_PREFIX}{account_id.hex}.{secrets.token_urlsafe(32)}"


def _account_in(token: str) -> UUID | None:
    found = _WITH_ACCOUNT.match(token)
    return UUID(hex=found.group(1)) if found else None


@dataclass(frozen=True)
class Principal:
    """The authenticated user behind a request."""

    user_id: UUID
    username: str
    roles: tuple[Role, ...]
    unit_id: UUID | None
    person_id: UUID | None
    token_id: UUID
    #: When the token behind this request expires: tokens it issues to itself end no later.
    token_expires_at: datetime

    def context(
        self, allowed: tuple[Role, ...], correlation_id: str, causation_id: str | None = None
    ) -> CommandContext:
        """Act in the first of ``allowed`` roles that this user holds."""
        role = next((r for r in allowed if r in self.roles), None)
        if role is None:
            raise PermissionDenied(
                "vai trò của bạn không được phép thực hiện thao tác này",
                required=[r.value for r in allowed],
                held=[r.value for r in self.roles],
            )
        return CommandContext(str(self.user_id), role.value, correlation_id, causation_id)


@dataclass(frozen=True)
class IssuedToken:
    token: str
    token_id: UUID
    recorded: Recorded


@dataclass(frozen=True)
class AccessService:
    """Accounts, their roles and bearer tokens; the trail of who read what."""

    records: Records
    scopes: Scopes
    clock: Clock
    token_ttl_hours: int

    def create_user(
        self,
        ctx: CommandContext,
        username: str,
        roles: list[Role],
        unit_id: UUID | None = None,
        person_id: UUID | None = None,
    ) -> Recorded:
        """An administrator creates accounts only within their own unit (or nationwide ones
        when they act nationwide); a citizen's account is linked to a person in that unit."""
        if unit_id is None:
            self.scopes.require_nationwide(ctx, "tạo tài khoản không gắn đơn vị (cấp toàn quốc)")
        else:
            self.scopes.require_unit(ctx, unit_id)
        if person_id is not None:
            self.scopes.require_subject(ctx, self.scopes.subject_of(person_id))
        with acting(ctx):
            return self.records.save(UserAccount.create(username, roles, unit_id, person_id))

    def require_account(self, ctx: CommandContext, user: UserAccount) -> None:
        """Manage an account: your own, or one in your unit (administrators)."""
        if ctx.actor_id == str(user.id):
            return
        if ctx.actor_role != Role.ADMINISTRATOR:
            raise PermissionDenied(
                "chỉ quản trị viên quản lý tài khoản của người khác",
                required=[Role.ADMINISTRATOR.value],
            )
        if user.unit_id is None:
            self.scopes.require_nationwide(ctx, "quản lý tài khoản cấp toàn quốc")
        else:
            self.scopes.require_unit(ctx, user.unit_id)

    def user_for(self, ctx: CommandContext, user_id: UUID) -> UserAccount:
        user = self.records.get(UserAccount, user_id)
        self.require_account(ctx, user)
        return user

    def user(self, user_id: UUID) -> UserAccount:
        return self.records.get(UserAccount, user_id)

    def user_by_name(self, username: str) -> UserAccount:
        return self.records.get(UserAccount, user_id_for(username))

    def issue_token(
        self,
        ctx: CommandContext,
        user_id: UUID,
        ttl_hours: int | None = None,
        label: str | None = None,
        *,
        not_after: datetime | None = None,
    ) -> IssuedToken:
        """A new random bearer token; only its SHA-256 is kept.

        A token issued to oneself lives at most ``HOCTAP_TOKEN_TTL_HOURS``, and never past
        ``not_after``, the expiry of the token that asks for it: a stolen token must not be
        able to mint a longer-lived one. Administrators may give others longer lives.
        """
        check_ttl_hours(ttl_hours)
        user = self.user_for(ctx, user_id)
        ceiling = self.token_ttl_hours
        own = ctx.actor_id == str(user_id)
        if own and ttl_hours is not None and ttl_hours > ceiling:
            raise InvalidInput(
                f"mã tự cấp có hạn tối đa {ceiling} giờ", field="ttl_hours", max_hours=ceiling
            )
        token = new_token(user.id)
        expires = self.clock.now() + timedelta(hours=ttl_hours or ceiling)
        if own and not_after is not None:
            expires = min(expires, not_after)
        with acting(ctx):
            issued = ApiToken.issue(token_digest(token), user, expires, label)
            recorded = self.records.save(issued)
        return IssuedToken(token, issued.id, recorded)

    def record_token(
        self,
        ctx: CommandContext,
        user_id: UUID,
        token: str,
        expires_at: datetime,
        label: str | None = None,
    ) -> IssuedToken:
        """Keep a token made elsewhere (one national token, the same in every province's
        store): an administrator's act, for an account of the token's own id, in scope,
        expiring in the future; only its SHA-256 is kept, as for any token."""
        if ctx.actor_role != Role.ADMINISTRATOR:
            raise PermissionDenied(
                "chỉ quản trị viên ghi mã truy cập cấp ở nơi khác",
                required=[Role.ADMINISTRATOR.value],
            )
        user = self.user_for(ctx, user_id)
        if not _WELL_FORMED.fullmatch(token) or _account_in(token) != user.id:
            raise InvalidInput("mã truy cập không đúng dạng của tài khoản này", field="token")
        if expires_at <= self.clock.now():
            raise InvalidInput("mã truy cập đã hết hạn", field="expires_at")
        with acting(ctx):
            issued = ApiToken.issue(token_digest(token), user, expires_at, label)
            recorded = self.records.save(issued)
        return IssuedToken(token, issued.id, recorded)

    def revoke_token(
        self,
        ctx: CommandContext,
        token_id: UUID,
        reason: str,
        expected_version: int | None = None,
    ) -> Recorded:
        """Revoke a token at once: your own, or (administrators) one of an account in scope."""
        with acting(ctx):
            token = self.token_for(ctx, token_id, expected_version)
            token.revoke(reason)
            return self.records.save(token)

    def token_for(
        self, ctx: CommandContext, token_id: UUID, expected_version: int | None = None
    ) -> ApiToken:
        token = self.records.get(ApiToken, token_id)
        try:
            self.require_account(ctx, self.records.get(UserAccount, token.user_id))
        except PermissionDenied as refused:  # name the token only, not its owner's unit
            raise type(refused)(refused.message, token_id=str(token_id)) from None
        check_version(token, expected_version)
        return token

    def authenticate(self, token: str) -> Principal:
        if not token.startswith(TOKEN_PREFIX):
            raise NotAuthenticated("mã truy cập không hợp lệ")
        token_id, account_id = token_id_for(token_digest(token)), _account_in(token)
        loaded = self.records.load_all([token_id] if account_id is None else [token_id, account_id])
        issued = loaded.get(token_id)
        if not isinstance(issued, ApiToken):
            raise NotAuthenticated("mã truy cập không hợp lệ")
        issued.check_usable(self.clock.now())
        user = loaded.get(issued.user_id)
        if not isinstance(user, UserAccount):  # a token issued before ids were in tokens
            user = self.records.get(UserAccount, issued.user_id)
        if not user.active:
            raise NotAuthenticated("tài khoản đã bị khóa")
        return Principal(
            user.id,
            user.username,
            tuple(user.roles),
            user.unit_id,
            user.person_id,
            issued.id,
            issued.expires_at,
        )

    def record_view(
        self, ctx: CommandContext, kind: str, record_id: str, detail: str | None = None
    ) -> None:
        """Audit of reads: who viewed which personal record, evidence file or export."""
        self.record_views(ctx, [(kind, record_id)], detail)

    def record_views(
        self, ctx: CommandContext, viewed: Sequence[tuple[str, object]], detail: str | None = None
    ) -> None:
        """Several reads of one page, ``(kind, record id)`` each, in one append to the trail
        (two indexed reads, not a replay of the day's earlier views: ``Records.tail``)."""
        trail_id = read_trail_id_for(ctx.actor_id, self.records.today())
        for _ in range(5):  # the same user reading in parallel: retry the append
            with acting(ctx):
                trail = self.records.tail(ReadTrail, trail_id) or ReadTrail.start(
                    ctx.actor_id, self.records.today()
                )
                for kind, record_id in viewed:
                    trail.record(kind, str(record_id), detail)
                try:
                    self.records.save(trail)
                    return
                except VersionConflict:
                    continue
        raise VersionConflict("không ghi được nhật ký xem", trail_id=str(trail_id))
