"""Users, their roles and the bearer tokens the server issues to them.

A token is never stored: its id derives from a SHA-256 of the token, so a presented token is
looked up by hashing it, and revoking it is an event like any other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from uuid import UUID

from domain.base import LedgerAggregate, LedgerCreated, aggregate_topic, ledger_id
from domain.errors import InvalidInput, NotAuthenticated, RuleViolation
from domain.glossary import Role

#: Roles that may read a person's sealed personal data (name, date of birth, CCCD) and a
#: household's name, besides the person and their household themselves.
PERSONAL_DATA_READERS = (
    Role.VILLAGE_OFFICER,
    Role.COMMUNE_OFFICER,
    Role.REVIEWER,
    Role.INSPECTOR,
    Role.ADMINISTRATOR,
)

#: Roles that may open evidence files and complaint attachments (scans that carry names and
#: CCCD numbers): those who assess, appraise, handle complaints or inspect. Reporting
#: officers, signers and administrators see that a file exists, its size and kind, never it.
FILE_READERS = (
    Role.VILLAGE_OFFICER,
    Role.COMMUNE_OFFICER,
    Role.REVIEWER,
    Role.COUNCIL_MEMBER,
    Role.COMPLAINT_HANDLER,
    Role.INSPECTOR,
)

_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,63}")


def well_formed_username(value: str) -> bool:
    """Whether ``value`` could name an account (lower-case ASCII, 3-64 characters)."""
    return _USERNAME.fullmatch(value) is not None


def user_id_for(username: str) -> UUID:
    return ledger_id("user", username)


def token_id_for(token_digest: str) -> UUID:
    return ledger_id("api-token", token_digest)


@aggregate_topic("hoctap.UserAccount")
class UserAccount(LedgerAggregate):
    class Created(LedgerCreated):
        TOPIC = "hoctap.UserAccount.Created"
        username: str
        roles: list[str]
        unit_id: UUID | None
        person_id: UUID | None

    class RolesChanged(LedgerAggregate.Event):
        TOPIC = "hoctap.UserAccount.RolesChanged"
        roles: list[str]

        def apply(self, user: UserAccount) -> None:
            user.roles = [Role(r) for r in self.roles]

    class Deactivated(LedgerAggregate.Event):
        TOPIC = "hoctap.UserAccount.Deactivated"

        def apply(self, user: UserAccount) -> None:
            user.active = False

    def __init__(
        self, username: str, roles: list[str], unit_id: UUID | None, person_id: UUID | None
    ) -> None:
        self.username = username
        self.roles = [Role(r) for r in roles]
        self.unit_id = unit_id
        self.person_id = person_id
        self.active = True

    @classmethod
    def create(
        cls,
        username: str,
        roles: Iterable[Role],
        unit_id: UUID | None,
        person_id: UUID | None,
    ) -> UserAccount:
        if not _USERNAME.fullmatch(username):
            raise InvalidInput(
                "tên đăng nhập: 3-64 ký tự a-z, 0-9, '.', '_' hoặc '-'", field="username"
            )
        role_list = sorted({Role(r).value for r in roles})
        if not role_list:
            raise InvalidInput("người dùng cần ít nhất một vai trò", field="roles")
        return cls._create(
            cls.Created,
            id=user_id_for(username),
            username=username,
            roles=role_list,
            unit_id=unit_id,
            person_id=person_id,
        )

    def change_roles(self, roles: Iterable[Role], reason: str) -> None:
        self.trigger_event(
            self.RolesChanged, roles=sorted({Role(r).value for r in roles}), reason=reason
        )

    def deactivate(self, reason: str) -> None:
        if not self.active:
            raise RuleViolation("tài khoản đã bị khóa", user_id=str(self.id))
        self.trigger_event(self.Deactivated, reason=reason)


@aggregate_topic("hoctap.ApiToken")
class ApiToken(LedgerAggregate):
    class Issued(LedgerCreated):
        TOPIC = "hoctap.ApiToken.Issued"
        user_id: UUID
        expires_at: datetime
        label: str | None

    class Revoked(LedgerAggregate.Event):
        TOPIC = "hoctap.ApiToken.Revoked"

        def apply(self, token: ApiToken) -> None:
            token.revoked = True

    def __init__(self, user_id: UUID, expires_at: datetime, label: str | None) -> None:
        self.user_id = user_id
        self.expires_at = expires_at
        self.label = label
        self.revoked = False

    @classmethod
    def issue(
        cls, token_digest: str, user: UserAccount, expires_at: datetime, label: str | None
    ) -> ApiToken:
        if not user.active:
            raise RuleViolation("tài khoản đã bị khóa", user_id=str(user.id))
        return cls._create(
            cls.Issued,
            id=token_id_for(token_digest),
            user_id=user.id,
            expires_at=expires_at,
            label=label,
        )

    def check_usable(self, now: datetime) -> None:
        if self.revoked:
            raise NotAuthenticated("mã truy cập đã bị thu hồi")
        if now >= self.expires_at:
            raise NotAuthenticated("mã truy cập đã hết hạn")

    def revoke(self, reason: str) -> None:
        if self.revoked:
            raise RuleViolation("mã truy cập đã bị thu hồi trước đó")
        self.trigger_event(self.Revoked, reason=reason)


def read_trail_id_for(user_id: str, day: date) -> UUID:
    return ledger_id("read-trail", user_id, day.isoformat())


@aggregate_topic("hoctap.ReadTrail")
class ReadTrail(LedgerAggregate):
    """What one user viewed on one day: personal records, evidence files, exports.

    Append-only: a view changes no state, so recording one never replays the day's earlier
    views (``Records.tail``); the reads themselves are listed by the ``reads`` projection.
    """

    append_only = True

    class Started(LedgerCreated):
        TOPIC = "hoctap.ReadTrail.Started"
        user_id: str
        day: date

    class Viewed(LedgerAggregate.Event):
        TOPIC = "hoctap.ReadTrail.Viewed"
        kind: str  # person | household | evidence | export | complaint
        record_id: str
        detail: str | None

        def apply(self, trail: ReadTrail) -> None:
            """Nothing: the trail's only state is its creation's (see ``append_only``)."""

    def __init__(self, user_id: str, day: date) -> None:
        self.user_id = user_id
        self.day = day

    @property
    def views(self) -> int:
        """Views recorded on this trail: every event after ``Started`` is one."""
        return self.version - 1

    @classmethod
    def start(cls, user_id: str, day: date) -> ReadTrail:
        return cls._create(
            cls.Started, id=read_trail_id_for(user_id, day), user_id=user_id, day=day
        )

    def record(self, kind: str, record_id: str, detail: str | None = None) -> None:
        self.trigger_event(self.Viewed, kind=kind, record_id=record_id, detail=detail)
