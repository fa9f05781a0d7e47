"""The people who run the process: officers, reviewers, councils and signers of every unit.

Each commune (before and after the reform), district and province gets a reviewer, a council
of three, a signer (the chair of its People's Committee) and a complaint handler (who accepts
and resolves complaints about its decisions); communes also get a commune and a village
officer, provinces an administrator, an inspector and a reporting officer. One council member
of each commune and of each province is also a resident there, so councils meet real
conflicts of interest; a few residents have citizen accounts and file their own cases.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from uuid import UUID

from application.clients.generator.geography import Province
from application.clients.generator.registry import CommuneRegistry, ResidentPlan
from domain.access import UserAccount, user_id_for
from domain.glossary import Role, TitleModel
from domain.registry import AdministrativeUnit


@dataclass(frozen=True, slots=True)
class UserPlan:
    username: str
    role: Role
    unit: AdministrativeUnit
    person: ResidentPlan | None = None
    id: UUID = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", user_id_for(self.username))

    def build(self) -> UserAccount:
        person_id = self.person.id if self.person else None
        return UserAccount.create(self.username, [self.role], self.unit.id, person_id)


@dataclass(slots=True)
class Staff:
    """Who acts for one authority unit."""

    unit: AdministrativeUnit
    reviewer: UserPlan
    council: tuple[UserPlan, UserPlan, UserPlan]  # chair, member, secretary
    signer: UserPlan
    complaint_handler: UserPlan
    officer: UserPlan | None = None  # commune officer
    village_officer: UserPlan | None = None

    @property
    def commune_officer(self) -> UserPlan:
        """Files learning units' cases and posts the public notices."""
        if self.officer is None:
            raise ValueError(f"{self.unit.code} has no officers: only communes handle cases")
        return self.officer

    def filer(self, model: TitleModel) -> UserPlan:
        """The officer who files a case for an applicant without an account of their own."""
        if model is TitleModel.LEARNING_UNIT or self.village_officer is None:
            return self.commune_officer
        return self.village_officer

    @property
    def authority_name(self) -> str:
        name = self.unit.name
        return f"UBND {name[0].lower()}{name[1:]}"


@dataclass(slots=True)
class ProvinceStaff:
    province: Staff
    by_unit: dict[UUID, Staff] = field(default_factory=dict)
    others: list[UserPlan] = field(default_factory=list)  # administrator, inspector, ...
    citizens: list[UserPlan] = field(default_factory=list)

    def users(self) -> list[UserPlan]:
        everyone = [*self.others, *self.citizens]
        for staff in [self.province, *self.by_unit.values()]:
            everyone += [staff.reviewer, *staff.council, staff.signer, staff.complaint_handler]
            everyone += [u for u in (staff.officer, staff.village_officer) if u is not None]
        return everyone

    def examples(self) -> list[UserPlan]:
        """One account per role to sign in with: the province's administrator, inspector and
        reporting officer, then the staff of its first commune that handles cases."""
        commune = next((s for s in self.by_unit.values() if s.officer is not None), None)
        staff = [] if commune is None else [commune.officer, commune.reviewer, commune.signer]
        handler = [] if commune is None else [commune.complaint_handler]
        return [*self.others, *(u for u in staff if u is not None), *handler]

    def circles(self) -> dict[UUID, set[UUID]]:
        """Each user linked to a person, and what that person is related to."""
        return {u.id: u.person.circle for u in self.users() if u.person is not None}


def _staff(unit: AdministrativeUnit, member: ResidentPlan | None, commune: bool) -> Staff:
    prefix = unit.code.lower()
    council = (
        UserPlan(f"{prefix}.hd1", Role.COUNCIL_MEMBER, unit),
        UserPlan(f"{prefix}.hd2", Role.COUNCIL_MEMBER, unit, member),
        UserPlan(f"{prefix}.hd3", Role.COUNCIL_MEMBER, unit),
    )
    return Staff(
        unit=unit,
        reviewer=UserPlan(f"{prefix}.tham-dinh", Role.REVIEWER, unit),
        council=council,
        signer=UserPlan(f"{prefix}.chu-tich", Role.SIGNER, unit),
        complaint_handler=UserPlan(f"{prefix}.khieu-nai", Role.COMPLAINT_HANDLER, unit),
        officer=UserPlan(f"{prefix}.can-bo", Role.COMMUNE_OFFICER, unit) if commune else None,
        village_officer=UserPlan(f"{prefix}.thon", Role.VILLAGE_OFFICER, unit) if commune else None,
    )


def plan_staff(
    province: Province, registries: list[CommuneRegistry], rng: random.Random
) -> ProvinceStaff:
    unit = province.unit
    prefix = unit.code.lower()
    org_staff = [person for r in registries for org in r.orgs for person, _ in org.staff]
    linked: set[UUID] = set()

    def pick(candidates: list[ResidentPlan]) -> ResidentPlan | None:
        free = [c for c in candidates if c.id not in linked]
        if not free:
            return None
        chosen = rng.choice(free)
        linked.add(chosen.id)
        return chosen

    result = ProvinceStaff(province=_staff(unit, pick(org_staff), commune=False))
    result.others = [
        UserPlan(f"{prefix}.quan-tri", Role.ADMINISTRATOR, unit),
        UserPlan(f"{prefix}.thanh-tra", Role.INSPECTOR, unit),
        UserPlan(f"{prefix}.thong-ke", Role.REPORTING_OFFICER, unit),
    ]
    for district in province.districts:
        result.by_unit[district.id] = _staff(district, None, commune=False)
    adults_by_unit: dict[UUID, list[ResidentPlan]] = {}
    for registry in registries:
        adults = registry.adults
        adults_by_unit.setdefault(registry.commune.unit.id, []).extend(adults)
        if registry.commune.merged:
            adults_by_unit.setdefault(registry.commune.successor.id, []).extend(adults)
    for commune_unit in [c.unit for c in province.communes] + province.new_communes:
        member = pick(adults_by_unit[commune_unit.id])
        result.by_unit[commune_unit.id] = _staff(commune_unit, member, commune=True)
    for registry in registries:
        adults = [a for a in registry.adults if a.id not in linked]
        chosen = rng.sample(adults, max(1, len(adults) // 20)) if adults else []
        for number, resident in enumerate(chosen, start=1):
            account = UserPlan(
                f"{registry.commune.unit.code.lower()}.cd{number:03d}",
                Role.CITIZEN,
                resident.village,
                resident,
            )
            resident.account = account.id
            linked.add(resident.id)
            result.citizens.append(account)
    return result
