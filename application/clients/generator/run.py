"""Generate a province-sized data set: plan everything from one seed, then build and save it.

Planning draws every random choice in a fixed order, so the same seed and scale give the same
aggregates, ids and number of events. Ids of persons, and so of their cases, derive from the
keyed hash of their CCCD: they are the same across stores that share the look-up secret.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

from application.clients.generator.appeals import AppealRunner, Authorities
from application.clients.generator.batches import Batches, Progress
from application.clients.generator.cases import CaseRunner, Specs
from application.clients.generator.geography import Province, build_province
from application.clients.generator.names import Names
from application.clients.generator.plan import (
    GENERATED_UNTIL,
    CaseGroup,
    demand,
    plan_appeals,
    plan_cases,
    pool_sizes,
)
from application.clients.generator.profile import Profile
from application.clients.generator.registry import CommuneRegistry, RegistryPlanner, build_registry
from application.clients.generator.scoring import EvidenceFiles
from application.clients.generator.staff import ProvinceStaff, plan_staff
from application.ledger import Ledger
from domain.base import CommandContext, acting
from domain.errors import InvalidInput, RuleViolation
from domain.glossary import CaseStatus, ComplaintStatus, Role
from domain.registry import AdministrativeUnit, unit_id_for
from domain.rules import COMPLAINT_CLOCKS

#: Cases per province before another province is added (34 at most, as since 2025-07-01).
CASES_PER_PROVINCE = 30_000
#: Cases a commune files over the three cycles, on average.
CASES_PER_COMMUNE = 120


@dataclass(frozen=True)
class GenerationSummary:
    seed: int
    scale: int
    provinces: int
    districts: int
    communes: int  # before the 2025 reform
    new_communes: int  # established by the mergers of 2025-07-01
    villages: int
    persons: int
    households: int
    clans: int
    organisations: int
    users: int
    cases_by_status: dict[str, int]
    decisions: int  # first decisions and amending ones
    amending_decisions: int  # granting on appeal, or revoking
    complaints_by_status: dict[str, int]  # first and second complaints, where they stand
    second_complaints: int
    lawsuits: int
    evidence_files: int
    events: int
    #: (role, username) of one account per role, to sign in with (``examples``).
    sample_users: tuple[tuple[str, str], ...] = ()

    @property
    def units(self) -> int:
        return self.provinces + self.districts + self.communes + self.new_communes + self.villages

    @property
    def collectives(self) -> int:
        return self.households + self.clans + self.organisations

    @property
    def cases(self) -> int:
        return sum(self.cases_by_status.values())

    @property
    def complaints(self) -> int:
        return sum(self.complaints_by_status.values())


@dataclass(slots=True)
class ProvincePlan:
    province: Province
    registries: list[CommuneRegistry]
    staff: ProvinceStaff
    groups: list[CaseGroup] = field(default_factory=list)

    @property
    def aggregates(self) -> int:
        subjects = sum(sum(r.size) for r in self.registries)
        cases = sum(len(g.cases) for g in self.groups)
        decisions = sum(g.decisions for g in self.groups)
        complaints = sum(g.complaints for g in self.groups)
        people = subjects + len(self.staff.users())
        return len(self.province.units()) + people + cases + decisions + complaints


def generate(
    ledger: Ledger,
    scale: int,
    seed: int = 2025,
    progress: Progress | None = None,
    profile: Profile | None = None,
    *,
    province: int | None = None,
) -> GenerationSummary:
    """Generate about ``scale`` assessment cases, with their provinces, people and decisions.

    The cases are spread over provinces MP01, MP02, ... (up to 34, by scale); with
    ``province`` (1 to 99: a provincial store's own code), all of them go to the one province
    of that number, so that stores generated for different provinces hold different units,
    people and accounts, as real provinces do.

    With a ``profile`` (a province's published year, :mod:`.profile`), adults are drawn into
    target groups in its registration shares, and the cycle it simulates reproduces its
    per-group registrations and recognition rates.

    Refuses a store that already holds generated data, and a clock that has not reached the
    last generated day. ``progress(done, total)`` is called as batches of aggregates are saved.
    """
    if scale < 1:
        raise InvalidInput("quy mô phải là số nguyên dương", field="scale")
    if ledger.records.today() < GENERATED_UNTIL:
        raise RuleViolation(
            "dữ liệu sinh có ngày đến hết " + GENERATED_UNTIL.isoformat() + ": đồng hồ chưa tới",
            today=ledger.records.today().isoformat(),
        )
    if province is not None and not 1 <= province <= 99:
        raise InvalidInput("số tỉnh phải từ 1 đến 99", field="province")
    numbered = (
        [(province, scale)]
        if province is not None
        else list(enumerate(_province_cases(scale), start=1))
    )
    first = f"MP{numbered[0][0]:02d}"
    if ledger.records.find(AdministrativeUnit, unit_id_for(first)) is not None:
        raise RuleViolation(f"kho đã có dữ liệu mô phỏng (tỉnh {first})")
    system = CommandContext("system:generator", Role.ADMINISTRATOR.value, f"sinh-{seed}")
    specs = _publish_criteria(ledger, system)
    clocks = ledger.criteria.latest_rules(COMPLAINT_CLOCKS)
    if clocks is None:
        raise RuleViolation("chưa công bố thời hạn khiếu nại")
    rng = random.Random(seed)
    names = Names(rng)
    plans = [
        _plan_province(ledger, number, cases, names, rng, system, profile)
        for number, cases in numbered
    ]
    batches = Batches(ledger, sum(p.aggregates for p in plans), progress)
    appeals = AppealRunner(clocks, ledger.vault, rng, seed, Counter())
    runner = CaseRunner(specs, EvidenceFiles(ledger.blobs, rng), {}, rng, seed, appeals)
    for plan in plans:
        batches.add(*plan.province.units())
        with acting(system):
            for registry in plan.registries:
                batches.add(*build_registry(registry, ledger.vault))
            batches.add(*(user.build() for user in plan.staff.users()))
        runner.circles = appeals.circles = plan.staff.circles()
        appeals.authorities = Authorities(plan.province, plan.staff)
        for group in plan.groups:
            for save in runner.run_group(group):
                batches.add(*save)
    batches.flush()
    return _summary(ledger, plans, runner, seed, scale)


def _province_cases(scale: int) -> list[int]:
    count = min(34, 1 + scale // CASES_PER_PROVINCE)
    base, extra = divmod(scale, count)
    return [base + (1 if i < extra else 0) for i in range(count)]


def _publish_criteria(ledger: Ledger, system: CommandContext) -> Specs:
    """The seed sets (the illustrative family, clan and community sets among them),
    published unless already listed."""
    ledger.criteria.load_seed_criteria(system)
    catalogue = ledger.criteria.catalogue()
    if catalogue is None:
        raise RuleViolation("không công bố được bộ tiêu chí")
    sets = {e.set_id: ledger.criteria.criteria_set(e.set_id) for e in catalogue.entries}
    return Specs(catalogue, sets)


def _plan_province(
    ledger: Ledger,
    number: int,
    cases: int,
    names: Names,
    rng: random.Random,
    system: CommandContext,
    profile: Profile | None = None,
) -> ProvincePlan:
    communes = max(4, round(cases / CASES_PER_COMMUNE))
    with acting(system):
        province = build_province(number, communes, names, rng)
    wanted = demand(cases, province.communes, rng)
    if profile is None:
        planner = RegistryPlanner(ledger.vault, names, rng, province.cccd_prefix)
    else:
        planner = RegistryPlanner(ledger.vault, names, rng, province.cccd_prefix, profile.weights)
    registries = [
        planner.plan(commune, *pool_sizes(commune_wants))
        for commune, commune_wants in zip(province.communes, wanted, strict=True)
    ]
    staff = plan_staff(province, registries, rng)
    plan = ProvincePlan(province, registries, staff)
    plan.groups = plan_cases(province, registries, wanted, staff, rng, profile)
    plan_appeals(plan.groups, rng)
    return plan


def _summary(
    ledger: Ledger,
    plans: list[ProvincePlan],
    runner: CaseRunner,
    seed: int,
    scale: int,
) -> GenerationSummary:
    registries = [r for p in plans for r in p.registries]
    statuses: Counter[CaseStatus] = runner.statuses
    complaints = runner.appeals.complaints
    complaint_statuses = Counter(c.status for c in complaints)
    return GenerationSummary(
        seed=seed,
        scale=scale,
        provinces=len(plans),
        districts=sum(len(p.province.districts) for p in plans),
        communes=sum(len(p.province.communes) for p in plans),
        new_communes=sum(len(p.province.new_communes) for p in plans),
        villages=sum(len(c.villages) for p in plans for c in p.province.communes),
        persons=sum(r.size[0] for r in registries),
        households=sum(len(r.households) for r in registries),
        clans=sum(len(r.clans) for r in registries),
        organisations=sum(len(r.orgs) for r in registries),
        users=sum(len(p.staff.users()) for p in plans),
        cases_by_status={s.value: statuses[s] for s in CaseStatus},
        decisions=runner.decisions + runner.appeals.amending_decisions,
        amending_decisions=runner.appeals.amending_decisions,
        complaints_by_status={s.value: complaint_statuses[s] for s in ComplaintStatus},
        second_complaints=sum(1 for c in complaints if c.level == 2),
        lawsuits=sum(1 for c in complaints if c.lawsuit is not None),
        evidence_files=runner.evidence.count,
        events=ledger.store.recorder.max_notification_id() or 0,
        sample_users=tuple(
            (u.role.value, u.username) for p in plans[:1] for u in p.staff.examples()
        ),
    )
