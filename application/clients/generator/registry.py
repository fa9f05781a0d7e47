"""Generated residents, households, clans and learning units of one commune.

Planning draws everything from the seeded generator (names, dates, CCCD numbers, who lives
with whom); building turns a plan into aggregates, sealing personal data through the vault
exactly as :mod:`application.services.registry` does, so no name or CCCD reaches an event.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import count
from uuid import UUID

from application.adapters.vault import PersonalDataVault
from application.clients.generator.geography import Commune
from application.clients.generator.names import FullName, Names, cccd_number
from domain.base import ledger_id
from domain.glossary import SubjectKind
from domain.registry import AdministrativeUnit, Collective, Person, person_id_for

#: The day every generated subject is registered (before every generated case).
REGISTERED_ON = date(2024, 6, 1)
#: The three verified CDHT target groups, weighted as in Hải Dương 2023 (domain.md §2.3).
TARGET_GROUPS = (("nong_dan", 47), ("cong_nhan", 41), ("can_bo", 12))
_ORGANISATIONS = (
    ("truong_hoc", "Trường Mầm non", "giao_vien"),
    ("truong_hoc", "Trường Tiểu học", "giao_vien"),
    ("truong_hoc", "Trường THCS", "giao_vien"),
    ("co_quan", "Trạm Y tế", "nhan_vien"),
    ("co_quan", "Công an", "can_bo"),
    ("doanh_nghiep", "Hợp tác xã nông nghiệp", "xa_vien"),
    ("doanh_nghiep", "Công ty TNHH", "nhan_vien"),
)


@dataclass(slots=True, eq=False)
class ResidentPlan:
    id: UUID
    cccd: str
    cccd_hash: str
    name: FullName
    gender: str
    born: date
    ethnicity: str
    target_group: str | None
    village: AdministrativeUnit
    household_id: UUID
    relation: str
    org_id: UUID | None = None
    clan_id: UUID | None = None
    account: UUID | None = None  # their citizen user account, if they have one

    @property
    def circle(self) -> set[UUID]:
        """What a user linked to this person is related to (as ``user_circle`` computes)."""
        related = {self.id, self.household_id, self.org_id, self.clan_id}
        return {r for r in related if r is not None}


@dataclass(slots=True, eq=False)
class HouseholdPlan:
    id: UUID
    village: AdministrativeUnit
    members: list[ResidentPlan] = field(default_factory=list)
    family: str = ""  # the family name the children carry (the father's)
    clan_id: UUID | None = None

    @property
    def head(self) -> ResidentPlan:
        return self.members[0]


@dataclass(slots=True, eq=False)
class ClanPlan:
    id: UUID
    village: AdministrativeUnit
    name: str
    households: list[HouseholdPlan]


@dataclass(slots=True, eq=False)
class OrgPlan:
    id: UUID
    commune: Commune
    name: str
    org_type: str
    staff: list[tuple[ResidentPlan, str]] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class CommuneRegistry:
    commune: Commune
    households: list[HouseholdPlan] = field(default_factory=list)
    clans: list[ClanPlan] = field(default_factory=list)
    orgs: list[OrgPlan] = field(default_factory=list)

    def residents(self) -> Iterator[ResidentPlan]:
        for household in self.households:
            yield from household.members

    @property
    def adults(self) -> list[ResidentPlan]:
        return [r for r in self.residents() if r.target_group is not None]

    @property
    def size(self) -> tuple[int, int]:
        """(persons, collectives) this plan registers."""
        persons = sum(len(h.members) for h in self.households)
        return persons, len(self.households) + len(self.clans) + len(self.orgs)


class RegistryPlanner:
    """Plans the registry of each commune of one province (CCCD serials are per province)."""

    def __init__(
        self,
        vault: PersonalDataVault,
        names: Names,
        rng: random.Random,
        cccd_prefix: int,
        group_weights: tuple[tuple[str, int], ...] = TARGET_GROUPS,
    ) -> None:
        self.vault, self.names, self.rng = vault, names, rng
        self.cccd_prefix = cccd_prefix
        self._serials = count(1)
        self._groups = [g for g, _ in group_weights]
        self._group_weights = [w for _, w in group_weights]

    def plan(self, commune: Commune, adults: int, households: int, orgs: int) -> CommuneRegistry:
        """At least ``adults`` adults in a target group, ``households`` households, ``orgs`` units."""
        registry = CommuneRegistry(commune)
        adult_count = 0
        while len(registry.households) < households or adult_count < adults:
            village = commune.villages[len(registry.households) % len(commune.villages)]
            household = self._household(commune, village, len(registry.households) + 1)
            registry.households.append(household)
            adult_count += sum(1 for m in household.members if m.target_group)
        registry.clans = self._clans(commune, registry.households)
        registry.orgs = self._orgs(commune, registry, orgs)
        return registry

    def _resident(
        self,
        village: AdministrativeUnit,
        household_id: UUID,
        relation: str,
        gender: str,
        born: date,
        family: str | None,
        adult: bool,
    ) -> ResidentPlan:
        cccd = cccd_number(self.cccd_prefix, gender, born, next(self._serials))
        cccd_hash = self.vault.lookup_hash(cccd)
        group = self.rng.choices(self._groups, self._group_weights)[0] if adult else None
        return ResidentPlan(
            id=person_id_for(cccd_hash),
            cccd=cccd,
            cccd_hash=cccd_hash,
            name=self.names.person(gender, family),
            gender=gender,
            born=born,
            ethnicity=self.names.ethnicity(),
            target_group=group,
            village=village,
            household_id=household_id,
            relation=relation,
        )

    def _household(
        self, commune: Commune, village: AdministrativeUnit, number: int
    ) -> HouseholdPlan:
        rng = self.rng
        household = HouseholdPlan(
            ledger_id("generated-household", commune.unit.code, number), village
        )
        head_gender = "nam" if rng.random() < 0.7 else "nu"
        head = self._resident(
            village, household.id, "chu_ho", head_gender, self.names.born(1955, 2000), None, True
        )
        household.members.append(head)
        family = head.name.family
        if rng.random() < 0.8:
            other = "nu" if head_gender == "nam" else "nam"
            spouse_born = self.names.born(head.born.year - 4, min(head.born.year + 6, 2002))
            relation = "vo" if other == "nu" else "chong"
            spouse = self._resident(village, household.id, relation, other, spouse_born, None, True)
            household.members.append(spouse)
            if other == "nam":
                family = spouse.name.family  # children take their father's family name
        household.family = family
        if rng.random() < 0.15:
            parent_gender = rng.choice(("nam", "nu"))
            born = self.names.born(1930, head.born.year - 18)
            relation = "bo" if parent_gender == "nam" else "me"
            parent_family = head.name.family if parent_gender == "nam" else None
            elder = self._resident(
                village, household.id, relation, parent_gender, born, parent_family, True
            )
            household.members.append(elder)
        first_child = max(head.born.year + 20, 2008)
        relation = "con" if head.born.year >= 1975 else "chau"  # minors of older heads
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
            gender = rng.choice(("nam", "nu"))
            born = self.names.born(first_child, max(first_child, 2020))
            child = self._resident(village, household.id, relation, gender, born, family, False)
            household.members.append(child)
        return household

    def _clans(self, commune: Commune, households: list[HouseholdPlan]) -> list[ClanPlan]:
        """A clan for each family name with two or more households in a village (three at most)."""
        clans: list[ClanPlan] = []
        for village in commune.villages:
            by_family: dict[str, list[HouseholdPlan]] = {}
            for household in households:
                if household.village is village:
                    by_family.setdefault(household.family, []).append(household)
            sizable = [(f, hs) for f, hs in by_family.items() if len(hs) >= 2]
            for family, members in sizable[:3]:
                clan = ClanPlan(
                    ledger_id("generated-clan", village.code, family),
                    village,
                    f"Dòng họ {family} {village.name[0].lower()}{village.name[1:]}",
                    [h for h in members if self.rng.random() < 0.7] or members[:1],
                )
                for household in clan.households:
                    household.clan_id = clan.id
                    for member in household.members:
                        member.clan_id = clan.id
                clans.append(clan)
        return clans

    def _orgs(self, commune: Commune, registry: CommuneRegistry, wanted: int) -> list[OrgPlan]:
        place = commune.unit.name.split(" ", 1)[1]
        candidates = sorted(registry.adults, key=lambda r: r.target_group != "can_bo")
        orgs: list[OrgPlan] = []
        for number in range(1, wanted + 1):
            org_type, prefix, relation = _ORGANISATIONS[(number - 1) % len(_ORGANISATIONS)]
            round_ = (number - 1) // len(_ORGANISATIONS)
            name = f"{prefix} {place}" + (f" số {round_ + 1}" if round_ else "")
            org = OrgPlan(
                ledger_id("generated-organisation", commune.unit.code, number),
                commune,
                name,
                org_type,
            )
            for _ in range(self.rng.randint(3, 8)):
                if not candidates:
                    break
                person = candidates.pop(0)
                person.org_id = org.id
                org.staff.append((person, relation))
            orgs.append(org)
        return orgs


def build_registry(
    registry: CommuneRegistry, vault: PersonalDataVault
) -> list[Collective | Person]:
    """The aggregates of a planned commune registry (run inside ``acting``).

    Memberships are recorded on both sides, so the list holds every aggregate they touch;
    save them together.
    """
    on = REGISTERED_ON
    persons: dict[UUID, Person] = {}
    aggregates: list[Collective | Person] = []
    for plan in registry.households:
        household = Collective.register(
            id=plan.id,
            kind=SubjectKind.HOUSEHOLD,
            name=None,
            sealed=vault.seal(plan.id, {"name": _household_name(plan.head)}),
            unit=plan.village,
            organisation_type=None,
            on=on,
        )
        aggregates.append(household)
        for resident in plan.members:
            vault.enrol(resident.id, resident.cccd_hash)
            person = Person.register(
                id=resident.id,
                cccd_hash=None,
                sealed=vault.seal(resident.id, _details(resident)),
                target_group=resident.target_group,
                unit=resident.village,
                on=on,
            )
            household.add_member(person, resident.relation)
            persons[person.id] = person
            aggregates.append(person)
    households = {a.id: a for a in aggregates if isinstance(a, Collective)}
    for clan_plan in registry.clans:
        clan = Collective.register(
            id=clan_plan.id,
            kind=SubjectKind.CLAN,
            name=clan_plan.name,
            sealed=None,
            unit=clan_plan.village,
            organisation_type=None,
            on=on,
        )
        for member in clan_plan.households:
            clan.add_member(households[member.id], "thanh_vien")
        aggregates.append(clan)
    for org_plan in registry.orgs:
        org = Collective.register(
            id=org_plan.id,
            kind=SubjectKind.ORGANISATION,
            name=org_plan.name,
            sealed=None,
            unit=org_plan.commune.unit,
            organisation_type=org_plan.org_type,
            on=on,
        )
        for resident, relation in org_plan.staff:
            org.add_member(persons[resident.id], relation)
        aggregates.append(org)
    return aggregates


def _household_name(head: ResidentPlan) -> str:
    return f"Hộ {'ông' if head.gender == 'nam' else 'bà'} {head.name}"


def _details(resident: ResidentPlan) -> dict[str, str | None]:
    """The sealed fields, as ``register_person`` seals them."""
    return {
        "full_name": str(resident.name),
        "birth_date": resident.born.isoformat(),
        "gender": resident.gender,
        "ethnicity": resident.ethnicity,
        "cccd": resident.cccd,
    }
