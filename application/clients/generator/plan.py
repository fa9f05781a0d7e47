"""How many cases each commune files in each cycle, for whom, and where each case ends.

Three cycles: 2024 (assessed in early 2025, decided by the pre-reform commune, or the district
for learning units), 2025 (assessed in early 2026 by the post-reform commune, or the province)
and 2026 (in progress in late 2026). Every status appears in every cycle of ten cases or more:
the first ten cases of a cycle in each province take one status each, the rest are drawn.

Some decided cases go further (:class:`Appeal`): a share of refused subjects complain, and a
few granted titles are revoked. As with statuses, the first refused cases of a cycle in each
province take one kind of appeal each, so that every kind appears in a small data set; the
rest are drawn. Appeals that end in a new decision belong to the closed cycles only: the
2026 cycle's complaints are still being received, accepted or resolved.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from uuid import UUID

from application.clients.generator.geography import Commune, Province
from application.clients.generator.profile import Profile
from application.clients.generator.registry import (
    CommuneRegistry,
    HouseholdPlan,
    OrgPlan,
    ResidentPlan,
)
from application.clients.generator.staff import ProvinceStaff, Staff
from domain.glossary import CaseStatus, SubjectKind, TitleModel, UnitLevel
from domain.registry import AdministrativeUnit

S = CaseStatus
CYCLES = (2024, 2025, 2026)
#: No generated date falls after this day (the clock must have reached it).
GENERATED_UNTIL = date(2026, 11, 10)
_CYCLE_SHARE = (34, 34, 32)
_MODELS = (TitleModel.LEARNING_CITIZEN, TitleModel.LEARNING_FAMILY, TitleModel.LEARNING_UNIT)
_MODEL_WEIGHTS = (60, 30, 10)
_CLOSED_CYCLE = {
    S.OPENED: 2,
    S.SELF_ASSESSED: 2,
    S.REVIEWED: 2,
    S.NOTICE_POSTED: 2,
    S.NOTICE_CLOSED: 2,
    S.COUNCIL_FORMED: 2,
    S.APPRAISED: 2,
    S.GRANTED: 72,
    S.REFUSED: 9,
    S.WITHDRAWN: 5,
}
_OPEN_CYCLE = {
    S.OPENED: 8,
    S.SELF_ASSESSED: 9,
    S.REVIEWED: 9,
    S.NOTICE_POSTED: 7,
    S.NOTICE_CLOSED: 7,
    S.COUNCIL_FORMED: 8,
    S.APPRAISED: 9,
    S.GRANTED: 33,
    S.REFUSED: 5,
    S.WITHDRAWN: 5,
}
STATUS_WEIGHTS = {2024: _CLOSED_CYCLE, 2025: _CLOSED_CYCLE, 2026: _OPEN_CYCLE}
DECIDED = (S.GRANTED, S.REFUSED)


class Appeal(StrEnum):
    """What happens to a decided case after its decision."""

    UPHELD = "upheld"  # accepted and upheld: reopened, scores revised, an amending decision grants
    REJECTED = "rejected"  # accepted and rejected
    NOT_ACCEPTED = "not_accepted"  # refused for acceptance, naming the rule
    LAWSUIT = "lawsuit"  # rejected, then an administrative lawsuit
    SECOND_REJECTED = "second_rejected"  # rejected, then a second complaint, also rejected
    SECOND_UPHELD = "second_upheld"  # rejected, then upheld on a second complaint: reopened
    AWAITING_ACCEPTANCE = "awaiting_acceptance"  # received lately, not yet accepted
    AWAITING_RESOLUTION = "awaiting_resolution"  # accepted, not yet resolved
    REVOKED = "revoked"  # a granted title revoked by an amending decision

    @property
    def complaints(self) -> int:
        """How many complaints this appeal files."""
        if self is Appeal.REVOKED:
            return 0
        return 2 if self in (Appeal.SECOND_REJECTED, Appeal.SECOND_UPHELD) else 1

    @property
    def decisions(self) -> int:
        """How many amending decisions it takes."""
        return 1 if self in (Appeal.UPHELD, Appeal.REVOKED) else 0


#: Kinds of complaint about a refusal, and their weights, in closed and in open cycles.
_CLOSED_APPEALS = {
    Appeal.UPHELD: 25,
    Appeal.REJECTED: 35,
    Appeal.NOT_ACCEPTED: 15,
    Appeal.LAWSUIT: 10,
    Appeal.SECOND_REJECTED: 10,
    Appeal.SECOND_UPHELD: 5,
}
_OPEN_APPEALS = {
    Appeal.AWAITING_ACCEPTANCE: 30,
    Appeal.AWAITING_RESOLUTION: 30,
    Appeal.NOT_ACCEPTED: 15,
    Appeal.REJECTED: 25,
}
APPEAL_WEIGHTS = {2024: _CLOSED_APPEALS, 2025: _CLOSED_APPEALS, 2026: _OPEN_APPEALS}
#: Second complaints go to the level above the deciding authority: none above a province here.
_SECOND = {Appeal.SECOND_REJECTED, Appeal.SECOND_UPHELD}
#: Appeals that end in a grant (not for a case whose outcome reproduces a published rate).
_GRANTING = {Appeal.UPHELD, Appeal.SECOND_UPHELD}
#: Share of refused subjects who complain; share of granted titles (closed cycles) revoked.
COMPLAINT_RATE = 0.15
REVOCATION_RATE = 0.004


@dataclass(frozen=True, slots=True)
class Subject:
    """What a case needs to know about its subject."""

    id: UUID
    kind: SubjectKind
    unit_id: UUID
    target_group: str | None
    circle: frozenset[UUID]  # the subject and, for a person, their household
    account: UUID | None  # the citizen account that files for it, if any
    village: AdministrativeUnit | None
    organisation: str | None  # a person's employer, or the learning unit itself


@dataclass(slots=True)
class CasePlan:
    subject: Subject
    model: TitleModel
    cycle: int
    status: CaseStatus
    handler: Staff  # the commune whose officers file and review it
    appeal: Appeal | None = None
    #: The outcome reproduces a published rate: no appeal may change it (no grant on appeal,
    #: no revocation).
    fixed: bool = False


@dataclass(slots=True)
class CaseGroup:
    """The cases one authority decides in one cycle: at most one decision for all of them."""

    authority: Staff
    cycle: int
    cases: list[CasePlan] = field(default_factory=list)

    @property
    def decides(self) -> bool:
        return any(c.status in DECIDED for c in self.cases)

    @property
    def complaints(self) -> int:
        return sum(c.appeal.complaints for c in self.cases if c.appeal is not None)

    @property
    def decisions(self) -> int:
        """The group's decision, if it decides any case, and the decisions amending it."""
        amending = sum(c.appeal.decisions for c in self.cases if c.appeal is not None)
        return int(self.decides) + amending


def allocate(total: int, weights: list[int] | tuple[int, ...]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainders), exactly."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [math.floor(s) for s in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: shares[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def demand(
    cases: int, communes: list[Commune], rng: random.Random
) -> list[dict[int, Counter[TitleModel]]]:
    """For each commune and cycle, how many cases of each title it files."""
    weights = [len(c.villages) for c in communes]
    per_cycle = allocate(cases, _CYCLE_SHARE)
    result: list[dict[int, Counter[TitleModel]]] = [{} for _ in communes]
    for cycle, cycle_cases in zip(CYCLES, per_cycle, strict=True):
        for index, count in enumerate(allocate(cycle_cases, weights)):
            result[index][cycle] = Counter(rng.choices(_MODELS, _MODEL_WEIGHTS, k=count))
    return result


def pool_sizes(wanted: dict[int, Counter[TitleModel]]) -> tuple[int, int, int]:
    """(adults, households, learning units) a commune needs: not everyone files every year."""

    def most(model: TitleModel) -> int:
        return max(counts[model] for counts in wanted.values())

    adults = math.ceil(most(TitleModel.LEARNING_CITIZEN) * 1.3) + 2
    households = math.ceil(most(TitleModel.LEARNING_FAMILY) * 1.3) + 1
    orgs = max(1, math.ceil(most(TitleModel.LEARNING_UNIT) * 1.25))
    return adults, households, orgs


def _statuses(cycle: int, count: int, rng: random.Random) -> list[CaseStatus]:
    weights = STATUS_WEIGHTS[cycle]
    every = list(weights)[:count]
    drawn = rng.choices(list(weights), list(weights.values()), k=count - len(every))
    statuses = every + drawn
    rng.shuffle(statuses)
    return statuses


def _person(resident: ResidentPlan, employers: dict[UUID, str]) -> Subject:
    return Subject(
        resident.id,
        SubjectKind.PERSON,
        resident.village.id,
        resident.target_group,
        frozenset({resident.id, resident.household_id}),
        resident.account,
        resident.village,
        employers.get(resident.org_id) if resident.org_id else None,
    )


def _household(household: HouseholdPlan) -> Subject:
    return Subject(
        household.id,
        SubjectKind.HOUSEHOLD,
        household.village.id,
        None,
        frozenset({household.id}),
        household.head.account,
        household.village,
        None,
    )


def _organisation(org: OrgPlan) -> Subject:
    unit = org.commune.unit
    return Subject(
        org.id, SubjectKind.ORGANISATION, unit.id, None, frozenset({org.id}), None, None, org.name
    )


def plan_cases(
    province: Province,
    registries: list[CommuneRegistry],
    wanted: list[dict[int, Counter[TitleModel]]],
    staff: ProvinceStaff,
    rng: random.Random,
    profile: Profile | None = None,
) -> list[CaseGroup]:
    """The province's cases, grouped by the authority that decides them and the cycle.

    With a ``profile``, the Công dân học tập cases of the cycle it simulates are split among
    target groups in its registration shares, and their outcomes give its rates
    (:func:`shape_outcomes`).
    """
    groups: dict[tuple[UUID, int], CaseGroup] = {}
    for cycle in CYCLES:
        total = sum(w[cycle].total() for w in wanted)
        statuses = _statuses(cycle, total, rng)
        for registry, counts in zip(registries, wanted, strict=True):
            commune = registry.commune
            employers = {org.id: org.name for org in registry.orgs}
            before_reform = cycle == CYCLES[0]
            handler = staff.by_unit[(commune.unit if before_reform else commune.successor).id]
            subjects = {
                TitleModel.LEARNING_CITIZEN: [_person(a, employers) for a in registry.adults],
                TitleModel.LEARNING_FAMILY: [_household(h) for h in registry.households],
                TitleModel.LEARNING_UNIT: [_organisation(o) for o in registry.orgs],
            }
            for model in _MODELS:
                if model is TitleModel.LEARNING_UNIT:
                    authority = (
                        staff.by_unit[commune.district.id] if before_reform else staff.province
                    )
                else:
                    authority = handler
                group = groups.setdefault((authority.unit.id, cycle), CaseGroup(authority, cycle))
                wanted_count = counts[cycle][model]
                if (
                    profile is not None
                    and cycle == profile.simulated_cycle
                    and model is TitleModel.LEARNING_CITIZEN
                ):
                    chosen = _by_group(subjects[model], wanted_count, profile.weights, rng)
                else:
                    chosen = rng.sample(subjects[model], wanted_count)
                for subject in chosen:
                    group.cases.append(CasePlan(subject, model, cycle, statuses.pop(), handler))
    result = list(groups.values())
    if profile is not None:
        shape_outcomes(result, profile)
    return result


def _by_group(
    subjects: list[Subject],
    count: int,
    weights: tuple[tuple[str, int], ...],
    rng: random.Random,
) -> list[Subject]:
    """``count`` subjects, split among target groups in proportion to ``weights`` as far as
    each group has people; any shortfall is taken from the others."""
    shares = allocate(count, [w for _, w in weights])
    chosen: list[Subject] = []
    for (code, _), share in zip(weights, shares, strict=True):
        pool = [s for s in subjects if s.target_group == code]
        chosen += rng.sample(pool, min(share, len(pool)))
    taken = {s.id for s in chosen}
    rest = [s for s in subjects if s.id not in taken]
    chosen += rng.sample(rest, count - len(chosen))
    return chosen


def shape_outcomes(groups: list[CaseGroup], profile: Profile) -> None:
    """In the simulated cycle, grant exactly ``round(rate × registered)`` Công dân học tập
    cases of each target group (registered: not withdrawn), the rest refused or still in
    progress as drawn; these outcomes are fixed, so no appeal changes them."""
    by_group: dict[str, list[CasePlan]] = {}
    for case_group in groups:
        if case_group.cycle != profile.simulated_cycle:
            continue
        for plan in case_group.cases:
            code = plan.subject.target_group
            if plan.model is TitleModel.LEARNING_CITIZEN and profile.rate(code) is not None:
                by_group.setdefault(code or "", []).append(plan)
    for code, plans in by_group.items():
        rate = profile.rate(code)
        assert rate is not None
        registered = [p for p in plans if p.status is not S.WITHDRAWN]
        granted = int((rate * len(registered) / 100).quantize(Decimal(1), ROUND_HALF_UP))
        for index, plan in enumerate(registered):
            plan.fixed = True
            if index < granted:
                plan.status = S.GRANTED
            elif plan.status is S.GRANTED:
                plan.status = S.REFUSED


def plan_appeals(groups: list[CaseGroup], rng: random.Random) -> None:
    """Choose which decided cases of one province are complained about or revoked."""
    for cycle in CYCLES:
        weights = APPEAL_WEIGHTS[cycle]
        owed = list(weights)  # kinds not yet given in this cycle of this province
        revocation_owed = cycle != CYCLES[-1]
        for group in groups:
            if group.cycle != cycle:
                continue
            allowed = [
                a
                for a in weights
                if group.authority.unit.level is not UnitLevel.PROVINCE or a not in _SECOND
            ]
            for plan in group.cases:
                if plan.status is S.REFUSED:
                    kinds = [a for a in allowed if a not in _GRANTING] if plan.fixed else allowed
                    plan.appeal = _complaint(owed, kinds, weights, rng)
                elif plan.fixed:
                    continue
                elif plan.status is S.GRANTED and revocation_owed:
                    revocation_owed = False
                    plan.appeal = Appeal.REVOKED
                elif plan.status is S.GRANTED and cycle != CYCLES[-1]:
                    plan.appeal = Appeal.REVOKED if rng.random() < REVOCATION_RATE else None


def _complaint(
    owed: list[Appeal], allowed: list[Appeal], weights: dict[Appeal, int], rng: random.Random
) -> Appeal | None:
    """The next kind still owed in this cycle, else a drawn one (or none) for a refusal."""
    for appeal in owed:
        if appeal in allowed:
            owed.remove(appeal)
            return appeal
    if rng.random() >= COMPLAINT_RATE:
        return None
    return rng.choices(allowed, [weights[a] for a in allowed])[0]
