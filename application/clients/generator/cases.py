"""Run each planned case through the domain's own commands, up to the status it is meant to
reach, and issue one decision for the cases an authority decides in a cycle.

Every step acts as the user who does it in real life (the applicant or the village officer
files, the reviewer reviews, the chair forms the council, a council member records the
appraisal, the chair signs), on dates in order and never after the last generated day.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

from application.clients.generator.appeals import AppealRunner, Decided, Save
from application.clients.generator.plan import Appeal, CaseGroup, CasePlan
from application.clients.generator.scoring import (
    EvidenceFiles,
    failing_scores,
    passing_scores,
    self_scores,
)
from application.clients.generator.staff import Staff, UserPlan
from domain.assessment import AssessmentCase
from domain.base import CommandContext, acting, ledger_id
from domain.criteria import CatalogueEntry, CriteriaCatalogue, CriteriaSet, CriteriaSpec
from domain.decision import RecognitionDecision, Ruling, issue_decision
from domain.glossary import (
    CaseStatus,
    DecisionOutcome,
    IndicatorKind,
    Role,
    SubjectKind,
    TitleModel,
)
from domain.scoring import CouncilSeat

S = CaseStatus
STEPS = (
    S.OPENED,
    S.SELF_ASSESSED,
    S.REVIEWED,
    S.NOTICE_POSTED,
    S.NOTICE_CLOSED,
    S.COUNCIL_FORMED,
    S.APPRAISED,
)
#: (first day, days) over which the cases of a cycle are opened.
OPENING = {
    2024: (date(2025, 1, 6), 25),
    2025: (date(2025, 12, 1), 45),
    2026: (date(2026, 8, 3), 25),
}
_WITHDRAWN = (
    "Chuyển nơi cư trú trong năm đánh giá",
    "Tự nguyện rút đăng ký để hoàn thiện minh chứng năm sau",
    "Không bổ sung được hồ sơ theo yêu cầu",
)
_REFUSED_DESPITE_RECOMMENDATION = "Có ý kiến phản ánh về minh chứng chưa được xác minh xong"
_CONFLICTS = {
    SubjectKind.PERSON: "Là chính người được đánh giá",
    SubjectKind.HOUSEHOLD: "Là thành viên của hộ được đánh giá",
    SubjectKind.ORGANISATION: "Là cán bộ, nhân viên của đơn vị được đánh giá",
}


class Specs:
    """The criteria set in force for a case, read once per set from the published catalogue."""

    def __init__(self, catalogue: CriteriaCatalogue, sets: dict[UUID, CriteriaSet]) -> None:
        self.catalogue = catalogue
        self._sets = sets
        self._specs: dict[UUID, CriteriaSpec] = {}

    def in_force(self, model: TitleModel, group: str | None, on: date) -> CriteriaSpec:
        entry: CatalogueEntry = self.catalogue.in_force(model, group, None, on)
        spec = self._specs.get(entry.set_id)
        if spec is None:
            spec = self._specs[entry.set_id] = self._sets[entry.set_id].spec
        return spec


@dataclass(slots=True)
class Outcome:
    """Where the plan takes a case: how good its scores are and what the council says."""

    stop: CaseStatus
    passing: bool
    recommended: bool
    refusal: str | None = None  # the signer's reason to refuse a recommended case
    near_miss: bool = False  # failing by little: a complaint can show it should have passed


def _ctx(user: UserPlan, correlation: str) -> CommandContext:
    return CommandContext(str(user.id), user.role.value, correlation)


class CaseRunner:
    def __init__(
        self,
        specs: Specs,
        evidence: EvidenceFiles,
        circles: dict[UUID, set[UUID]],
        rng: random.Random,
        seed: int,
        appeals: AppealRunner,
    ) -> None:
        self.specs, self.evidence, self.circles, self.rng = specs, evidence, circles, rng
        self.seed, self.appeals = seed, appeals
        self.statuses: Counter[CaseStatus] = Counter()
        self.decisions = 0
        self._numbers: Counter[UUID] = appeals.numbers

    def run_group(self, group: CaseGroup) -> list[Save]:
        """What to save, in order: the group's cases with their decision, if it decides any
        (after the cases, so that views meet each case before its decision), then what
        follows each decision: complaints, reopened cases, amending decisions."""
        cases: list[AssessmentCase] = []
        decided: list[tuple[CasePlan, Ruling]] = []
        for plan in group.cases:
            case, ruling = self._run(plan, group.authority)
            cases.append(case)
            if ruling is not None:
                decided.append((plan, ruling))
        saves: list[Save] = [tuple(cases)]
        if decided:
            decision = self._decide(group, decided)
            self.decisions += 1
            saves = [(*cases, decision)]
            for plan, ruling in decided:
                saves += self.appeals.run(Decided(plan, ruling, decision, group.authority))
        self.statuses.update(case.status for case in cases)
        return saves

    def _outcome(self, plan: CasePlan) -> Outcome:
        rng = self.rng
        if plan.status is S.GRANTED:
            return Outcome(S.APPRAISED, passing=True, recommended=True)
        if plan.status is S.REFUSED and plan.appeal in (Appeal.UPHELD, Appeal.SECOND_UPHELD):
            return Outcome(S.APPRAISED, passing=False, recommended=False, near_miss=True)
        if plan.status is S.REFUSED:
            draw = rng.random()
            if draw < 0.7:
                return Outcome(S.APPRAISED, passing=False, recommended=False)
            refusal = _REFUSED_DESPITE_RECOMMENDATION if draw >= 0.85 else None
            return Outcome(S.APPRAISED, True, recommended=refusal is not None, refusal=refusal)
        passing = rng.random() < 0.85
        stop = rng.choice(STEPS) if plan.status is S.WITHDRAWN else plan.status
        return Outcome(stop, passing, recommended=passing and rng.random() < 0.92)

    def _run(self, plan: CasePlan, authority: Staff) -> tuple[AssessmentCase, Ruling | None]:
        rng = self.rng
        subject = plan.subject
        first, days = OPENING[plan.cycle]
        opened_on = first + timedelta(days=rng.randrange(days))
        spec = self.specs.in_force(plan.model, subject.target_group, opened_on)
        outcome = self._outcome(plan)
        reached = STEPS.index(outcome.stop)
        notice = (
            spec.rules.public_notice_required
            or outcome.stop in (S.NOTICE_POSTED, S.NOTICE_CLOSED)
            or rng.random() < 0.15
        )
        correlation = f"sinh-{self.seed}:{subject.id}:{plan.cycle}"
        filer = self._filer(plan, correlation)
        final = (
            passing_scores(spec, rng)
            if outcome.passing
            else failing_scores(spec, rng, near_miss=outcome.near_miss)
        )
        with acting(filer):
            case = AssessmentCase.open(
                subject_id=subject.id,
                subject_kind=subject.kind,
                unit_id=subject.unit_id,
                model=plan.model,
                cycle_year=plan.cycle,
                spec=spec,
                opened_on=opened_on,
            )
            day = opened_on + timedelta(days=rng.randint(0, 3))
            for number, file in enumerate(self.evidence.for_case(plan, spec)):
                case.attach_evidence(
                    evidence_id=ledger_id("generated-evidence", case.id, number),
                    digest=file.digest,
                    size=file.size,
                    media_type=file.media_type,
                    kind=file.kind,
                    issuer=file.issuer,
                    issued_on=file.issued_on,
                    indicators=file.indicators,
                    spec=spec,
                    on=day,
                )
            if reached >= STEPS.index(S.SELF_ASSESSED):
                day += timedelta(days=rng.randint(1, 10))
                case.self_assess(self_scores(spec, final, rng), spec, day)
        if reached >= STEPS.index(S.REVIEWED):
            day = self._review(case, spec, final, authority.reviewer, outcome, correlation, day)
        if notice and reached >= STEPS.index(S.NOTICE_POSTED):
            day = self._notice(case, plan, spec, reached, correlation, day)
        if reached >= STEPS.index(S.COUNCIL_FORMED):
            day = self._council(case, plan, spec, authority, outcome, correlation, day)
        if plan.status is S.WITHDRAWN:
            with acting(filer):
                case.withdraw(rng.choice(_WITHDRAWN), day + timedelta(days=rng.randint(1, 14)))
        if plan.status not in (S.GRANTED, S.REFUSED):
            return case, None
        outcome_code = (
            DecisionOutcome.GRANTED if plan.status is S.GRANTED else DecisionOutcome.REFUSED
        )
        return case, Ruling(case, spec, outcome_code, outcome.refusal)

    def _filer(self, plan: CasePlan, correlation: str) -> CommandContext:
        """The applicant's own citizen account, else the officer who files for them."""
        account = plan.subject.account
        if account is not None:
            return CommandContext(str(account), Role.CITIZEN.value, correlation)
        return _ctx(plan.handler.filer(plan.model), correlation)

    def _review(
        self,
        case: AssessmentCase,
        spec: CriteriaSpec,
        scores: dict[str, Decimal],
        reviewer: UserPlan,
        outcome: Outcome,
        correlation: str,
        day: date,
    ) -> date:
        rng = self.rng
        day += timedelta(days=rng.randint(3, 10))
        with acting(_ctx(reviewer, correlation)):
            remarks = "Hồ sơ đầy đủ minh chứng" if outcome.passing else "Chưa đạt ngưỡng"
            case.review(scores, list(case.active_evidence), spec, day, remarks)
            raisable = [
                i
                for i in spec.indicators
                if i.kind is IndicatorKind.POINTS and scores[i.code] < i.max_points
            ]
            if outcome.passing and raisable and rng.random() < 0.05:
                indicator = rng.choice(raisable)
                day += timedelta(days=rng.randint(0, 3))
                case.revise_score(
                    indicator.code,
                    min(indicator.max_points, scores[indicator.code] + 1),
                    "Đối chiếu lại minh chứng theo ý kiến của trưởng thôn",
                    spec,
                    day,
                )
        return day

    def _notice(
        self,
        case: AssessmentCase,
        plan: CasePlan,
        spec: CriteriaSpec,
        reached: int,
        correlation: str,
        day: date,
    ) -> date:
        rng = self.rng
        officer = plan.handler.commune_officer
        village = plan.subject.village
        place = (
            f"Nhà văn hóa {village.name}" if village else f"Trụ sở {plan.handler.authority_name}"
        )
        posted_on = day + timedelta(days=rng.randint(1, 3))
        closes_on = posted_on + timedelta(days=spec.rules.notice_days or 7)
        with acting(_ctx(officer, correlation)):
            case.post_notice(posted_on, closes_on, place, spec)
            if reached < STEPS.index(S.NOTICE_CLOSED):
                return posted_on
            comments = rng.choice((0, 0, 0, 1, 2))
            summary = f"Nhận {comments} ý kiến, đã xem xét" if comments else "Không có ý kiến"
            closed_on = closes_on + timedelta(days=rng.randint(0, 2))
            case.close_notice(closed_on, comments, summary)
        return closed_on

    def _council(
        self,
        case: AssessmentCase,
        plan: CasePlan,
        spec: CriteriaSpec,
        authority: Staff,
        outcome: Outcome,
        correlation: str,
        day: date,
    ) -> date:
        rng = self.rng
        seats = [
            CouncilSeat(str(user.id), role, self._conflict(user, plan))
            for user, role in zip(authority.council, ("chair", "member", "secretary"), strict=True)
        ]
        day += timedelta(days=rng.randint(1, 5))
        name = (
            f"Hội đồng xét công nhận danh hiệu học tập năm {plan.cycle}, {authority.authority_name}"
        )
        conflicted = {seat.user_id for seat in seats if seat.conflict}
        with acting(_ctx(authority.signer, correlation)):
            case.form_council(name, seats, day, spec, conflicted)
        if outcome.stop is S.COUNCIL_FORMED:
            return day
        voting = [seat for seat in seats if not seat.conflict]
        appraiser = next(u for u in authority.council if str(u.id) == voting[0].user_id)
        against = 1 if len(voting) == 3 and rng.random() < 0.2 else 0
        votes_for, votes_against = len(voting) - against, against
        if not outcome.recommended:
            votes_for, votes_against = votes_against, votes_for
        day += timedelta(days=rng.randint(1, 6))
        with acting(_ctx(appraiser, correlation)):
            case.appraise(
                recommended=outcome.recommended,
                votes_for=votes_for,
                votes_against=votes_against,
                remarks="Đề nghị công nhận" if outcome.recommended else "Không đề nghị công nhận",
                spec=spec,
                on=day,
                actor_conflicted=bool(self.circles.get(appraiser.id, set()) & plan.subject.circle),
            )
        return day

    def _conflict(self, user: UserPlan, plan: CasePlan) -> str | None:
        """Why a council member may not vote on this subject, if they may not."""
        related = self.circles.get(user.id, set()) & plan.subject.circle
        if not related:
            return None
        if plan.subject.id in related:
            return _CONFLICTS[plan.subject.kind]
        return "Là người cùng hộ gia đình với người được đánh giá"

    def _decide(
        self, group: CaseGroup, decided: list[tuple[CasePlan, Ruling]]
    ) -> RecognitionDecision:
        authority = group.authority
        unit = authority.unit
        rulings = [ruling for _, ruling in decided]
        last_appraisal = max(r.case.step_dates[S.APPRAISED] for r in rulings)
        decided_on = last_appraisal + timedelta(days=self.rng.randint(2, 10))
        if unit.valid_to is not None:
            decided_on = min(decided_on, unit.valid_to)
        self._numbers[unit.id] += 1
        number = f"{100 * self._numbers[unit.id] + self.rng.randint(1, 99)}/QĐ-UBND"
        bases = dict.fromkeys(r.spec.legal_basis for r in rulings)
        signer = authority.signer
        signer_circle = self.circles.get(signer.id, set())
        with acting(_ctx(signer, f"sinh-{self.seed}:{unit.code}:{group.cycle}")):
            return issue_decision(
                number=number,
                decided_on=decided_on,
                signer_id=str(signer.id),
                signer_title=f"Chủ tịch {authority.authority_name}",
                authority_name=authority.authority_name,
                authority_unit=unit,
                legal_basis="; ".join(bases),
                rulings=rulings,
                signer_conflicts={
                    p.subject.id for p, _ in decided if p.subject.circle & signer_circle
                },
            )
