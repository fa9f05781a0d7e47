"""Complaints (khiếu nại) against a recognition decision, a refusal or an assessment step.

Every clock is computed from stored dates with :func:`domain.clocks.deadline`, under the
clock rules pinned when the complaint was received. A late filing is refused with the rule
and the computed deadline; the authority's own lateness is recorded, never hidden.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any
from uuid import UUID

from domain.base import LedgerAggregate, LedgerCreated, aggregate_topic, current_context
from domain.clocks import (
    ACCEPTANCE,
    FILING,
    FIRST_RESOLUTION,
    SECOND_FILING,
    SECOND_RESOLUTION,
    ClockRules,
    Obstacle,
    deadline,
)
from domain.dates import check_process_dates
from domain.errors import (
    DateOutOfOrder,
    InvalidInput,
    ReasonRequired,
    SameHandler,
    SeparationOfDuties,
    StepOutOfOrder,
    StepTooLate,
)
from domain.glossary import ComplaintOutcome, ComplaintStatus

C = ComplaintStatus


@aggregate_topic("hoctap.Complaint")
class Complaint(LedgerAggregate):
    class Received(LedgerCreated):
        TOPIC = "hoctap.Complaint.Received"
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Complaints received before their cases' units were recorded: unknown."""
            state["unit_ids"] = []

        level: int
        decision_id: UUID | None
        case_ids: list[UUID]
        unit_ids: list[UUID]  # since class_version 2: where the cases were opened
        step: str | None
        complainant_id: UUID
        sealed_grounds: str
        learnt_on: date
        received_on: date
        remote_area: bool
        obstacles: list[dict[str, Any]]
        attachments: list[dict[str, Any]]
        rules_id: UUID
        previous_complaint_id: UUID | None
        filing_deadline: date
        acceptance_deadline: date

    class Accepted(LedgerAggregate.Event):
        TOPIC = "hoctap.Complaint.Accepted"
        accepted_on: date
        complex_case: bool
        acceptance_deadline: date
        resolution_deadline: date

        def apply(self, complaint: Complaint) -> None:
            complaint.status = C.ACCEPTED
            complaint.accepted_on = self.accepted_on
            complaint.handled(self.actor_id)
            complaint.complex_case = self.complex_case
            complaint.resolution_deadline = self.resolution_deadline

    class NotAccepted(LedgerAggregate.Event):
        TOPIC = "hoctap.Complaint.NotAccepted"
        decided_on: date
        rule: str

        def apply(self, complaint: Complaint) -> None:
            complaint.status = C.NOT_ACCEPTED
            complaint.closed_on = self.decided_on
            complaint.handled(self.actor_id)

    class HandlerAssigned(LedgerAggregate.Event):
        TOPIC = "hoctap.Complaint.HandlerAssigned"
        handler_id: str

        def apply(self, complaint: Complaint) -> None:
            complaint.handler_id = self.handler_id
            complaint.handled(self.handler_id)

    class Resolved(LedgerAggregate.Event):
        TOPIC = "hoctap.Complaint.Resolved"
        outcome: str
        resolved_on: date
        late: bool

        def apply(self, complaint: Complaint) -> None:
            complaint.status = C.RESOLVED
            complaint.outcome = ComplaintOutcome(self.outcome)
            complaint.closed_on = self.resolved_on
            complaint.handled(self.actor_id)

    class Escalated(LedgerAggregate.Event):
        TOPIC = "hoctap.Complaint.Escalated"
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Escalated before the second's filing deadline was recorded on the first."""
            state["filing_deadline"] = None

        second_complaint_id: UUID
        filing_deadline: date | None  # since class_version 2: the second's, as applied

        def apply(self, complaint: Complaint) -> None:
            complaint.escalated_to = self.second_complaint_id
            complaint.second_filing_deadline = self.filing_deadline

    class LawsuitReported(LedgerAggregate.Event):
        TOPIC = "hoctap.Complaint.LawsuitReported"
        reported_on: date
        court: str

        def apply(self, complaint: Complaint) -> None:
            complaint.lawsuit = (self.reported_on, self.court)

    def __init__(
        self,
        level: int,
        decision_id: UUID | None,
        case_ids: list[UUID],
        unit_ids: list[UUID],
        step: str | None,
        complainant_id: UUID,
        sealed_grounds: str,
        learnt_on: date,
        received_on: date,
        remote_area: bool,
        obstacles: list[dict[str, Any]],
        attachments: list[dict[str, Any]],
        rules_id: UUID,
        previous_complaint_id: UUID | None,
        filing_deadline: date,
        acceptance_deadline: date,
    ) -> None:
        self.level = level
        self.decision_id = decision_id
        self.case_ids = list(case_ids)
        self.unit_ids = list(unit_ids)
        self.step = step
        self.complainant_id = complainant_id
        self.sealed_grounds = sealed_grounds
        self.learnt_on = learnt_on
        self.received_on = received_on
        self.remote_area = remote_area
        self.obstacles = [
            Obstacle(
                date.fromisoformat(o["first_day"]), date.fromisoformat(o["last_day"]), o["kind"]
            )
            for o in obstacles
        ]
        self.attachments = attachments
        self.rules_id = rules_id
        self.previous_complaint_id = previous_complaint_id
        self.filing_deadline = filing_deadline
        self.acceptance_deadline = acceptance_deadline
        self.status = C.RECEIVED
        self.accepted_on: date | None = None
        self.complex_case = False
        self.resolution_deadline: date | None = None
        self.handler_id: str | None = None
        self.outcome: ComplaintOutcome | None = None
        self.closed_on: date | None = None
        self.escalated_to: UUID | None = None
        self.second_filing_deadline: date | None = None
        #: Everyone who accepted (or refused), was named to resolve, or resolved it.
        self.handled_by: list[str] = []
        self.lawsuit: tuple[date, str] | None = None

    # --- filing -------------------------------------------------------------------------

    @classmethod
    def receive(
        cls,
        *,
        complaint_id: UUID,
        rules: ClockRules,
        rules_id: UUID,
        decision_id: UUID | None,
        case_ids: list[UUID],
        step: str | None,
        complainant_id: UUID,
        sealed_grounds: str,
        learnt_on: date,
        received_on: date,
        remote_area: bool,
        obstacles: list[Obstacle],
        unit_ids: list[UUID] | None = None,
        attachments: list[dict[str, Any]],
        previous: Complaint | None = None,
    ) -> Complaint:
        """Receive a first complaint, or (with ``previous``) a second one about the same."""
        if not case_ids:
            raise InvalidInput("khiếu nại phải nêu hồ sơ liên quan", field="case_ids")
        check_process_dates(learnt_on=learnt_on, received_on=received_on)
        for number, obstacle in enumerate(obstacles):
            check_process_dates(
                **{
                    f"obstacles.{number}.first_day": obstacle.first_day,
                    f"obstacles.{number}.last_day": obstacle.last_day,
                }
            )
        if received_on < learnt_on:
            raise DateOutOfOrder("ngày nhận đơn trước ngày biết quyết định")
        for obstacle in obstacles:
            if obstacle.last_day < obstacle.first_day:
                raise InvalidInput("trở ngại khách quan: ngày kết thúc trước ngày bắt đầu")
        level, period = 1, FILING
        if previous is not None:
            level, period = 2, SECOND_FILING
            if set(case_ids) != set(previous.case_ids):
                raise InvalidInput(
                    "khiếu nại lần hai phải về đúng các hồ sơ của khiếu nại lần đầu",
                    field="case_ids",
                )
            learnt_on, last_day = previous.check_can_escalate(
                learnt_on, received_on, rules, remote=remote_area, obstacles=obstacles
            )
            if received_on < learnt_on:
                raise DateOutOfOrder(
                    "khiếu nại lần hai nhận trước khi có kết quả hoặc hết hạn giải quyết lần đầu",
                    received_on=received_on.isoformat(),
                    period_starts=learnt_on.isoformat(),
                )
        else:
            last_day = deadline(rules, period, learnt_on, remote=remote_area, obstacles=obstacles)
        if received_on > last_day:
            raise StepTooLate(
                f"quá thời hạn khiếu nại: hạn cuối là {last_day.isoformat()}",
                rule=period,
                basis=rules.periods[period].basis,
                deadline=last_day.isoformat(),
                received_on=received_on.isoformat(),
            )
        return cls._create(
            cls.Received,
            id=complaint_id,
            level=level,
            decision_id=decision_id,
            case_ids=list(case_ids),
            unit_ids=list(dict.fromkeys(unit_ids or [])),
            step=step,
            complainant_id=complainant_id,
            sealed_grounds=sealed_grounds,
            learnt_on=learnt_on,
            received_on=received_on,
            remote_area=remote_area,
            obstacles=[
                {k: v.isoformat() if isinstance(v, date) else v for k, v in asdict(o).items()}
                for o in obstacles
            ],
            attachments=attachments,
            rules_id=rules_id,
            previous_complaint_id=previous.id if previous else None,
            filing_deadline=last_day,
            acceptance_deadline=deadline(rules, ACCEPTANCE, received_on),
            effective_date=received_on,
        )

    def check_can_escalate(
        self,
        learnt_on: date,
        received_on: date,
        rules: ClockRules,
        *,
        remote: bool,
        obstacles: list[Obstacle],
    ) -> tuple[date, date]:
        """The second-complaint period (the day it counts from, its last day) for a complaint
        received on ``received_on`` by a complainant who learnt of the first result on
        ``learnt_on``; refused while there is nothing to escalate yet."""
        if self.level != 1 or self.escalated_to is not None:
            raise StepOutOfOrder("chỉ khiếu nại lần đầu mới được khiếu nại tiếp, và một lần")
        window = self.second_filing_window(rules, learnt_on, remote=remote, obstacles=obstacles)
        unresolved = self.status is C.ACCEPTED
        if window is None or (unresolved and received_on <= window[0]):
            raise StepOutOfOrder(
                "khiếu nại lần hai khi lần đầu bị bác (toàn bộ hoặc một phần) hoặc quá hạn giải quyết",
                status=self.status.value,
                outcome=self.outcome.value if self.outcome else "chưa có kết quả",
            )
        return window

    def second_filing_window(
        self,
        rules: ClockRules,
        learnt_on: date | None = None,
        *,
        remote: bool | None = None,
        obstacles: list[Obstacle] | None = None,
    ) -> tuple[date, date] | None:
        """The one place the second-filing deadline is computed (Luật Khiếu nại 2011, Điều 33;
        domain.md §8: 30 days, 45 in remote areas, from receiving the first result): the day
        the period counts from (:meth:`second_filing_opens`) and its last day, for a
        complainant in a remote area (``remote``; by default as on this complaint) who lost
        ``obstacles`` days. ``None`` while the period has not opened."""
        opens = self.second_filing_opens(learnt_on)
        if opens is None:
            return None
        far = self.remote_area if remote is None else remote
        last = deadline(rules, SECOND_FILING, opens, remote=far, obstacles=obstacles or [])
        return opens, last

    def second_filing_opens(self, learnt_on: date | None = None) -> date | None:
        """The one rule for when the 30 (45) days of a second complaint start (Luật Khiếu nại
        2011, Điều 33): the day the complainant received a first result that did not uphold
        everything — ``learnt_on`` when they say so, never before the result was issued, and
        the day it was issued when nobody has said yet —, or, left unresolved, the last day
        of the resolution period. ``None`` while neither has happened."""
        if self.status is C.RESOLVED and self.outcome is not ComplaintOutcome.UPHELD:
            issued = self.closed_on or learnt_on
            return max(learnt_on or issued, issued) if issued else None
        if self.status is C.ACCEPTED:
            return self.resolution_deadline
        return None

    def handled(self, person_id: str) -> None:
        if person_id not in self.handled_by:
            self.handled_by.append(person_id)

    def check_not_handled_by(self, first: Complaint, person_id: str) -> None:
        """Nobody reviews their own handling (Luật Khiếu nại 2011, Điều 7, 33, 37): whoever
        accepted or refused the first complaint, was named to resolve it or resolved it
        neither accepts, refuses, is named for nor resolves this second one."""
        if self.level == 2 and person_id in first.handled_by:
            raise SameHandler(
                "người đã xử lý khiếu nại lần đầu không xử lý khiếu nại lần hai",
                complaint_id=str(self.id),
                person_id=person_id,
            )

    def escalate(self, second: Complaint) -> None:
        if self.escalated_to is not None or second.previous_complaint_id != self.id:
            raise StepOutOfOrder("mỗi khiếu nại lần đầu chỉ có một khiếu nại lần hai của chính nó")
        self.trigger_event(
            self.Escalated, second_complaint_id=second.id, filing_deadline=second.filing_deadline
        )

    # --- the authority's steps --------------------------------------------------------

    def accept(
        self,
        rules: ClockRules,
        accepted_on: date,
        complex_case: bool,
        *,
        first: Complaint | None = None,
    ) -> None:
        """Accept (thụ lý); a second complaint never by who handled ``first``, its first."""
        self._check_status("thụ lý", C.RECEIVED)
        self._check_actor(first)
        check_process_dates(accepted_on=accepted_on)
        if accepted_on < self.received_on:
            raise DateOutOfOrder("ngày thụ lý trước ngày nhận đơn")
        period = FIRST_RESOLUTION if self.level == 1 else SECOND_RESOLUTION
        self.trigger_event(
            self.Accepted,
            accepted_on=accepted_on,
            complex_case=complex_case,
            acceptance_deadline=deadline(rules, ACCEPTANCE, self.received_on),
            resolution_deadline=deadline(
                rules, period, accepted_on, complex_case=complex_case, remote=self.remote_area
            ),
            effective_date=accepted_on,
        )

    def refuse_to_accept(
        self, decided_on: date, rule: str, reason: str, *, first: Complaint | None = None
    ) -> None:
        self._check_status("từ chối thụ lý", C.RECEIVED)
        self._check_actor(first)
        _require(reason)
        check_process_dates(decided_on=decided_on)
        if decided_on < self.received_on:
            raise DateOutOfOrder("ngày không thụ lý trước ngày nhận đơn")
        if not rule.strip():
            raise InvalidInput("nêu căn cứ không thụ lý (ví dụ Điều 11 Luật Khiếu nại)")
        self.trigger_event(
            self.NotAccepted,
            decided_on=decided_on,
            rule=rule,
            reason=reason,
            effective_date=decided_on,
        )

    def assign_handler(self, handler_id: str, *, first: Complaint | None = None) -> None:
        """Name who resolves. A second complaint goes to someone other than anyone who
        handled the first (``first``): nobody reviews their own result."""
        self._check_status("phân công người giải quyết", C.ACCEPTED)
        self._check_actor(first)
        if first is not None:
            self.check_not_handled_by(first, handler_id)
        self.trigger_event(self.HandlerAssigned, handler_id=handler_id)

    def resolve(
        self,
        outcome: ComplaintOutcome,
        resolved_on: date,
        reason: str,
        *,
        first: Complaint | None = None,
    ) -> None:
        self._check_status("giải quyết", C.ACCEPTED)
        _require(reason)
        actor = current_context().actor_id
        if self.handler_id is None or actor != self.handler_id:
            raise SeparationOfDuties("chỉ người được phân công mới giải quyết khiếu nại")
        self._check_actor(first)
        check_process_dates(resolved_on=resolved_on)
        if self.accepted_on is not None and resolved_on < self.accepted_on:
            raise DateOutOfOrder("ngày giải quyết trước ngày thụ lý")
        late = self.resolution_deadline is not None and resolved_on > self.resolution_deadline
        self.trigger_event(
            self.Resolved,
            outcome=outcome.value,
            resolved_on=resolved_on,
            late=late,
            reason=reason,
            effective_date=resolved_on,
        )

    def report_lawsuit(self, reported_on: date, court: str) -> None:
        if self.lawsuit is not None:
            raise StepOutOfOrder("đã ghi nhận khởi kiện")
        check_process_dates(reported_on=reported_on)
        if reported_on < self.received_on:
            raise DateOutOfOrder("ngày khởi kiện trước ngày nhận đơn")
        self.trigger_event(
            self.LawsuitReported, reported_on=reported_on, court=court, effective_date=reported_on
        )

    # --- reads ----------------------------------------------------------------------------

    @property
    def upheld(self) -> bool:
        return self.outcome in (ComplaintOutcome.UPHELD, ComplaintOutcome.PARTLY_UPHELD)

    def deadlines(self, rules: ClockRules) -> dict[str, date | None]:
        """Every clock of this complaint, computed from its stored dates."""
        acceptance = self.acceptance_deadline
        second = self.second_filing_deadline  # as applied to the second complaint, once filed
        if second is None and self.level == 1:
            window = self.second_filing_window(rules)
            second = window[1] if window else None
        return {
            "filing": self.filing_deadline,
            "acceptance": acceptance,
            "resolution": self.resolution_deadline,
            "second_filing": second,
        }

    def _check_actor(self, first: Complaint | None) -> None:
        if first is None:
            return
        if first.id != self.previous_complaint_id:
            raise InvalidInput(
                "không phải khiếu nại lần đầu của khiếu nại này", complaint_id=str(first.id)
            )
        self.check_not_handled_by(first, current_context().actor_id)

    def _check_status(self, step: str, *allowed: ComplaintStatus) -> None:
        if self.status not in allowed:
            raise StepOutOfOrder(
                f"không thể {step} khi khiếu nại ở trạng thái '{self.status.value}'",
                status=self.status.value,
            )


def _require(reason: str | None) -> None:
    if reason is None or not reason.strip():
        raise ReasonRequired("cần nêu lý do")
