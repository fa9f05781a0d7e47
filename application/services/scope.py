"""Where each actor may act: a unit and everything under it, or a citizen's own circle.

* Staff (officers, reviewers, council members, signers, complaint handlers, inspectors,
  reporting officers, administrators) act within the unit on their account and the units
  below it. Units that merged into it count as inside it (a record keeps the commune valid on
  its date, which after 2025-07-01 may be a commune that no longer exists). An account with no
  unit acts nationwide; so do commands typed at the console, whose actor is not a user.
* Citizens act on their own record and their households' records, wherever they live.

Writes are checked against the role the command is made in; reads accept either: a staff
member may always read their own and their household's records.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.services.records import Records, check_version
from domain import geography
from domain.access import FILE_READERS, UserAccount
from domain.assessment import AssessmentCase
from domain.base import CommandContext
from domain.errors import OutOfScope, PermissionDenied
from domain.glossary import Role
from domain.registry import AdministrativeUnit, Collective, Person

R = TypeVar("R", bound=Aggregate)


@dataclass(frozen=True)
class Scope:
    """What one actor may reach, resolved once per command or read."""

    actor_id: str
    role: Role
    #: The account's unit; ``None`` with ``nationwide`` for accounts above every unit.
    unit_id: UUID | None
    nationwide: bool
    #: The actor's own person and households: what a citizen reaches.
    circle: frozenset[UUID] = field(default_factory=frozenset)

    @property
    def by_unit(self) -> bool:
        """Does this role reach records through the unit (rather than only the circle)?"""
        return self.role is not Role.CITIZEN


@dataclass(frozen=True)
class Scopes:
    """Resolve scopes and refuse what lies outside them (403 ``out-of-scope``)."""

    records: Records

    # --- who is related to whom (for conflicts of interest) ----------------------------

    def subject_of(self, subject_id: UUID) -> Person | Collective:
        return self.records.find(Person, subject_id) or self.records.get(Collective, subject_id)

    def subject_circle(self, subject_id: UUID) -> set[UUID]:
        """The subject and, for a person, their households (their relatives)."""
        subject = self.subject_of(subject_id)
        if isinstance(subject, Person):
            return {subject.id} | subject.households
        return {subject.id}

    def user_circle(self, user_id: UUID) -> set[UUID]:
        """The actor's own person, households, clans and units."""
        user = self.records.find(UserAccount, user_id)
        if user is None or user.person_id is None:
            return set()
        person = self.records.find(Person, user.person_id)
        if person is None:
            return {user.person_id}
        circle = {person.id} | set(person.affiliations)
        for household_id in person.households:
            household = self.records.find(Collective, household_id)
            if household is not None:
                circle |= set(household.affiliations)
        return circle

    def own_records(self, user: UserAccount) -> set[UUID]:
        """What a citizen reaches: their own person and their households."""
        if user.person_id is None:
            return set()
        person = self.records.find(Person, user.person_id)
        return {user.person_id} | (person.households if person else set())

    def scope(self, ctx: CommandContext) -> Scope:
        user_id = _account_of(ctx)
        if user_id is None:  # the console or a system job: not a user account
            return Scope(ctx.actor_id, Role(ctx.actor_role), None, nationwide=True)
        return self._scope_of(ctx, self.records.find(UserAccount, user_id))

    def _scope_of(self, ctx: CommandContext, user: UserAccount | None) -> Scope:
        if user is None:
            raise OutOfScope("tài khoản không tồn tại", actor_id=ctx.actor_id)
        role = Role(ctx.actor_role)
        return Scope(
            ctx.actor_id,
            role,
            user.unit_id,
            nationwide=user.unit_id is None and role is not Role.CITIZEN,
            circle=frozenset(self.own_records(user)),
        )

    def _with_scope(
        self, ctx: CommandContext, cls: type[R], record_id: UUID, scope: Scope | None
    ) -> tuple[R, Scope]:
        """A record and the actor's scope; when the scope is not yet known, the record and
        the actor's account are read together, in one round trip."""
        user_id = _account_of(ctx) if scope is None else None
        if user_id is None:
            return self.records.get(cls, record_id), scope or self.scope(ctx)
        loaded = self.records.load_all([record_id, user_id])
        record = self.records.get_as(cls, record_id, loaded)
        user = loaded.get(user_id)
        return record, self._scope_of(ctx, user if isinstance(user, UserAccount) else None)

    def _units(self) -> geography.Lookup[UUID]:
        """A unit lookup for one question, each unit read once."""
        cache: dict[UUID, AdministrativeUnit | None] = {}

        def lookup(uid: UUID) -> AdministrativeUnit | None:
            if uid not in cache:
                cache[uid] = self.records.find(AdministrativeUnit, uid)
            return cache[uid]

        return lookup

    def unit_covers(self, root_id: UUID, unit_id: UUID, day: date | None = None) -> bool:
        """Is ``unit_id`` the root, below it, or merged into it, on ``day`` (default today)?"""
        return geography.covers(root_id, unit_id, day or self.records.today(), self._units())

    def unit_above(self, root_id: UUID, unit_id: UUID, day: date | None = None) -> bool:
        """Is ``root_id`` strictly above ``unit_id`` on ``day``: an ancestor of the unit that
        stands for it (a commune merged into another is not above it, nor is its successor)?"""
        return root_id in geography.chain(unit_id, day or self.records.today(), self._units())[1:]

    def reaches_unit(self, scope: Scope, unit_id: UUID) -> bool:
        if not scope.by_unit:
            return False
        return scope.nationwide or (
            scope.unit_id is not None and self.unit_covers(scope.unit_id, unit_id)
        )

    def require_nationwide(self, ctx: CommandContext, what: str) -> Scope:
        scope = self.scope(ctx)
        if not scope.nationwide:
            raise OutOfScope(f"{what} chỉ dành cho tài khoản cấp toàn quốc", **_where(scope))
        return scope

    def require_unit(self, ctx: CommandContext, unit_id: UUID) -> Scope:
        """Refuse unless the actor's unit covers ``unit_id``."""
        scope = self.scope(ctx)
        if not self.reaches_unit(scope, unit_id):
            raise OutOfScope(
                "đơn vị này nằm ngoài phạm vi của bạn", unit_id=str(unit_id), **_where(scope)
            )
        return scope

    def require_units(self, ctx: CommandContext, unit_ids: Iterable[UUID]) -> Scope:
        scope = self.scope(ctx)
        outside = sorted(str(u) for u in set(unit_ids) if not self.reaches_unit(scope, u))
        if outside:
            raise OutOfScope("đơn vị nằm ngoài phạm vi của bạn", unit_ids=outside, **_where(scope))
        return scope

    def require_subject(
        self,
        ctx: CommandContext,
        subject: Person | Collective,
        *,
        reading: bool = False,
        scope: Scope | None = None,
    ) -> Scope:
        """Refuse unless the subject is in the actor's unit, or (citizens, readers) circle.
        A command checking several records passes the ``scope`` it resolved once."""
        scope = scope or self.scope(ctx)
        self._require_reach(scope, subject.id, subject.unit_id, reading, subject_id=subject.id)
        return scope

    def _require_reach(
        self, scope: Scope, owner_id: UUID, unit_id: UUID, reading: bool, **named: UUID
    ) -> None:
        """A record is reached through its owner's circle (citizens; anyone reading their own)
        or through the unit it belongs to (staff)."""
        own = owner_id in scope.circle and (reading or not scope.by_unit)
        if not own and not self.reaches_unit(scope, unit_id):
            raise OutOfScope(
                "hồ sơ này nằm ngoài phạm vi của bạn",
                **{k: str(v) for k, v in named.items()},
                **_where(scope),
            )

    def may_read_subject(self, ctx: CommandContext, subject: Person | Collective) -> bool:
        try:
            self.require_subject(ctx, subject, reading=True)
        except OutOfScope:
            return False
        return True

    def require_case(
        self,
        ctx: CommandContext,
        case: AssessmentCase,
        *,
        reading: bool = False,
        scope: Scope | None = None,
    ) -> Scope:
        """A case is reached through its subject's circle or the unit it was opened in."""
        scope = scope or self.scope(ctx)
        self._require_reach(scope, case.subject_id, case.unit_id, reading, case_id=case.id)
        return scope

    def case_for(
        self,
        ctx: CommandContext,
        case_id: UUID,
        expected_version: int | None = None,
        *,
        reading: bool = False,
        scope: Scope | None = None,
    ) -> AssessmentCase:
        """Load a case the actor may reach (at ``expected_version`` when given)."""
        case, scope = self._with_scope(ctx, AssessmentCase, case_id, scope)
        self.require_case(ctx, case, reading=reading, scope=scope)
        check_version(case, expected_version)
        return case

    def require_file_reader(self, ctx: CommandContext, subject_id: UUID) -> None:
        """Files of a subject are opened by their own circle and by :data:`FILE_READERS`."""
        scope = self.scope(ctx)
        if scope.role not in FILE_READERS and subject_id not in scope.circle:
            raise PermissionDenied(
                "vai trò của bạn không được mở tệp minh chứng (chỉ xem số liệu)",
                role=scope.role.value,
            )

    def subject_for(
        self, ctx: CommandContext, subject_id: UUID, *, reading: bool = False
    ) -> Person | Collective:
        subject = self.subject_of(subject_id)
        self.require_subject(ctx, subject, reading=reading)
        return subject


def _account_of(ctx: CommandContext) -> UUID | None:
    """The actor's user account; ``None`` for the console and system jobs."""
    try:
        return UUID(ctx.actor_id)
    except ValueError:
        return None


def _where(scope: Scope) -> dict[str, object]:
    """The actor's own scope, stated in every refusal so they know why."""
    return {
        "role": scope.role.value,
        "scope_unit_id": str(scope.unit_id) if scope.unit_id else None,
        "nationwide": scope.nationwide,
    }
