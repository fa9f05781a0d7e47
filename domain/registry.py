"""The registry: administrative units and the subjects that can hold titles.

Personal data never reaches these aggregates in plaintext: the application seals it first
(``sealed`` is ciphertext under the subject's own key) and looks people up by a keyed hash of
their CCCD number, so erasing a person's key erases their data while the log stays intact.
"""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from domain.base import LedgerAggregate, LedgerCreated, aggregate_topic, ledger_id
from domain.dates import check_process_dates
from domain.errors import InvalidInput, RuleViolation, UnitNotValid
from domain.glossary import PARENT_LEVELS, SubjectKind, UnitLevel

#: The two-level local government took effect on this day; district units ended the day before.
TWO_LEVEL_GOVERNMENT_FROM = date(2025, 7, 1)
LAST_DISTRICT_DAY = TWO_LEVEL_GOVERNMENT_FROM - timedelta(days=1)


def unit_id_for(code: str) -> UUID:
    return ledger_id("administrative-unit", code)


def community_id_for(unit_id: UUID) -> UUID:
    """A community is its village (or commune) itself: one per unit."""
    return ledger_id("community", unit_id)


@aggregate_topic("hoctap.AdministrativeUnit")
class AdministrativeUnit(LedgerAggregate):
    """A province, district (until 2025-06-30), commune/ward/special zone, or village."""

    class Established(LedgerCreated):
        TOPIC = "hoctap.AdministrativeUnit.Established"
        code: str
        name: str
        level: str
        unit_type: str
        parent_id: UUID | None
        valid_from: date
        valid_to: date | None
        legal_basis: str | None

    class ParentChanged(LedgerAggregate.Event):
        TOPIC = "hoctap.AdministrativeUnit.ParentChanged"
        parent_id: UUID
        from_date: date

        def apply(self, aggregate: AdministrativeUnit) -> None:
            aggregate.parents.append((self.parent_id, self.from_date))

    class Merged(LedgerAggregate.Event):
        TOPIC = "hoctap.AdministrativeUnit.Merged"
        successor_id: UUID
        from_date: date
        legal_basis: str

        def apply(self, aggregate: AdministrativeUnit) -> None:
            aggregate.successor_id = self.successor_id
            aggregate.valid_to = self.from_date - timedelta(days=1)

    class SuccessionRecorded(LedgerAggregate.Event):
        TOPIC = "hoctap.AdministrativeUnit.SuccessionRecorded"
        predecessor_ids: list[UUID]
        from_date: date
        legal_basis: str

        def apply(self, aggregate: AdministrativeUnit) -> None:
            aggregate.predecessor_ids.extend(self.predecessor_ids)

    def __init__(
        self,
        code: str,
        name: str,
        level: str,
        unit_type: str,
        parent_id: UUID | None,
        valid_from: date,
        valid_to: date | None,
        legal_basis: str | None,
    ) -> None:
        self.code = code
        self.name = name
        self.level = UnitLevel(level)
        self.unit_type = unit_type
        self.valid_from = valid_from
        self.valid_to = valid_to
        self.legal_basis = legal_basis
        self.parents: list[tuple[UUID, date]] = [(parent_id, valid_from)] if parent_id else []
        self.successor_id: UUID | None = None
        self.predecessor_ids: list[UUID] = []

    @classmethod
    def establish(
        cls,
        *,
        code: str,
        name: str,
        level: UnitLevel,
        unit_type: str,
        parent: AdministrativeUnit | None,
        valid_from: date,
        valid_to: date | None = None,
        legal_basis: str | None = None,
    ) -> AdministrativeUnit:
        check_process_dates(valid_from=valid_from, valid_to=valid_to)
        if valid_to is not None and valid_to < valid_from:
            raise InvalidInput("valid_to phải sau valid_from", field="valid_to")
        if level is UnitLevel.DISTRICT:
            if valid_from >= TWO_LEVEL_GOVERNMENT_FROM:
                raise UnitNotValid(
                    "không thể lập đơn vị cấp huyện từ ngày 01/07/2025 (chính quyền hai cấp)",
                    valid_from=valid_from.isoformat(),
                )
            valid_to = min(valid_to or LAST_DISTRICT_DAY, LAST_DISTRICT_DAY)
        cls._check_parent(level, parent, valid_from)
        return cls._create(
            cls.Established,
            id=unit_id_for(code),
            code=code,
            name=name,
            level=level.value,
            unit_type=unit_type,
            parent_id=parent.id if parent else None,
            valid_from=valid_from,
            valid_to=valid_to,
            legal_basis=legal_basis,
        )

    @staticmethod
    def _check_parent(level: UnitLevel, parent: AdministrativeUnit | None, on: date) -> None:
        allowed = PARENT_LEVELS[level]
        if parent is None:
            if allowed:
                raise UnitNotValid(f"đơn vị {level.value} cần đơn vị cấp trên", level=level.value)
            return
        if parent.level not in allowed:
            raise UnitNotValid(
                f"đơn vị {level.value} không thể trực thuộc đơn vị {parent.level.value}",
                level=level.value,
                parent_level=parent.level.value,
            )
        if not parent.is_valid_on(on):
            raise UnitNotValid(
                f"đơn vị cấp trên {parent.name} không còn hiệu lực vào ngày {on.isoformat()}",
                parent_id=str(parent.id),
                on=on.isoformat(),
            )

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def parent_on(self, day: date) -> UUID | None:
        """The parent unit on a given day (records keep the geography of their date)."""
        current = None
        for parent_id, since in self.parents:
            if since <= day:
                current = parent_id
        return current

    def change_parent(self, parent: AdministrativeUnit, from_date: date, reason: str) -> None:
        check_process_dates(from_date=from_date)
        self._check_parent(self.level, parent, from_date)
        if not self.is_valid_on(from_date):
            raise UnitNotValid("đơn vị không còn hiệu lực vào ngày này", on=from_date.isoformat())
        self.trigger_event(
            self.ParentChanged, parent_id=parent.id, from_date=from_date, reason=reason
        )

    def merge_into(self, successor: AdministrativeUnit, from_date: date, legal_basis: str) -> None:
        if self.successor_id is not None:
            raise RuleViolation("đơn vị đã được sáp nhập", unit_id=str(self.id))
        if not self.is_valid_on(from_date - timedelta(days=1)):
            raise UnitNotValid(
                "đơn vị không còn hiệu lực vào ngày trước khi sáp nhập",
                unit_id=str(self.id),
                from_date=from_date.isoformat(),
            )
        if successor.level is not self.level:
            raise UnitNotValid("chỉ sáp nhập vào đơn vị cùng cấp", level=self.level.value)
        if not successor.is_valid_on(from_date):
            raise UnitNotValid("đơn vị kế thừa chưa có hiệu lực vào ngày sáp nhập")
        self.trigger_event(
            self.Merged,
            successor_id=successor.id,
            from_date=from_date,
            legal_basis=legal_basis,
            effective_date=from_date,
        )
        successor.trigger_event(
            successor.SuccessionRecorded,
            predecessor_ids=[self.id],
            from_date=from_date,
            legal_basis=legal_basis,
            effective_date=from_date,
        )


def _check_destination(current: UUID, unit: AdministrativeUnit, on: date) -> None:
    """A subject moves to a different unit that is in force on the day of the move."""
    if unit.id == current:
        raise RuleViolation("hồ sơ đã thuộc đơn vị này", unit_id=str(unit.id))
    if not unit.is_valid_on(on):
        raise UnitNotValid("đơn vị hành chính không có hiệu lực", unit_id=str(unit.id))


def person_id_for(cccd_hash: str) -> UUID:
    """The id of a person registered before look-up hashes left the log: it derived from
    the keyed hash of their CCCD. Persons registered since have a random id, and the hash
    lives only beside their key, so that erasing them removes it."""
    return ledger_id("person", cccd_hash)


@aggregate_topic("hoctap.Person")
class Person(LedgerAggregate):
    """A citizen. ``sealed`` holds their name, date of birth and other personal fields.

    ``cccd_hash`` is set only on persons registered before the look-up hash moved out of the
    log (beside the person's key, where erasure deletes it); it is None since.
    """

    class Registered(LedgerCreated):
        TOPIC = "hoctap.Person.Registered"
        cccd_hash: str | None
        sealed: str
        target_group: str | None
        unit_id: UUID

    class DetailsCorrected(LedgerAggregate.Event):
        TOPIC = "hoctap.Person.DetailsCorrected"
        sealed: str

        def apply(self, aggregate: Person) -> None:
            aggregate.sealed = self.sealed

    class Affiliated(LedgerAggregate.Event):
        TOPIC = "hoctap.Person.Affiliated"
        group_id: UUID
        group_kind: str

        def apply(self, aggregate: Person) -> None:
            aggregate.affiliations[self.group_id] = SubjectKind(self.group_kind)

    class Disaffiliated(LedgerAggregate.Event):
        """No longer a member of the group (``effective_date``: since when)."""

        TOPIC = "hoctap.Person.Disaffiliated"
        group_id: UUID

        def apply(self, aggregate: Person) -> None:
            aggregate.affiliations.pop(self.group_id, None)

    class PersonalDataErased(LedgerAggregate.Event):
        TOPIC = "hoctap.Person.PersonalDataErased"

        def apply(self, aggregate: Person) -> None:
            aggregate.erased = True

    class Relocated(LedgerAggregate.Event):
        """The person now lives in another unit (``effective_date``: since when). The event
        names both units, and the target group, so that counts per unit move with it."""

        TOPIC = "hoctap.Person.Relocated"
        from_unit_id: UUID
        unit_id: UUID
        target_group: str | None

        def apply(self, aggregate: Person) -> None:
            aggregate.unit_id = self.unit_id

    def __init__(
        self, cccd_hash: str | None, sealed: str, target_group: str | None, unit_id: UUID
    ) -> None:
        self.cccd_hash = cccd_hash
        self.sealed = sealed
        self.target_group = target_group
        self.unit_id = unit_id
        self.affiliations: dict[UUID, SubjectKind] = {}
        self.erased = False

    @classmethod
    def register(
        cls,
        *,
        id: UUID,
        cccd_hash: str | None,
        sealed: str,
        target_group: str | None,
        unit: AdministrativeUnit,
        on: date,
    ) -> Person:
        if not unit.is_valid_on(on):
            raise UnitNotValid("đơn vị hành chính không có hiệu lực", unit_id=str(unit.id))
        return cls._create(
            cls.Registered,
            id=id,
            cccd_hash=cccd_hash,
            sealed=sealed,
            target_group=target_group,
            unit_id=unit.id,
        )

    def correct_details(self, sealed: str, reason: str) -> None:
        self._check_not_erased()
        self.trigger_event(self.DetailsCorrected, sealed=sealed, reason=reason)

    def erase_personal_data(self, reason: str) -> None:
        self._check_not_erased()
        self.trigger_event(self.PersonalDataErased, reason=reason)

    def relocate(self, unit: AdministrativeUnit, on: date, reason: str) -> None:
        """Move the person's record to the unit they now live in. Cases already opened stay
        with the unit that opened them; the next cycle's case opens in the new one."""
        self._check_not_erased()
        _check_destination(self.unit_id, unit, on)
        self.trigger_event(
            self.Relocated,
            from_unit_id=self.unit_id,
            unit_id=unit.id,
            target_group=self.target_group,
            effective_date=on,
            reason=reason,
        )

    def _check_not_erased(self) -> None:
        if self.erased:
            raise RuleViolation("dữ liệu cá nhân đã bị xóa", person_id=str(self.id))

    @property
    def households(self) -> set[UUID]:
        return {g for g, kind in self.affiliations.items() if kind is SubjectKind.HOUSEHOLD}


@aggregate_topic("hoctap.Collective")
class Collective(LedgerAggregate):
    """A household, clan, community (village) or organisation (learning unit)."""

    class Registered(LedgerCreated):
        TOPIC = "hoctap.Collective.Registered"
        kind: str
        name: str | None
        sealed: str | None
        unit_id: UUID
        organisation_type: str | None

    class MemberAdded(LedgerAggregate.Event):
        TOPIC = "hoctap.Collective.MemberAdded"
        member_id: UUID
        member_kind: str
        relation: str | None

        def apply(self, aggregate: Collective) -> None:
            aggregate.members[self.member_id] = self.relation

    class MemberLeft(LedgerAggregate.Event):
        """A member left the group (``effective_date``: since when; ``reason``: why)."""

        TOPIC = "hoctap.Collective.MemberLeft"
        member_id: UUID

        def apply(self, aggregate: Collective) -> None:
            aggregate.members.pop(self.member_id, None)

    class Affiliated(LedgerAggregate.Event):
        TOPIC = "hoctap.Collective.Affiliated"
        group_id: UUID
        group_kind: str

        def apply(self, aggregate: Collective) -> None:
            aggregate.affiliations[self.group_id] = SubjectKind(self.group_kind)

    class Disaffiliated(LedgerAggregate.Event):
        TOPIC = "hoctap.Collective.Disaffiliated"
        group_id: UUID

        def apply(self, aggregate: Collective) -> None:
            aggregate.affiliations.pop(self.group_id, None)

    class Relocated(LedgerAggregate.Event):
        """The household or organisation moved to another unit (as for a person)."""

        TOPIC = "hoctap.Collective.Relocated"
        from_unit_id: UUID
        unit_id: UUID
        kind: str

        def apply(self, aggregate: Collective) -> None:
            aggregate.unit_id = self.unit_id

    def __init__(
        self,
        kind: str,
        name: str | None,
        sealed: str | None,
        unit_id: UUID,
        organisation_type: str | None,
    ) -> None:
        self.kind = SubjectKind(kind)
        self.name = name
        self.sealed = sealed
        self.unit_id = unit_id
        self.organisation_type = organisation_type
        self.members: dict[UUID, str | None] = {}
        self.affiliations: dict[UUID, SubjectKind] = {}

    @classmethod
    def register(
        cls,
        *,
        id: UUID,
        kind: SubjectKind,
        name: str | None,
        sealed: str | None,
        unit: AdministrativeUnit,
        organisation_type: str | None,
        on: date,
    ) -> Collective:
        if kind is SubjectKind.PERSON:
            raise InvalidInput("công dân đăng ký qua /persons", kind=kind.value)
        if not unit.is_valid_on(on):
            raise UnitNotValid("đơn vị hành chính không có hiệu lực", unit_id=str(unit.id))
        if kind is SubjectKind.COMMUNITY and unit.level is UnitLevel.DISTRICT:
            raise UnitNotValid("cộng đồng học tập gắn với thôn, tổ dân phố hoặc cấp xã")
        if kind is SubjectKind.HOUSEHOLD and name is not None:
            raise InvalidInput("tên hộ gia đình là dữ liệu cá nhân và phải được niêm phong")
        if kind is not SubjectKind.HOUSEHOLD and not name:
            raise InvalidInput("cần tên", field="name")
        return cls._create(
            cls.Registered,
            id=id,
            kind=kind.value,
            name=name,
            sealed=sealed,
            unit_id=unit.id,
            organisation_type=organisation_type,
        )

    def relocate(self, unit: AdministrativeUnit, on: date, reason: str) -> None:
        """Move a household, clan or organisation to another unit. A community is the
        village itself and does not move: register the new one instead."""
        if self.kind is SubjectKind.COMMUNITY:
            raise RuleViolation(
                "cộng đồng học tập gắn với thôn của nó, không chuyển đơn vị được",
                collective_id=str(self.id),
            )
        _check_destination(self.unit_id, unit, on)
        self.trigger_event(
            self.Relocated,
            from_unit_id=self.unit_id,
            unit_id=unit.id,
            kind=self.kind.value,
            effective_date=on,
            reason=reason,
        )

    def add_member(
        self, member: Person | Collective, relation: str | None, joined_on: date | None = None
    ) -> None:
        """Record membership on both sides (save both aggregates together). ``joined_on``:
        the day membership counts from (member shares read it); without it, the day the
        join was recorded."""
        allowed = {
            SubjectKind.HOUSEHOLD: Person,
            SubjectKind.ORGANISATION: Person,
            SubjectKind.CLAN: Collective,
            SubjectKind.COMMUNITY: Collective,
        }[self.kind]
        member_kind = SubjectKind.PERSON if isinstance(member, Person) else member.kind
        if not isinstance(member, allowed) or (
            isinstance(member, Collective) and member.kind is not SubjectKind.HOUSEHOLD
        ):
            raise InvalidInput(
                f"{self.kind.value} không nhận thành viên loại {member_kind.value}",
                group_kind=self.kind.value,
                member_kind=member_kind.value,
            )
        if member.id in self.members:
            raise RuleViolation("đã là thành viên", member_id=str(member.id))
        self.trigger_event(
            self.MemberAdded,
            member_id=member.id,
            member_kind=member_kind.value,
            relation=relation,
            effective_date=joined_on,
        )
        member.trigger_event(member.Affiliated, group_id=self.id, group_kind=self.kind.value)

    def remove_member(self, member: Person | Collective, on: date, reason: str) -> None:
        """A member leaves (moves out, marries into another household...): recorded on both
        sides, saved together. Past cases keep the relations they were decided with."""
        if member.id not in self.members:
            raise RuleViolation("không phải thành viên", member_id=str(member.id))
        if not reason.strip():
            raise InvalidInput("cần lý do", field="reason")
        self.trigger_event(self.MemberLeft, member_id=member.id, effective_date=on, reason=reason)
        member.trigger_event(
            member.Disaffiliated, group_id=self.id, effective_date=on, reason=reason
        )
