"""Registry commands: administrative units, persons, households, clans, communities, units."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from application.adapters.vault import PersonalDataVault
from application.services.records import Recorded, Records, check_version
from application.services.scope import Scopes
from domain.base import CommandContext, acting
from domain.dates import birth_dates
from domain.errors import DomainError, InvalidInput, NotFound, OutOfScope, VersionConflict
from domain.glossary import HOUSEHOLD_HEAD_RELATIONS, SubjectKind, UnitLevel
from domain.registry import (
    AdministrativeUnit,
    Collective,
    Person,
    community_id_for,
    person_id_for,
)
from domain.text import nfc

#: A person's personal data, sealed, never stored in plaintext: these fields and the CCCD,
#: which names the record and so cannot be corrected.
CORRECTABLE_FIELDS = ("full_name", "birth_date", "gender", "ethnicity", "religion")


@dataclass(frozen=True)
class NewPerson:
    """A person to register in a batch, as :meth:`RegistryService.register_person` takes."""

    cccd: str
    full_name: str
    birth_date: date | None
    gender: str | None
    ethnicity: str | None
    target_group: str | None
    unit_id: UUID


@dataclass(frozen=True)
class NewHousehold:
    """A household with an id chosen by the caller (derived from its code): registered
    if no record has that id yet, left as it is otherwise."""

    id: UUID
    name: str
    unit_id: UUID


@dataclass(frozen=True)
class Membership:
    household_id: UUID
    cccd: str
    relation: str | None


@dataclass(frozen=True)
class ClanMembership:
    """A household of a clan; the clan (id chosen by the caller) registered if new."""

    clan_id: UUID
    clan_name: str
    unit_id: UUID
    household_id: UUID


@dataclass
class BatchRegistered:
    """What one batch wrote: the persons by CCCD (new or found), how many records it
    created, and the log position of its one transaction (None when nothing was new)."""

    persons: dict[str, UUID] = field(default_factory=dict)
    created: int = 0
    position: int | None = None


def _registered_in(
    loaded: dict[UUID, Aggregate], holder: UUID | None, legacy: UUID | None
) -> Person | None:
    """As :meth:`RegistryService._registered` answers, from aggregates read beforehand."""
    if holder is not None:
        found = loaded.get(holder)
        return found if isinstance(found, Person) else None
    old = loaded.get(legacy) if legacy is not None else None
    return old if isinstance(old, Person) and not old.erased else None


@dataclass(frozen=True)
class RegistryService:
    """Units, persons (their personal data sealed in the vault) and collectives."""

    records: Records
    scopes: Scopes
    vault: PersonalDataVault

    # --- administrative units -------------------------------------------------------------

    def establish_unit(
        self,
        ctx: CommandContext,
        *,
        code: str,
        name: str,
        level: UnitLevel,
        unit_type: str,
        parent_id: UUID | None,
        valid_from: date,
        valid_to: date | None = None,
        legal_basis: str | None = None,
    ) -> Recorded:
        if parent_id is None:
            self.scopes.require_nationwide(ctx, "lập đơn vị cấp tỉnh")
        else:
            self.scopes.require_unit(ctx, parent_id)
        with acting(ctx):
            parent = self.records.get(AdministrativeUnit, parent_id) if parent_id else None
            unit = AdministrativeUnit.establish(
                code=nfc(code),
                name=nfc(name),
                level=level,
                unit_type=nfc(unit_type),
                parent=parent,
                valid_from=valid_from,
                valid_to=valid_to,
                legal_basis=nfc(legal_basis),
            )
            return self.records.save(unit)

    def change_unit_parent(
        self,
        ctx: CommandContext,
        unit_id: UUID,
        parent_id: UUID,
        from_date: date,
        reason: str,
        expected_version: int | None = None,
    ) -> Recorded:
        self.scopes.require_units(ctx, [unit_id, parent_id])
        with acting(ctx):
            unit = self.records.get(AdministrativeUnit, unit_id, expected_version)
            unit.change_parent(
                self.records.get(AdministrativeUnit, parent_id), from_date, nfc(reason)
            )
            return self.records.save(unit)

    def merge_units(
        self,
        ctx: CommandContext,
        predecessor_ids: list[UUID],
        successor_id: UUID,
        from_date: date,
        legal_basis: str,
    ) -> Recorded:
        """Record that several units merged into one (e.g. communes on 2025-07-01)."""
        if not predecessor_ids or successor_id in predecessor_ids:
            raise InvalidInput("cần ít nhất một đơn vị bị sáp nhập, khác đơn vị kế thừa")
        self.scopes.require_units(ctx, [successor_id, *predecessor_ids])
        with acting(ctx):
            successor = self.records.get(AdministrativeUnit, successor_id)
            predecessors = [self.records.get(AdministrativeUnit, p) for p in predecessor_ids]
            for unit in predecessors:
                unit.merge_into(successor, from_date, nfc(legal_basis))
            return self.records.save(successor, *predecessors)

    # --- persons --------------------------------------------------------------------------

    def register_person(
        self,
        ctx: CommandContext,
        *,
        cccd: str,
        full_name: str,
        birth_date: date | None,
        gender: str | None,
        ethnicity: str | None,
        target_group: str | None,
        unit_id: UUID,
    ) -> Recorded:
        self.scopes.require_unit(ctx, unit_id)  # before anything that could reveal a registration
        cccd_hash = self.vault.lookup_hash(cccd)
        self._check_not_registered(ctx, self.vault.holder(cccd_hash), cccd_hash)
        details = self._checked_details(
            {
                "full_name": full_name,
                "birth_date": birth_date,
                "gender": gender,
                "ethnicity": ethnicity,
            }
        )
        details["cccd"] = cccd.strip()
        person_id = uuid4()  # a new person each time: an erased CCCD registers afresh
        holder = self.vault.enrol(person_id, cccd_hash)
        if holder != person_id:  # registered meanwhile
            self._check_not_registered(ctx, holder, cccd_hash)
            raise VersionConflict("số CCCD này đang được đăng ký")
        try:
            with acting(ctx):
                unit = self.records.get(AdministrativeUnit, unit_id)
                person = Person.register(
                    id=person_id,
                    cccd_hash=None,
                    sealed=self.vault.seal(person_id, details),
                    target_group=nfc(target_group),
                    unit=unit,
                    on=self.records.today(),
                )
                return self.records.save(person)
        except DomainError:  # refused before anything was written: the number is free again
            self.vault.forget(person_id)
            raise

    def register_batch(
        self,
        ctx: CommandContext,
        *,
        persons: Sequence[NewPerson],
        households: Sequence[NewHousehold] = (),
        memberships: Sequence[Membership] = (),
        clans: Sequence[ClanMembership] = (),
        also: Sequence[Aggregate] = (),
    ) -> BatchRegistered:
        """Register many persons and households, and their memberships, in one save.

        Personal data is checked and sealed as :meth:`register_person` seals it. What is
        there already is left alone, so running a batch again writes nothing new: a person
        whose CCCD is registered (anywhere: the caller decides whether that is a mistake),
        a household whose id exists, a member already in the household. A number enrolled
        by a run cut off before its save is taken up again. ``also`` (an import's record of
        the batch) is saved in the same transaction.
        """
        units = {p.unit_id for p in persons} | {h.unit_id for h in households}
        units |= {c.unit_id for c in clans}
        self.scopes.require_units(ctx, units)
        hashes = {p.cccd: self.vault.lookup_hash(p.cccd) for p in persons}
        holders = self.vault.holders(list(hashes.values()))
        legacy = {h: person_id_for(h) for h in hashes.values() if h not in holders}
        loaded = self.records.load_all(
            [
                *units,
                *holders.values(),
                *legacy.values(),
                *(h.id for h in households),
                *(c.clan_id for c in clans),
                *(c.household_id for c in clans),
            ]
        )
        result = BatchRegistered()
        changed: dict[UUID, Person | Collective] = {}
        enrolled: list[UUID] = []
        try:
            with acting(ctx):
                places = {u: self.records.get_as(AdministrativeUnit, u, loaded) for u in units}
                today = self.records.today()
                fresh: list[tuple[NewPerson, UUID, dict[str, Any]]] = []
                for entry in persons:
                    cccd_hash = hashes[entry.cccd]
                    found = _registered_in(loaded, holders.get(cccd_hash), legacy.get(cccd_hash))
                    if found is not None:
                        result.persons[entry.cccd] = found.id
                        changed[found.id] = found
                    else:  # a holder without a record: a number enrolled by a run cut off
                        person_id = holders.get(cccd_hash) or uuid4()
                        fresh.append((entry, person_id, self._batch_details(entry)))
                sealed = self.vault.seal_new(
                    [(i, hashes[e.cccd], d) for e, i, d in fresh if i not in holders.values()]
                )
                enrolled.extend(sealed)
                for entry, person_id, details in fresh:
                    person = Person.register(
                        id=person_id,
                        cccd_hash=None,
                        sealed=sealed.get(person_id) or self._seal_enrolled(person_id, details),
                        target_group=nfc(entry.target_group),
                        unit=places[entry.unit_id],
                        on=today,
                    )
                    result.persons[entry.cccd] = person.id
                    changed[person.id] = person
                new_households = [h for h in households if h.id not in loaded]
                names = self.vault.seal_new(
                    [(h.id, None, {"name": nfc(h.name.strip())}) for h in new_households]
                )
                for new in households:
                    found_household = loaded.get(new.id)
                    household = (
                        found_household
                        if isinstance(found_household, Collective)
                        else Collective.register(
                            id=new.id,
                            kind=SubjectKind.HOUSEHOLD,
                            name=None,
                            sealed=names.get(new.id)
                            or self.vault.seal(new.id, {"name": nfc(new.name.strip())}),
                            unit=places[new.unit_id],
                            organisation_type=None,
                            on=today,
                        )
                    )
                    changed[household.id] = household
                for link in memberships:
                    self._batch_membership(link, result, changed)
                for joined in clans:
                    self._batch_clan(joined, loaded, places, today, changed)
                pending = [a for a in changed.values() if a.pending_events]
                result.created = sum(1 for a in pending if a.version == len(a.pending_events))
                if pending or any(a.pending_events for a in also):
                    result.position = self.records.save(*pending, *also).position
        except DomainError:
            for person_id in enrolled:  # refused before anything was written
                self.vault.forget(person_id)
            raise
        return result

    def _batch_details(self, entry: NewPerson) -> dict[str, Any]:
        details = self._checked_details(
            {
                "full_name": entry.full_name,
                "birth_date": entry.birth_date,
                "gender": entry.gender,
                "ethnicity": entry.ethnicity,
            }
        )
        details["cccd"] = entry.cccd.strip()
        return details

    def _seal_enrolled(self, person_id: UUID, details: dict[str, Any]) -> str:
        """Seal under a key stored before (a run cut off), never under a new one: a person
        whose number another registration took meanwhile is a conflict."""
        if self.vault.holder(self.vault.lookup_hash(details["cccd"])) != person_id:
            raise VersionConflict("số CCCD này đang được đăng ký")
        return self.vault.seal(person_id, details)

    def _batch_clan(
        self,
        joined: ClanMembership,
        loaded: dict[UUID, Aggregate],
        places: dict[UUID, AdministrativeUnit],
        today: date,
        changed: dict[UUID, Person | Collective],
    ) -> None:
        clan = changed.get(joined.clan_id) or loaded.get(joined.clan_id)
        if not isinstance(clan, Collective):
            clan = Collective.register(
                id=joined.clan_id,
                kind=SubjectKind.CLAN,
                name=nfc(joined.clan_name.strip()),
                sealed=None,
                unit=places[joined.unit_id],
                organisation_type=None,
                on=today,
            )
        household = changed.get(joined.household_id) or loaded.get(joined.household_id)
        if not isinstance(household, Collective):
            raise NotFound("không tìm thấy hộ gia đình", id=str(joined.household_id))
        changed[clan.id] = clan
        if household.id not in clan.members:
            clan.add_member(household, "thanh_vien")
            changed[household.id] = household

    def _batch_membership(
        self,
        link: Membership,
        result: BatchRegistered,
        changed: dict[UUID, Person | Collective],
    ) -> None:
        person_id = result.persons[link.cccd]
        household = changed.get(link.household_id) or self.records.get(
            Collective, link.household_id
        )
        if not isinstance(household, Collective) or person_id in household.members:
            return
        member = changed[person_id]
        household.add_member(member, nfc(link.relation))
        changed[household.id] = household

    def _check_not_registered(
        self, ctx: CommandContext, holder: UUID | None, cccd_hash: str
    ) -> None:
        registered = self._registered(holder, cccd_hash)
        if registered is not None:  # the record is named only to those who may read it
            named = (
                {"person_id": str(registered.id)}
                if self.scopes.may_read_subject(ctx, registered)
                else {}
            )
            raise VersionConflict("số CCCD này đã được đăng ký", **named)

    def _registered(self, holder: UUID | None, cccd_hash: str) -> Person | None:
        """The person registered with this look-up hash and not erased: the one whose key
        holds it, or one registered before hashes left the log (its id derives from it)."""
        if holder is not None:
            return self.records.find(Person, holder)
        legacy = self.records.find(Person, person_id_for(cccd_hash))
        return legacy if legacy is not None and not legacy.erased else None

    def registered_persons(self, cccds: Sequence[str]) -> dict[str, Person]:
        """:meth:`registered_person` for many numbers, a few round trips per 500."""
        found: dict[str, Person] = {}
        numbers = list(dict.fromkeys(cccds))
        for start in range(0, len(numbers), 500):
            hashes = {c: self.vault.lookup_hash(c) for c in numbers[start : start + 500]}
            holders = self.vault.holders(list(hashes.values()))
            legacy = {h: person_id_for(h) for h in hashes.values() if h not in holders}
            loaded = self.records.load_all([*holders.values(), *legacy.values()])
            for cccd, cccd_hash in hashes.items():
                person = _registered_in(loaded, holders.get(cccd_hash), legacy.get(cccd_hash))
                if person is not None:
                    found[cccd] = person
        return found

    def registered_person(self, cccd: str) -> Person | None:
        """The person registered with this CCCD and not erased, whoever is asking: for
        services that decide themselves what the caller may learn (the import check)."""
        return self._person_with(cccd)

    def _person_with(self, cccd: str) -> Person | None:
        cccd_hash = self.vault.lookup_hash(cccd)
        return self._registered(self.vault.holder(cccd_hash), cccd_hash)

    def _birth_date(self, value: date | str | None) -> str | None:
        """A date of birth as the vault keeps it (ISO text), within 1900-01-01 … today."""
        if value is None:
            return None
        try:
            day = value if isinstance(value, date) else date.fromisoformat(value)
        except ValueError as error:
            raise InvalidInput("ngày sinh phải có dạng YYYY-MM-DD", field="birth_date") from error
        return birth_dates(self.records.today()).check(day, "birth_date").isoformat()

    def person_by_cccd(self, ctx: CommandContext, cccd: str) -> Person:
        """The person with this CCCD, if the actor may read them. Unknown and out of reach
        are the same answer: a look-up must not tell that a number is registered elsewhere."""
        person = self._person_with(cccd)
        if person is None or not self.scopes.may_read_subject(ctx, person):
            raise NotFound("không có công dân với số CCCD này trong phạm vi của bạn")
        return person

    def find_person_by_cccd(self, cccd: str) -> Person:
        """The person with this CCCD, whoever is asking (the console)."""
        person = self._person_with(cccd)
        if person is None:
            raise NotFound("không có công dân với số CCCD này")
        return person

    def correct_person(
        self,
        ctx: CommandContext,
        person_id: UUID,
        changes: dict[str, Any],
        reason: str,
        expected_version: int | None = None,
    ) -> Recorded:
        """Correct some of a person's sealed fields (``changes``: field -> new value)."""
        corrected = self._checked_details(changes)
        with acting(ctx):
            person = self.records.get(Person, person_id)
            self.scopes.require_subject(ctx, person)
            check_version(person, expected_version)
            current = self.vault.unseal(person.id, person.sealed) or {}
            person.correct_details(self.vault.seal(person.id, current | corrected), nfc(reason))
            return self.records.save(person)

    def _checked_details(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Personal fields as sealed: known names only, a name that is not blank, a birth
        date from 1900 to today (as ISO text), every text NFC-normalised."""
        unknown = sorted(set(fields) - set(CORRECTABLE_FIELDS))
        if unknown:
            raise InvalidInput(
                f"{unknown[0]}: chỉ sửa được họ tên, ngày sinh, giới tính, dân tộc, tôn giáo",
                field=unknown[0],
            )
        if "full_name" in fields and not (fields["full_name"] or "").strip():
            raise InvalidInput("cần họ và tên", field="full_name")
        born = fields.get("birth_date")
        if born is not None:
            birth_dates(self.records.today()).check(born, "birth_date")
        checked: dict[str, Any] = nfc(fields)
        if "birth_date" in fields:
            checked["birth_date"] = born.isoformat() if born else None
        if "full_name" in fields:
            checked["full_name"] = checked["full_name"].strip()
        return checked

    def erase_person(
        self,
        ctx: CommandContext,
        person_id: UUID,
        reason: str,
        expected_version: int | None = None,
    ) -> Recorded:
        """Destroy the person's key (with their look-up hash, so that the number can be
        registered again as a new person), and the key of every household they head (its
        name is theirs): sealed data and files become unreadable, the log stays intact."""
        with acting(ctx):
            person = self.records.get(Person, person_id)
            self.scopes.require_subject(ctx, person)
            check_version(person, expected_version)
            person.erase_personal_data(nfc(reason))
            recorded = self.records.save(person)
        for household_id in person.households:
            household = self.records.get(Collective, household_id)
            if nfc(household.members.get(person.id) or "").lower() in HOUSEHOLD_HEAD_RELATIONS:
                self.vault.erase(household_id)
        self.vault.erase(person.id)
        return recorded

    def relocate_subject(
        self,
        ctx: CommandContext,
        kind: type[Person] | type[Collective],
        subject_id: UUID,
        unit_id: UUID,
        moved_on: date,
        reason: str,
        expected_version: int | None = None,
    ) -> Recorded:
        """A person, household, clan or organisation moves to another unit.

        The actor must reach both the unit the record is in and the one it moves to: a
        commune moves its people between its villages, a province between its communes.
        Cases already opened stay with the unit that opened them.
        """
        with acting(ctx):
            subject: Person | Collective = self.records.get(kind, subject_id)
            scope = self.scopes.require_subject(ctx, subject)
            if not self.scopes.reaches_unit(scope, unit_id):
                raise OutOfScope(
                    "đơn vị chuyển đến nằm ngoài phạm vi của bạn", unit_id=str(unit_id)
                )
            check_version(subject, expected_version)
            subject.relocate(self.records.get(AdministrativeUnit, unit_id), moved_on, nfc(reason))
            return self.records.save(subject)

    # --- collectives ----------------------------------------------------------------------

    def register_collective(
        self,
        ctx: CommandContext,
        *,
        kind: SubjectKind,
        name: str,
        unit_id: UUID,
        organisation_type: str | None = None,
    ) -> Recorded:
        """Households' names are personal data and are sealed; the others are public."""
        collective_id = community_id_for(unit_id) if kind is SubjectKind.COMMUNITY else uuid4()
        if not name.strip():
            raise InvalidInput("cần tên", field="name")
        self.scopes.require_unit(ctx, unit_id)
        with acting(ctx):
            unit = self.records.get(AdministrativeUnit, unit_id)
            household = kind is SubjectKind.HOUSEHOLD
            collective = Collective.register(
                id=collective_id,
                kind=kind,
                name=None if household else nfc(name.strip()),
                sealed=self.vault.seal(collective_id, {"name": name.strip()})
                if household
                else None,
                unit=unit,
                organisation_type=nfc(organisation_type),
                on=self.records.today(),
            )
            return self.records.save(collective)

    def add_member(
        self,
        ctx: CommandContext,
        group_id: UUID,
        member_id: UUID,
        relation: str | None,
        expected_version: int | None = None,
    ) -> Recorded:
        with acting(ctx):
            group, member = self._group_and_member(ctx, group_id, member_id, expected_version)
            # dated by the ledger's clock, as the other steps are (not the host's)
            group.add_member(member, nfc(relation), self.records.today())
            return self.records.save(group, member)

    def remove_member(
        self,
        ctx: CommandContext,
        group_id: UUID,
        member_id: UUID,
        left_on: date,
        reason: str,
        expected_version: int | None = None,
    ) -> Recorded:
        """A member leaves a household, clan, community or organisation."""
        with acting(ctx):
            group, member = self._group_and_member(ctx, group_id, member_id, expected_version)
            group.remove_member(member, left_on, nfc(reason))
            return self.records.save(group, member)

    def _group_and_member(
        self,
        ctx: CommandContext,
        group_id: UUID,
        member_id: UUID,
        expected_version: int | None,
    ) -> tuple[Collective, Person | Collective]:
        """A group and a member, both reached by the actor; the group at the version given."""
        group = self.records.get(Collective, group_id)
        member = self.scopes.subject_of(member_id)
        scope = self.scopes.require_subject(ctx, group)
        self.scopes.require_subject(ctx, member, scope=scope)
        check_version(group, expected_version)
        return group, member
