"""What happens after a generated decision: complaints (Law on Complaints 2011) and revocations.

Each complaint is filed within the legal period computed from the published clock rules
(``application/seed/complaint-clocks-2011.json``), accepted and resolved by the complaint
handler of the authority that decided, and, when upheld, reopens the case: the reviewer
revises the scores citing the complaint and the authority issues a decision amending the
first one. Second complaints go to the level above; a few end in a lawsuit. Every step acts
as the person who does it, on dates in order, and never after the last generated day (steps
that would fall later are simply not taken yet).

Authorities change on 2025-07-01: a merged commune's successor and, for a district, the
province act for them from then on (:class:`Authorities`).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.adapters.vault import PersonalDataVault
from application.clients.generator.geography import Province
from application.clients.generator.plan import GENERATED_UNTIL, Appeal, CasePlan
from application.clients.generator.scoring import appeal_revision
from application.clients.generator.staff import ProvinceStaff, Staff, UserPlan
from domain.assessment import AssessmentCase
from domain.base import CommandContext, acting, ledger_id
from domain.clocks import FILING, deadline
from domain.complaints import Complaint
from domain.decision import RecognitionDecision, Ruling, issue_decision
from domain.glossary import ComplaintOutcome, DecisionOutcome, Role, UnitLevel
from domain.registry import TWO_LEVEL_GOVERNMENT_FROM
from domain.rules import RuleDocument

Save = tuple[Aggregate, ...]

_GROUNDS = (
    "Minh chứng về {indicator} đã nộp đầy đủ nhưng không được tính điểm",
    "Điểm thẩm định chỉ số {indicator} thấp hơn kết quả thực tế, đề nghị xem xét lại",
    "Hội đồng chưa xem xét giấy xác nhận bổ sung cho chỉ số {indicator}",
)
_NOT_ACCEPTED = (
    "Đơn khiếu nại không có chữ ký của người khiếu nại, đã hướng dẫn nhưng không bổ sung",
    "Người khiếu nại đã rút đơn trước khi thụ lý",
    "Việc khiếu nại đã có quyết định giải quyết có hiệu lực theo đơn trước",
)
_REVOKED = (
    "Kết quả kiểm tra: giấy xác nhận minh chứng không đúng sự thật",
    "Đối tượng không còn đủ điều kiện: vi phạm pháp luật trong năm đánh giá",
    "Hồ sơ kê khai trùng với hồ sơ được công nhận tại đơn vị khác",
)


class Authorities:
    """Who acts for a deciding authority on a given day, and who is above it."""

    def __init__(self, province: Province, staff: ProvinceStaff) -> None:
        self.province = staff.province
        self._successor: dict[UUID, Staff] = {}
        self._district: dict[UUID, Staff] = {}
        for commune in province.communes:
            self._successor[commune.unit.id] = staff.by_unit[commune.successor.id]
            self._district[commune.unit.id] = staff.by_unit[commune.district.id]
        for district in province.districts:
            self._successor[district.id] = staff.province

    def on(self, staff: Staff, day: date) -> Staff:
        """``staff``, or whoever carries on for its unit once that unit has ended."""
        unit = staff.unit
        ended = unit.valid_to is not None and day > unit.valid_to
        if ended or (unit.level is UnitLevel.DISTRICT and day >= TWO_LEVEL_GOVERNMENT_FROM):
            return self.on(self._successor[unit.id], day)
        return staff

    def above(self, staff: Staff, day: date) -> Staff:
        """Who resolves second complaints: the district before the reform, then the province."""
        current = self.on(staff, day)
        district = self._district.get(current.unit.id)
        if district is not None and day < TWO_LEVEL_GOVERNMENT_FROM:
            return district
        return self.province


@dataclass(frozen=True)
class Decided:
    """A case as its first decision left it."""

    plan: CasePlan
    ruling: Ruling
    decision: RecognitionDecision
    authority: Staff

    @property
    def case(self) -> AssessmentCase:
        return self.ruling.case


class AppealRunner:
    """Runs each decided case's planned appeal; counts what it made."""

    def __init__(
        self,
        rules: RuleDocument,
        vault: PersonalDataVault,
        rng: random.Random,
        seed: int,
        numbers: Counter[UUID],
    ) -> None:
        self.clocks, self.rules_id = rules.clocks, rules.id
        self.vault, self.rng, self.seed, self.numbers = vault, rng, seed, numbers
        self.authorities: Authorities | None = None  # set for each province
        self.circles: dict[UUID, set[UUID]] = {}
        self.complaints: list[Complaint] = []
        self.amending_decisions = 0

    def run(self, decided: Decided) -> list[Save]:
        """The saves, in order, of what follows the decision (nothing without an appeal)."""
        appeal = decided.plan.appeal
        if appeal is None:
            return []
        if appeal is Appeal.REVOKED:
            return [self._revoke(decided)]
        saves: list[Save] = []
        self._complain(decided, appeal, saves)
        return saves

    @property
    def _authorities(self) -> Authorities:
        if self.authorities is None:
            raise RuntimeError("AppealRunner.authorities must be set for the province")
        return self.authorities

    # --- complaints ---------------------------------------------------------------------

    def _complain(self, decided: Decided, appeal: Appeal, saves: list[Save]) -> None:
        rng = self.rng
        first = self._file(decided, appeal, saves)
        if appeal is Appeal.AWAITING_ACCEPTANCE:
            return
        if appeal is Appeal.NOT_ACCEPTED:
            self._refuse(decided, first, saves)
            return
        if not self._accept(decided, first, saves) or appeal is Appeal.AWAITING_RESOLUTION:
            return
        upheld = appeal is Appeal.UPHELD
        if not self._resolve(decided, first, upheld, saves):
            return
        if upheld:
            day = self._revise(decided, first, saves)
            self._amend(decided, day, saves)
        elif appeal is Appeal.LAWSUIT:
            self._lawsuit(decided, first, saves)
        elif appeal in (Appeal.SECOND_REJECTED, Appeal.SECOND_UPHELD):
            second = self._file(decided, appeal, saves, previous=first)
            upheld = appeal is Appeal.SECOND_UPHELD
            if not self._accept(decided, second, saves):
                return
            if not self._resolve(decided, second, upheld, saves):
                return
            if upheld:
                self._revise(decided, second, saves)
            elif rng.random() < 0.3:
                self._lawsuit(decided, second, saves)

    def _file(
        self,
        decided: Decided,
        appeal: Appeal,
        saves: list[Save],
        previous: Complaint | None = None,
    ) -> Complaint:
        """Receive a complaint within its legal period (and never after the last day)."""
        rng, case = self.rng, decided.case
        remote = previous.remote_area if previous else rng.random() < 0.1
        if previous is None:
            learnt_on = _until(decided.decision.decided_on + timedelta(days=rng.randint(0, 7)))
            period = FILING
        else:
            closed_on = previous.closed_on or previous.received_on
            learnt_on = _until(closed_on + _days(rng, 0, 5))
        if previous is None:
            last_day = deadline(self.clocks, period, learnt_on, remote=remote)
        else:  # the one rule of the second-filing period (a first is resolved here)
            window = previous.second_filing_window(self.clocks, learnt_on, remote=remote)
            assert window is not None, "a second complaint follows a resolved first"
            learnt_on, last_day = window
        received_on = min(last_day, learnt_on + _days(rng, 3, 45))
        if appeal is Appeal.AWAITING_ACCEPTANCE:
            received_on = GENERATED_UNTIL - _days(rng, 0, 9)
        elif appeal is Appeal.AWAITING_RESOLUTION:
            received_on = GENERATED_UNTIL - _days(rng, 15, 40)
        received_on = max(learnt_on, min(received_on, last_day, GENERATED_UNTIL))
        level = 2 if previous else 1
        filer = self._filer(decided, received_on, level)
        subject = decided.plan.subject
        indicator = rng.choice(decided.ruling.spec.indicators).name
        grounds = rng.choice(_GROUNDS).format(indicator=indicator.lower())
        with acting(filer):
            complaint = Complaint.receive(
                complaint_id=ledger_id("generated-complaint", case.id, level),
                rules=self.clocks,
                rules_id=self.rules_id,
                decision_id=decided.decision.id,
                case_ids=[case.id],
                unit_ids=[case.unit_id],
                step=None,
                complainant_id=subject.id,
                sealed_grounds=self.vault.seal(subject.id, {"grounds": grounds}),
                learnt_on=learnt_on,
                received_on=received_on,
                remote_area=remote,
                obstacles=[],
                attachments=[],
                previous=previous,
            )
            if previous is not None:
                previous.escalate(complaint)
        self.complaints.append(complaint)
        saves.append((complaint, previous) if previous else (complaint,))
        return complaint

    def _handler(self, decided: Decided, complaint: Complaint, day: date) -> UserPlan:
        """Who handles the complaint on ``day``: the deciding authority (or whoever carries
        on for it) for a first complaint, the level above it for a second one."""
        if complaint.level == 1:
            return self._authorities.on(decided.authority, day).complaint_handler
        return self._authorities.above(decided.authority, day).complaint_handler

    def _refuse(self, decided: Decided, complaint: Complaint, saves: list[Save]) -> None:
        day = complaint.received_on + _days(self.rng, 1, 10)
        if day > GENERATED_UNTIL:
            return
        handler = self._handler(decided, complaint, day)
        with acting(self._ctx(handler, decided, complaint.level)):
            complaint.refuse_to_accept(
                day, "Điều 11 Luật Khiếu nại 2011", self.rng.choice(_NOT_ACCEPTED)
            )
        saves.append((complaint,))

    def _accept(self, decided: Decided, complaint: Complaint, saves: list[Save]) -> bool:
        """Accept and assign the handler; False when that day has not come yet."""
        day = complaint.received_on + _days(self.rng, 1, 12)
        if day > GENERATED_UNTIL:
            return False
        handler = self._handler(decided, complaint, day)
        with acting(self._ctx(handler, decided, complaint.level)):
            complaint.accept(self.clocks, day, complex_case=self.rng.random() < 0.2)
            complaint.assign_handler(str(handler.id))
        saves.append((complaint,))
        return True

    def _resolve(
        self,
        decided: Decided,
        complaint: Complaint,
        upheld: bool,
        saves: list[Save],
    ) -> bool:
        """Resolve (a few late); an upheld complaint reopens the case in the same save.

        When the unit that accepted it has ended meanwhile (the 2025 reform), the handler of
        the unit carrying on takes the complaint over first."""
        rng = self.rng
        accepted_on = complaint.accepted_on or complaint.received_on
        day = accepted_on + _days(rng, 7, 28)
        if rng.random() < 0.1 and complaint.resolution_deadline is not None:
            day = complaint.resolution_deadline + _days(rng, 1, 10)
        if day > GENERATED_UNTIL:
            return False
        case = decided.case
        handler = self._handler(decided, complaint, day)
        with acting(self._ctx(handler, decided, complaint.level)):
            if complaint.handler_id != str(handler.id):
                complaint.assign_handler(str(handler.id))
            if upheld:
                reason = "Có căn cứ: minh chứng đã nộp chưa được xem xét đầy đủ"
                complaint.resolve(ComplaintOutcome.UPHELD, day, reason)
                case.reopen_on_appeal(complaint.id, day)
            else:
                reason = "Không có căn cứ: điểm thẩm định đúng với minh chứng đã nộp"
                complaint.resolve(ComplaintOutcome.REJECTED, day, reason)
        saves.append((complaint, case) if upheld else (complaint,))
        return True

    def _lawsuit(self, decided: Decided, complaint: Complaint, saves: list[Save]) -> None:
        day = (complaint.closed_on or complaint.received_on) + _days(self.rng, 5, 40)
        if day > GENERATED_UNTIL:
            return
        court = f"Tòa án nhân dân {self._authorities.province.unit.name.lower()}"
        with acting(self._filer(decided, day, complaint.level)):
            complaint.report_lawsuit(day, court)
        saves.append((complaint,))

    # --- after an upheld complaint, and revocations ----------------------------------------

    def _revise(self, decided: Decided, complaint: Complaint, saves: list[Save]) -> date:
        """The reviewer corrects the scores the complaint showed wrong, citing it."""
        case, spec = decided.case, decided.ruling.spec
        day = _until((complaint.closed_on or complaint.received_on) + _days(self.rng, 1, 7))
        reviewer = self._authorities.on(decided.authority, day).reviewer
        with acting(self._ctx(reviewer, decided, complaint.level)):
            for code, score in appeal_revision(spec, dict(case.final_scores)).items():
                case.revise_score(
                    code,
                    score,
                    f"Điều chỉnh theo kết quả giải quyết khiếu nại ngày {day.isoformat()}",
                    spec,
                    day,
                    complaint_id=complaint.id,
                )
        saves.append((case,))
        return day

    def _amend(self, decided: Decided, after: date, saves: list[Save]) -> None:
        """An amending decision grants the title the complaint showed was earned."""
        day = _until(after + _days(self.rng, 3, 15))
        ruling = Ruling(decided.case, decided.ruling.spec, DecisionOutcome.GRANTED)
        basis = f"Luật Khiếu nại 2011; {decided.ruling.spec.legal_basis}"
        saves.append(self._amending(decided, day, ruling, basis))

    def _revoke(self, decided: Decided) -> Save:
        day = _until(decided.decision.decided_on + _days(self.rng, 45, 240))
        reason = self.rng.choice(_REVOKED)
        ruling = Ruling(decided.case, decided.ruling.spec, DecisionOutcome.REVOKED, reason)
        return self._amending(decided, day, ruling, decided.ruling.spec.legal_basis)

    def _amending(self, decided: Decided, day: date, ruling: Ruling, basis: str) -> Save:
        authority = self._authorities.on(decided.authority, day)
        unit, signer = authority.unit, authority.signer
        self.numbers[unit.id] += 1
        number = f"{100 * self.numbers[unit.id] + self.rng.randint(1, 99)}/QĐ-UBND"
        circle = self.circles.get(signer.id, set())
        subject = decided.plan.subject
        with acting(self._ctx(signer, decided, 0)):
            amending = issue_decision(
                number=number,
                decided_on=day,
                signer_id=str(signer.id),
                signer_title=f"Chủ tịch {authority.authority_name}",
                authority_name=authority.authority_name,
                authority_unit=unit,
                legal_basis=basis,
                rulings=[ruling],
                signer_conflicts={subject.id} if subject.circle & circle else set(),
                amends=decided.decision,
            )
        self.amending_decisions += 1
        return (amending, decided.case)

    # --- who acts ---------------------------------------------------------------------------

    def _ctx(self, user: UserPlan, decided: Decided, level: int) -> CommandContext:
        plan = decided.plan
        correlation = f"sinh-{self.seed}:{plan.subject.id}:{plan.cycle}:kn{level}"
        return CommandContext(str(user.id), user.role.value, correlation)

    def _filer(self, decided: Decided, day: date, level: int) -> CommandContext:
        """The subject's citizen account, else the officer who receives the complaint."""
        plan = decided.plan
        account = plan.subject.account
        if account is not None:
            correlation = f"sinh-{self.seed}:{plan.subject.id}:{plan.cycle}:kn{level}"
            return CommandContext(str(account), Role.CITIZEN.value, correlation)
        officer = self._authorities.on(plan.handler, day).filer(plan.model)
        return self._ctx(officer, decided, level)


def _days(rng: random.Random, low: int, high: int) -> timedelta:
    return timedelta(days=rng.randint(low, high))


def _until(day: date) -> date:
    """No generated date falls after the last generated day."""
    return min(day, GENERATED_UNTIL)
